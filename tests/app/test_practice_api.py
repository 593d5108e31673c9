"""Practice over HTTP: POST /api/practice/exercise and /api/practice/check (stateless: no session
is made, the exercise travels with the answers) and POST /api/sessions/<id>/practice (the
session's own network at the point `trace` would choose). Answers are nn_core's, number for
number; questions come a page at a time; every bad input is a 4xx JSON error naming the field,
never a 5xx, whatever JSON is sent."""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.capacity.limits import MAX_PRACTICE_ANSWERS, MAX_PRACTICE_QUESTIONS
from nn_core import Network, practice, textbook, transform

from .conftest import BARE, check_error, create, post

EXERCISE = "/api/practice/exercise"
CHECK = "/api/practice/check"
# The page's three exercises (static/js/inspect/practice.js PRESETS).
PRESETS = [{"layer_sizes": [2, 2, 1], "problem": "regression"},
           {"layer_sizes": [2, 3, 2], "problem": "multiclass"},
           {"layer_sizes": [1, 2, 1], "problem": "regression", "activation": "tanh"}]


def practise(client, sid, body, status=200):
    return post(client, f"/api/sessions/{sid}/practice", body, status)


def sessions(app):
    return len(app.extensions["sessions"])


# ------------------------------------------------------------------ POST /api/practice/exercise
@pytest.mark.parametrize("preset", PRESETS)
def test_exercise_is_the_engines_with_every_question_and_its_value(app, client, preset):
    got = post(client, EXERCISE, {"seed": 7, **preset})
    ex = practice.exercise(seed=7, **preset)
    assert got["exercise"] == json.loads(json.dumps(ex))
    assert got["questions"] == practice.questions(ex)
    assert got["solution"] == practice.solution(ex)
    assert got["total"] == len(got["questions"]) and got["offset"] == 0
    assert post(client, EXERCISE, {"seed": 7, **preset}) == got          # a seed is an exercise
    assert post(client, EXERCISE, {"seed": 8, **preset})["exercise"] != got["exercise"]
    assert sessions(app) == 0                                             # stateless


def test_exercise_defaults_are_the_issues_2_2_1():
    from app import create_app
    got = post(create_app({"TESTING": True}).test_client(), EXERCISE, {})
    assert got["exercise"]["layer_sizes"] == [2, 2, 1]
    assert got["exercise"]["activations"] == ["sigmoid", "linear"]
    assert got["exercise"]["loss"] == "mse" and got["exercise"]["learning_rate"] == 0.5
    assert [q["key"] for q in got["questions"]][:5] == ["z.0.0", "z.0.1", "a.0.0", "a.0.1", "z.1.0"]


@pytest.mark.parametrize("body, status, field", [
    ({"seed": -1}, 422, "seed"),
    ({"seed": 1.5}, 422, "seed"),
    ({"seed": "1"}, 422, "seed"),
    ({"layer_sizes": [2, 5, 1]}, 422, "layer_sizes[1]"),
    ({"layer_sizes": [2, 2, 2, 2, 1]}, 422, "layer_sizes"),
    ({"layer_sizes": "2-2-1"}, 422, "layer_sizes"),
    ({"activation": "softmax"}, 422, "activation"),
    ({"activation": "swish2"}, 422, "activation"),
    ({"problem": "ranking"}, 422, "problem"),
    ({"learning_rate": 100}, 422, "learning_rate"),
    ({"learning_rate": 1e400}, 422, "learning_rate"),
    ({"size": 3}, 422, "size"),
])
def test_exercise_refuses_bad_input_by_name(app, client, body, status, field):
    error = check_error(client.post(EXERCISE, json=body), status)
    assert error["field"] == field
    assert sessions(app) == 0


