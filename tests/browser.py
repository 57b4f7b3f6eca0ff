"""A small harness around headless Chromium (Playwright driving the system's browser).

It never downloads a browser: it launches the Debian ``chromium`` (or ``DEDUP_CHROMIUM``).
Without one, the browser tests skip, except where the run demands them (``make test``
sets DEDUP_REQUIRE_BROWSER=1), so CI cannot pass on skipped browser tests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str | None:
    """The browser to drive: ``DEDUP_CHROMIUM``, else the first one on PATH."""
    given = os.environ.get("DEDUP_CHROMIUM")
    if given:
        return given if os.access(given, os.X_OK) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    if chromium_path() is None:
        return "chromium is not installed (apt-get install chromium)"
    return None


def need_browser() -> str:
    """The browser's path; skip (or fail, with DEDUP_REQUIRE_BROWSER=1) without one."""
    problem = missing_browser()
    if problem is not None:
        if os.environ.get("DEDUP_REQUIRE_BROWSER") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    path = chromium_path()
    assert path is not None
    return path


@dataclass
class Opened:
    """A page loaded from a file, with what it logged and every request it made."""

    page: Page
    url: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        """Requests for anything but the page itself (data: URLs load nothing)."""
        return [r for r in self.requests if r != self.url and not r.startswith("data:")]

    def timing(self) -> dict[str, float]:
        """Milliseconds from navigation start to the load event and to the table drawn."""
        found: dict[str, Any] = self.page.evaluate(
            """() => {
              const nav = performance.getEntriesByType("navigation")[0];
              const mark = performance.getEntriesByName("table-rendered")[0];
              return {load: nav ? nav.loadEventEnd : -1,
                      domcontentloaded: nav ? nav.domContentLoadedEventEnd : -1,
                      table: mark ? mark.startTime : -1};
            }"""
        )
        return {key: float(value) for key, value in found.items()}


@contextmanager
def open_file(path: Path, *, width: int = 1400, height: int = 1000) -> Iterator[Opened]:
    """Load ``path`` in a fresh headless Chromium and wait for its load event."""
    from playwright.sync_api import sync_playwright

    executable = need_browser()
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable, headless=True)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            url = path.resolve().as_uri()
            opened = Opened(page, url)
            # on the context: pages the test opens later are watched too
            context.on(
                "console",
                lambda message: (
                    opened.console_errors.append(message.text) if message.type == "error" else None
                ),
            )
            context.on("weberror", lambda error: opened.console_errors.append(str(error.error)))
            context.on("request", lambda request: opened.requests.append(request.url))
            page.goto(url, wait_until="load", timeout=120_000)
            yield opened
        finally:
            browser.close()
