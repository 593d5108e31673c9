"""Compare in headless Chromium: a three-optimizer race of forks of the page's session (same
points, same initial weights) trained in lockstep by the top bar's play/step/reset — three curves
that rise in epochs together, three live boundaries, three paths on the loss landscape that move
while training — whose link reopens the very same race; multi-class and regression races; a race
whose networks differ says why it has no landscape; "Back to the playground" frees the forks."""

from urllib.error import HTTPError

import pytest

from app.session.arrays import decode

pytestmark = pytest.mark.browser

# Every wait is for a state, never for a time; this only bounds how long a busy machine may take.
LONG = 90_000

RACE = "() => window.playground.state.compare"
SETTLED = """() => { const s = window.playground.state, r = s.compare;
  return !s.running && !s.inFlight && !s.busy && (!r || !r.inFlight); }"""
RUNS = """() => window.playground.state.compare.runs.map(r => ({
  id: r.id, key: r.key, name: r.name, epoch: r.epoch, status: r.status, metrics: r.metrics,
  same: r.sameInitialWeights, history: r.history.cols.train_loss.length }))"""
# The overlaid curves: per training-loss trace (solid, loss axis) its run and its last epoch.
CURVE_ENDS = """() => (document.getElementById('cmp-curves').data || [])
  .filter(t => !t.yaxis && t.line.dash === 'solid').map(t => [t.legendgroup, t.x[t.x.length - 1], t.x.length])"""
# The landscape's paths: per run its last epoch and where it is now.
PATHS = """() => (document.getElementById('cmp-landscape').data || [])
  .filter(t => t.meta && t.meta.kind === 'path')
  .map(t => ({run: t.meta.run, epoch: t.customdata[t.customdata.length - 1], points: t.x.length,
              at: [t.x[t.x.length - 1], t.y[t.y.length - 1]], start: [t.x[0], t.y[0]]}))"""
# Each card's boundary: the canvas pixels (every 37th), so boards can be compared.
BOARDS = """() => [...document.querySelectorAll('#cmp-runs canvas.cmp-boundary')].map(c => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, out = [];
  for (let i = 0; i < d.length; i += 4 * 37) out.push(d[i], d[i + 1], d[i + 2]);
  return out; })"""


def start_preset(p, label):
    p.page.click("#btn-compare")
    p.page.get_by_role("button", name=label, exact=True).click()
    p.wait(RACE, timeout=LONG)


def race_epoch(p):
    return p.js("() => window.playground.state.compare.epoch")


def weights(p, sid):
    snap = p.api("GET", f"/api/sessions/{sid}?grid=0&history=0&confusion=0")["snapshot"]
    return [(w["W"]["data"], w["b"]["data"]) for w in snap["weights"]]


