"""Every numeric field of every endpoint, fed every kind of JSON value: integers and floats far
beyond any range (10**400, 1e400), tiny ones, strings, booleans, null, lists and objects. The
answer is a JSON 4xx naming that field (or a success when the value happens to be valid),
never a 5xx: no OverflowError or any other exception reaches the top.

Numbers that JSON can write but Python's `json.dumps` cannot produce (1e400, a 400-digit
integer) are written into the body's text directly."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

MARK = "__NUMBER__"
NUMBERS = settings(max_examples=150, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow])

# Every field gets each of these (raw JSON text): numbers no field can hold, and every other
# kind of JSON value.
EVERY_KIND = ["1e400", "-1e400", "1" + "0" * 400, "-" + "9" * 400, '"7"', "true", "null", "[]",
              '{"a": 1}']
# Then random fields get random numbers of every size.
raw_values = st.one_of(
    st.sampled_from(["1e-400", "5e-324", "-0.0", "0", "1", "-1", "1.5", "2147483648",
                     "9223372036854775808", str(2**64), "1e308", "-1e308", "1E+999", '""',
                     "false", "[1]", '"1e400"']),
    st.integers(-10**30, 10**30).map(str),
    st.integers(-10**500, 10**500).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)


def valid_or_named(response, field, twin=None):
    """A success, or a JSON client error whose `field` is the one that was fed (or the
    structure it sits in, e.g. "points" for a bad row, with the rows listed), or its `twin`:
    where the same value is stated a second time, which no longer agrees with it."""
    assert response.status_code < 500, response.data[:400]
    assert response.mimetype == "application/json", response.data[:200]
    body = json.loads(response.data)
    if response.status_code >= 400:
        named = body["error"]["field"] or ""
        assert named and (field == named or field.startswith(named + ".")
                          or field.startswith(named + "[") or named.startswith(field)
                          or named == twin), (field, body["error"])


def body_with(template, path, raw):
    """`template` with MARK at `path`, dumped, then MARK replaced by the raw JSON text."""
    body = json.loads(json.dumps(template))
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = MARK
    return json.dumps(body).replace(json.dumps(MARK), raw).encode()


def field_name(path):
    name = ""
    for key in path:
        name += f"[{key}]" if isinstance(key, int) else (f".{key}" if name else key)
    return name


SNAPSHOT = {"snapshot": {"resolution": 20, "neuron_resolution": 5, "history_since": 0,
                         "bounds": [-6, 6, -6, 6], "transformed": {"layer": 0, "neurons": [0, 0]}}}
SNAPSHOT_FIELDS = [("snapshot", "resolution"), ("snapshot", "neuron_resolution"),
                   ("snapshot", "history_since"), ("snapshot", "bounds", 0),
                   ("snapshot", "bounds", 3), ("snapshot", "transformed", "layer"),
                   ("snapshot", "transformed", "neurons", 1)]
CONFIG = {"dataset": "spiral_k", "n_points": 60, "noise": 0.1, "n_classes": 3,
          "train_ratio": 0.5, "data_seed": 2, "hidden_layers": [4, 3], "seed": 3,
          "learning_rate": 0.03, "reg_rate": 0.001, "regularization": "l2", "batch_size": 10,
          "clip_norm": 1.0, "optimizer": "adam",
          "optimizer_params": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
          "schedule": "step", "schedule_params": {"gamma": 0.5, "step_size": 10}}
CONFIG_FIELDS = [("n_points",), ("noise",), ("n_classes",), ("train_ratio",), ("data_seed",),
                 ("hidden_layers", 0), ("hidden_layers", 1), ("seed",), ("learning_rate",),
                 ("reg_rate",), ("batch_size",), ("clip_norm",), ("optimizer_params", "beta1"),
                 ("optimizer_params", "eps"), ("schedule_params", "gamma"),
                 ("schedule_params", "step_size")]
POINTS = {"points": {"train": [[1.0, 2.0, 0], [-1.0, -2.0, 1]], "test": [[0.5, 0.5, 1]]}}

# (method, path after /api/sessions (or a whole /api/ path), body template ("{sid}": the
# session's id), numeric fields)
ENDPOINTS = [
    ("post", "", {**CONFIG, **SNAPSHOT}, CONFIG_FIELDS + SNAPSHOT_FIELDS),
    ("post", "", POINTS, [("points", "train", 0, 0), ("points", "train", 1, 2),
                          ("points", "test", 0, 1)]),
    ("patch", "/{sid}", {**CONFIG, **SNAPSHOT}, CONFIG_FIELDS + SNAPSHOT_FIELDS),
    ("post", "/{sid}/step", {"epochs": 1, "max_ms": 100, **SNAPSHOT},
     [("epochs",), ("max_ms",)] + SNAPSHOT_FIELDS),
    ("post", "/{sid}/step", {"batches": 2}, [("batches",)]),
    ("post", "/{sid}/reset", {**SNAPSHOT}, SNAPSHOT_FIELDS),
    ("patch", "/{sid}/weights", {"layer": 0, "from": 1, "to": 2, "value": 0.5},
     [("layer",), ("from",), ("to",), ("value",)]),
    ("patch", "/{sid}/weights", {"layer": 1, "param": "b", "to": 0, "value": 0.5}, [("to",)]),
    ("post", "/{sid}/data", {"action": "regenerate", "data_seed": 4}, [("data_seed",)]),
    ("post", "/{sid}/data", {"action": "append", "points": [[1.0, 1.0, 2]]},
     [("points", 0, 0), ("points", 0, 1), ("points", 0, 2)]),
    ("post", "/{sid}/data", {"action": "remove", "near": [0.0, 0.0], "radius": 0.1},
     [("near", 0), ("near", 1), ("radius",)]),
    ("post", "/{sid}/data", {"action": "remove", "indices": [0]}, [("indices", 0)]),
    ("post", "/{sid}/trace", {"point": {"set": "train", "index": 1}, "apply": True, **SNAPSHOT},
     [("point", "index")] + SNAPSHOT_FIELDS),
    ("post", "/{sid}/trace", {"x": [0.5, -0.5], "label": 1}, [("x", 0), ("x", 1), ("label",)]),
    ("post", "/{sid}/fork", {"overrides": {"learning_rate": 0.1, "seed": 4, "hidden_layers": [4, 3],
                                           "optimizer_params": {"beta1": 0.8}}, **SNAPSHOT},
     [("overrides", "learning_rate"), ("overrides", "seed"), ("overrides", "hidden_layers", 0),
      ("overrides", "optimizer_params", "beta1")] + SNAPSHOT_FIELDS),
    ("post", "/api/landscape", {"sessions": ["{sid}"], "resolution": 5, "span": 1.0, "seed": 0},
     [("resolution",), ("span",), ("seed",)]),
]
CASES = [(method, path, template, field) for method, path, template, fields in ENDPOINTS
         for field in fields]


def feed(client, case, raw):
    method, path, template, field = case
    if not hasattr(client, "numbers_sid"):  # one session for all values: it must survive
        client.numbers_sid = client.post("/api/sessions", json={
            **CONFIG, "snapshot": {"grid": False}}).get_json()["id"]
    sid = client.numbers_sid
    url = path if path.startswith("/api/") else f"/api/sessions{path.format(sid=sid)}"
    response = getattr(client, method)(url, data=body_with(template, field, raw).replace(
                                           b"{sid}", sid.encode()),
                                       content_type="application/json")
    valid_or_named(response, field_name(field))
    if path == "/{sid}" and response.status_code == 200:  # keep the session as it was
        client.patch(f"/api/sessions/{sid}", json={**CONFIG, "snapshot": {"grid": False}})
    if response.status_code == 201:
        client.delete(f"/api/sessions/{json.loads(response.data)['id']}")
    step = client.post(f"/api/sessions/{sid}/step", json={"batches": 1,
                                                            "snapshot": {"grid": False}})
    assert step.status_code == 200, step.data[:300]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]} {c[1]} {field_name(c[3])}")
def test_every_numeric_field_of_every_endpoint(client, case):
    for raw in EVERY_KIND:
        feed(client, case, raw)


@NUMBERS
@given(case=st.sampled_from(CASES), raw=raw_values)
def test_random_numbers_in_random_fields(client, case, raw):
    feed(client, case, raw)


@NUMBERS
@given(key=st.sampled_from(["resolution", "neuron_resolution", "history_since", "bounds",
                            "transformed"]), raw=raw_values)
def test_every_numeric_query_parameter(client, make_session, key, raw):
    if not hasattr(client, "query_sid"):
        client.query_sid = make_session(hidden_layers=[3])["id"]
    text = {"bounds": f"{raw},6,-6,6", "transformed": f"0,{raw},0"}.get(key, raw)
    response = client.get(f"/api/sessions/{client.query_sid}", query_string={key: text})
    valid_or_named(response, f"snapshot.{key}")


def test_model_import_numbers(client, make_session):
    """The numbers inside an export, each replaced by numbers no field can hold."""
    sid = make_session(optimizer="adam")["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 2})
    export = client.get(f"/api/sessions/{sid}/model").get_json()
    fields = [("config", "seed"), ("config", "learning_rate"), ("trainer", "epoch"),
              ("trainer", "steps"), ("trainer", "pos"), ("trainer", "optimizer_state", "t"),
              ("trainer", "hyperparams", "batch_size"), ("trainer", "history", "stride"),
              ("trainer", "history", "capacity"), ("trainer", "history", "rows", 0, "epoch"),
              ("trainer", "history", "rows", 1, "train_loss"),
              ("trainer", "network", "params", "shape", 0)]
    for path in fields:
        for raw in ("1e400", "-" + "9" * 400, '"x"', "null", "[]", "true", "1.5"):
            response = client.post("/api/sessions", data=body_with({"model": export},
                                                                   ("model", *path), raw),
                                   content_type="application/json")
            # A configuration value the trainer states too must agree with it (model_io).
            twin = f"model.trainer.hyperparams.{path[1]}" if path[0] == "config" else None
            valid_or_named(response, field_name(("model", *path)), twin)
            if response.status_code == 201:   # one client's sessions are bounded: make room
                client.delete(f"/api/sessions/{response.get_json()['id']}")
