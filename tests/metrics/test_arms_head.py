"""Arm (M10, M11) and head (M12) metrics on the parametric generator with known answers.

Tracks are the generator's motion projected through a virtual camera (``backpedal_dev.synth``),
with the failure modes seen on MediaPipe tracks of the rendered athletes added on purpose:
the far arm lost in a side view, the ear point placed forward on a head seen in profile,
wrists lost in front of the body. Each test pins a bug that was there before (see the
docstrings).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from analyzer import skeleton as sk
from analyzer.faults import evaluate_faults, load_profile
from analyzer.metrics.arms import _lead_deg
from analyzer.metrics.head import head_pitch_series
from analyzer.motion import analyze_motion
from analyzer.pose.track import PoseTrack
from analyzer.results import MotionAnalysis
from backpedal_dev.synth import camera as camera_mod
from backpedal_dev.synth import parametric, projection
from backpedal_dev.synth.clips import camera_for_view
from backpedal_dev.synth.noise import add_mediapipe_noise
from backpedal_dev.synth.truth_metrics import true_metrics

PROFILE = load_profile("db-backpedal")


@cache
def motion(fault: str | None = None, **knobs: object) -> object:
    bp = parametric.BackpedalParams
    params = bp.with_fault(fault, **knobs) if fault else bp.clean(**knobs)
    return parametric.generate_backpedal(params)


def _track(synth: object, view: str) -> PoseTrack:
    if view == "side":
        hips_x = synth.landmarks_world[:, 23:25, 0].mean(axis=1)
        cam = camera_mod.side_camera(center_x_m=float(hips_x.mean()), distance_m=9.0)
    else:
        cam = camera_for_view(view, synth.landmarks_world)
    return projection.project_motion(synth, cam)


def _analyse(track: PoseTrack, synth: object) -> MotionAnalysis:
    p = synth.params
    return analyze_motion(track, athlete_height_m=p["height_m"], qb_side=p["qb_side"])


@cache
def analysed(fault: str | None, view: str, *, noise_seed: int | None = None) -> MotionAnalysis:
    synth = motion(fault)
    track = _track(synth, view)
    if noise_seed is not None:
        track = add_mediapipe_noise(track, rng=np.random.default_rng(noise_seed))
    return _analyse(track, synth)


def _truth(fault: str | None = None) -> dict[str, float]:
    s = motion(fault)
    return true_metrics(s.landmarks_world, s.times_s, s.contacts, s.phases)


def _ids(ma: MotionAnalysis) -> set[str]:
    return {f.id for f in evaluate_faults(ma, PROFILE).findings}


def _near_side(track: PoseTrack) -> str:
    z = track.world_xyz
    return "left" if np.median(z[:, sk.LEFT_HIP, 2] - z[:, sk.RIGHT_HIP, 2]) < 0 else "right"


# ---------------------------------------------------------------------------------- M10/M11


def test_arm_metrics_read_the_near_arm_when_the_far_arm_is_lost() -> None:
    """Side view, far arm at visibility 0.1 all the time (BlazePose's far elbow/wrist sit at
    0.1-0.3 on the rendered clips). The QC gate used to count both arms, so arm swing,
    hands at chest and coordination were never assessable in a side view."""
    synth = motion()
    track = _track(synth, "side")
    vis = track.visibility.copy()
    far = (14, 16, 18, 20, 22) if _near_side(track) == "left" else (13, 15, 17, 19, 21)
    vis[:, list(far)] = 0.1
    ma = _analyse(track.with_arrays(visibility=vis), synth)
    for key in ("arm_swing_deg", "hands_at_chest_fraction", "arm_leg_coordination_r"):
        assert ma.metrics[key].assessable, (key, ma.metrics[key].reason)
    truth = _truth()
    assert ma.metrics["arm_swing_deg"].value == pytest.approx(truth["arm_swing_deg"], abs=12)


@pytest.mark.parametrize("noise_seed", [None, 3])
def test_clean_arms_swing_in_anti_phase(noise_seed: int | None) -> None:
    ma = analysed(None, "side", noise_seed=noise_seed)
    m = ma.metrics
    assert m["arm_swing_deg"].value > 50
    assert m["hands_at_chest_fraction"].value == pytest.approx(0.0, abs=0.05)
    assert m["arm_leg_coordination_r"].value < -0.8
    # continuous phase: within 20 deg of the generator's 180 (the integer-lag search read 205+)
    assert abs(m["arm_leg_phase_deg"].value - 180.0) < 20.0
    assert not {"passive_arms", "arm_leg_out_of_sync"} & _ids(ma)


def test_passive_arms_found_and_coordination_skipped() -> None:
    ma = analysed("passive_arms", "side", noise_seed=5)
    m, truth = ma.metrics, _truth("passive_arms")
    assert m["arm_swing_deg"].value == pytest.approx(truth["arm_swing_deg"], abs=8)
    assert m["arm_swing_deg"].value < 30
    assert m["hands_at_chest_fraction"].value > 0.7
    assert not m["arm_leg_coordination_r"].assessable
    assert "passive" in m["arm_leg_coordination_r"].reason
    assert "passive_arms" in _ids(ma)


def test_arm_leg_phase_is_continuous_at_30_fps() -> None:
    """At 30 fps the integer-lag search stepped by ~22 deg and its shrinking overlap pulled
    the maximum to longer lags: 225 deg on rendered clean clips built with 180."""
    synth = motion(None, fps=30.0)
    ma = _analyse(_track(synth, "side"), synth)
    assert abs(ma.metrics["arm_leg_phase_deg"].value - 180.0) < 10.0


@pytest.mark.parametrize("lead_deg", [0.0, 100.0, 180.0, 290.0])
def test_lead_estimate_is_continuous(lead_deg: float) -> None:
    """2.3 strides at 30 fps, a lead that is no whole number of frames."""
    fs, t_stride = 30.0, 0.53
    t = np.arange(int(2.3 * t_stride * fs)) / fs
    w = 2 * np.pi / t_stride
    arm = 30 * np.cos(w * t + np.radians(lead_deg)) + 3 * np.cos(2 * w * t)
    thigh = 20 * np.cos(w * t)
    assert _lead_deg(arm, thigh, w, t) == pytest.approx(lead_deg % 360, abs=4)


def test_arm_leg_out_of_sync_found() -> None:
    ma = analysed("arm_leg_out_of_sync", "side", noise_seed=7)
    m = ma.metrics
    assert m["arm_leg_coordination_r"].value > 0.5
    phase = m["arm_leg_phase_deg"].value
    assert min(phase, 360.0 - phase) < 25.0
    assert "arm_leg_out_of_sync" in _ids(ma)


def test_coordination_needs_the_side_view_arm_swing() -> None:
    """Front view: M10a is not valid, so M11 is not scored (METRICS M11: only if
    M10a >= 30 deg) - it used to be computed from meaningless front-view angles."""
    m = analysed("arms_crossing", "front").metrics
    assert not m["arm_swing_deg"].assessable
    assert not m["arm_leg_coordination_r"].assessable
    assert "side" in m["arm_leg_coordination_r"].reason


def test_hands_at_chest_in_the_front_view() -> None:
    assert (
        analysed("passive_arms", "front", noise_seed=4).metrics["hands_at_chest_fraction"].value
        > 0.7
    )
    assert analysed(None, "front", noise_seed=4).metrics["hands_at_chest_fraction"].value < 0.1


def test_arm_crossing_in_the_front_view() -> None:
    assert analysed("arms_crossing", "front").metrics["arm_crossing_fraction"].value > 0.3
    assert analysed(None, "front").metrics["arm_crossing_fraction"].value < 0.1
    assert "arms_crossing" in _ids(analysed("arms_crossing", "front"))
    assert "arms_crossing" not in _ids(analysed(None, "front", noise_seed=11))


def test_arm_crossing_not_read_from_a_diagonal_camera() -> None:
    """At 45 deg the forward arm swing projects across the image mid-line although the wrist
    stays on its side: the rendered diagonal clip raised arms_crossing when its view was
    taken for a front view. Whatever the view label, no crossing is reported."""
    ma = analysed(None, "diagonal")
    mv = ma.metrics["arm_crossing_fraction"]
    assert not mv.assessable or mv.value < 0.3
    assert "arms_crossing" not in _ids(ma)


def test_arm_crossing_unknown_when_the_wrists_are_lost() -> None:
    """Front view with the wrists dropped (visibility 0.3) whenever they are near the
    mid-line, as BlazePose does when a hand crosses in front of the body: the swings cannot
    be judged, which must not read as "no crossing" (0.0)."""
    synth = motion("arms_crossing")
    track = _track(synth, "front")
    xy, vis = track.image_xy, track.visibility.copy()
    mid = 0.5 * (xy[:, sk.LEFT_SHOULDER, 0] + xy[:, sk.RIGHT_SHOULDER, 0])
    width = np.abs(xy[:, sk.LEFT_SHOULDER, 0] - xy[:, sk.RIGHT_SHOULDER, 0])
    for w in (sk.LEFT_WRIST, sk.RIGHT_WRIST):
        vis[np.abs(xy[:, w, 0] - mid) < 0.35 * width, w] = 0.3
    ma = _analyse(track.with_arrays(visibility=vis), synth)
    mv = ma.metrics["arm_crossing_fraction"]
    assert not mv.assessable and "lost" in mv.reason


# ---------------------------------------------------------------------------------- M12


def test_head_pitch_from_the_eye_rise_matches_the_truth() -> None:
    truth = _truth()
    exact = analysed(None, "side").metrics["head_pitch_deg"]
    assert exact.value == pytest.approx(truth["head_pitch_deg"], abs=1.5)
    assert exact.details["ready_deg"] == pytest.approx(truth["head_pitch_deg"], abs=1.5)
    noisy = analysed(None, "side", noise_seed=2).metrics["head_pitch_deg"]
    assert noisy.value == pytest.approx(truth["head_pitch_deg"], abs=5)


def test_head_pitch_survives_an_ear_placed_forward() -> None:
    """BlazePose puts the ear of a head seen in profile ~5 cm forward on the rendered
    athletes; the eye-ear line then read +20..+50 deg for a level head (bias +15 on every
    side clip). The rise-based pitch does not depend on the ear's x."""
    synth = motion()
    track = _track(synth, "side")
    xy = track.image_xy.copy()
    for eye, ear in ((sk.LEFT_EYE, sk.LEFT_EAR), (sk.RIGHT_EYE, sk.RIGHT_EAR)):
        # eye-ear run 12-15 px read as 2-7 px on the rendered clips: 70 % of it lost
        xy[:, ear, 0] += 0.7 * (xy[:, eye, 0] - xy[:, ear, 0])
    ma = _analyse(track.with_arrays(image_xy=xy), synth)
    mv = ma.metrics["head_pitch_deg"]
    assert mv.value == pytest.approx(_truth()["head_pitch_deg"], abs=4)
    assert mv.details["eye_ear_line_deg"] > mv.value + 10  # what the spec's line reads