def test_three_optimizer_race_link_reopens_it(page, browser, output_dir):
    p = page.open()
    main_id = p.js("() => window.playground.sessionId")
    start_preset(p, "SGD vs momentum vs Adam")
    runs = p.js(RUNS)
    assert [(r["key"], r["name"], r["epoch"]) for r in runs] == [("A", "SGD", 0), ("B", "Momentum", 0), ("C", "Adam", 0)]
    assert all(r["same"] for r in runs)
    # the forks are real sessions on the main session's points, from its exact initial weights
    main = p.api("GET", f"/api/sessions/{main_id}?grid=0&history=0&data=1")
    for r in runs:
        fork = p.api("GET", f"/api/sessions/{r['id']}?grid=0&history=0&data=1")
        assert fork["data"] == main["data"]
        assert fork["config"]["optimizer"] == r["name"].lower()
        assert weights(p, r["id"]) == weights(p, main_id)
    assert "compare=optimizer&compare.values=sgd,momentum,adam" in p.page.url
    # the playground's columns give way to the race
    assert p.page.locator("main.columns").is_hidden()
    assert p.page.locator("#cmp-runs canvas.cmp-boundary").count() == 3

    # play (Space) drives the race; every answer shows the three runs at one epoch
    p.page.keyboard.press("Space")
    p.wait("() => window.playground.running", timeout=LONG)
    seen = []
    for _ in range(4):
        last = seen[-1] if seen else 0
        p.wait("(e) => window.playground.state.compare.epoch > e", last, timeout=LONG)
        ends = p.js(CURVE_ENDS)
        epochs = [r["epoch"] for r in p.js(RUNS)]
        assert len(set(epochs)) == 1, epochs           # no run ahead of another
        assert [e[0] for e in ends] == ["A", "B", "C"]
        assert len({e[1] for e in ends}) == 1, ends     # the three curves end at one epoch
        seen.append(epochs[0])
    assert seen == sorted(seen) and len(set(seen)) == 4  # ... which keeps rising
    # the paths on the landscape move while training: a later answer reaches further epochs
    p.wait(f"() => {{ const ps = ({PATHS})(); return ps.length === 3 && ps[0].epoch >= 3; }}", timeout=LONG)
    before = p.js(PATHS)
    p.wait(f"(e) => {{ const ps = ({PATHS})(); return ps.length === 3 && ps.every(q => q.epoch > e); }}",
           max(q["epoch"] for q in before) + 2, timeout=LONG)
    after = p.js(PATHS)
    assert [q["run"] for q in after] == ["A", "B", "C"]
    assert all(a["points"] > b["points"] for a, b in zip(after, before))
    # the first run is the plane's centre (its "now" is always (0, 0)): relative to it the start moves
    assert after[0]["at"] == [0, 0] and after[0]["start"] != before[0]["start"]
    assert all(a["at"] != b["at"] for a, b in zip(after[1:], before[1:]))
    assert p.js("() => window.playground.running")
    p.page.keyboard.press("Space")
    p.wait(SETTLED, timeout=LONG)

    stop = race_epoch(p)
    runs = p.js(RUNS)
    assert {r["epoch"] for r in runs} == {stop}
    assert [r["history"] for r in runs] == [stop + 1] * 3        # epoch 0 … stop, no gaps
    for r in runs:   # the page shows what the server holds
        assert p.api("GET", f"/api/sessions/{r['id']}?grid=0&history=0&weights=0")["snapshot"]["epoch"] == stop
    assert p.js("() => document.getElementById('epoch').textContent") == f"{stop:07,d}"
    # the playground's own session rested meanwhile
    assert p.api("GET", f"/api/sessions/{main_id}?grid=0&history=0&weights=0")["snapshot"]["epoch"] == 0
    # three different boundaries, one per optimizer; the table has every run at that epoch
    p.wait("() => document.querySelectorAll('#cmp-table tbody tr').length === 3", timeout=LONG)
    boards = p.js(BOARDS)
    assert len(boards) == 3 and len({tuple(b) for b in boards}) == 3
    table = p.js("() => [...document.querySelectorAll('#cmp-table tbody tr')].map(tr => [...tr.cells].map(c => c.textContent))")
    assert [row[0] for row in table] == ["ASGD", "BMomentum", "CAdam"]
    assert {row[1] for row in table} == {str(stop)}
    assert [row[2] for row in table] == [f"{r['metrics']['train_loss']:.3f}" for r in runs]
    p.wait(f"() => {{ const ps = ({PATHS})(); return ps.length === 3 && ps.every(q => q.epoch === {stop}); }}", timeout=LONG)
    p.page.screenshot(path=str(output_dir / "compare-race.png"))
    for w, h in [(1024, 768), (1280, 720), (1440, 900), (1920, 1080)]:
        p.page.set_viewport_size({"width": w, "height": h})
        # every panel lies inside the race's area, the landscape gets room, the cards stay square
        p.wait("""() => { const body = document.getElementById('cmp-body').getBoundingClientRect();
            const inside = [...document.querySelectorAll('#cmp-body > *, .cmp-card')].every(n => {
              const r = n.getBoundingClientRect(); return r.left >= body.left - 1 && r.right <= body.right + 1; });
            const land = document.querySelector('#cmp-landscape .main-svg');
            const c = document.querySelector('.cmp-boundary');
            return inside && land && land.getBoundingClientRect().width > 300 && c.width === c.height && c.width > 0; }""", timeout=LONG)
        p.page.screenshot(path=str(output_dir / f"compare-race-{w}x{h}.png"), full_page=True)

    # the link reopens the same race: new forks, same initial weights, the same numbers epoch by epoch
    p.page.click("#btn-link")
    url = p.page.url
    other = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        q = other.new_page()
        q.goto(url)
        q.wait_for_function(RACE, timeout=LONG)
        again = q.evaluate(RUNS)
        assert [r["name"] for r in again] == ["SGD", "Momentum", "Adam"]
        assert not {r["id"] for r in again} & {r["id"] for r in runs}
        assert [weights(p, r["id"]) for r in again] == [weights(p, again[0]["id"])] * 3
        q.fill("#stop-at", str(stop))
        q.press("#stop-at", "Enter")
        q.evaluate("() => document.activeElement.blur()")
        q.click("#btn-play")
        q.wait_for_function(f"() => window.playground.state.compare.epoch === {stop} && !window.playground.running", timeout=LONG)
        q.wait_for_function(SETTLED, timeout=LONG)
        replay = q.evaluate(RUNS)
    finally:
        other.close()
    assert [r["metrics"] for r in replay] == [r["metrics"] for r in runs]
    assert p.errors == []


