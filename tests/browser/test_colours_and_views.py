"""Colours and views (issue 24): the six class colours stay apart for normal vision and the common
colour-vision deficiencies; points leave the output map visible (Multi Gaussian with its test
points); the confusion matrix never shows counts older than the session; Plotly's 3D views put
no getImageData warning in the console; the README lists every ?hide= name the page has."""

import itertools
import re
from pathlib import Path

import pytest

from .conftest import ROOT, SETTLED

pytestmark = pytest.mark.browser

# Machado, Oliveira & Fernandes (2009), full severity, on linear RGB.
CVD = {
    "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def lab(rgb, matrix):
    """CIELAB (D65) of an sRGB colour as seen through a CVD simulation matrix."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in rgb)]
    sim = [min(1.0, max(0.0, sum(m * c for m, c in zip(row, lin)))) for row in matrix]
    xyz = [sum(m * c for m, c in zip(row, sim)) for row in
           ((0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505))]
    f = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in (x / w for x, w in zip(xyz, (0.95047, 1.0, 1.08883)))]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def delta_e(a, b):
    return sum((x - y) ** 2 for x, y in zip(a, b)) ** 0.5


def test_the_six_class_colours_stay_apart_for_colour_blind_eyes(page):
    p = page.open()
    palette, mid, pale = p.js("""async () => { const c = await import('/static/js/colors.js');
      return [c.CLASS_COLORS, c.MID, c.PALE]; }""")
    # the digits' ten classes: every pair clearly apart for normal vision
    normal = CVD["normal"]
    assert len(palette) >= 6
    assert min(delta_e(lab(a, normal), lab(b, normal)) for a, b in itertools.combinations(palette, 2)) >= 25
    colours = palette[:6]   # the playground's classes (up to 6): apart for colour-blind eyes too
    half = [[m + (c - m) * pale for c, m in zip(col, mid)] for col in colours]   # the boundary's shade
    for name, matrix in CVD.items():
        for (i, a), (j, b) in itertools.combinations(enumerate(colours), 2):
            assert delta_e(lab(a, matrix), lab(b, matrix)) >= 17, (name, i, j)
            assert delta_e(lab(half[i], matrix), lab(half[j], matrix)) >= 8.5, (name, i, j)
        # no class looks like the grey of "the network is unsure"
        assert min(delta_e(lab(c, matrix), lab(mid, matrix)) for c in colours) >= 25, name


def test_points_leave_the_output_map_visible(page):
    p = page.open("/#dataset=multi_gaussian&view.test=1")
    p.wait("() => document.querySelector('#boundary .main-svg') && window.playground.config.dataset === 'multi_gaussian'")
    p.wait(SETTLED)
    covered = p.js("""() => { const gd = document.getElementById('boundary'), fl = gd._fullLayout;
      const area = fl.xaxis._length * fl.yaxis._length;
      let sum = 0, n = 0;
      for (const t of gd._fullData) { const d = t.marker.size; n += t.x.length; sum += t.x.length * Math.PI * (d / 2) ** 2; }
      return [sum / area, n]; }""")
    share, n = covered
    assert n == p.js("() => window.playground.config.n_points")     # training and test points shown
    assert n >= 1000 and share <= 0.26, covered
    # the default circle keeps its full-size points
    q = page.open("/#dataset=circle")
    q.wait(SETTLED)
    assert q.js("() => document.getElementById('boundary')._fullData[0].marker.size") == 6


def test_the_confusion_matrix_never_shows_counts_older_than_the_session(sized_page):
    p = sized_page(800, 1000)          # one column: the matrix far below the first screen
    p.wait(SETTLED)
    # every number written into a cell must belong to the session's current state
    p.js("""() => { window.__stale = []; const pg = window.playground;
      new MutationObserver(() => {
        for (const td of document.querySelectorAll('#confusion td.cm-cell'))
          if (/^\\d+$/.test(td.textContent) && pg.frame.seq.confusion !== pg.state.version) window.__stale.push([td.textContent, pg.epoch]);
      }).observe(document.getElementById('confusion'), { subtree: true, childList: true, characterData: true }); }""")
    p.play()
    p.wait("() => window.playground.epoch >= 10")
    p.pause()
    assert not p.js("() => window.playground.state.visible.confusion")
    p.js("() => document.getElementById('confusion').scrollIntoView()")
    p.wait("() => window.playground.state.visible.confusion && window.playground.frame.seq.confusion === window.playground.state.version")
    p.wait(SETTLED)
    cells = p.js("() => [...document.querySelectorAll('#cm-train td.cm-cell')].map((td) => Number(td.textContent))")
    assert sum(cells) == p.js("() => window.playground.state.data.train.x.length")
    diagonal = cells[0] + cells[3]
    assert diagonal / sum(cells) == pytest.approx(p.js("() => window.playground.metrics.train_accuracy"), abs=1e-9)
    # train again with the matrix on screen, then scroll it away and change the session: it never
    # shows the old counts when it comes back
    p.page.keyboard.press(".")
    p.wait(SETTLED)
    p.js("() => window.scrollTo(0, 0)")
    p.wait("() => !window.playground.state.visible.confusion")
    epoch = p.js("() => window.playground.epoch")
    p.page.click("#btn-step")
    p.wait(f"() => window.playground.epoch === {epoch + 1}")
    p.wait(SETTLED)
    p.js("() => document.getElementById('confusion').scrollIntoView()")
    p.wait("() => window.playground.frame.seq.confusion === window.playground.state.version")
    p.wait(SETTLED)
    assert p.js("() => window.__stale") == []
    assert p.errors == []


def test_no_get_image_data_warning_from_the_3d_views(page):
    warnings = []
    page.page.on("console", lambda m: warnings.append(m.text) if "willReadFrequently" in m.text or "getImageData" in m.text else None)
    p = page.open("/#view.3d=1")
    p.wait("() => document.querySelector('#surface-plot .gl-container canvas')")
    p.wait(SETTLED)
    p.page.keyboard.press(".")            # one epoch: the surface and its labels drawn again
    p.wait("() => window.playground.epoch === 1")
    p.wait(SETTLED)
    p.page.hover("#surface-plot")
    p.wait(SETTLED)
    assert warnings == []
    assert p.errors == []


def test_the_readme_lists_every_hide_name(page):
    p = page.open()
    names = set(p.js("() => document.getElementById('hide-names').textContent.split(', ')"))
    readme = Path(ROOT, "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("?hide=name1"):]
    table = table[:table.index("\n\n", table.index("| area |"))]
    listed = set(re.findall(r"`([a-z_]+)`", table.split("| area |", 1)[1]))
    assert listed == names