# ------------------------------------------------------------------ POST /api/practice/check
def test_check_is_the_engines_marking_with_carry_forward(client):
    ex = post(client, EXERCISE, {"seed": 3})["exercise"]
    true = practice.solution(ex)
    got = post(client, CHECK, {"exercise": ex, "answers": true})
    assert got["all_correct"] is True and set(got["results"]) == set(true)
    # z.0.0 without its bias, and a.0.0 = sigmoid(that wrong z): a is carried forward, so correct
    wrong_z = true["z.0.0"] - ex["b"][0][0]
    answers = {"z.0.0": wrong_z, "a.0.0": 1 / (1 + np.exp(-wrong_z))}
    got = post(client, CHECK, {"exercise": ex, "answers": answers})
    assert got == json.loads(json.dumps(practice.check(ex, answers)))
    z, a = got["results"]["z.0.0"], got["results"]["a.0.0"]
    assert (z["correct"], z["diagnosis"]) == (False, "forgot_bias")
    assert z["expected"] == pytest.approx(true["z.0.0"], abs=1e-12)
    assert z["explanation"].startswith("You left out the bias") and z["hint"].endswith("= ?")
    assert a["correct"] is True and got["all_correct"] is False


def test_check_takes_a_session_exercise_at_full_precision(client):
    sid = create(client)["id"]
    page = practise(client, sid, {"point": {"set": "train", "index": 0}})
    got = post(client, CHECK, {"exercise": page["exercise"], "answers": page["solution"]})
    assert got["all_correct"] is True and len(got["results"]) == page["total"]


def bad_exercise(**change):
    ex = practice.exercise(seed=1)
    ex.update(change)
    return ex


@pytest.mark.parametrize("body, status, field", [
    ({"answers": {}}, 422, "exercise"),
    ({"exercise": practice.exercise()}, 422, "answers"),
    ({"exercise": practice.exercise(), "answers": [1.0]}, 400, "answers"),
    ({"exercise": practice.exercise(), "answers": {}, "reveal": True}, 422, "reveal"),
    ({"exercise": "2-2-1", "answers": {}}, 422, "exercise"),
    ({"exercise": bad_exercise(W=[[[0.1, 0.2]], [[0.1], [0.2]]]), "answers": {}}, 422,
     "exercise.W[0]"),
    ({"exercise": bad_exercise(x=[0.1, "0.2"]), "answers": {}}, 422, "exercise.x[1]"),
    ({"exercise": bad_exercise(b=[[0.1, 1e400], [0.3]]), "answers": {}}, 422, "exercise.b[0][1]"),
    ({"exercise": bad_exercise(activations=["softmax", "linear"]), "answers": {}}, 422,
     "exercise.activations[0]"),
    ({"exercise": bad_exercise(loss="l2"), "answers": {}}, 422, "exercise.loss"),
    ({"exercise": bad_exercise(layer_sizes=[2] + [65, 1]), "answers": {}}, 422,
     "exercise.layer_sizes[1]"),
    ({"exercise": bad_exercise(layer_sizes=[2] * 11), "answers": {}}, 422, "exercise.layer_sizes"),
    ({"exercise": bad_exercise(seed=3), "answers": {}}, 422, "exercise.seed"),
    ({"exercise": practice.exercise(), "answers": {"z.0.9": 1.0}}, 422, "answers[z.0.9]"),
    ({"exercise": practice.exercise(), "answers": {"w.0.0": 1.0}}, 422, "answers[w.0.0]"),
    ({"exercise": practice.exercise(), "answers": {"loss": "0.3"}}, 422, "answers[loss]"),
    ({"exercise": practice.exercise(), "answers": {"loss": None}}, 422, "answers[loss]"),
    ({"exercise": practice.exercise(),
      "answers": {f"z.0.{k}": 0.0 for k in range(MAX_PRACTICE_ANSWERS + 1)}}, 422, "answers"),
])
def test_check_refuses_bad_input_by_name(client, body, status, field):
    error = check_error(client.post(CHECK, json=body), status)
    assert error["field"] == field


