"""Settings are checked before any work: exit 2, one line saying what to do, in well under a
second (never after the pose pass, never a traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analyzer.cli import main
from analyzer.errors import ConfigError, ProfileError
from analyzer.faults.profiles import load_profile
from analyzer.settings import AnalysisSettings, check_settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_videos" / "backpedal_side_left.mp4"


def _bad_args(tmp_path: Path) -> dict[str, list[str]]:
    a_file = tmp_path / "a_file.txt"
    a_file.write_text("not a folder")
    foreign = tmp_path / "holiday_photos"
    foreign.mkdir()
    (foreign / "beach.jpg").write_bytes(b"\xff\xd8")
    out = str(tmp_path / "out")
    return {
        "unknown profile": ["--out", out, "--profile", "db-backpedl"],
        "out is a file": ["--out", str(a_file)],
        "out holds other files": ["--out", str(foreign)],
        "capture fps inf": ["--out", out, "--capture-fps", "inf"],
        "capture fps nan": ["--out", out, "--capture-fps", "nan"],
        "capture fps absurd": ["--out", out, "--capture-fps", "1e9"],
        "height absurd": ["--out", out, "--athlete-height-m", "18"],
        "height inf": ["--out", out, "--athlete-height-m", "inf"],
        "select point inf": ["--out", out, "--select", "inf,300@3.8"],
        "select point negative": ["--out", out, "--select=-5,300"],
        "select time nan": ["--out", out, "--select", "700,300@nan"],
        "select malformed": ["--out", out, "--select", "700"],
        "model missing": ["--out", out, "--model", str(tmp_path / "nope.task")],
    }


CASES = [
    "unknown profile",
    "out is a file",
    "out holds other files",
    "capture fps inf",
    "capture fps nan",
    "capture fps absurd",
    "height absurd",
    "height inf",
    "select point inf",
    "select point negative",
    "select time nan",
    "select malformed",
    "model missing",
]


@pytest.mark.parametrize("case", CASES)
def test_refused_in_process_fast_with_one_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _bad_args(tmp_path)[case]
    t0 = time.perf_counter()
    code = main(["analyze", str(SAMPLE), "-q", *args])
    elapsed = time.perf_counter() - t0
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert elapsed < 1.0, f"{case}: refused only after {elapsed:.2f} s"
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert "how to fix" in err or "did you mean" in err.lower()
    assert not (tmp_path / "out").exists()  # nothing was written


def test_unknown_profile_suggests_the_close_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["analyze", str(SAMPLE), "-q", *_bad_args(tmp_path)["unknown profile"]])
    assert "Did you mean 'db-backpedal'?" in capsys.readouterr().err


@pytest.mark.parametrize("case", ["unknown profile", "out is a file", "capture fps inf"])
def test_refused_by_the_command_without_traceback(case: str, tmp_path: Path) -> None:
    """The installed command, as a user runs it (interpreter start-up included)."""
    args = _bad_args(tmp_path)[case]
    env = {**os.environ, "BACKPEDAL_CACHE": str(tmp_path / "cache")}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "analyzer.cli", "analyze", str(SAMPLE), "-q", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    elapsed = time.perf_counter() - t0
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    # generous for a loaded machine; the pose pass alone takes > 10 s on this clip
    assert elapsed < 5.0, f"{case}: exit after {elapsed:.1f} s"
    assert not (tmp_path / "cache").exists()  # the model never ran


def test_out_not_writable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert main(["analyze", str(SAMPLE), "-q", "--out", str(locked / "out")]) == 2
    finally:
        locked.chmod(0o700)
    assert "cannot create or write" in capsys.readouterr().err


def test_profile_may_be_a_name_a_path_or_a_loaded_profile(tmp_path: Path) -> None:
    by_name = check_settings(AnalysisSettings(profile="youth"))
    path = Path(by_name.path)
    assert check_settings(AnalysisSettings(profile=path)).name == "youth"
    team = load_profile("youth")
    assert check_settings(AnalysisSettings(profile=team)) is team
    assert AnalysisSettings(profile=team).record()["profile"] == "youth"
    with pytest.raises(ProfileError):
        check_settings(AnalysisSettings(profile=tmp_path / "missing.toml"))
    with pytest.raises(ConfigError):
        check_settings(AnalysisSettings(num_poses=0))
    with pytest.raises(ConfigError):
        check_settings(AnalysisSettings(qb_side="middle"))


@pytest.mark.parametrize("rotate_deg", [45, -90, 360, 90.0, True, "90"])
def test_rotation_other_than_quarter_turns_is_refused(rotate_deg) -> None:
    """Front ends that build settings themselves (batch, web) get the same check as
    ``--rotate``'s choices: 0, 90, 180 or 270 whole degrees."""
    with pytest.raises(ConfigError) as err:
        check_settings(AnalysisSettings(rotate_deg=rotate_deg))
    assert "--rotate 0, 90, 180 or 270" in err.value.hint
    for ok in (None, 0, 90, 180, 270):
        check_settings(AnalysisSettings(rotate_deg=ok))