def test_step_reset_and_back_to_the_playground(page):
    p = page.open("/#hidden_layers=3&compare=init&compare.values=xavier_uniform,zeros")
    p.wait(RACE, timeout=LONG)
    runs = p.js(RUNS)
    assert [r["name"] for r in runs] == ["Xavier uniform", "Zeros"]
    assert [r["same"] for r in runs] == [True, False]       # zeros are not the source's weights
    zeros = p.api("GET", f"/api/sessions/{runs[1]['id']}?grid=0&history=0")["snapshot"]["weights"]
    assert all(not decode(w["W"]).any() for w in zeros)
    start = p.js(RUNS)
    for n in (1, 2, 3):
        p.page.click("#btn-step")
        p.wait(f"() => window.playground.state.compare.epoch === {n}", timeout=LONG)
    p.wait(SETTLED, timeout=LONG)
    assert [r["epoch"] for r in p.js(RUNS)] == [3, 3]
    # The counter is redrawn at the next animation frame after the last answer.
    p.wait("() => document.getElementById('epoch').textContent === '000,003'")
    p.page.click("#btn-reset")
    p.wait("() => window.playground.state.compare.epoch === 0", timeout=LONG)
    p.wait(SETTLED, timeout=LONG)
    back = p.js(RUNS)
    assert [r["metrics"] for r in back] == [r["metrics"] for r in start]   # bit-identical start
    assert [r["history"] for r in back] == [1, 1]

    ids = [r["id"] for r in back]
    p.page.click("#cmp-close")
    p.wait("() => window.playground.state.compare === null", timeout=LONG)
    assert p.page.locator("#compare").is_hidden()
    assert p.page.locator("main.columns").is_visible()
    assert "compare=" not in p.page.url
    for sid in ids:   # the forks are gone from the server
        with pytest.raises(HTTPError) as gone:
            p.api("GET", f"/api/sessions/{sid}?grid=0")
        gone.value.close()
        assert gone.value.code == 404
    # the run controls are the playground's again
    p.page.click("#btn-step")
    p.wait("() => window.playground.epoch === 1", timeout=LONG)
    assert p.errors == []


