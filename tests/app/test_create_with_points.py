"""POST /api/sessions with "points": a session that starts on exactly the given points and split
(links with custom points, recovery after a server restart, forks)."""

import pytest

from .conftest import LIGHT, check_error

TRAIN = [[-1.0, -1.0, 0], [1.0, 1.0, 1], [2.5, -0.5, 1]]
TEST = [[-2.0, 0.25, 0]]


def create(client, **body):
    return client.post("/api/sessions", json={"snapshot": LIGHT, **body})


def test_points_are_kept_exactly_with_their_split(client):
    r = create(client, points={"train": TRAIN, "test": TEST}, hidden_layers=[3], seed=7)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["data"]["train"] == TRAIN and body["data"]["test"] == TEST
    assert body["config"]["dataset"] == "custom" and body["config"]["n_points"] == 4
    assert body["config"]["problem"] == "binary" and body["config"]["hidden_layers"] == [3]
    # the answer's config re-creates the same session (same points, same initial weights)
    data = body["data"]
    again = create(client, points={"train": data["train"], "test": data["test"]}, **body["config"])
    assert again.status_code == 201, again.get_json()
    w1 = client.get(f"/api/sessions/{body['id']}/model").get_json()["trainer"]["network"]
    w2 = client.get(f"/api/sessions/{again.get_json()['id']}/model").get_json()["trainer"]["network"]
    assert w1["params"] == w2["params"]


def test_an_empty_test_set_is_allowed(client):
    r = create(client, points={"train": TRAIN})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["data"]["test"] == []


def test_regression_and_multiclass_points(client):
    reg = create(client, problem="regression",
                 points={"train": [[0.0, 0.0, 0.5], [1.0, 1.0, -0.25]], "test": [[2.0, 2.0, 1.5]]})
    assert reg.status_code == 201, reg.get_json()
    assert reg.get_json()["data"]["test"] == [[2.0, 2.0, 1.5]]
    multi = create(client, problem="multiclass",
                   points={"train": [[0.0, 0.0, 0], [1.0, 1.0, 3], [2.0, 0.0, 1]], "test": []})
    assert multi.status_code == 201, multi.get_json()
    # classes inferred from the labels when not given: ids 0..3 → 4 classes, 4 outputs
    assert multi.get_json()["config"]["n_classes"] == 4
    given = create(client, problem="multiclass", n_classes=5,
                   points={"train": [[0.0, 0.0, 0], [1.0, 1.0, 1]]})
    assert given.get_json()["config"]["n_classes"] == 5


@pytest.mark.parametrize("points, status, field", [
    ({"train": []}, 422, "points"),
    ({"train": [[0.0, 0.0, 1]]}, 422, "points"),
    ([[0.0, 0.0, 1]], 400, "points"),
    ({"train": "0,0,1"}, 400, "points.train"),
    ({"train": TRAIN, "extra": []}, 422, "points.extra"),
    ({"train": TRAIN + [[0.0, 9.0, 1]]}, 422, "points"),
    ({"train": TRAIN + [[0.0, 0.0, 2]]}, 422, "points"),
])
def test_bad_points_are_refused_naming_the_field(client, points, status, field):
    error = check_error(create(client, points=points), status)
    assert error["field"] == field


def test_too_many_points_are_refused_before_parsing(client, app):
    app.config["MAX_POINTS"] = 3
    error = check_error(create(client, points={"train": TRAIN, "test": TEST}), 422)
    assert error["field"] == "points" and error["allowed"] == [2, 3]


def test_points_with_another_dataset_are_refused(client):
    error = check_error(create(client, dataset="circle", points={"train": TRAIN}), 422)
    assert error["field"] == "dataset"
