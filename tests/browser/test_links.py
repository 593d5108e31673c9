"""Links and recovery never lose work: a link made with your own points carries them (exactly)
and opens to the same data and the same initial weights; a link with a bad or unknown field keeps
every other field and says which was dropped; after the server restarts, the page re-creates its
session with the same configuration and the same points, and says so once."""

import logging
import threading

import pytest

from .conftest import APP_CONFIG, SETTLED, Page

pytestmark = pytest.mark.browser

# Coordinates with many digits: the link must bring them back bit for bit.
ROWS = [(round(-5.5 + 0.3011 * i + 1e-9 * i * i, 12), round(4.9 - 0.2917 * i, 12), i % 2) for i in range(36)]


def upload(p, tmp_path, rows=ROWS):
    csv = tmp_path / "mine.csv"
    csv.write_text("x1,x2,label\n" + "".join(f"{x!r},{y!r},{c}\n" for x, y, c in rows))
    p.page.set_input_files("#csv-file", str(csv))
    p.wait(f"() => window.playground.config.dataset === 'custom' && window.playground.config.n_points === {len(rows)}")
    p.wait(SETTLED)


def snapshot(p, sid):
    return p.api("GET", f"/api/sessions/{sid}?grid=0&history=0&data=1")


def weights(snap):
    return [(w["W"]["data"], w["b"]["data"]) for w in snap["snapshot"]["weights"]]


def test_a_link_with_your_points_opens_the_same_data_and_weights(page, browser, tmp_path):
    p = page.open("/#seed=9&hidden_layers=5")
    upload(p, tmp_path)
    p.page.select_option("#draw-mode", "1")     # and one clicked point on top
    box = p.page.locator("#boundary .nsewdrag").bounding_box()
    p.page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.2)
    p.wait(f"() => window.playground.config.n_points === {len(ROWS) + 1}")
    p.wait(SETTLED)
    p.page.click("#btn-link")
    p.wait("() => document.getElementById('toast').textContent.includes('Link copied')")
    url = p.page.url
    assert "points=d1." in url and "dataset=custom" in url
    first = snapshot(p, p.js("() => window.playground.sessionId"))

    other = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        q = Page(other.new_page(), p.base)
        q.page.goto(url)
        q.wait("() => window.playground && window.playground.ready")
        second = snapshot(q, q.js("() => window.playground.sessionId"))
        assert q.errors == []
    finally:
        other.close()
    assert second["data"] == first["data"]             # same points, same split, every digit
    assert second["config"] == first["config"]
    assert weights(second) == weights(first)           # same initial weights (seed 9)
    assert p.errors == []


def test_a_bad_or_unknown_field_is_dropped_alone_and_named(page):
    p = page.open("/#dataset=xor&hidden_layers=4,99&learning_rate=0.1&noise=0.2&optimizer=adam"
                  "&optimizer_params.beta1=7&colour=red&view.speed=fast")
    cfg = p.js("() => window.playground.config")
    assert (cfg["dataset"], cfg["learning_rate"], cfg["noise"], cfg["optimizer"]) == ("xor", 0.1, 0.2, "adam")
    assert cfg["hidden_layers"] == [4, 2]                       # the default: the link's was refused
    assert cfg["optimizer_params"]["beta1"] == 0.9              # only the bad parameter went
    text = p.js("() => document.getElementById('toast').textContent")
    for name in ["hidden_layers", "optimizer_params.beta1", "colour", "view.speed"]:
        assert name in text, (name, text)
    assert "learning_rate" not in text and "noise" not in text
    assert p.js("() => window.playground.state.errors.length") == 1


def serve(port=0):
    from werkzeug.serving import WSGIRequestHandler, make_server

    from app import create_app

    class OneRequestPerConnection(WSGIRequestHandler):
        # A real restart ends every connection; with keep-alive, a threaded werkzeug server
        # would go on answering the old connections from the old app after shutdown().
        protocol_version = "HTTP/1.0"

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    srv = make_server("127.0.0.1", port, create_app(APP_CONFIG), threaded=True,
                      request_handler=OneRequestPerConnection)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def test_after_a_server_restart_the_session_comes_back_with_your_points(browser, tmp_path):
    srv = serve()
    port = srv.server_port
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        p = Page(context.new_page(), f"http://127.0.0.1:{port}").open("/#seed=4")
        upload(p, tmp_path)
        before = snapshot(p, p.js("() => window.playground.sessionId"))
        for _ in range(3):
            p.page.click("#btn-step")
        p.wait("() => window.playground.epoch === 3")
        p.wait(SETTLED)
        old_id = p.js("() => window.playground.sessionId")
        # the server restarts: every session is gone
        srv.shutdown()
        srv.server_close()
        srv = serve(port)
        p.page.click("#btn-step")      # the step finds no session: the page brings it back at epoch 0
        p.wait("(old) => window.playground.sessionId !== old && window.playground.epoch === 0", old_id)
        p.wait(SETTLED)
        toast = p.js("() => document.getElementById('toast').textContent")
        shown = p.js("() => window.playground.state.errors")
        after = snapshot(p, p.js("() => window.playground.sessionId"))
        assert after["data"] == before["data"] and after["config"] == before["config"]
        # the same initial weights (same seed): back at them, they equal the first session's
        restarted_at_0 = p.api("POST", f"/api/sessions/{after['id']}/reset", {"snapshot": {"grid": False}})
        assert weights(restarted_at_0) == weights(before)
        assert "forgotten" in toast and "your points" in toast, toast
        assert shown == []                      # said once, as information, not as errors
        # and training goes on from there
        p.page.click("#btn-step")
        p.wait("() => window.playground.epoch === 1")
        assert [e for e in p.errors if "404" not in e] == []
    finally:
        context.close()
        srv.shutdown()
        srv.server_close()
