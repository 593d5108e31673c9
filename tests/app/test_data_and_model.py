"""The data endpoint (regenerate, replace, append, remove, CSV) and model export/import."""

import json

import numpy as np
import pytest

from app.session.arrays import decode


def post_data(client, sid, **body):
    body.setdefault("snapshot", {"grid": False})
    return client.post(f"/api/sessions/{sid}/data", json=body)


def weights(snapshot):
    return [layer["W"]["data"] + layer["b"]["data"] for layer in snapshot["weights"]]


# --------------------------------------------------------------------------- data
def test_regenerate_draws_new_points_and_keeps_the_network(client, make_session):
    first = make_session(snapshot={"grid": False})
    sid = first["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 2, "snapshot": {"grid": False}})
    trained = client.get(f"/api/sessions/{sid}?grid=0").get_json()["snapshot"]
    r = post_data(client, sid, action="regenerate")
    assert r.status_code == 200
    body = r.get_json()
    seed = body["config"]["data_seed"]
    assert seed != 1
    assert body["data"]["train"] != first["data"]["train"]
    assert len(body["data"]["train"]) == 250
    assert body["snapshot"]["epoch"] == 2 and weights(body["snapshot"]) == weights(trained)
    # the returned config reproduces exactly these points
    again = make_session(data_seed=seed)
    assert again["data"] == body["data"]
    body = post_data(client, sid, action="regenerate", data_seed=5).get_json()
    assert body["config"]["data_seed"] == 5 and body["data"] == make_session(data_seed=5)["data"]


def test_replace_with_points_makes_a_custom_dataset(client, make_session):
    sid = make_session()["id"]
    rows = [[1.0, 2.0, 1], [-1.0, -2.0, 0], [3.0, 0.5, 1], [-3.5, 0.25, 0]]
    body = post_data(client, sid, action="replace", points=rows).get_json()
    assert body["config"]["dataset"] == "custom" and body["config"]["n_points"] == 4
    got = sorted(body["data"]["train"] + body["data"]["test"])
    assert got == sorted(rows) and len(body["data"]["train"]) == 2
    # train a little on them; then a PATCH of the split re-splits the same points
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 3})
    body = client.patch(f"/api/sessions/{sid}", json={"train_ratio": 0.75}).get_json()
    assert body["rebuilt"] == ["data", "training"] and len(body["data"]["train"]) == 3
    assert sorted(body["data"]["train"] + body["data"]["test"]) == sorted(rows)
    error = client.patch(f"/api/sessions/{sid}", json={"n_points": 100}).get_json()["error"]
    assert error["field"] == "n_points"
    # leaving "custom" for a generated dataset works again
    body = client.patch(f"/api/sessions/{sid}", json={"dataset": "xor"}).get_json()
    assert body["config"]["dataset"] == "xor" and body["config"]["n_points"] == 500
    assert len(body["data"]["train"]) == 375  # the 75 % split chosen above stays


