"""Shared fixtures: where ../shared/data is (skipping cleanly when it is absent), and
headless Chromium through Playwright (``browser``, ``page``: see tests/browser_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_fixtures import browser, page

__all__ = ["browser", "page", "shared_data"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path to ../shared/data; skips the test with a clear reason when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real footage and motion capture not present at {SHARED_DATA}")
    return SHARED_DATA
