"""Verdicts on projected real motion capture (../shared/data/mocap; skipped when absent).

No public trial is an athletic backpedal, so these check the verdicts a coach would give
on what the trials really are: upright backward running and walking are "too tall" for a
DB pedal but fine as backward running; an arm that holds a stick does not swing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from analyzer.faults import evaluate_faults, load_profile
from analyzer.results import MotionAnalysis

landmarks = pytest.importorskip("backpedal_dev.synth.landmarks")
clips = pytest.importorskip("backpedal_dev.synth.clips")
projection = pytest.importorskip("backpedal_dev.synth.projection")
motion_mod = pytest.importorskip("analyzer.motion")

pytestmark = pytest.mark.shared_data

BACKWARD_RUN = "100style_geno_ai4animationpy/WalkingStickLeft_BR.npz"
BACKWARD_WALK = "bandai_namco_ds1/dataset-1_walk-back_normal_001.bvh"
WINDOWS = {BACKWARD_RUN: (10.0, 22.0)}


@cache
def _analysed(root: str, rel: str, view: str) -> MotionAnalysis:
    mo = landmarks.load_mocap_motion(Path(root) / "mocap" / rel)
    t, lm = clips.resample_motion(mo, 60.0)
    if rel in WINDOWS:
        a, b = WINDOWS[rel]
        keep = (t >= a) & (t < b)
        t, lm = t[keep] - t[keep][0], lm[keep]
    track = projection.project_to_track(lm, t, clips.camera_for_view(view, lm))
    return motion_mod.analyze_motion(track, athlete_height_m=float(mo.metrics["height_m"]))


def _ids(motion: MotionAnalysis, profile: str) -> set[str]:
    return {f.id for f in evaluate_faults(motion, load_profile(profile)).findings}


def test_upright_backward_run_is_too_tall_for_a_pedal_but_fine_as_a_run(
    shared_data: Path,
) -> None:
    motion = _analysed(str(shared_data), BACKWARD_RUN, "side_left")
    as_pedal = _ids(motion, "db-backpedal")
    as_run = _ids(motion, "backward-run")
    assert "standing_tall" in as_pedal
    assert not ({"standing_tall", "sitting_too_low", "leaning_back", "bent_over"} & as_run)
    # the left hand carries a stick, and the camera films the left side
    assert "passive_arms" in as_pedal and "passive_arms" in as_run


def test_backward_walk_is_standing_tall(shared_data: Path) -> None:
    motion = _analysed(str(shared_data), BACKWARD_WALK, "side_left")
    report = evaluate_faults(motion, load_profile())
    tall = next(f for f in report.findings if f.id == "standing_tall")
    assert tall.severity == "major"
    assert all(0 <= a <= b < motion.track.n_frames for a, b in tall.frames)


def test_backward_walk_from_the_front_gives_no_posture_verdict(shared_data: Path) -> None:
    motion = _analysed(str(shared_data), BACKWARD_WALK, "front")
    report = evaluate_faults(motion, load_profile())
    ids = {f.id for f in report.findings}
    assert not ({"standing_tall", "leaning_back", "bent_over", "popping_up"} & ids)
    gaps = {n.key for n in report.not_assessable if n.kind == "fault"}
    assert {"standing_tall", "leaning_back", "bent_over"} <= gaps