def test_replace_with_csv_and_download_round_trip(client, make_session):
    sid = make_session()["id"]
    csv = "x1,x2,label\n0.5,0.25,1\n-1,-1,0\n\n2,2,1\n"
    body = post_data(client, sid, action="replace", csv=csv).get_json()
    assert body["config"]["n_points"] == 3
    r = client.get(f"/api/sessions/{sid}/data.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    text = r.get_data(as_text=True)
    assert text.splitlines()[0] == "x1,x2,label" and len(text.splitlines()) == 4
    # the downloaded file uploads back to the same points
    other = make_session()["id"]
    again = post_data(client, other, action="replace", csv=text).get_json()
    assert sorted(again["data"]["train"] + again["data"]["test"]) == sorted(
        body["data"]["train"] + body["data"]["test"])


def test_get_data_returns_the_points(client, make_session):
    made = make_session()
    body = client.get(f"/api/sessions/{made['id']}/data").get_json()
    assert body["data"] == made["data"] and body["config"] == made["config"]


def test_generated_data_downloads_exactly(client, make_session):
    made = make_session()
    text = client.get(f"/api/sessions/{made['id']}/data.csv").get_data(as_text=True)
    rows = [[float(v) for v in line.split(",")] for line in text.splitlines()[1:]]
    assert rows == [[x, y, float(label)] for x, y, label in made["data"]["train"] + made["data"]["test"]]


def test_bad_rows_are_reported_by_number(client, make_session, error_of):
    sid = make_session()["id"]
    r = post_data(client, sid, action="replace", points=[[0, 0, 1], [0, "a", 1], [9, 0, 0], [0, 0, 2]])
    error = error_of(r, 422)
    assert [e["row"] for e in error["errors"]] == [2, 3, 4]
    assert "not a number" in error["errors"][0]["reason"]
    assert "outside" in error["errors"][1]["reason"]
    assert "0 or 1" in error["errors"][2]["reason"]
    r = post_data(client, sid, action="append", csv="x1,x2,label\n1,1,1\n1;1;1\n")
    error = error_of(r, 422)
    assert error["errors"][0]["row"] == 3
    # nothing changed
    assert client.get(f"/api/sessions/{sid}?grid=0").get_json()["config"]["dataset"] == "circle"


def test_append_and_remove(client, make_session):
    made = make_session()
    sid = made["id"]
    body = post_data(client, sid, action="append", points=[[5.5, 5.5, 1]]).get_json()
    assert body["config"]["dataset"] == "custom" and body["config"]["n_points"] == 501
    assert body["data"]["train"][-1] == [5.5, 5.5, 1] and len(body["data"]["test"]) == 250
    body = post_data(client, sid, action="append", points=[[-5.5, 5.5, 0]], split="test").get_json()
    assert body["data"]["test"][-1] == [-5.5, 5.5, 0]
    body = post_data(client, sid, action="remove", near=[5.4, 5.6]).get_json()
    assert body["removed"] == 1 and [5.5, 5.5, 1] not in body["data"]["train"]
    body = post_data(client, sid, action="remove", near=[5.4, 5.6], radius=0.01).get_json()
    assert body["removed"] == 0 and body["config"]["n_points"] == 501
    body = post_data(client, sid, action="remove", indices=[0, 1, 249, 250]).get_json()
    assert body["removed"] == 4 and body["config"]["n_points"] == 497
    assert len(body["data"]["train"]) == 247 and len(body["data"]["test"]) == 250
    assert body["data"]["train"][0] == made["data"]["train"][2]


def test_user_points_for_a_multiclass_session(client, make_session, error_of):
    sid = make_session(dataset="blobs", n_classes=3)["id"]
    body = post_data(client, sid, action="append", points=[[0, 0, 2]]).get_json()
    assert body["data"]["train"][-1] == [0, 0, 2]
    error = error_of(post_data(client, sid, action="append", points=[[0, 0, 3]]), 422)
    assert error["errors"][0]["row"] == 1


def test_user_points_for_a_regression_session(client, make_session):
    sid = make_session(dataset="plane")["id"]
    body = post_data(client, sid, action="replace", points=[[0, 0, 0.25], [1, 1, -0.5]]).get_json()
    assert sorted(r[2] for r in body["data"]["train"] + body["data"]["test"]) == [-0.5, 0.25]
    assert "train_rmse" in body["snapshot"]["metrics"]


@pytest.mark.parametrize("body, status, field", [
    ({}, 400, "action"),
    ({"action": "shuffle"}, 422, "action"),
    ({"action": "replace"}, 422, "points"),
    ({"action": "replace", "points": [[0, 0, 1]], "csv": "0,0,1"}, 422, "points"),
    ({"action": "replace", "points": "0,0,1"}, 400, "points"),
    ({"action": "replace", "points": [[0, 0, 1]]}, 422, "points"),
    ({"action": "replace", "points": [[0, 0, 1]] * 5001}, 422, "points"),
    ({"action": "replace", "csv": 5}, 400, "csv"),
    ({"action": "append", "points": [[0, 0, 1]], "split": "validation"}, 422, "split"),
    ({"action": "append", "points": [[0, 0, 1]] * 4501}, 422, "points"),
    ({"action": "remove"}, 422, "indices"),
    ({"action": "remove", "indices": [500]}, 422, "indices[0]"),
    ({"action": "remove", "indices": [-1]}, 422, "indices[0]"),
    ({"action": "remove", "indices": list(range(250))}, 422, "indices"),
    ({"action": "remove", "near": [1]}, 400, "near"),
    ({"action": "remove", "near": [1, 1], "radius": -1}, 422, "radius"),
    ({"action": "regenerate", "data_seed": -3}, 422, "data_seed"),
    ({"action": "regenerate", "points": []}, 422, "points"),
])
def test_bad_data_requests(client, make_session, error_of, body, status, field):
    sid = make_session()["id"]
    error = error_of(client.post(f"/api/sessions/{sid}/data", json=body), status)
    assert error["field"] == field


# --------------------------------------------------------------------------- model
def test_export_import_continue_is_bit_identical(client, make_session):
    sid = make_session(optimizer="adam", hidden_layers=[5, 3], batch_size=7,
                       regularization="l2", reg_rate=0.001)["id"]
    # stop mid-epoch (batches) so the shuffling order and position must survive too
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 3})
    client.post(f"/api/sessions/{sid}/step", json={"batches": 11})
    r = client.get(f"/api/sessions/{sid}/model")
    assert r.status_code == 200
    export = r.get_json()
    assert export["format"] == "nn-playground-model" and export["version"] == 1
    text = json.dumps(export)  # plain JSON all the way
    assert "NaN" not in text and "Infinity" not in text

    r = client.post("/api/sessions", json={"model": json.loads(text)})
    assert r.status_code == 201
    imported = r.get_json()
    assert imported["config"] == client.get(f"/api/sessions/{sid}?grid=0").get_json()["config"]
    assert imported["snapshot"]["epoch"] == 3 and imported["snapshot"]["steps"] == 3 * 36 + 11
    for target in (sid, imported["id"]):
        client.post(f"/api/sessions/{target}/step", json={"epochs": 4})
    a = client.get(f"/api/sessions/{sid}/model").get_json()
    b = client.get(f"/api/sessions/{imported['id']}/model").get_json()
    assert a["trainer"]["network"]["params"] == b["trainer"]["network"]["params"]
    assert a["trainer"]["optimizer_state"] == b["trainer"]["optimizer_state"]
    sa = client.get(f"/api/sessions/{sid}").get_json()["snapshot"]
    sb = client.get(f"/api/sessions/{imported['id']}").get_json()["snapshot"]
    assert sa["history"] == sb["history"] and sa["grid"] == sb["grid"]


