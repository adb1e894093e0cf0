"""Browser test helpers: Debian's Chromium driven by Playwright, kept on the machine (the `browser` fixture in
conftest.py launches it once per test module)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


def require(what: str) -> None:
    """A missing browser part fails the run in CI (where scripts/test.sh installs it) and skips it elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(what)
    pytest.skip(what)


def launch_chromium() -> Iterator[Any]:
    """Yield a headless Chromium (Playwright's Browser) and close it afterwards."""
    if not Path(CHROMIUM).exists():
        require(f"Chromium not found at {CHROMIUM} (install Debian's chromium package; scripts/test.sh does)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def is_loopback(url: str) -> bool:
    """True for a request the tests let through: everything else is answered or refused in the browser."""
    return urlsplit(url).hostname in LOOPBACK_HOSTS
