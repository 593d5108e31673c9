"""Property-based fuzzing of every body the API takes: any JSON value → a JSON answer with a
client-error status (never 5xx, never HTML), and the session keeps working afterwards."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.session.config import FIELDS
from nn_core import ACTIVATIONS, DATASETS, FEATURES, INITIALIZERS, LOSSES, OPTIMIZERS, SCHEDULES

LIGHT = {"grid": True, "resolution": 8, "neuron_resolution": 4}
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

scalars = (st.none() | st.booleans() | st.integers(-10**20, 10**20)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8),
                                                                      children, max_size=4),
    max_leaves=12)


def names(registry):
    return st.sampled_from(list(registry))


# Values a real page might send, near and across the edges, mixed with arbitrary JSON.
PLAUSIBLE = {
    "dataset": names(DATASETS) | st.just("custom"),
    "n_points": st.integers(0, 6000),
    "noise": st.floats(-0.1, 0.6),
    "n_classes": st.none() | st.integers(0, 8),
    "train_ratio": st.floats(0.0, 1.0),
    "data_seed": st.integers(-1, 2**64),
    "features": st.lists(names(FEATURES), max_size=4),
    "hidden_layers": st.lists(st.integers(-1, 9), max_size=4),
    "activation": names(ACTIVATIONS),
    "layer_activations": st.none() | st.lists(names(ACTIVATIONS), max_size=4),
    "problem": st.sampled_from(["binary", "multiclass", "regression", "other"]),
    "output_activation": names(ACTIVATIONS),
    "loss": names(LOSSES),
    "init": names(INITIALIZERS),
    "seed": st.integers(-1, 2**64),
    "optimizer": names(OPTIMIZERS),
    "optimizer_params": st.dictionaries(
        st.sampled_from(["momentum", "beta1", "beta2", "eps", "rho", "x"]),
        st.floats(-1, 2) | scalars, max_size=3),
    "learning_rate": st.floats(0, 20),
    "schedule": names(SCHEDULES),
    "schedule_params": st.dictionaries(st.sampled_from(["gamma", "step_size", "decay", "x"]),
                                       st.floats(-1, 200) | scalars, max_size=2),
    "regularization": st.sampled_from(["none", "l1", "l2", "l3"]),
    "reg_rate": st.floats(-1, 11),
    "batch_size": st.integers(-1, 600),
    "clip_norm": st.none() | st.floats(-1, 10),
    "snapshot": st.fixed_dictionaries({}, optional={
        "grid": st.booleans() | scalars, "resolution": st.integers(0, 12) | scalars,
        "neurons": st.booleans(), "neuron_resolution": st.integers(0, 6),
        "encoding": st.sampled_from(["f32", "u8", "png"]), "weights": st.booleans(),
        "confusion": st.booleans() | scalars,
        "transformed": st.none() | scalars | st.fixed_dictionaries(
            {"layer": st.integers(-1, 3) | scalars},
            optional={"neurons": st.lists(st.integers(-1, 5) | scalars, max_size=3) | scalars}),
        "history_since": st.integers(-1, 5) | scalars,
        "bounds": st.lists(st.floats(-200, 200), min_size=3, max_size=5)}),
}


def field_values(key):
    return PLAUSIBLE.get(key, st.nothing()) | json_values


config_bodies = st.one_of(
    json_values,
    st.sampled_from(list(FIELDS) + ["snapshot", "bogus"]).flatmap(
        lambda k: st.dictionaries(st.just(k), field_values(k), min_size=1)),
    st.dictionaries(st.sampled_from(list(FIELDS) + ["snapshot"]),
                    st.deferred(lambda: json_values), max_size=5).flatmap(
        lambda d: st.fixed_dictionaries({k: field_values(k) for k in d})),
)
step_bodies = json_values | st.fixed_dictionaries({}, optional={
    "epochs": st.integers(-1, 3) | scalars, "batches": st.integers(-1, 30) | scalars,
    "max_ms": st.floats(-1, 300) | scalars, "snapshot": PLAUSIBLE["snapshot"] | scalars})
weight_bodies = json_values | st.fixed_dictionaries({}, optional={
    "layer": st.integers(-1, 4) | scalars, "from": st.integers(-1, 5) | scalars,
    "to": st.integers(-1, 5) | scalars, "value": st.floats(-200, 200) | scalars,
    "param": st.sampled_from(["W", "b", "c"]) | scalars})
good_row = st.tuples(st.floats(-6, 6), st.floats(-6, 6), st.integers(0, 1)).map(list)
point = good_row | st.lists(st.floats(-8, 8) | st.integers(-2, 7) | scalars, max_size=4)
csv_text = st.lists(good_row.map(lambda r: ",".join(map(str, r))) | st.text(
    alphabet="0123456789,.-;x e", max_size=20), min_size=1, max_size=6).map("\n".join)
data_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"action": st.just("regenerate")},
                          optional={"data_seed": st.integers(-1, 2**60) | scalars}),
    st.fixed_dictionaries({"action": st.sampled_from(["replace", "append"]),
                           "points": st.lists(point, min_size=1, max_size=6) | scalars},
                          optional={"split": st.sampled_from(["train", "test", "x"])}),
    st.fixed_dictionaries({"action": st.sampled_from(["replace", "append"]),
                           "csv": csv_text | scalars}),
    st.fixed_dictionaries({"action": st.just("remove"),
                           "indices": st.lists(st.integers(-2, 25), max_size=4) | scalars}),
    st.fixed_dictionaries({"action": st.just("remove"),
                           "near": st.lists(st.floats(-8, 8), min_size=1, max_size=3) | scalars},
                          optional={"radius": st.floats(-1, 20) | scalars}),
    st.fixed_dictionaries(
        {"action": st.sampled_from(["regenerate", "replace", "append", "remove", "other"])},
        optional={"points": st.lists(point, max_size=3) | scalars, "csv": csv_text | scalars,
                  "indices": st.lists(st.integers(-2, 25), max_size=4) | scalars,
                  "near": st.lists(st.floats(-8, 8), max_size=3) | scalars,
                  "radius": st.floats(-1, 20) | scalars, "snapshot": scalars}),
)


def check_answer(response, allowed):
    assert response.status_code < 500, response.data[:500]
    assert response.status_code in allowed, (response.status_code, response.data[:500])
    assert response.mimetype == "application/json"
    body = json.loads(response.data)  # valid JSON (no NaN)
    if response.status_code >= 400:
        assert set(body) == {"error"} and isinstance(body["error"]["message"], str)
    return body


def still_works(client, sid):
    r = client.post(f"/api/sessions/{sid}/step", json={"batches": 2, "snapshot": LIGHT})
    assert r.status_code == 200, r.data[:500]
    snap = r.get_json()["snapshot"]
    assert snap["status"] in ("ok", "diverged")
    if snap["status"] == "ok":
        assert snap["done"]["batches"] == 2


def post_raw(client, path, body, method="post"):
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


@FUZZ
@given(body=config_bodies)
def test_fuzz_create(client, body):
    r = post_raw(client, "/api/sessions", body)
    answer = check_answer(r, {201, 400, 422})
    if r.status_code == 201:
        still_works(client, answer["id"])
        client.delete(f"/api/sessions/{answer['id']}")


@FUZZ
@given(body=config_bodies)
def test_fuzz_patch(client, make_session, body):
    # One session for every example (hypothesis reuses the fixtures): changes pile up on it.
    if not hasattr(client, "fuzz_sid"):
        client.fuzz_sid = make_session(snapshot=LIGHT)["id"]
    sid = client.fuzz_sid
    check_answer(post_raw(client, f"/api/sessions/{sid}", body, "patch"), {200, 400, 422})
    still_works(client, sid)


@FUZZ
@given(body=step_bodies)
def test_fuzz_step(client, make_session, body):
    sid = make_session(snapshot=LIGHT)["id"]
    check_answer(post_raw(client, f"/api/sessions/{sid}/step", body), {200, 400, 422})
    still_works(client, sid)
    client.delete(f"/api/sessions/{sid}")


@FUZZ
@given(weights=weight_bodies, reset=json_values)
def test_fuzz_weights_and_reset(client, make_session, weights, reset):
    sid = make_session(snapshot=LIGHT)["id"]
    check_answer(post_raw(client, f"/api/sessions/{sid}/weights", weights, "patch"),
                 {200, 400, 422})
    check_answer(post_raw(client, f"/api/sessions/{sid}/reset", reset), {200, 400, 422})
    still_works(client, sid)
    client.delete(f"/api/sessions/{sid}")


@FUZZ
@given(body=data_bodies, dataset=st.sampled_from(["circle", "spiral_k", "plane"]))
def test_fuzz_data(client, make_session, body, dataset):
    sid = make_session(dataset=dataset, n_points=20, snapshot=LIGHT)["id"]
    check_answer(post_raw(client, f"/api/sessions/{sid}/data", body), {200, 400, 422})
    still_works(client, sid)
    client.delete(f"/api/sessions/{sid}")


query_keys = st.sampled_from(["grid", "resolution", "neurons", "neuron_resolution", "encoding",
                              "neuron_encoding", "bounds", "weights", "history",
                              "history_since", "data", "other"])
query_values = st.text(alphabet="0123456789-.,eEtruefalsNInfy[]{}\" ", max_size=12)


@FUZZ
@given(query=st.dictionaries(query_keys, query_values, max_size=4))
def test_fuzz_get_query(client, make_session, query):
    if not hasattr(client, "fuzz_get_sid"):
        client.fuzz_get_sid = make_session(snapshot=LIGHT)["id"]
    sid = client.fuzz_get_sid
    r = client.get(f"/api/sessions/{sid}", query_string=query)
    check_answer(r, {200, 400, 422})
