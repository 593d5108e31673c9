import numpy as np
import pytest

from nn_core.datasets import DATASETS, make_dataset
from nn_core.errors import ConfigError
from nn_core.userdata import UserDataError, load_points, to_csv


def test_good_csv_with_header_and_blank_lines():
    text = " X1 , x2,LABEL \r\n\n1.5,-2,1\n  -6, 6 , 0\n\n0,0.25,1\n"
    points, labels = load_points(text, "binary")
    assert points.dtype == np.float64 and points.shape == (3, 2)
    assert points.tolist() == [[1.5, -2.0], [-6.0, 6.0], [0.0, 0.25]]
    assert labels.dtype == np.int64 and labels.tolist() == [1, 0, 1]


def test_csv_without_header():
    points, labels = load_points("1,2,0\n3,4,1", "binary")
    assert points.tolist() == [[1, 2], [3, 4]] and labels.tolist() == [0, 1]


def test_list_of_rows_for_each_problem():
    rows = [[1, 2, 0], [-1.5, 0.5, 2], [0, 0, 1]]
    points, labels = load_points(rows, "multiclass", n_classes=3)
    assert points.tolist() == [[1, 2], [-1.5, 0.5], [0, 0]]
    assert labels.dtype == np.int64 and labels.tolist() == [0, 2, 1]
    points, labels = load_points([[1, 2, 0.25], [3, 4, -7.5]], "regression")
    assert labels.dtype == np.float64 and labels.tolist() == [0.25, -7.5]
    points, labels = load_points(((1, 2, 1.0), (3, 4, 0)), "binary")
    assert labels.tolist() == [1, 0]
    points, labels = load_points(np.array([[1.0, 2.0, 1.0]]), "binary")
    assert points.tolist() == [[1, 2]] and labels.tolist() == [1]


def test_multiclass_infers_the_class_count():
    _, labels = load_points([[0, 0, 0], [1, 1, 4]], "multiclass")
    assert labels.tolist() == [0, 4]
    with pytest.raises(ConfigError) as err:
        load_points([[0, 0, 0], [1, 1, 0]], "multiclass")
    assert err.value.field == "n_classes"


def test_every_bad_csv_row_is_reported_with_its_line_number():
    text = "\n".join([
        "x1,x2,label",   # 1
        "1,2,0",         # 2
        "7,2,1",         # 3 coordinate outside the plane
        "",              # 4 blank
        "1,abc,1",       # 5 not a number
        "1,2,2",         # 6 label not 0/1
        "0.5,0.5,1",     # 7
        "1,2",           # 8 wrong number of columns
        "inf,1,0",       # 9 not finite
    ])
    with pytest.raises(UserDataError) as err:
        load_points(text, "binary")
    e = err.value
    assert isinstance(e, ConfigError) and e.field == "points"
    assert [row["row"] for row in e.errors] == [3, 5, 6, 8, 9]
    reasons = {row["row"]: row["reason"] for row in e.errors}
    assert reasons[3] == "x1 = 7 is outside [-6, 6]"
    assert reasons[5] == "x2 'abc' is not a number"
    assert reasons[6] == "label must be 0 or 1, got 2"
    assert reasons[8] == "expected 3 columns (x1, x2, label), got 2"
    assert reasons[9] == "x1 is not finite (inf)"
    assert str(e).startswith("points: 5 bad lines: line 3: x1 = 7 is outside [-6, 6]; line 5:")
    assert "and label 0 or 1" in e.allowed


def test_one_row_with_several_problems_lists_them_all():
    with pytest.raises(UserDataError) as err:
        load_points("9,nan,-1", "binary")
    reason = err.value.errors[0]["reason"]
    assert reason == ("x1 = 9 is outside [-6, 6], x2 is not finite (nan), "
                      "label must be 0 or 1, got -1 (TF Playground's -1 class is 0 here)")


def test_message_summarises_the_first_rows_only():
    text = "\n".join(f"{i},0,5" for i in range(1, 6)) + "\n" + "\n".join(["9,9,9"] * 4)
    with pytest.raises(UserDataError) as err:
        load_points(text, "binary")
    assert len(err.value.errors) == 9
    assert str(err.value).count("line ") == 5 and "and 4 more" in str(err.value)


