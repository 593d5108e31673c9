"""Compare's 3D loss landscape (issue 24): every run's path runs above the surface — each piece of
it lies in one grid cell, no lower than the cell's highest corner, so none of Plotly's triangles
can hide it — and the loss axis's ticks and title are not cut at the panel's edge."""

import math
import struct
import zlib

import pytest

from .conftest import SETTLED

pytestmark = pytest.mark.browser

RACE = "/#dataset=circle&compare=optimizer&compare.values=sgd,momentum,adam"
TRACES = """() => { const gd = document.getElementById('cmp-landscape');
  return (gd.data || []).map((t) => ({ kind: t.meta?.kind, type: t.type, x: Array.from(t.x), y: Array.from(t.y), z: t.z })); }"""


def decode_png(data):
    """(width, height, bytes per pixel, rows) of an 8-bit RGB or RGBA PNG (Playwright's)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour in (2, 6)
        elif kind == b"IDAT":
            idat += chunk
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for r in range(height):
        kind, line = raw[r * (stride + 1)], bytearray(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def open_race_in_3d(sized_page):
    p = sized_page(1280, 720, RACE)
    p.wait("() => window.playground.state.compare && window.playground.state.compare.runs.length === 3")
    p.page.keyboard.press("Space")
    p.wait("() => window.playground.state.compare.runs.every((r) => r.epoch >= 20)")
    p.page.keyboard.press("Space")
    p.wait(SETTLED)
    p.page.click("#cmp-land-mode [data-mode='3d']")
    p.wait("() => (document.getElementById('cmp-landscape').data || []).some((t) => t.type === 'surface')")
    p.wait("() => (document.getElementById('cmp-landscape').data || []).filter((t) => t.meta?.kind === 'path').length === 3")
    p.js("() => document.getElementById('cmp-land-panel').scrollIntoView()")
    p.wait("() => document.querySelector('#cmp-landscape .gl-container canvas')")
    return p


def test_every_path_runs_above_the_surface_and_the_loss_axis_is_whole(sized_page, output_dir):
    p = open_race_in_3d(sized_page)
    traces = p.js(TRACES)
    surface = next(t for t in traces if t["type"] == "surface")
    xs, ys, z = surface["x"], surface["y"], surface["z"]
    n, m = len(xs), len(ys)
    col = lambda a: (a - xs[0]) / (xs[-1] - xs[0]) * (n - 1)
    row = lambda b: (b - ys[0]) / (ys[-1] - ys[0]) * (m - 1)
    paths = [t for t in traces if t["kind"] == "path"]
    moved = 0
    for path in paths:
        pts = list(zip(path["x"], path["y"], path["z"]))
        for (a0, b0, h0), (a1, b1, h1) in zip(pts, pts[1:]):
            c0, c1, r0, r1 = col(a0), col(a1), row(b0), row(b1)
            i = min(n - 2, max(0, math.floor((c0 + c1) / 2)))
            j = min(m - 2, max(0, math.floor((r0 + r1) / 2)))
            # the piece lies in cell (i, j) ...
            assert all(i - 1e-6 <= c <= i + 1 + 1e-6 for c in (c0, c1) if 0 <= c <= n - 1), (c0, c1, i)
            assert all(j - 1e-6 <= r <= j + 1 + 1e-6 for r in (r0, r1) if 0 <= r <= m - 1), (r0, r1, j)
            # ... above every corner of it (the surface's triangles there are no higher)
            top = max(v for v in (z[j][i], z[j][i + 1], z[j + 1][i], z[j + 1][i + 1]) if v is not None)
            assert h0 > top and h1 > top, (h0, h1, top)
            moved += (a0, b0) != (a1, b1)
    assert len(paths) == 3 and moved > 20
    # nothing of the axes' labels is cut at the panel's left edge: its first 3 px stay blank
    box = p.page.locator("#cmp-landscape").bounding_box()
    strip = p.page.screenshot(clip={"x": box["x"], "y": box["y"], "width": 3, "height": box["height"]})
    width, height, bpp, rows = decode_png(strip)
    ink = sum(1 for line in rows for x in range(width) if sum(line[x * bpp:x * bpp + 3]) < 3 * 170)
    assert ink == 0
    p.page.locator("#cmp-land-panel").screenshot(path=str(output_dir / "compare-landscape-3d.png"))
    assert p.errors == []
