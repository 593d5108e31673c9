"""Per-client quotas (app/capacity/store.py, app/http/client.py): one address cannot take every
seat or the memory budget from a class, the 429 says which quota, and behind a proxy the real
address counts — believed only from the proxy. Clients are 127.0.0.x addresses."""

import pytest

from app.capacity import memory
from app.capacity.limits import DEFAULTS
from app.http.client import client_key
from app.session import config as cfg

from .conftest import BARE, check_error, store_with_clock

LARGEST = {"dataset": "spiral_k", "n_classes": 6, "n_points": 5000,
           "features": ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2", "cos_x1",
                        "cos_x2"], "hidden_layers": [64] * 8, "optimizer": "adam",
           "batch_size": 512}


def at(app, address):
    """A test client whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def new(client, status=201, **config):
    r = client.post("/api/sessions", json={**config, "snapshot": BARE})
    assert r.status_code == status, r.get_json()
    return r.get_json()


def fork(client, sid, status=201):
    r = client.post(f"/api/sessions/{sid}/fork",
                    json={"overrides": {"optimizer": "adam"}, "snapshot": BARE})
    assert r.status_code == status, r.get_json()
    return r.get_json()


def estimate(config):
    config = cfg.normalize(config, DEFAULTS)
    n = config["n_points"]
    n_train = round(n * config["train_ratio"])
    return memory.total(memory.estimate(cfg.layer_sizes(config), config["optimizer"], n_train,
                                        n - n_train, config["batch_size"],
                                        DEFAULTS["HISTORY_ROWS"]))


def test_the_defaults_leave_one_learner_room_for_everything_the_page_does():
    """Its session, Compare's three forks and one session re-created after a restart (the old
    one not yet gone), all of the largest network the limits allow."""
    assert DEFAULTS["CLIENT_SESSIONS"] >= 1 + 3 + 1
    assert 5 * estimate(LARGEST) <= DEFAULTS["CLIENT_MEMORY"]
    # ... and a class of 30 beside one flooding address fits the server's seats and budget.
    assert DEFAULTS["CLIENT_SESSIONS"] + 30 * 5 <= DEFAULTS["MAX_SESSIONS"]
    assert DEFAULTS["CLIENT_MEMORY"] + 30 * 5 * estimate({}) <= DEFAULTS["MEMORY_BUDGET"]


def test_one_address_flooding_never_locks_a_class_of_30_out(make_app):
    """The real defaults: the flooder gets its quota, then 429 naming it, however it keeps its
    sessions busy; thirty learners at other addresses each open a session and Compare's three
    forks meanwhile."""
    app = make_app()
    flooder = at(app, "127.0.0.2")
    mine = [new(flooder)["id"] for _ in range(DEFAULTS["CLIENT_SESSIONS"])]
    error = check_error(flooder.post("/api/sessions", json={"snapshot": BARE}), 429)
    assert error["field"] == "client_sessions"
    assert error["allowed"] == [0, DEFAULTS["CLIENT_SESSIONS"]]
    assert "16" in error["message"]
    check_error(flooder.post(f"/api/sessions/{mine[0]}/fork", json={}), 429)
    for i in range(30):
        learner = at(app, f"127.0.1.{i}")
        sid = new(learner)["id"]
        for _ in range(3):
            fork(learner, sid)
        flooder.post(f"/api/sessions/{mine[i % len(mine)]}/step", json={"snapshot": BARE})
    assert len(app.extensions["sessions"]) == 16 + 30 * 4
    # Deleting one gives the flooder one place back, no more.
    assert flooder.delete(f"/api/sessions/{mine[0]}").status_code == 204
    new(flooder)
    check_error(flooder.post("/api/sessions", json={"snapshot": BARE}), 429)


def test_a_fork_counts_for_the_client_that_asks_for_it(make_app):
    app = make_app(CLIENT_SESSIONS=2)
    owner, other = at(app, "127.0.0.2"), at(app, "127.0.0.3")
    sid = new(owner)["id"]
    fork(other, sid)
    fork(other, sid)
    assert check_error(other.post(f"/api/sessions/{sid}/fork", json={}), 429)["field"] == \
        "client_sessions"
    fork(owner, sid)          # the owner still has room for one more
    assert check_error(owner.post("/api/sessions", json={}), 429)["field"] == "client_sessions"


def test_a_client_past_its_quota_makes_room_from_its_own_idle_sessions_only(make_app):
    app = make_app(CLIENT_SESSIONS=2)
    store, clock, _ = store_with_clock(app)
    learner, other = at(app, "127.0.0.2"), at(app, "127.0.0.3")
    old = new(learner)["id"]
    theirs = new(other)["id"]
    clock.now += store.evict_idle + 1           # both idle long enough to be evicted
    kept = new(learner)["id"]
    third = new(learner)["id"]                   # evicts its own idle session, not theirs
    assert set(store.ids()) == {theirs, kept, third}
    assert learner.get(f"/api/sessions/{old}").status_code == 404
    error = check_error(learner.post("/api/sessions", json={}), 429)   # nothing idle left
    assert error["field"] == "client_sessions"


def test_the_memory_share_is_a_429_naming_it_and_a_refused_change_changes_nothing(make_app):
    one = estimate({})
    app = make_app(CLIENT_MEMORY=int(2.5 * one))
    learner, other = at(app, "127.0.0.2"), at(app, "127.0.0.3")
    sid = new(learner)["id"]
    new(learner)
    error = check_error(learner.post("/api/sessions", json={}), 429)
    assert error["field"] == "client_memory" and error["allowed"] == [0, int(2.5 * one)]
    assert "one client may use" in error["message"]
    error = check_error(learner.patch(f"/api/sessions/{sid}", json={"hidden_layers": [64] * 8,
                                                                    "n_points": 5000}), 429)
    assert error["field"] == "client_memory"
    assert learner.get(f"/api/sessions/{sid}?grid=0").get_json()["config"]["hidden_layers"] == [4, 2]
    new(other)    # another address has its own share
    assert app.extensions["sessions"].client_usage("127.0.0.2") == (2, 2 * one)


def test_behind_a_trusted_proxy_the_real_address_counts(make_app):
    app = make_app(CLIENT_SESSIONS=1, TRUSTED_PROXIES=["127.0.0.1"])
    proxy = app.test_client()      # 127.0.0.1: the proxy
    for i in range(3):            # three learners behind it, one session each
        r = proxy.post("/api/sessions", json={"snapshot": BARE},
                       headers={"X-Real-IP": f"10.0.0.{i}"})
        assert r.status_code == 201
        assert app.extensions["sessions"].owner(r.get_json()["id"]) == f"10.0.0.{i}"
    again = proxy.post("/api/sessions", json={}, headers={"X-Real-IP": "10.0.0.1"})
    assert check_error(again, 429)["field"] == "client_sessions"


def test_the_real_address_header_is_ignored_from_anyone_else(make_app):
    app = make_app(CLIENT_SESSIONS=1, TRUSTED_PROXIES=["127.0.0.1"])
    stranger = at(app, "127.0.0.9")
    r = stranger.post("/api/sessions", json={}, headers={"X-Real-IP": "10.0.0.1"})
    assert app.extensions["sessions"].owner(r.get_json()["id"]) == "127.0.0.9"
    again = stranger.post("/api/sessions", json={}, headers={"X-Real-IP": "10.0.0.2"})
    assert check_error(again, 429)["field"] == "client_sessions"
    # Without trusted proxies (the default) nobody's header counts.
    plain = make_app(CLIENT_SESSIONS=1)
    r = plain.test_client().post("/api/sessions", json={}, headers={"X-Real-IP": "10.0.0.1"})
    assert plain.extensions["sessions"].owner(r.get_json()["id"]) == "127.0.0.1"


@pytest.mark.parametrize("address, key", [
    ("10.0.0.5", "10.0.0.5"),
    ("::ffff:10.0.0.5", "10.0.0.5"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:bbbb::7", "2001:db8:1:2::/64"),    # the same /64: the same client
    ("[2001:db8:1:3::1]", "2001:db8:1:3::/64"),
    ("fe80::1%eth0", "fe80::/64"),
])
def test_an_address_is_counted_as_its_client(address, key):
    assert client_key(address) == key