def test_head_down_raises_bent_over_with_an_upright_trunk() -> None:
    synth = motion(None, head_pitch_deg=-40.0)
    ma = _analyse(_track(synth, "side"), synth)
    truth = true_metrics(synth.landmarks_world, synth.times_s, synth.contacts, synth.phases)
    mv = ma.metrics["head_pitch_deg"]
    assert mv.value == pytest.approx(truth["head_pitch_deg"], abs=5)
    assert mv.value < -25 and mv.per_step and max(mv.per_step) < -25
    assert ma.metrics["trunk_lean_deg"].value < 40
    assert "bent_over" in _ids(ma)
    assert "bent_over" not in _ids(analysed(None, "side", noise_seed=2))


def test_head_pitch_series_rise_formula() -> None:
    """asin(rise / d): eye 10 px above the ear with d = 0.099 L."""
    p = np.zeros((1, sk.N_LANDMARKS, 2))
    p[0, [sk.LEFT_HIP, sk.RIGHT_HIP]] = (0.0, 0.0)
    p[0, [sk.LEFT_KNEE, sk.RIGHT_KNEE]] = (0.0, 100.0)
    p[0, [sk.LEFT_ANKLE, sk.RIGHT_ANKLE]] = (0.0, 200.0)  # L = 200 px -> d = 19.8 px
    p[0, [sk.LEFT_EAR, sk.RIGHT_EAR]] = (0.0, -400.0)
    p[0, [sk.LEFT_EYE, sk.RIGHT_EYE]] = (3.0, -410.0)  # run is ignored
    got = head_pitch_series(p, np.array([1]), np.array([0]))[0]
    assert got == pytest.approx(np.degrees(np.arcsin(10.0 / 19.8)))
    assert np.isnan(head_pitch_series(p, np.array([0]), np.array([0]))[0])


def test_eyes_off_target_front_only_when_square_to_the_camera() -> None:
    found = analysed("eyes_off_target", "front")
    assert "eyes_off_target" in _ids(found)
    # noise-free: the noise model's face-point offsets (0.04 torso) scatter 2D yaw by +-40 deg
    assert "eyes_off_target" not in _ids(analysed(None, "front"))
    diag = analysed(None, "diagonal")
    assert "eyes_off_target" not in _ids(diag)
