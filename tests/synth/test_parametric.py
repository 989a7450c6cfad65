"""Parametric backpedal: the knobs produce what they say, the motion is physical, faults fire."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from backpedal_dev.synth import truth
from backpedal_dev.synth.parametric import (
    FAULT_IDS,
    BackpedalParams,
    generate_backpedal,
)
from tests.synth.presets import motion_for


@pytest.fixture(scope="module")
def clean():
    return motion_for("clean")


def _phase(motion, kind):
    return next(p for p in motion.phases if p.kind == kind)


def test_clean_knobs_are_measured_back(clean) -> None:
    m, p = clean.metrics, BackpedalParams.clean()
    assert m["cadence_steps_per_s"] == pytest.approx(p.cadence_steps_per_s, rel=0.02)
    assert m["step_length_m"] == pytest.approx(p.step_length_m, abs=0.02)
    assert m["trunk_lean_deg"] == pytest.approx(p.trunk_lean_deg, abs=1.0)
    assert m["hip_height_ratio"] == pytest.approx(p.hip_height_ratio, abs=0.01)
    assert m["ready_hip_height_ratio"] == pytest.approx(p.stance_hip_height_ratio, abs=0.01)
    assert m["arm_swing_deg"] == pytest.approx(p.arm_swing_deg, abs=2.0)
    assert m["base_width_shoulder_widths"] == pytest.approx(p.stance_width_ratio, abs=0.02)
    assert m["step_width_shoulder_widths"] == pytest.approx(p.step_width_ratio, abs=0.02)
    assert m["foot_pitch_deg"] == pytest.approx(p.foot_pitch_deg, abs=0.5)
    assert m["transition_time_s"] == pytest.approx(p.transition_time_s, abs=1 / p.fps + 1e-9)
    assert m["transition_contacts"] == 2
    assert m["speed_retention"] == pytest.approx(p.speed_retention, abs=0.02)
    assert m["hip_rise"] == pytest.approx(p.hip_rise, abs=0.005)
    assert m["sprint_trunk_lean_deg"] == pytest.approx(p.sprint_lean_deg, abs=1.0)
    assert m["arm_leg_coordination_r"] < -0.9
    assert abs(m["arm_leg_phase_deg"] - 180) < 10
    assert m["leg_length_m"] == pytest.approx(0.491 * p.height_m, rel=1e-6)
    assert m["hip_turn_onset_s"] == pytest.approx(_phase(clean, "transition").start_s, abs=0.02)


@pytest.mark.parametrize(
    ("knob", "value", "metric", "tol"),
    [
        ("cadence_steps_per_s", 3.2, "cadence_steps_per_s", ("rel", 0.02)),
        ("cadence_steps_per_s", 4.4, "cadence_steps_per_s", ("rel", 0.02)),
        ("step_length_m", 0.38, "step_length_m", ("abs", 0.02)),
        ("step_length_m", 0.65, "step_length_m", ("abs", 0.02)),
        ("trunk_lean_deg", 10.0, "trunk_lean_deg", ("abs", 1.0)),
        ("trunk_lean_deg", 45.0, "trunk_lean_deg", ("abs", 1.0)),
        ("hip_height_ratio", 0.82, "hip_height_ratio", ("abs", 0.01)),
        ("arm_swing_deg", 40.0, "arm_swing_deg", ("abs", 2.0)),
        ("transition_time_s", 0.45, "transition_time_s", ("abs", 0.017)),
        ("speed_retention", 0.6, "speed_retention", ("abs", 0.02)),
        ("sprint_lean_deg", 45.0, "sprint_trunk_lean_deg", ("abs", 1.0)),
        ("foot_pitch_deg", 4.0, "foot_pitch_deg", ("abs", 0.5)),
    ],
)
def test_knob_sweep(knob: str, value: float, metric: str, tol: tuple[str, float]) -> None:
    motion = generate_backpedal(BackpedalParams.clean(**{knob: value}))
    kind, t = tol
    expected = pytest.approx(value, rel=t) if kind == "rel" else pytest.approx(value, abs=t)
    assert motion.metrics[metric] == expected


def _stance_frames(motion):
    for td in (c for c in motion.contacts if c.kind == "touchdown"):
        to = next(
            (
                c
                for c in motion.contacts
                if c.kind == "toe_off" and c.foot == td.foot and c.frame > td.frame
            ),
            None,
        )
        if to is not None:
            yield td.foot, td.frame, to.frame


@pytest.mark.parametrize("preset", ["clean", "break_forward", *FAULT_IDS])
def test_motion_is_physical(preset: str) -> None:
    motion = motion_for(preset)
    lm = motion.landmarks_world
    assert np.isfinite(lm).all()
    assert motion.meta["ik_overreach_m"] < 1e-6
    for a, b in ((23, 25), (25, 27), (24, 26), (26, 28), (11, 13), (13, 15), (12, 14), (14, 16)):
        length = np.linalg.norm(lm[:, a] - lm[:, b], axis=1)
        assert np.ptp(length) < 1e-3, (a, b)
    assert lm[:, 27:33, 1].min() > -1e-9  # nothing below the ground
    for foot, a, b in _stance_frames(motion):
        toe, heel = (31, 29) if foot == "left" else (32, 30)
        anchor = toe if lm[a, toe, 1] < lm[a, heel, 1] else heel
        drift = np.linalg.norm(lm[a:b, anchor] - lm[a, anchor], axis=1).max()
        assert drift < 1e-6, f"{foot} foot slides {drift:.4f} m in stance {a}-{b}"
        assert lm[a:b, anchor, 1].max() < 0.02  # planted on the ground
    tds = [c.foot for c in motion.contacts if c.kind == "touchdown"]
    assert all(x != y for x, y in itertools.pairwise(tds))


def test_contacts_from_3d_match_the_plan(clean) -> None:
    found = truth.true_contacts(clean.landmarks_world, clean.times_s)
    for kind in ("touchdown", "toe_off"):
        plan = [(c.foot, c.frame) for c in clean.contacts if c.kind == kind]
        got = [(c.foot, c.frame) for c in found if c.kind == kind]
        assert len(plan) == len(got)
        for (f1, a), (f2, b) in zip(plan, got, strict=True):
            assert f1 == f2
            assert abs(a - b) <= 1


def test_phases_and_travel(clean) -> None:
    kinds = [p.kind for p in clean.phases]
    assert kinds == ["ready", "backpedal", "transition", "sprint"]
    assert _phase(clean, "transition").transition_kind == "turn_and_run"
    lm, t = clean.landmarks_world, clean.times_s
    hip = truth.mid(lm, 23, 24)
    v = truth.travel_along_facing(lm, t)
    bp, sp = _phase(clean, "backpedal"), _phase(clean, "sprint")
    mid_bp = (bp.start_frame + bp.end_frame) // 2
    assert v[mid_bp] < -1.5  # backward relative to facing
    assert truth.body_forward(lm)[mid_bp, 0] > 0.99  # faces +x
    assert truth.body_forward(lm)[sp.end_frame, 0] < -0.99  # turned: faces -x
    assert hip[sp.end_frame, 0] < hip[sp.start_frame, 0] - 1.0  # still travelling to -x
    assert 4.0 < clean.metrics["backpedal_distance_m"] < 6.0


def test_break_forward_reverses_velocity_and_keeps_facing() -> None:
    m = motion_for("break_forward")
    lm = m.landmarks_world
    sp = _phase(m, "sprint")
    assert truth.body_forward(lm)[sp.end_frame, 0] > 0.99
    assert truth.travel_along_facing(lm, m.times_s)[sp.end_frame] > 1.0
    assert 0.1 < m.metrics["break_time_s"] < 0.4


def test_deterministic_and_variable_with_rng() -> None:
    p = BackpedalParams.clean(step_time_cv=0.05)
    a = generate_backpedal(p, rng=np.random.default_rng(3))
    b = generate_backpedal(p, rng=np.random.default_rng(3))
    c = generate_backpedal(p, rng=np.random.default_rng(4))
    np.testing.assert_array_equal(a.landmarks_world, b.landmarks_world)
    assert [e.frame for e in a.contacts] != [e.frame for e in c.contacts]
    periodic = generate_backpedal(BackpedalParams.clean()).metrics["step_time_cv_pct"]
    assert periodic < 3.0  # only frame rounding
    assert a.metrics["step_time_cv_pct"] > periodic + 1.0


def test_truth_dict_is_json(clean) -> None:
    d = json.loads(json.dumps(clean.truth_dict()))
    assert d["faults"] == []
    assert {"foot", "kind", "time_s", "frame"} <= set(d["contacts"][0])
    assert d["metrics"]["cadence_steps_per_s"] == pytest.approx(3.8, rel=0.02)


@pytest.mark.parametrize("transition", ["turn_and_run", "break_forward", "none"])
def test_several_reps(transition: str) -> None:
    m = generate_backpedal(BackpedalParams.clean(reps=3, transition=transition))
    assert sorted({p.rep for p in m.phases}) == [0, 1, 2]
    starts = [p.start_s for p in m.phases if p.kind == "backpedal"]
    assert all(b > a + 3.0 for a, b in itertools.pairwise(starts))
    lm = m.landmarks_world
    for r, metrics in enumerate(m.meta["rep_metrics"]):
        assert metrics["cadence_steps_per_s"] == pytest.approx(3.8, rel=0.02), r
        assert metrics["step_length_m"] == pytest.approx(0.5, abs=0.02), r
        bp = next(p for p in m.phases if p.kind == "backpedal" and p.rep == r)
        assert truth.body_forward(lm)[bp.start_frame, 0] > 0.99  # each rep starts facing +x
        if transition == "turn_and_run":
            t0 = next(p for p in m.phases if p.kind == "transition" and p.rep == r).start_s
            assert metrics["hip_turn_onset_s"] == pytest.approx(t0, abs=0.02)
    assert m.meta["ik_overreach_m"] < 1e-6
    for foot, a, b in _stance_frames(m):
        toe, heel = (31, 29) if foot == "left" else (32, 30)
        anchor = toe if lm[a, toe, 1] < lm[a, heel, 1] else heel
        assert np.linalg.norm(lm[a:b, anchor] - lm[a, anchor], axis=1).max() < 1e-6
    feet = [c.foot for c in m.contacts if c.kind == "touchdown"]
    assert all(x != y for x, y in itertools.pairwise(feet))


def test_projected_metrics_match_3d_in_a_side_view(clean) -> None:
    from backpedal_dev.synth.camera import side_camera
    from backpedal_dev.synth.truth_metrics import projected_metrics

    for side in ("left", "right"):
        cam = side_camera(side=side, center_x_m=-2.5, distance_m=8.0)
        m2 = projected_metrics(clean.landmarks_world, clean.times_s, clean.contacts,
                               clean.phases, cam)  # fmt: skip
        assert m2["trunk_lean_deg"] == pytest.approx(clean.metrics["trunk_lean_deg"], abs=0.5)
        assert m2["knee_flexion_deg"] == pytest.approx(clean.metrics["knee_flexion_deg"], abs=1)
        # perspective: the camera-side leg is ~1.4 % nearer, so HHR reads ~0.013 low
        assert m2["hip_height_ratio"] == pytest.approx(clean.metrics["hip_height_ratio"], abs=0.02)
        assert m2["step_length_m"] == pytest.approx(clean.metrics["step_length_m"], abs=0.02)
        assert m2["arm_swing_deg"] == pytest.approx(clean.metrics["arm_swing_deg"], abs=3)


@pytest.mark.parametrize("seed", range(10))
def test_random_knobs_are_measured_back_and_physical(seed: int) -> None:
    rng = np.random.default_rng(seed)
    hhr = rng.uniform(0.7, 0.95)
    kw = {
        "cadence_steps_per_s": rng.uniform(2.4, 4.6),
        "step_length_m": rng.uniform(0.3, 0.8),
        "hip_height_ratio": hhr,
        "stance_hip_height_ratio": hhr,
        "trunk_lean_deg": rng.uniform(-5, 60),
        "stance_fraction": rng.uniform(0.55, 1.0),
        "fps": float(rng.choice([30, 60, 120])),
        "height_m": rng.uniform(1.6, 2.0),
        "transition": str(rng.choice(["turn_and_run", "break_forward", "none"])),
        "foot_pitch_deg": rng.uniform(-3, 20),
        "step_width_ratio": rng.uniform(0, 1.3),
        "stance_width_ratio": rng.uniform(0.4, 2.0),
        "transition_time_s": rng.uniform(0.2, 0.8),
    }
    m = generate_backpedal(BackpedalParams.clean(**kw))
    lm = m.landmarks_world
    assert np.isfinite(lm).all()
    assert m.meta["ik_overreach_m"] < 1e-4
    for a, b in ((23, 25), (25, 27), (24, 26), (26, 28)):
        assert np.ptp(np.linalg.norm(lm[:, a] - lm[:, b], axis=1)) < 1e-3
    got = m.metrics
    assert got["cadence_steps_per_s"] == pytest.approx(kw["cadence_steps_per_s"], rel=0.02)
    assert got["step_length_m"] == pytest.approx(kw["step_length_m"], abs=0.02)
    assert got["trunk_lean_deg"] == pytest.approx(kw["trunk_lean_deg"], abs=1.0)
    assert got["hip_height_ratio"] == pytest.approx(hhr, abs=0.01)
