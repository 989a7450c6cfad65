"""Headless Chromium for tests, driven by Playwright (report, web app and review tests).

The browser is Debian's ``/usr/bin/chromium`` (``apt-get install chromium``; installed by
``scripts/install.sh --test`` when run as root), launched through Playwright's
``executable_path``: Playwright never downloads a browser of its own here
(``PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD``; ``playwright install`` is never called).

Fixtures (imported by ``tests/conftest.py``, so every test can ask for them):

``browser``
    One Chromium per test session; the test is skipped with the reason when Chromium or
    Playwright is missing.
``page``
    A fresh page (own context, 1200 px wide) whose console errors, uncaught exceptions and
    attempts to reach the network are recorded (:class:`WatchedPage`). Requests to
    127.0.0.1/localhost go through (servers under test); any other http(s) request is
    blocked and listed in ``network``: pages must not load scripts or fonts from the web.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

#: Debian's Chromium (the launcher script in /usr/bin).
CHROMIUM = Path("/usr/bin/chromium")
#: A fresh profile that talks to no Google service in the background.
CHROMIUM_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    "--mute-audio",
)
#: Hosts a page under test may reach (servers the tests start on the loopback interface).
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
VIEWPORT = {"width": 1200, "height": 900}
TIMEOUT_MS = 30_000


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"headless chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (dev extra) is not installed: pip install -e '.[dev]'"
    return None


def launch_args() -> list[str]:
    """Chromium flags; ``--no-sandbox`` only as root (the sandbox refuses to run as root)."""
    args = list(CHROMIUM_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    return args


@dataclass
class WatchedPage:
    """A Playwright page and what went wrong on it."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)

    def open(self, path: Path) -> None:
        """Load a local file (``file://`` URL)."""
        self.page.goto(path.resolve().as_uri())

    def evaluate(self, expression: str) -> Any:
        return self.page.evaluate(expression)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium under Playwright, shared by the whole session."""
    reason = chromium_missing_reason()
    if reason is not None:
        pytest.skip(reason)
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=launch_args())
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[WatchedPage]:
    """A fresh page with its console errors and network attempts recorded."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    watched = WatchedPage(context.new_page())

    def on_console(msg: Any) -> None:
        if msg.type in ("error", "assert"):
            watched.console_errors.append(msg.text)

    def on_request(route: Route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if host in LOCAL_HOSTS:
            route.continue_()
        else:
            watched.network.append(route.request.url)
            route.abort()

    watched.page.on("console", on_console)
    watched.page.on("pageerror", lambda exc: watched.console_errors.append(f"uncaught: {exc}"))
    context.route(re.compile(r"^(https?|wss?)://"), on_request)
    try:
        yield watched
    finally:
        context.close()
