"""Docs that run: every `curl` example in docs/api.md, replayed against a real server.

Each shell block's commands run in bash with the real curl (`--fail-with-body`, so any answer
of 400 or more fails the command), `localhost:8000` pointed at a test server, and `$S`, `$F1`,
`$F2` set to fresh sessions (a session, two forks of it) for every command, with the files the
examples read (`model.json`) in the working directory. A wrong content type, a wrong path, a
field the server refuses: the test names the example.
"""

import json
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from app import create_app
from app.serve.server import BackgroundServer

from .conftest import test_app

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCK = re.compile(r"```sh\n(.*?)```", re.S)


def examples(path):
    """The curl commands of every ```sh block of `path`, continuation lines joined."""
    found = []
    for block in BLOCK.findall(path.read_text()):
        for command in block.replace("\\\n", " ").splitlines():
            if "curl " in command:
                found.append(command.strip())
    return found


API_EXAMPLES = examples(DOCS / "api.md")


def test_the_api_reference_has_examples_for_every_endpoint_it_lists():
    """Every row of the endpoint table has at least one example that calls its path."""
    table = re.findall(r"^\| (GET|POST|PATCH|DELETE) \| `([^`]+)` \|", (DOCS / "api.md").read_text(),
                       re.M)
    assert len(table) >= 15
    for method, path in table:
        pattern = re.escape(path).replace(re.escape("<id>"), r"\$\w+")
        calls = [c for c in API_EXAMPLES if re.search(pattern + r"(?![\w/.])", c)]
        assert calls, f"no example for {method} {path}"


@pytest.fixture(scope="module")
def server():
    # Every example gets three fresh sessions from one address, never deleted: far more than
    # one client's quotas, which these examples do not test.
    with BackgroundServer(test_app(CLIENT_SESSIONS=10_000, CLIENT_MEMORY=1 << 40),
                          threads=4) as url:
        yield url


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as answer:
        return json.loads(answer.read() or b"null")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("command", API_EXAMPLES)
def test_every_curl_example_in_the_api_reference_works(command, server, tmp_path):
    light = {"snapshot": {"grid": False}}
    session = call(server, "POST", "/api/sessions", dict(light))["id"]
    forks = [call(server, "POST", f"/api/sessions/{session}/fork",
                  {"overrides": {"optimizer": name}, **light})["id"]
             for name in ("adam", "momentum")]
    model = call(server, "GET", f"/api/sessions/{session}/model")
    (tmp_path / "model.json").write_text(json.dumps(model))
    host = server.removeprefix("http://")
    script = (f'curl() {{ command curl -sS --fail-with-body "$@"; }}\n'
              f"set -eo pipefail\n{command.replace('localhost:8000', host)}\n")
    env = {"PATH": "/usr/bin:/bin", "S": session, "F1": forks[0], "F2": forks[1]}
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, f"{command}\n→ {result.stdout[-400:]} {result.stderr[-400:]}"


def test_the_options_reference_lists_exactly_what_the_server_serves():
    """docs/api.md's sketch of `/api/options` names every key of every component the server
    serves (and no other), and its `limits` paragraph every limit with its default value."""
    text = (DOCS / "api.md").read_text()
    sketch = text[text.index("### `GET /api/options`"):text.index("Component lists come from")]
    served = create_app().test_client().get("/api/options").get_json()  # the defaults
    for part in ("datasets", "features", "activations", "losses", "initializers",
                 "regularizations", "optimizers", "schedules", "problems", "controls"):
        listed = re.search(rf'"{part}": \[\{{((?:[^{{}}]|\[\{{[^}}]*\}}\])*)\}}', sketch).group(1)
        listed = re.sub(r'"params": \[\{.*?\}\]', '"params"', listed)
        assert set(re.findall(r'"(\w+)"', listed)) == set(served[part][0]), part
        if part in ("optimizers", "schedules"):
            params = re.search(rf'"{part}":.*?"params": \[\{{(.*?)\}}\]', sketch, re.S).group(1)
            assert set(re.findall(r'"(\w+)"', params)) == set(served[part][1]["params"][0])
    lessons = re.search(r'"lessons": \{(.*?)\}\}\n```', sketch, re.S).group(1)
    assert set(re.findall(r'"(\w+)": ', lessons)) == set(served["lessons"])
    paragraph = text[text.index("`limits` (each configurable"):text.index("### `POST /api/sessions`")]
    documented = {k: json.loads(v) for k, v in
                  re.findall(r"`(\w+)`\s+(\[[^\]]*\]|\d+)", paragraph)}
    assert documented == served["limits"]
