"""The browser fixtures skip with a reason, and never launch a downloaded browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import browser_fixtures as bf


def test_missing_chromium_gives_a_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(bf, "CHROMIUM", tmp_path / "no-chromium")
    reason = bf.chromium_missing_reason()
    assert reason is not None and "apt-get install chromium" in reason


def test_launch_flags_keep_chromium_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bf.os, "geteuid", lambda: 1000)
    args = bf.launch_args()
    for flag in ("--disable-background-networking", "--disable-component-update",
                 "--disable-sync"):
        assert flag in args
    assert "--no-sandbox" not in args
    monkeypatch.setattr(bf.os, "geteuid", lambda: 0)
    assert "--no-sandbox" in bf.launch_args()
    assert Path("/usr/bin/chromium") == bf.CHROMIUM