# ------------------------------------------------------------------ POST …/sessions/<id>/practice
def test_session_practice_is_the_sessions_network_at_the_traced_point(client):
    sid = create(client, regularization="l2", reg_rate=0.01, learning_rate=0.1)["id"]
    post(client, f"/api/sessions/{sid}/step", {"epochs": 2, "snapshot": BARE})
    point = {"point": {"set": "test", "index": 4}}
    got = practise(client, sid, point)
    traced = post(client, f"/api/sessions/{sid}/trace", point)
    assert got["input"] == {k: traced["input"][k] for k in ("point", "features", "set", "index")}
    assert got["label"] == traced["label"] and got["epoch"] == 2
    assert (got["regularization"], got["reg_rate"]) == ("l2", 0.01)
    ex = got["exercise"]
    assert ex["x"] == traced["input"]["values"] and ex["target"] == traced["target"]
    assert ex["W"] == [layer["W"] for layer in traced["layers"]]
    assert ex["learning_rate"] == traced["learning_rate"] == 0.1
    assert got["total"] == len(got["questions"]) == len(practice.questions(ex))
    sol = got["solution"]
    for i, layer in enumerate(traced["layers"]):
        assert sol[f"delta.{i}.0"] == pytest.approx(layer["delta"][0], rel=1e-12)
        # the data-loss step only: W − α·∂L/∂W, without the L2 penalty the trace adds
        W, dW = np.array(layer["W"]), np.array(layer["dW"])
        assert sol[f"W_new.{i}.0.0"] == pytest.approx((W - 0.1 * dW)[0, 0], rel=1e-12)
        assert sol[f"W_new.{i}.0.0"] != pytest.approx(W[0, 0] + layer["update_W"][0][0], rel=1e-9)
    assert sol["loss"] == pytest.approx(traced["loss"], rel=1e-12)


def test_session_practice_of_a_free_point_and_of_a_regression_network(client):
    sid = create(client, dataset="plane", features=["x1", "x2", "x1_sq"])["id"]
    got = practise(client, sid, {"x": [1.5, -2.0], "label": 0.25})
    assert got["input"]["set"] is None and got["exercise"]["target"] == [0.25]
    assert got["exercise"]["x"] == pytest.approx(transform([[1.5, -2.0]], ["x1", "x2", "x1_sq"])[0])
    assert got["exercise"]["loss"] == "mse"


def test_session_questions_come_a_page_at_a_time(client):
    sid = create(client, hidden_layers=[8, 8])["id"]
    full = practise(client, sid, {"point": {"index": 1}})
    backward = [q for q in full["questions"] if q["quantity"] in ("delta", "dW", "db")]
    pages, offset = [], 0
    while True:
        page = practise(client, sid, {"point": {"index": 1}, "quantities": ["delta", "dW", "db"],
                                      "offset": offset, "limit": 25})
        assert page["total"] == len(backward) and page["offset"] == offset
        assert set(page["solution"]) == {q["key"] for q in page["questions"]}
        pages += page["questions"]
        offset += 25
        if offset >= page["total"]:
            break
    assert pages == backward                                      # in computation order, each once
    past = practise(client, sid, {"point": {"index": 1}, "offset": 10**6})
    assert past["questions"] == [] and past["total"] == len(full["questions"])


def test_the_largest_network_is_paged_at_the_limit(make_app):
    client = make_app().test_client()
    sid = create(client, hidden_layers=[64] * 8)["id"]
    got = practise(client, sid, {"point": {"index": 0}})
    assert len(got["questions"]) == MAX_PRACTICE_QUESTIONS < got["total"]
    assert got["total"] == len(practice.questions(got["exercise"]))


@pytest.mark.parametrize("body, status, field", [
    ({}, 422, "point"),
    ({"point": {"set": "train", "index": 0}, "x": [0, 0], "label": 1}, 422, "point"),
    ({"point": {"set": "train", "index": 250}}, 422, "point.index"),
    ({"point": {"set": "train", "index": 0}, "label": 1}, 422, "label"),
    ({"x": [7.0, 0.0], "label": 0}, 422, "x[0]"),
    ({"x": [1.0, 2.0], "label": 2}, 422, "label"),
    ({"point": {"index": 0}, "quantities": "z"}, 400, "quantities"),
    ({"point": {"index": 0}, "quantities": []}, 400, "quantities"),
    ({"point": {"index": 0}, "quantities": ["z", "w"]}, 422, "quantities[1]"),
    ({"point": {"index": 0}, "offset": -1}, 422, "offset"),
    ({"point": {"index": 0}, "limit": 0}, 422, "limit"),
    ({"point": {"index": 0}, "limit": MAX_PRACTICE_QUESTIONS + 1}, 422, "limit"),
    ({"point": {"index": 0}, "limit": "5"}, 400, "limit"),
    ({"point": {"index": 0}, "apply": True}, 422, "apply"),
    ({"point": {"index": 0}, "snapshot": {"grid": False}}, 422, "snapshot"),
])
def test_session_practice_refuses_bad_input_by_name(client, body, status, field):
    sid = create(client)["id"]
    error = check_error(client.post(f"/api/sessions/{sid}/practice", json=body), status)
    assert error["field"] == field


