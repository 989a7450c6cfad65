"""Metrics M1-M14 on the stick figure, whose every quantity is known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.motion import SERIES_KEYS, analyze_motion
from analyzer.numeric import com_x_series
from tests.metrics.stickfigure import THIGH, Gait, camera_for, generate, to_track

REQUIRED = (
    "hip_height_ratio",
    "knee_flexion_deg",
    "trunk_lean_deg",
    "step_length_leg_lengths",
    "cadence_steps_per_s",
    "arm_swing_deg",
    "transition_time_s",
)


def _analyze(gait: Gait, view: str = "left", **kw):
    t, w, truth = generate(gait)
    ma = analyze_motion(to_track(t, w, camera_for(w, view)), clean=False, **kw)
    return ma, truth


@pytest.fixture(scope="module")
def turn():
    return _analyze(
        Gait(duration_s=5, turn_at_s=3.0, speed_after_turn_m_per_s=3.0),
        athlete_height_m=(2 * THIGH) / 0.491,
    )


def test_required_keys_and_series(turn) -> None:
    ma, _ = turn
    for k in REQUIRED:
        assert k in ma.metrics and ma.metrics[k].assessable, k
    for k in SERIES_KEYS:
        assert ma.series[k].shape == ma.track.times_s.shape
    assert ma.travel_direction == "backward" and ma.facing == "image_left"
    assert ma.rep_metrics and "trunk_lean_deg" in ma.rep_metrics[0]


def test_posture_values(turn) -> None:
    ma, truth = turn
    g = Gait()
    m = ma.metrics
    assert m["trunk_lean_deg"].value == pytest.approx(g.trunk_lean_deg, abs=1.0)
    # hip 0.70 m over the lowest foot point (~0.005 m) / (1.08 L)
    assert m["hip_height_ratio"].value == pytest.approx(0.695 / (1.08 * 0.8), abs=0.02)
    bp = next(p for p in ma.phases if p.kind == "backpedal")
    peaks = []  # camera (left) side stance peaks inside the backpedal
    for td in truth.touchdowns["left"]:
        to = min((x for x in truth.toe_offs["left"] if x > td), default=None)
        if to is not None and bp.start_s <= td <= bp.end_s:
            a, b = round(td * 60), round(to * 60)
            peaks.append(np.max(truth.knee_flexion_deg[a : b + 1, 0]))
    assert m["knee_flexion_deg"].value == pytest.approx(np.median(peaks), abs=4.0)
    assert m["knee_flexion_deg"].frames


def test_footwork_values(turn) -> None:
    ma, _ = turn
    m = ma.metrics
    assert m["cadence_steps_per_s"].value == pytest.approx(3.5, rel=0.02)
    assert m["step_length_m"].value == pytest.approx(2.0 / 3.5, rel=0.04)
    assert m["step_length_leg_lengths"].value == pytest.approx(2.0 / 3.5 / 0.8, rel=0.04)
    assert m["backpedal_speed_m_per_s"].value == pytest.approx(2.0, rel=0.04)
    assert m["step_time_cv_pct"].value < 6.0
    # reach = e_t (X_foot - X_COM) / L at the true touchdowns, from the 3D landmarks
    _, truth = turn
    w = truth.world
    com = com_x_series(w[..., :2])
    reach = []
    for foot, heel, toe in (("left", 29, 31), ("right", 30, 32)):
        for td in truth.touchdowns[foot]:
            i = round(td * 60)
            if 1.0 < td < 2.9:  # inside the backpedal
                reach.append(-(0.5 * (w[i, heel, 0] + w[i, toe, 0]) - com[i]) / 0.8)
    assert m["reach_at_touchdown_leg_lengths"].value == pytest.approx(np.median(reach), abs=0.05)


def test_transition_values(turn) -> None:
    ma, _ = turn
    m = ma.metrics
    assert 0.1 < m["transition_time_s"].value < 0.6
    assert m["speed_retention"].value > 0.8
    assert abs(m["hip_rise"].value) < 0.03
    assert m["turn_onset_s"].value == pytest.approx(3.0, abs=0.1)


def test_arm_swing_amplitude(turn) -> None:
    ma, _ = turn
    # the upper arm swings +/-30 deg about the trunk line: P95-P5 ~ 2 * 30 * sin(72 deg)
    assert ma.metrics["arm_swing_deg"].value == pytest.approx(60 * np.sin(np.radians(72)), abs=6)


def test_side_view_marks_front_metrics_not_assessable(turn) -> None:
    ma, _ = turn
    mv = ma.metrics["step_width_shoulder_widths"]
    assert not mv.assessable and mv.value is None and "front" in mv.reason
    assert mv.support == "invalid"


def test_front_view_marks_sagittal_metrics_not_assessable() -> None:
    ma, _ = _analyze(Gait(), "front")
    assert ma.view.view == "front"
    for k in ("hip_height_ratio", "knee_flexion_deg", "trunk_lean_deg", "step_length_leg_lengths"):
        assert not ma.metrics[k].assessable, k
        assert "side" in ma.metrics[k].reason
    assert ma.metrics["cadence_steps_per_s"].assessable


def test_no_height_means_no_metres() -> None:
    ma, _ = _analyze(Gait())
    assert ma.scale_m_per_px is None
    assert not ma.metrics["step_length_m"].assessable
    assert "height" in ma.metrics["step_length_m"].reason
    assert ma.metrics["step_length_leg_lengths"].assessable


def test_trunk_lean_follows_knob() -> None:
    ma, _ = _analyze(Gait(trunk_lean_deg=40.0))
    assert ma.metrics["trunk_lean_deg"].value == pytest.approx(40.0, abs=1.0)