@pytest.mark.parametrize("link, metric, classes", [
    ("#dataset=spiral_k&n_classes=3&compare=learning_rate&compare.values=0.01,0.1,1", "accuracy", 3),
    ("#dataset=plane&n_points=300&compare=batch_size&compare.values=5,25", "RMSE", None),
])
def test_multiclass_and_regression_races(page, link, metric, classes):
    p = page.open("/" + link)
    p.wait(RACE, timeout=LONG)
    n = len(p.js(RUNS))
    p.page.select_option("#speed", "5")
    p.page.click("#btn-play")
    p.wait("() => window.playground.state.compare.epoch >= 10", timeout=LONG)
    p.page.click("#btn-play")
    p.wait(SETTLED, timeout=LONG)
    epochs = {r["epoch"] for r in p.js(RUNS)}
    assert len(epochs) == 1
    assert p.js("() => document.getElementById('cmp-curves').layout.yaxis2.title.text") == metric
    heads = p.js("() => [...document.querySelectorAll('#cmp-table thead th')].map(th => th.textContent)")
    assert ("Test RMSE" if metric == "RMSE" else "Test acc.") in heads
    assert len(p.js(BOARDS)) == n
    if classes:   # the boundaries use the class colours (softmax output over three classes)
        shape = p.js("() => window.playground.state.compare.runs[0].grid.shape")
        assert shape[2] == classes
    epoch = epochs.pop()
    p.wait(f"() => {{ const ps = ({PATHS})(); return ps.length === {n} && ps.every(q => q.epoch === {epoch}); }}", timeout=LONG)
    assert p.js("() => document.getElementById('cmp-land-note').textContent").startswith("Training data loss")
    assert p.errors == []


def test_runs_of_different_networks_have_no_landscape_and_bad_input_is_named(page):
    p = page.open("/#dataset=xor&compare=activation&compare.values=tanh,relu")
    p.wait(RACE, timeout=LONG)
    p.page.click("#btn-step")
    p.wait("() => window.playground.state.compare.epoch === 1", timeout=LONG)
    note = p.js("() => document.getElementById('cmp-land-note').textContent")
    assert "differ in activation" in note
    assert p.page.locator("#cmp-landscape").is_hidden()
    # the setup names what is wrong and starts nothing
    ids = [r["id"] for r in p.js(RUNS)]
    p.page.click("#cmp-change")
    p.page.select_option("#cmp-vary", "learning_rate")
    p.page.locator(".cmp-slot input").nth(1).fill("50")
    p.page.click("#cmp-start")
    assert "learning_rate: 50 is not a number in" in p.js("() => document.getElementById('cmp-error').textContent")
    assert [r["id"] for r in p.js(RUNS)] == ids
    assert p.errors == []   # and no refused landscape request on the way


def test_a_link_with_a_bad_race_says_why_and_offers_the_setup(page):
    p = page.open("/#dataset=xor&compare=optimizer&compare.values=sgd,bogus")
    p.wait("() => !document.getElementById('cmp-setup').hidden", timeout=LONG)
    assert "optimizer: unknown name bogus" in p.js("() => document.getElementById('toast').textContent")
    assert p.js(RACE) is None
    assert "compare=" not in p.page.url and "dataset=xor" in p.page.url
    # the setup is offered, prefilled from the configuration; a preset starts a race from there
    assert p.js("() => document.getElementById('cmp-vary').value") == "optimizer"
    p.page.get_by_role("button", name="Batch 1 vs 10 vs 100", exact=True).click()
    p.wait("() => window.playground.state.compare && window.playground.state.compare.runs.length === 3", timeout=LONG)
    assert [r["name"] for r in p.js(RUNS)] == ["batch 1", "batch 10", "batch 100"]
    assert p.errors == []



def test_a_race_link_s_keys_are_not_reported_as_unknown_but_others_are(page):
    p = page.open("/#dataset=xor&compare=optimizer&compare.values=sgd,adam&comparex=1")
    p.wait("() => window.playground.state.errors.length > 0", timeout=LONG)
    errors = " ".join(p.js("() => window.playground.state.errors"))
    assert "comparex (unknown)" in errors
    assert "compare (unknown)" not in errors and "compare.values" not in errors
