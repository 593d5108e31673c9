"""Taking the run home in headless Chromium: the downloaded report opens from disk with no
console error and nothing fetched, its animation plays over >= 10 frames; the page's Export menu
downloads the model, the script, the notebook and the report, the Report button the report
(with the inspected point when Inspect is on), and Compare's Report button every run's."""

import json
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

LONG = 90_000
FIGURES = "() => [...document.querySelectorAll('.plotly-graph-div')].filter(d => d._fullLayout).length"
ANIMATED = "() => [...document.querySelectorAll('.plotly-graph-div')].filter(d => d.layout && d.layout.sliders)"


def fetch(base, path):
    with urllib.request.urlopen(base + path, timeout=60) as r:
        return r.read()


def test_the_report_opens_offline_with_no_error_and_its_animation_plays(page, tmp_path):
    sid = page.api("POST", "/api/sessions", {"snapshot": {"grid": False}})["id"]
    page.api("POST", f"/api/sessions/{sid}/step", {"epochs": 60, "snapshot": {"grid": False}})
    path = tmp_path / "report.html"
    path.write_bytes(fetch(page.base, f"/api/sessions/{sid}/report?point=train:0"))
    requests = []
    page.page.on("request", lambda r: requests.append(r.url))
    page.page.goto(path.as_uri())
    page.wait(f"() => ({FIGURES})() === 6", timeout=LONG)
    assert [url for url in requests if not url.startswith("file:")] == []   # offline: nothing fetched
    frames = page.js(f"() => ({ANIMATED})().map(d => d._transitionData._frames.length)")
    assert len(frames) == 1 and frames[0] >= 10
    # play: the slider moves on from the first frame to the last
    page.js(f"() => Plotly.animate(({ANIMATED})()[0], null, {{frame: {{duration: 20, redraw: true}}, transition: {{duration: 0}}, mode: 'immediate'}})")
    last = frames[0] - 1
    page.wait(f"() => ({ANIMATED})()[0]._fullLayout.sliders[0].active === {last}", timeout=LONG)
    assert page.js("() => document.querySelector('section:last-of-type h2').textContent") == \
        "Inspected point: train point 0"
    assert page.errors == []


def download(p, click):
    with p.page.expect_download(timeout=LONG) as info:
        click()
    d = info.value
    return d.suggested_filename, Path(d.path()).read_bytes()


def test_the_export_menu_and_the_report_button(page, output_dir):
    p = page.open("/#dataset=xor")
    p.page.click("#btn-step")
    p.wait("() => window.playground.epoch === 1", timeout=LONG)
    assert p.page.locator("#export-list").is_hidden()
    p.page.click("#btn-export")
    items = p.page.locator("#export-list [role=menuitem]")
    assert [t.split("\n")[0] for t in items.all_inner_texts()] == \
        ["Model (JSON)", "Python script", "Notebook", "Report"]
    p.page.keyboard.press("Escape")
    assert p.page.locator("#export-list").is_hidden()
    got = {}
    for kind in ("model", "script", "notebook", "report"):
        p.page.click("#btn-export")
        got[kind] = download(p, lambda: p.page.click(f"#export-list [data-export={kind}]"))
        assert p.page.locator("#export-list").is_hidden()
    assert got["model"][0] == "model.json"
    assert json.loads(got["model"][1])["trainer"]["log"]["format"] == "nn_core.runlog/1"
    assert got["script"][0] == "export.py" and got["script"][1].startswith(b'"""A 2 \xe2\x86\x92 4')
    assert got["notebook"][0] == "xor-epoch1.ipynb" and json.loads(got["notebook"][1])["nbformat"] == 4
    assert got["report"][0] == "xor-epoch1.html" and b"<h2>Weights</h2>" in got["report"][1]
    # the Report button, with Inspect on: the report follows the inspected point
    p.page.click("#btn-inspect")
    p.wait("() => document.getElementById('btn-inspect').getAttribute('aria-pressed') === 'true'")
    name, html = download(p, lambda: p.page.click("#btn-report"))
    assert name == "xor-epoch1.html" and b"Inspected point: train point 0" in html
    assert p.errors == []


@pytest.mark.parametrize("width, height", [(1024, 768), (1920, 1080)])
def test_the_export_menu_fits_the_top_bar(sized_page, output_dir, width, height):
    p = sized_page(width, height)
    p.page.click("#btn-export")
    box = p.js("() => { const r = document.getElementById('export-list').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }")
    assert 0 <= box[0] and box[2] <= width and box[3] <= height
    assert p.js("() => document.scrollingElement.scrollWidth") <= width
    p.page.screenshot(path=str(output_dir / f"export-menu-{width}x{height}.png"))
    assert p.errors == []


def test_compare_reports_every_run(page, output_dir):
    p = page.open("/#compare=optimizer&compare.values=sgd,adam")
    p.wait("() => window.playground.state.compare", timeout=LONG)
    p.page.click("#btn-step")
    p.wait("() => window.playground.state.compare.epoch === 1", timeout=LONG)
    assert p.page.locator("#btn-report").is_hidden()          # the page's own run rests
    p.page.screenshot(path=str(output_dir / "compare-report-button.png"))
    name, html = download(p, lambda: p.page.click("#cmp-report"))
    assert name == "compare-circle-epoch1.html"
    assert b"<h2>The loss landscape</h2>" in html and b"optimizer adam" in html
    assert p.errors == []
