"""Shared fixtures of the end-to-end tests on rendered athletes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def synth_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One directory for every clip and pose track of the session (clips rendered by one
    test module are reused by the others); ``BACKPEDAL_SYNTH_CACHE`` names a folder kept
    between sessions instead (clips are keyed by the rendering code, poses by the clip)."""
    keep = os.environ.get("BACKPEDAL_SYNTH_CACHE")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        return Path(keep)
    return tmp_path_factory.mktemp("synth_clips")