def test_bad_rows_in_a_list_are_numbered_from_one():
    rows = [[0, 0, 1], [0, "1", 0], [0, 0, 1.5], [True, 0, 0], "0,0,1", [0, 0, 3], [1, 2, 3, 4]]
    with pytest.raises(UserDataError) as err:
        load_points(rows, "multiclass", n_classes=3)
    assert err.value.errors == [
        {"row": 2, "reason": "x2 '1' is not a number"},
        {"row": 3, "reason": "label must be an integer class id in [0, 3), got 1.5"},
        {"row": 4, "reason": "x1 bool is not a number"},
        {"row": 5, "reason": "expected a list [x1, x2, label]"},
        {"row": 6, "reason": "label must be an integer class id in [0, 3), got 3"},
        {"row": 7, "reason": "expected 3 columns (x1, x2, label), got 4"},
    ]
    assert str(err.value).startswith("points: 6 bad rows: row 2:")


def test_regression_labels_must_be_finite():
    with pytest.raises(UserDataError) as err:
        load_points([[0, 0, float("nan")], [0, 0, 1e400], [0, 0, 1e300]], "regression")
    assert [e["row"] for e in err.value.errors] == [1, 2]
    assert err.value.errors[0]["reason"] == "label is not finite (nan)"


def test_wrong_header_and_wrong_separator_are_explained():
    with pytest.raises(UserDataError) as err:
        load_points("x,y,class\n1,2,0\n1;2;1", "binary")
    assert err.value.errors == [
        {"row": 1, "reason": "unexpected header; expected x1,x2,label (or no header line)"},
        {"row": 3,
         "reason": "expected 3 columns (x1, x2, label), got 1 (separate values with commas)"},
    ]


def test_coord_limit_is_configurable():
    assert load_points("10,-10,0", "binary", coord_limit=10)[0].tolist() == [[10, -10]]
    with pytest.raises(UserDataError):
        load_points("10.5,0,0", "binary", coord_limit=10)


@pytest.mark.parametrize("source", ["", "\n \n", "x1,x2,label\n", []])
def test_no_points_is_an_error(source):
    with pytest.raises(ConfigError) as err:
        load_points(source, "binary")
    assert err.value.field == "points" and err.value.allowed == [1, 5000]
    assert not isinstance(err.value, UserDataError)


def test_too_many_points_is_an_error_naming_the_limit():
    rows = [[0, 0, 0]] * 5001
    with pytest.raises(ConfigError) as err:
        load_points(rows, "binary")
    assert err.value.field == "points" and err.value.allowed == [1, 5000]
    assert "5001" in str(err.value)
    with pytest.raises(ConfigError) as err:
        load_points("0,0,1\n" * 11, "binary", max_points=10)
    assert err.value.allowed == [1, 10]
    assert len(load_points([[0, 0, 0]] * 5000, "binary")[0]) == 5000


def test_bad_arguments():
    with pytest.raises(ConfigError) as err:
        load_points("1,2,0", "classification")
    assert err.value.field == "problem"
    with pytest.raises(ConfigError) as err:
        load_points("1,2,0", "multiclass", n_classes=1)
    assert err.value.field == "n_classes"
    with pytest.raises(ConfigError) as err:
        load_points(42, "binary")
    assert err.value.field == "points"


def test_to_csv_format():
    text = to_csv(np.array([[0.1, -2.0], [1e-20, 5.5]]), np.array([1, 0]))
    assert text == "x1,x2,label\n0.1,-2.0,1\n1e-20,5.5,0\n"


@pytest.mark.parametrize("name", [n for n in DATASETS if DATASETS.info(n)["kind"] == "plane"])
def test_generated_data_round_trips_exactly(name):
    ds = make_dataset(name, noise=0.35, seed=12)
    points, labels = load_points(to_csv(ds.points, ds.labels), ds.problem, n_classes=ds.n_classes)
    assert np.array_equal(points, ds.points) and points.dtype == np.float64
    assert np.array_equal(labels, ds.labels) and labels.dtype == ds.labels.dtype


def test_round_trip_of_awkward_floats():
    rng = np.random.default_rng(3)
    points = rng.uniform(-6, 6, size=(300, 2)) * 10.0 ** rng.integers(-30, 1, size=(300, 1))
    labels = rng.normal(size=300) * 1e-7
    back_points, back_labels = load_points(to_csv(points, labels), "regression")
    assert np.array_equal(back_points, points) and np.array_equal(back_labels, labels)


def test_to_csv_rejects_bad_shapes():
    with pytest.raises(ConfigError) as err:
        to_csv(np.zeros((3, 3)), np.zeros(3))
    assert err.value.field == "points"
    with pytest.raises(ConfigError) as err:
        to_csv(np.zeros((3, 2)), np.zeros(2))
    assert err.value.field == "labels"
