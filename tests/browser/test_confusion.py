"""The confusion-matrix panel in headless Chromium: it shows the network's train and test
matrices (counts summing to the split sizes, class-coloured headers, the server's numbers),
3 × 3 for three classes, hidden for regression and by ?hide=confusion, and asked for only while
on screen — scrolled into view while paused it catches up with the current weights."""

import pytest

pytestmark = pytest.mark.browser

# static/js/colors.js CLASS_COLORS, as the page writes them
CLASS_CSS = ["rgb(245,147,34)", "rgb(8,119,189)", "rgb(46,160,67)"]

MATRIX = """(id) => [...document.querySelectorAll(`#${id} tr`)].slice(1).map(
  tr => [...tr.querySelectorAll('td.cm-cell')].map(td => Number(td.textContent)))"""
HEADER_COLOURS = """(id) => [...document.querySelectorAll(`#${id} th.cm-class[scope=col]`)].map(
  th => th.style.getPropertyValue('--c'))"""
# The panel shows the newest answer's matrices (not faded, DOM equal to the decoded frame).
FRESH = """() => {
  const pg = window.playground, f = pg.frame, panel = document.getElementById('confusion');
  if (!f.confusion || f.seq.confusion !== pg.state.version || panel.classList.contains('is-stale')) return false;
  const dom = [...document.querySelectorAll('#cm-train tr')].slice(1).map(
    tr => [...tr.querySelectorAll('td.cm-cell')].map(td => Number(td.textContent)));
  return JSON.stringify(dom) === JSON.stringify(f.confusion.train);
}"""
SETTLED = "() => { const s = window.playground.state; return !s.running && !s.inFlight && !s.busy; }"


def train_and_test_labels(p):
    return p.js("() => [window.playground.state.data.train.label, window.playground.state.data.test.label]")


def server_confusion(p):
    sid = p.js("() => window.playground.sessionId")
    return p.api("GET", f"/api/sessions/{sid}?grid=0&weights=0&history=0")["snapshot"]


def check_panel(p, k):
    """The panel's matrices against the page's data and the server's current weights."""
    train, test = p.js(MATRIX, "cm-train"), p.js(MATRIX, "cm-test")
    assert [len(train), *map(len, train)] == [k] * (k + 1)
    assert [len(test), *map(len, test)] == [k] * (k + 1)
    y_train, y_test = train_and_test_labels(p)
    assert sum(map(sum, train)) == len(y_train) and sum(map(sum, test)) == len(y_test)
    # row i holds the points of true class i
    assert [sum(row) for row in train] == [y_train.count(c) for c in range(k)]
    assert [sum(row) for row in test] == [y_test.count(c) for c in range(k)]
    snap = server_confusion(p)   # paused: the weights are the ones the panel shows
    assert snap["confusion"]["train"] == train and snap["confusion"]["test"] == test
    assert p.js(HEADER_COLOURS, "cm-train") == CLASS_CSS[:k]
    total = p.js("() => document.getElementById('cm-train-caption').textContent")
    assert total == f"Train · {len(y_train)} points"
    return train, test


def test_circle_shows_a_2x2_matrix_of_the_training_points(page, output_dir):
    p = page.open()
    p.page.locator("#confusion").scroll_into_view_if_needed()
    # Space, not a click on play: clicking would scroll the top bar, and the panel, out of view
    p.page.keyboard.press("Space")
    p.wait("() => window.playground.running && window.playground.epoch >= 5")
    # on screen, every answer brings the matrices of its weights
    p.wait(FRESH)
    p.page.keyboard.press("Space")
    p.pause()
    p.wait(FRESH)
    train, test = check_panel(p, 2)
    assert sum(map(sum, train)) == 250 and sum(map(sum, test)) == 250
    # trained a few epochs on circle: most points sit on the diagonal
    assert train[0][0] + train[1][1] > 150
    p.page.locator(".col-out").screenshot(path=str(output_dir / "confusion-panel.png"))
    assert p.errors == []


def test_three_class_spiral_gives_a_3x3_matrix(page):
    p = page.open()
    p.page.click(".dataset-tile[data-name=spiral_k]")
    p.wait("() => window.playground.config.dataset === 'spiral_k' && window.playground.config.n_classes === 3")
    p.page.click("#btn-step")
    p.wait("() => window.playground.epoch === 1")
    p.wait(SETTLED)
    p.page.locator("#confusion").scroll_into_view_if_needed()
    p.wait(FRESH)
    check_panel(p, 3)
    assert p.errors == []


def test_regression_hides_the_panel_and_classes_bring_it_back(page):
    p = page.open()
    p.page.click(".dataset-tile[data-name=plane]")
    p.wait("() => window.playground.config.problem === 'regression'")
    assert p.page.locator("#confusion").is_hidden()
    p.page.click(".dataset-tile[data-name=circle]")
    p.wait("() => window.playground.config.problem === 'binary'")
    p.wait(SETTLED)
    p.page.locator("#confusion").scroll_into_view_if_needed()
    assert p.page.locator("#confusion").is_visible()
    p.wait(FRESH)
    check_panel(p, 2)
    assert p.errors == []


def test_off_screen_it_is_not_asked_for_and_catches_up_when_shown(page):
    p = page.open()   # 1000 px high: the panel starts below the fold
    p.wait("() => window.playground.state.visible.confusion === false")
    p.play()
    p.wait("() => window.playground.epoch >= 5")
    p.pause()
    # the step answers carried no matrices (none, or only older ones, are on hand)
    assert p.js("() => !(window.playground.frame.seq.confusion >= window.playground.state.version)")
    p.page.locator("#confusion").scroll_into_view_if_needed()
    p.wait(FRESH)
    check_panel(p, 2)
    assert p.errors == []


def test_hide_confusion_removes_the_panel_and_its_requests(page):
    p = page.open("/?hide=confusion")
    assert p.page.locator("#confusion").is_hidden()
    assert "confusion" in p.js("() => document.getElementById('hide-names').textContent").split(", ")
    p.page.click("#btn-step")
    p.wait("() => window.playground.epoch === 1")
    assert p.js("() => window.playground.frame.confusion === null")
    assert p.errors == []
