"""Shared fixtures of the end-to-end tests on rendered athletes."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def synth_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One directory for every clip and pose track of the session (clips rendered by one
    test module are reused by the others)."""
    return tmp_path_factory.mktemp("synth_clips")
