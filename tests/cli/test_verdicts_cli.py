"""Issue 11 end to end through ``backpedal analyze``: honest verdicts on real clips.

* the leaning-back sample scores in "needs work", not "good", beside its major finding;
* the Sports2D walker walking forwards (../shared/data) is "could not analyse", exit 1;
* the same sample read as an 8x slow-motion clip without its capture rate asks for it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analyzer.cli import main
from analyzer.pose.track import load_track, save_track

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FAULT = ROOT / "sample_videos" / "backpedal_fault_leaning_back.mp4"


@pytest.fixture(scope="module")
def leaning_back(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp("lean")
    mp = pytest.MonkeyPatch()
    mp.setenv("BACKPEDAL_CACHE", str(out / "cache"))
    try:
        code = main(["analyze", str(FAULT), "--out", str(out / "res"), "-q", "--no-video"])
    finally:
        mp.undo()
    return code, out / "res"


def test_leaning_back_sample_is_not_good(leaning_back, capsys) -> None:
    code, out = leaning_back
    assert code == 0
    doc = json.loads((out / "result.json").read_text())
    ids = {f["id"]: f["severity"] for f in doc["findings"]}
    assert ids.get("leaning_back") == "major"
    bands = doc["scores"]["bands"]
    assert doc["scores"]["overall"] < bands["fair_from"]  # "needs work", not "good"
    assert doc["scores"]["categories"]["posture"] <= bands["cap_major"]
    assert doc["scores"]["caps"]["overall"] == "leaning_back"
    html = (out / "report.html").read_text()
    assert "NEEDS WORK" in html.upper() and "held down by: leaning back" in html


def test_slow_motion_without_capture_rate_asks_for_it(leaning_back, tmp_path, capsys) -> None:
    _, out = leaning_back
    track = load_track(out / "track.npz")
    slow = track.with_arrays(times_s=np.asarray(track.times_s) * 8.0)  # 8x slow motion
    path = save_track(slow, tmp_path / "slow.npz")
    capsys.readouterr()
    code = main(["analyze", "--track", str(path), "--out", str(tmp_path / "o"), "-q"])
    text = capsys.readouterr().out
    assert code == 1
    assert "Could not analyse this clip" in text and "--capture-fps" in text
    assert "slow-motion" in (tmp_path / "o" / "report.html").read_text()


@pytest.mark.shared_data
def test_forward_walk_is_not_analysed(shared_data: Path, tmp_path, capsys) -> None:
    clip = shared_data / "videos" / "sports2d" / "demo.mp4"
    if not clip.is_file():
        pytest.skip(f"{clip} is missing")
    code = main(["analyze", str(clip), "--out", str(tmp_path / "o"), "-q", "--no-video"])
    text = capsys.readouterr().out
    assert code == 1
    assert "Could not analyse this clip" in text
    assert "moves forwards" in text and "No faults" not in text
    html = (tmp_path / "o" / "report.html").read_text()
    assert "Could not analyse this clip" in html and "Keep it up" not in html