def test_export_import_of_custom_points(client, make_session):
    sid = make_session()["id"]
    post_data(client, sid, action="replace", points=[[1, 1, 1], [2, 2, 0], [3, 3, 1]])
    export = client.get(f"/api/sessions/{sid}/model").get_json()
    body = client.post("/api/sessions", json={"model": export}).get_json()
    assert body["config"]["dataset"] == "custom" and body["config"]["n_points"] == 3
    assert body["data"] == client.get(f"/api/sessions/{sid}?data=1&grid=0").get_json()["data"]


def test_bad_model_imports_are_422(client, make_session, error_of):
    sid = make_session()["id"]
    export = client.get(f"/api/sessions/{sid}/model").get_json()
    bad = []
    bad.append({"format": "other"})
    bad.append({**export, "version": 2})
    bad.append({**export, "trainer": {}})
    bad.append({**export, "points": {"train_points": "x"}})
    cut = json.loads(json.dumps(export))
    cut["trainer"]["network"]["params"]["data"] = "AAAA"
    bad.append(cut)
    mismatch = json.loads(json.dumps(export))
    mismatch["config"]["hidden_layers"] = [3]
    bad.append(mismatch)
    junk = json.loads(json.dumps(export))
    junk["trainer"]["history"]["rows"][0]["train_loss"] = "lots"
    bad.append(junk)
    zero = json.loads(json.dumps(export))
    zero["trainer"]["history"]["stride"] = 0
    bad.append(zero)
    big = json.loads(json.dumps(export))
    big["config"]["hidden_layers"] = [100]
    bad.append(big)
    for model in bad:
        assert error_of(client.post("/api/sessions", json={"model": model}), 422)["field"].startswith("model")
    error_of(client.post("/api/sessions", json={"model": 5}), 400)
    error = error_of(client.post("/api/sessions", json={"model": export, "seed": 3}), 422)
    assert error["field"] == "model"


def test_imported_weights_are_exactly_the_exported(client, make_session):
    sid = make_session()["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 2})
    export = client.get(f"/api/sessions/{sid}/model").get_json()
    body = client.post("/api/sessions", json={"model": export}).get_json()
    original = client.get(f"/api/sessions/{sid}").get_json()["snapshot"]
    for a, b in zip(original["weights"], body["snapshot"]["weights"]):
        assert np.array_equal(decode(a["W"]), decode(b["W"]))


def test_history_memory_is_bounded_and_checked_on_import(error_of, make_app):
    small = make_app(HISTORY_ROWS=8).test_client()
    sid = small.post("/api/sessions", json={"n_points": 20}).get_json()["id"]
    small.post(f"/api/sessions/{sid}/step", json={"epochs": 40})
    snap = small.get(f"/api/sessions/{sid}?grid=0").get_json()["snapshot"]
    epochs = snap["history"]["epoch"]
    assert len(epochs) <= 9 and epochs[-1] == 40 and epochs == sorted(set(epochs))
    export = small.get(f"/api/sessions/{sid}/model").get_json()
    assert small.post("/api/sessions", json={"model": export}).status_code == 201
    tiny = make_app(HISTORY_ROWS=3).test_client()
    error = error_of(tiny.post("/api/sessions", json={"model": export}), 422)
    assert error["field"] == "model.trainer.history.rows"


def test_export_after_new_data_imports_and_continues_identically(client, make_session):
    sid = make_session()["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 1})
    post_data(client, sid, action="replace", points=[[1, 2, 0], [-1, -2, 1], [2, 2, 1], [0, 3, 0]])
    export = client.get(f"/api/sessions/{sid}/model").get_json()
    r = client.post("/api/sessions", json={"model": export})
    assert r.status_code == 201, r.get_json()
    other = r.get_json()["id"]
    for target in (sid, other):
        client.post(f"/api/sessions/{target}/step", json={"epochs": 5})
    a = client.get(f"/api/sessions/{sid}/model").get_json()["trainer"]["network"]["params"]
    b = client.get(f"/api/sessions/{other}/model").get_json()["trainer"]["network"]["params"]
    assert a == b
