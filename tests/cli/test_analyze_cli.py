"""The main job end to end through the ``backpedal`` command, on the bundled sample clip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_videos" / "backpedal_side_left.mp4"
REQUIRED_METRICS = (
    "hip_height_ratio",
    "knee_flexion_deg",
    "trunk_lean_deg",
    "step_length_leg_lengths",
    "cadence_steps_per_s",
    "arm_swing_deg",
    "transition_time_s",
)


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Analyse the sample twice with a fresh track cache: a cold run and a cached re-run."""
    base = tmp_path_factory.mktemp("analyze")
    mp = pytest.MonkeyPatch()
    mp.setenv("BACKPEDAL_CACHE", str(base / "cache"))
    try:
        assert main(["analyze", str(SAMPLE), "--out", str(base / "cold"), "-q"]) == 0
        assert main(["analyze", str(SAMPLE), "--out", str(base / "warm"), "-q", "--no-video"]) == 0
    finally:
        mp.undo()
    return {"cold": base / "cold", "warm": base / "warm"}


def test_output_folder_is_complete(analyzed: dict[str, Path]) -> None:
    out = analyzed["cold"]
    for name in ("result.json", "metrics.csv", "steps.csv", "track.npz", "report.html",
                 "annotated.mp4", "backpedal_side_left.kva"):
        assert (out / name).is_file(), name
        assert (out / name).stat().st_size > 0, name


def test_result_json_schema(analyzed: dict[str, Path]) -> None:
    doc = json.loads((analyzed["cold"] / "result.json").read_text())
    assert doc["schema_version"]
    for key in ("view", "travel_direction", "facing", "events", "phases", "metrics",
                "findings", "scores", "not_assessable", "profile", "provenance"):
        assert key in doc, key
    for key in REQUIRED_METRICS:
        m = doc["metrics"][key]
        assert {"value", "unit", "assessable"} <= set(m), key
        assert (m["value"] is None) == (not m["assessable"]), key
    assert doc["events"], "no foot contacts in the sample backpedal"
    for ev in doc["events"]:
        assert ev["foot"] in ("left", "right") and ev["kind"] in ("touchdown", "toe_off")
        assert isinstance(ev["frame"], int) and ev["time_s"] >= 0
    prov = doc["provenance"]
    assert len(prov["clip_sha256"]) == 64 and prov["version"] and prov["model"]
    assert doc["view"]["view"] == "side"
    assert doc["travel_direction"] != doc["facing"]  # a backpedal: facing one way, moving the other


def test_rerun_uses_cached_track(analyzed: dict[str, Path]) -> None:
    cold = json.loads((analyzed["cold"] / "result.json").read_text())
    warm = json.loads((analyzed["warm"] / "result.json").read_text())
    assert cold["provenance"]["track_cache_hit"] is False
    assert warm["provenance"]["track_cache_hit"] is True
    # one athlete: followed with one pose per frame, checked against the scans
    how = cold["provenance"]["pose_pass"]
    assert how["method"] == "follow" and how["n_scans"] >= 16
    assert how["follow_check"]["verified"] and warm["provenance"]["pose_pass"] == how
    assert "pose_s" in cold["timings_s"] and "pose_s" not in warm["timings_s"]
    assert warm["metrics"]["knee_flexion_deg"] == cold["metrics"]["knee_flexion_deg"]


def test_analyze_saved_track_without_video(analyzed: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "from_track"
    assert main(["analyze", "--track", str(analyzed["cold"] / "track.npz"), "--out", str(out),
                 "-q"]) == 0
    doc = json.loads((out / "result.json").read_text())
    cold = json.loads((analyzed["cold"] / "result.json").read_text())
    assert doc["metrics"]["cadence_steps_per_s"] == cold["metrics"]["cadence_steps_per_s"]
    assert not (out / "annotated.mp4").exists()


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["analyze"]) == 2  # --out missing
    assert main(["analyze", "--out", "x"]) == 2  # neither clip nor track
    assert main(["no-such-command"]) == 2


def test_missing_clip_is_an_analysis_error(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(tmp_path / "nope.mp4"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and "how to fix" in err


def test_info_names_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "backpedal-analyzer" in out and "mediapipe 0.10.21" in out
