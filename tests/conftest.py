"""Fixtures shared by every test directory: the one headless Chromium of the run.

No `playwright install`: the tests drive Debian's Chromium. Without it the tests that need it
skip locally and fail in CI (CI set), so a missing browser can never pass silently there. One
browser serves the whole run: Playwright's sync API allows one running instance per thread, so
a test that started its own beside this one would fail.
"""

import os
import shutil

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        message = "chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
