"""Points stay visible once the network is confident: trained to 100 % accuracy (or a small
regression loss), every training and test point's fill differs clearly from the boundary's
colours around it — binary, 4 classes and regression, with and without "discretize"."""

import pytest

from .conftest import SETTLED

pytestmark = pytest.mark.browser

# For every point Plotly drew: its fill and the least different background cell in the 3 × 3
# canvas cells around it, as the Euclidean distance between the two sRGB colours (0 … 441).
CONTRAST = """() => {
  const gd = document.getElementById('boundary'), fl = gd._fullLayout;
  const c = document.querySelector('.boundary-canvas');
  const img = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const out = [];
  for (const pt of gd.querySelectorAll('.scatterlayer .trace path.point')) {
    const m = /translate\\(([-\\d.e]+),\\s*([-\\d.e]+)\\)/.exec(pt.getAttribute('transform'));
    const fill = getComputedStyle(pt).fill.match(/\\d+(\\.\\d+)?/g).map(Number);
    const col = Math.floor(+m[1] / fl.xaxis._length * c.width), row = Math.floor(+m[2] / fl.yaxis._length * c.height);
    let worst = Infinity;
    for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) {
      const r = Math.min(c.height - 1, Math.max(0, row + dr)), k = Math.min(c.width - 1, Math.max(0, col + dc));
      const o = (r * c.width + k) * 4;
      worst = Math.min(worst, Math.hypot(fill[0] - img[o], fill[1] - img[o + 1], fill[2] - img[o + 2]));
    }
    out.push(worst);
  }
  return out;
}"""
MIN_CONTRAST = 70   # colour distance; a full class colour on its own full colour gives ~0


def train_until(p, path, epochs):
    p.open(path + f"&view.speed=max&view.stop={epochs}&view.test=1")
    p.play()
    p.wait(f"() => window.playground.epoch === {epochs} && !window.playground.running", timeout=90_000)
    p.pause()


def contrasts(p, n_points):
    p.wait(SETTLED)
    p.wait(f"() => document.querySelectorAll('#boundary .scatterlayer path.point').length === {n_points}")
    return p.js(CONTRAST)


@pytest.mark.parametrize("path, epochs", [
    ("/#dataset=circle", 300),
    ("/#dataset=blobs&n_classes=4", 100),
    ("/#dataset=plane", 200),
])
def test_points_keep_their_colour_over_confident_regions(page, path, epochs):
    p = page
    train_until(p, path, epochs)
    m = p.js("() => window.playground.metrics")
    if "train_accuracy" in m:
        assert m["train_accuracy"] == 1.0 and m["test_accuracy"] == 1.0
    else:
        assert m["train_loss"] < 0.01
    n = p.js("() => window.playground.config.n_points")
    plain = contrasts(p, n)
    assert len(plain) == n and min(plain) >= MIN_CONTRAST, sorted(plain)[:5]
    if "train_accuracy" in m:
        p.page.check("#discretize")
        p.wait("() => window.playground.state.view.discretize")
        discrete = contrasts(p, n)
        assert min(discrete) >= MIN_CONTRAST, sorted(discrete)[:5]
    assert p.errors == []