def test_unknown_diverged_and_too_large_sessions(make_app):
    client = make_app(MAX_NEURONS=80).test_client()
    check_error(client.post("/api/sessions/nope/practice", json={"point": {"index": 0}}), 404)
    check_error(client.get("/api/sessions/nope/practice"), 405)
    sid = create(client, dataset="plane", learning_rate=10)["id"]
    snap = post(client, f"/api/sessions/{sid}/step", {"epochs": 50, "snapshot": BARE})["snapshot"]
    assert snap["status"] == "diverged"
    error = check_error(client.post(f"/api/sessions/{sid}/practice",
                                    json={"point": {"index": 0}}), 422)
    assert error["field"] == "status"
    # a server configured above the engine's exercise limits: a 422 naming the layer, not a 500
    sid = create(client, hidden_layers=[80])["id"]
    error = check_error(client.post(f"/api/sessions/{sid}/practice",
                                    json={"point": {"index": 0}}), 422)
    assert error["field"] == "exercise.layer_sizes[1]"
    assert error["allowed"] == [1, practice.MAX_NEURONS]


def test_the_session_endpoint_equals_practice_from_trace_of_the_network(client):
    created = create(client, activation="relu", problem="multiclass", dataset="spiral_k",
                     n_classes=3)
    sid = created["id"]
    got = practise(client, sid, {"point": {"set": "train", "index": 5}})
    model = client.get(f"/api/sessions/{sid}/model").get_json()
    net = Network.from_dict(model["trainer"]["network"])
    x1, x2, label = created["data"]["train"][5]
    ex = practice.from_trace(textbook.trace(net, [x1, x2], label, 0.03))
    assert got["exercise"] == json.loads(json.dumps(ex))
    assert got["exercise"]["loss"] == "softmax_ce" and sum(got["exercise"]["target"]) == 1


# ------------------------------------------------------------------ any JSON: 4xx, never 5xx
FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
scalars = (st.none() | st.booleans() | st.integers(-10**20, 10**20)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8))
json_values = st.recursive(scalars, lambda c: st.lists(c, max_size=4)
                           | st.dictionaries(st.text(max_size=6), c, max_size=4), max_leaves=10)
# A real exercise with one value swapped for arbitrary JSON, one path deep.
PATHS = [("layer_sizes",), ("layer_sizes", 1), ("activations", 0), ("loss",), ("learning_rate",),
         ("W",), ("W", 0), ("W", 1, 0), ("W", 0, 1, 0), ("b", 1), ("b", 0, 0), ("x", 1),
         ("target",), ("target", 0)]


def swapped(path, value):
    ex = practice.exercise(seed=2, layer_sizes=(2, 3, 2), problem="multiclass")
    node = ex
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return ex


def answered(status, response):
    assert response.mimetype == "application/json"
    assert status == 200 or 400 <= response.status_code < 500, response.get_json()
    if response.status_code != 200:
        assert response.get_json()["error"]["field"] is not None


@FUZZ
@given(st.sampled_from(PATHS), json_values,
       st.dictionaries(st.sampled_from(["z.0.0", "a.1.1", "loss", "dW.0.1.2", "W_new.1.2.1",
                                        "x.0", "z.0.3", "b_new.1"]), json_values, max_size=3))
def test_check_answers_any_exercise_and_answers_with_4xx_or_200(client, path, value, answers):
    r = client.post(CHECK, json={"exercise": swapped(path, value), "answers": answers})
    answered(r.status_code, r)


@FUZZ
@given(st.dictionaries(st.sampled_from(["seed", "layer_sizes", "activation", "problem",
                                        "learning_rate"]), json_values, max_size=3))
def test_exercise_answers_any_body_with_4xx_or_200(client, body):
    r = client.post(EXERCISE, json=body)
    answered(r.status_code, r)


@FUZZ
@given(st.dictionaries(st.sampled_from(["point", "x", "label", "quantities", "offset", "limit"]),
                       json_values, max_size=4))
def test_session_practice_answers_any_body_with_4xx_or_200(client, body):
    if not hasattr(client, "practice_session"):    # one session for every example of this test
        client.practice_session = create(client)["id"]
    r = client.post(f"/api/sessions/{client.practice_session}/practice", json=body)
    answered(r.status_code, r)
