"""Each remaining metric against a known answer: helpers on hand-made geometry, and the
stick figure's 3D truth for the side- and front-view metrics."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from analyzer.events.contacts import build_steps, detect_contacts
from analyzer.events.phases import segment_phases
from analyzer.events.view import build_scene, with_view
from analyzer.metrics.arms import arm_metrics
from analyzer.metrics.common import MetricContext, metric, support_for
from analyzer.metrics.head import head_pitch_series, head_yaw_2d_series
from analyzer.metrics.posture import knee_flexion_series, trunk_lean_series
from analyzer.motion import analyze_motion, compute_series
from analyzer.numeric import inner_angle_deg, lowpass
from tests.metrics.stickfigure import Gait, camera_for, generate, to_track


def _frame(points: dict[int, tuple[float, float]]) -> np.ndarray:
    p = np.full((1, 33, 2), np.nan)
    for i, xy in points.items():
        p[0, i] = xy
    return p


def test_knee_flexion_formula() -> None:
    # hip above knee, ankle 60 deg off the thigh line: flexion 60 deg (METRICS M2)
    a = np.radians(60)
    p = _frame({23: (0, 0), 25: (0, 100), 27: (100 * np.sin(a), 100 + 100 * np.cos(a))})
    assert knee_flexion_series(p, 0)[0] == pytest.approx(60.0)


def test_trunk_lean_sign_follows_facing() -> None:
    # shoulders 30 deg ahead of the hips towards image-right
    d = 100 * np.array([np.sin(np.radians(30)), -np.cos(np.radians(30))])
    p = _frame({23: (0, 0), 24: (0, 0), 11: tuple(d), 12: tuple(d)})
    assert trunk_lean_series(p, np.array([1]))[0] == pytest.approx(30.0)
    assert trunk_lean_series(p, np.array([-1]))[0] == pytest.approx(-30.0)


def test_head_pitch_and_yaw_formulas() -> None:
    # eye 10 deg above the ear line, facing image-right: chin up +10 (M12a)
    e = (100 * np.cos(np.radians(10)), -100 * np.sin(np.radians(10)))
    p = _frame({7: (0, 0), 8: (0, 0), 2: e, 5: e})
    assert head_pitch_series(p, np.array([1]), np.array([0]))[0] == pytest.approx(10.0)
    # front view: left ear on image-right, nose shifted 0.3 head widths to image-right
    p = _frame({7: (50, 0), 8: (-50, 0), 0: (30, 10)})
    assert head_yaw_2d_series(p)[0] == pytest.approx(np.degrees(np.arctan(0.3 / 0.6)))


def test_view_support_matrix() -> None:
    assert support_for("hip_height", "front") == "invalid"
    assert support_for("cadence", "front") == "valid"
    assert support_for("knee", "diagonal") == "degraded"
    assert support_for("head_yaw", "rear") == "invalid"
    mv = metric("knee_flexion_deg", 50.0, "deg", "backpedal", family="knee", view="diagonal")
    assert mv.assessable and mv.support == "degraded" and mv.confidence == "low"
    mv = metric("x", 1.0, "deg", "backpedal", family="knee", view="side", qc=0.5)
    assert not mv.assessable and "50%" in mv.reason


@pytest.fixture(scope="module")
def side():
    g = Gait(duration_s=5, turn_at_s=3.0, speed_after_turn_m_per_s=3.0)
    t, w, _truth = generate(g)
    ma = analyze_motion(to_track(t, w, camera_for(w, "left")), clean=False)
    return ma, w, g


def _bp(ma) -> slice:
    p = next(p for p in ma.phases if p.kind == "backpedal")
    return slice(p.start_frame, p.end_frame + 1)


def test_hip_flexion_and_balance_vs_3d(side) -> None:
    ma, w, _ = side
    m = _bp(ma)
    s = 0.5 * (w[:, 11] + w[:, 12])
    hip_flex = 180 - inner_angle_deg(s, w[:, 23], w[:, 25])
    assert ma.metrics["hip_flexion_deg"].value == pytest.approx(np.median(hip_flex[m]), abs=3)
    # SKI = f (X_S - X_Kmid) / thigh, facing +x in the world (camera left: image f = -1)
    kx = 0.5 * (w[:, 25, 0] + w[:, 26, 0])
    ski = (s[:, 0] - kx) / 0.4
    stance = ma.metrics["shoulder_over_knee_index"]
    assert stance.value == pytest.approx(np.median(ski[m]), abs=0.15)


def test_foot_metrics(side) -> None:
    ma, _w, g = side
    # heel 0.055 m and toe 0.06 m below the ankle, 0.22 m apart: pitch atan(0.005/0.22)
    assert ma.metrics["foot_pitch_deg"].value == pytest.approx(1.3, abs=1.0)
    assert ma.metrics["forefoot_stance_fraction"].value == pytest.approx(0.0, abs=0.1)
    # swing: ankle lifted 0.08 m, heel 0.01 m above the ankle's ground level
    clear = (g.clearance_m + 0.01 - 0.005) / 0.8
    assert ma.metrics["swing_clearance_leg_lengths"].value == pytest.approx(clear, abs=0.02)


def test_elbow_and_hands(side) -> None:
    ma, w, _ = side
    m = _bp(ma)
    elbow = 180 - inner_angle_deg(w[:, 11], w[:, 13], w[:, 15])
    assert ma.metrics["elbow_flexion_deg"].value == pytest.approx(np.median(elbow[m]), abs=3)
    assert ma.metrics["hands_at_chest_fraction"].value == 0.0


def test_reps_and_evidence_frames(side) -> None:
    ma, _, _ = side
    assert ma.n_reps == 1 and len(ma.rep_metrics) == 1
    for k in (
        "hip_height_ratio",
        "trunk_lean_deg",
        "knee_flexion_deg",
        "step_length_leg_lengths",
        "reach_at_touchdown_leg_lengths",
        "transition_time_s",
    ):
        assert ma.metrics[k].frames, k
    assert all(s.phase in ("backpedal", "transition", "sprint", "ready") for s in ma.steps)


def _ctx(gait: Gait) -> MetricContext:
    t, w, _ = generate(gait)
    sc = build_scene(to_track(t, w, camera_for(w, "left")))
    cr = detect_contacts(sc)
    phases, timings = segment_phases(sc, cr.events)
    bp = np.zeros(sc.n_frames, bool)
    for p in phases:
        if p.kind in ("ready", "backpedal"):
            bp[p.start_frame : p.end_frame + 1] = True
    sc = with_view(sc, bp)
    steps = build_steps(sc, cr.events, cr.stance)
    return MetricContext(sc, cr.events, cr.stance, steps, phases, compute_series(sc),
                         timings=tuple(timings))  # fmt: skip


@pytest.mark.parametrize(("shift_deg", "r_sign", "phase_deg"), [(180, -1, 180), (0, 1, 0)])
def test_arm_leg_coordination(shift_deg: float, r_sign: int, phase_deg: float) -> None:
    ctx = _ctx(Gait(duration_s=4))
    t = ctx.scene.times_s
    w = 2 * np.pi * 3.5 / 2  # stride frequency
    series = dict(ctx.series)
    series["thigh_angle_deg"] = 25 * np.sin(w * t)
    series["arm_angle_deg"] = 30 * np.sin(w * t + np.radians(shift_deg))
    out = arm_metrics(replace(ctx, series=series))
    r = out["arm_leg_coordination_r"].value
    assert r is not None and np.sign(r) == r_sign and abs(r) > 0.9
    phi = out["arm_leg_phase_deg"].value
    assert min(abs(phi - phase_deg), 360 - abs(phi - phase_deg)) < 25


def test_passive_arms_make_coordination_not_assessable() -> None:
    ctx = _ctx(Gait(duration_s=4))
    series = dict(ctx.series)
    series["arm_angle_deg"] = 2 * np.sin(ctx.scene.times_s)
    out = arm_metrics(replace(ctx, series=series))
    assert out["arm_swing_deg"].value < 10
    assert not out["arm_leg_coordination_r"].assessable
    assert "passive" in out["arm_leg_coordination_r"].reason


def test_front_view_widths_head_and_crossing() -> None:
    g = Gait(duration_s=4)
    t, w, _ = generate(g)
    ma = analyze_motion(to_track(t, w, camera_for(w, "front")), clean=False, qb_side="left")
    m = ma.metrics
    # ankles 0.20 m apart, shoulders 0.42 m apart, about the same depth
    assert m["base_width_shoulder_widths"].value == pytest.approx(0.20 / 0.42, abs=0.06)
    assert m["step_width_shoulder_widths"].value == pytest.approx(0.20 / 0.42, abs=0.08)
    assert m["arm_crossing_fraction"].value == 0.0
    assert m["head_yaw_on_target_fraction"].value == pytest.approx(1.0)
    assert m["head_turned_to_qb_max_s"].value == 0.0
    assert m["cadence_steps_per_s"].value == pytest.approx(3.5, rel=0.05)


def test_lowpass_keeps_nan_gaps() -> None:
    t = np.arange(200) / 60.0
    clean = np.sin(2 * np.pi * 0.8 * t)
    x = clean + 0.3 * np.sin(2 * np.pi * 20.0 * t)  # 20 Hz, far above the 6 Hz cut-off
    x[50:60] = np.nan
    y = lowpass(x, 60.0, 6.0)
    assert np.isnan(y[50:60]).all() and np.isfinite(y[:50]).all() and np.isfinite(y[60:]).all()
    # the 20 Hz ripple is removed and the 0.8 Hz motion kept, on each run away from its ends
    for a, b in ((0, 50), (60, 200)):
        assert np.max(np.abs(y[a + 5 : b - 10] - clean[a + 5 : b - 10])) < 0.02
