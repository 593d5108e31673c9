"""GET /api/sessions/<id>/report and Compare's POST /api/sessions/<id>/landscape/report: one
self-contained HTML file with every figure (app/exports/report.py, figures.py)."""

import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from plotly.offline import get_plotlyjs

from app.exports import figures, report
from nn_core import trainer_for

from .conftest import BARE, post

MAX_BYTES = 8 * 1024 * 1024


class Tags(HTMLParser):
    """Every tag's attributes, and the text of each <script> and <h2>."""

    def __init__(self, text):
        super().__init__()
        self.attributes, self.scripts, self.headings, self._in = [], [], [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.attributes += [(tag, name, value) for name, value in attrs]
        if tag in ("script", "h2"):
            self._in = tag
            (self.scripts if tag == "script" else self.headings).append("")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "h2":
            self.headings[-1] += data


def plotted(html):
    """The figures drawn: (data, layout) of each Plotly.newPlot call, and each one's frames."""
    figures_found = []
    for match in re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*(\[.*?\]),\s*(\{.*?\}),\s*\{"displaylogo"',
                             html, re.S):
        figures_found.append((json.loads(match.group(1)), json.loads(match.group(2))))
    frames = [json.loads(m.group(1)) for m in
              re.finditer(r"Plotly\.addFrames\(\s*'[^']+',\s*(\[.*?\])\);", html, re.S)]
    return figures_found, frames


def trained(client, epochs=30, **config):
    sid = post(client, "/api/sessions", {**config, "snapshot": BARE}, 201)["id"]
    post(client, f"/api/sessions/{sid}/step", {"epochs": epochs, "snapshot": BARE})
    return sid


def test_the_report_is_one_offline_file_with_every_figure(client):
    sid = trained(client)
    response = client.get(f"/api/sessions/{sid}/report")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="circle-epoch30.html"'
    html = response.data.decode()
    assert len(response.data) <= MAX_BYTES
    tags = Tags(html)
    # nothing is fetched from anywhere: no src= or href= at all, plotly.js inlined once
    assert [a for a in tags.attributes if a[1] in ("src", "href")] == []
    assert sum(script == get_plotlyjs() for script in tags.scripts) == 1
    assert html.count(get_plotlyjs()[:200]) == 1
    assert tags.headings == ["Settings and results", "Training", "The output", "Over training",
                             "Weights", "Confusion matrices"]
    drawn, frames = plotted(html)
    kinds = [sorted({trace["type"] for trace in data}) for data, _ in drawn]
    assert kinds == [["table"], ["scatter"], ["heatmap", "scatter"], ["heatmap", "scatter"],
                     ["heatmap"], ["heatmap"]]
    assert len(frames) == 1 and len(frames[0]) >= 10         # the animation over training
    assert [f["name"] for f in frames[0]][-1] == "30"         # ending at the weights now


def test_the_animation_has_a_frame_per_recorded_epoch_up_to_twenty(client, app):
    sid = trained(client, epochs=40)
    session = app.extensions["sessions"].get(sid)
    fig = figures.animation(session)
    names = [int(frame.name) for frame in fig.frames]
    assert len(names) == 20 and names[0] == 0 and names[-1] == 40 and names == sorted(names)
    assert len(fig.layout.sliders[0].steps) == 20
    # each frame is the map the network drew at that epoch: the last one is the output now
    np.testing.assert_allclose(fig.frames[-1].data[0].z, fig.data[0].z)
    assert not np.array_equal(fig.frames[0].data[0].z, fig.frames[-1].data[0].z)


def test_an_inspected_point_adds_its_trace_as_equations_with_numbers(client, app):
    sid = trained(client, epochs=5)
    html = client.get(f"/api/sessions/{sid}/report?point=test:4").data.decode()
    assert Tags(html).headings[-1] == "Inspected point: test point 4"
    traced = post(client, f"/api/sessions/{sid}/trace",
                  {"point": {"set": "test", "index": 4}, "snapshot": BARE})
    z1 = ", ".join(f"{v:.4g}" for v in traced["layers"][0]["z"])
    assert f"z₁ = a₀ W₁ + b₁ = [{z1}]" in html
    assert f"L = bce(ŷ, y) = {traced['loss']:.6g}" in html


@pytest.mark.parametrize("point", ["train", "train:", "valid:1", "test:-1", "train:250",
                                   "test:99999999999"])
def test_a_bad_point_is_refused_naming_it(client, error_of, point):
    sid = trained(client, epochs=1)
    error = error_of(client.get(f"/api/sessions/{sid}/report", query_string={"point": point}),
                     422)
    assert error["field"] == "point"


@pytest.mark.parametrize("config, titles", [
    ({"dataset": "spiral_k", "n_classes": 4, "hidden_layers": [6]}, "Confusion matrices"),
    ({"dataset": "plane"}, "Weights"),
])
def test_multiclass_and_regression_reports(client, config, titles):
    sid = trained(client, epochs=3, **config)
    html = client.get(f"/api/sessions/{sid}/report").data.decode()
    headings = Tags(html).headings
    assert headings[-1] == titles
    drawn, _ = plotted(html)
    curves = drawn[1][0]
    names = {trace["name"] for trace in curves}
    if config["dataset"] == "plane":
        assert {"train RMSE", "test R2"} <= names
    else:
        assert {"train accuracy", "test loss"} <= names


def test_real_sets_draw_what_the_page_shows_from_the_engines_objects():
    digits = trainer_for("digits")
    digits.run(1)
    html = report.session_report(report.run_of(digits, dataset="digits"))
    headings = Tags(html).headings
    assert "What the network answers" in headings and "First-layer weights as images" in headings
    gallery = figures.digit_gallery(digits, dataset="digits")
    answers = [a.text for a in gallery.layout.annotations]
    predicted = digits.net.predict(digits.data()[2][:40])
    assert [int(a.split()[0]) for a in answers] == predicted.tolist()
    images = figures.first_layer_images(digits, dataset="digits")
    assert images.data[0].z.shape == (4 * 9, 8 * 9 - 1)   # 32 neurons, 8 × 8 each, gaps of 1
    iris = trainer_for("iris")
    iris.run(2)
    table = figures.output(iris, dataset="iris")
    assert table.layout.xaxis.title.text == "u₁"               # the principal plane's axes
    assert "principal plane" in table.layout.title.text


def test_compare_reports_every_run_its_curves_and_the_landscape(client):
    first = trained(client, epochs=10)
    second = post(client, f"/api/sessions/{first}/fork",
                  {"overrides": {"optimizer": "adam"}, "snapshot": BARE}, 201)["id"]
    post(client, f"/api/sessions/{second}/step", {"epochs": 10, "snapshot": BARE})
    response = client.post(f"/api/sessions/{second}/landscape/report",
                           json={"sessions": [first, second], "resolution": 21})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="compare-circle-epoch10.html"'
    html = response.data.decode()
    assert Tags(html).headings == ["Settings and results", "Training, every run",
                                   "The loss landscape"]
    drawn, _ = plotted(html)
    table, curves, landscape = drawn
    assert table[0][0]["header"]["values"] == ["", "optimizer sgd", "optimizer adam"]
    assert {t["name"] for t in curves[0] if "name" in t} >= {"optimizer sgd, train",
                                                             "optimizer adam, test"}
    assert landscape[0][0]["type"] == "contour"
    assert [t["name"] for t in landscape[0] if t.get("name")] == ["optimizer sgd", "optimizer adam"]


def test_compare_report_checks_its_body_as_the_landscape_does(client, error_of):
    first = trained(client, epochs=1)
    other = trained(client, epochs=1)
    error = error_of(client.post(f"/api/sessions/{first}/landscape/report",
                                 json={"sessions": [other]}), 422)
    assert error["field"] == "sessions"
    error = error_of(client.post(f"/api/sessions/{first}/landscape/report",
                                 json={"sessions": [first], "resolution": 4}), 422)
    assert error["field"] == "resolution"
