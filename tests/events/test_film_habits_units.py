"""Issue 12 pieces on projected synthetic motion and small arrays (fast): stepping in place,
walk-backs between reps, the rhythm's confidence bounds, frames with the athlete cut off."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import numpy as np
import pytest

from analyzer import skeleton as sk
from analyzer.events.frame_coverage import excluded_spans, mask_excluded, whole_in_frame
from analyzer.events.rhythm import rhythm_cv, timing_sigma_s, upright_mask
from analyzer.motion import analyze_motion
from analyzer.pose.track import PoseTrack
from analyzer.results import MotionAnalysis
from backpedal_dev.synth.clips import camera_for_view
from backpedal_dev.synth.parametric import BackpedalParams
from backpedal_dev.synth.projection import project_to_track
from backpedal_dev.synth.scenarios import framing_landmarks, out_of_frame_spans, scenario_motion
from backpedal_dev.synth.truth import SyntheticMotion


@cache
def _projected(name: str, fps: float = 30.0) -> tuple[PoseTrack, SyntheticMotion]:
    motion = scenario_motion(name, BackpedalParams.clean(fps=fps, backpedal_steps=10))
    cam = camera_for_view("side_left", framing_landmarks(name, motion))
    return project_to_track(motion.landmarks_world, motion.times_s, cam), motion


@cache
def _analysed(name: str, fps: float = 30.0) -> tuple[MotionAnalysis, SyntheticMotion]:
    track, motion = _projected(name, fps)
    return analyze_motion(track, athlete_height_m=1.8), motion


@pytest.mark.parametrize("name", ["in_place", "treadmill"])
@pytest.mark.parametrize("fps", [30.0, 60.0])
def test_stepping_without_travel_is_in_place_with_its_cadence(name: str, fps: float) -> None:
    ma, motion = _analysed(name, fps)
    kinds = {p.kind for p in ma.phases}
    assert "in_place" in kinds and "backpedal" not in kinds
    cad = ma.metrics["cadence_steps_per_s"]
    true = motion.metrics["cadence_steps_per_s"]
    assert cad.phase == "in_place" and abs(cad.value / true - 1.0) <= 0.02
    for key in ("step_length_m", "reach_at_touchdown_leg_lengths", "backpedal_speed_m_per_s"):
        assert not ma.metrics[key].assessable and "in place" in ma.metrics[key].reason
    assert ma.metrics["trunk_lean_deg"].assessable
    assert any("stepping in place" in w for w in ma.warnings)
    assert not any(w.startswith("no backpedal") for w in ma.warnings)


def test_three_reps_with_walk_backs_are_three_reps_without_transitions() -> None:
    ma, _ = _analysed("walk_back_reps")
    assert len({p.rep for p in ma.phases if p.kind == "backpedal"}) == 3
    assert not any(p.kind in ("transition", "sprint") for p in ma.phases)
    assert len(ma.rep_metrics) == 3
    assert any("walk back" in w for w in ma.warnings)


def test_a_backpedal_keeps_its_own_contacts() -> None:
    """The in-place detector adds nothing to a clip whose hips travel."""
    motion = scenario_motion("leave_frame", BackpedalParams.clean(backpedal_steps=6))
    cam = camera_for_view("side_left", motion.landmarks_world)
    track = project_to_track(motion.landmarks_world, motion.times_s, cam)
    ma = analyze_motion(track, athlete_height_m=1.8)
    assert "in_place" not in {p.kind for p in ma.phases}
    assert ma.excluded_spans == []


def test_leaving_the_frame_is_left_out_with_the_edge() -> None:
    ma, _ = _analysed("leave_frame")
    track, _ = _projected("leave_frame")
    truth = out_of_frame_spans(track.image_xy, track.times_s, *track.image_size)
    assert truth and ma.excluded_spans
    first = ma.excluded_spans[0]
    assert abs(first.start_s - truth[0][0]) <= 0.1
    assert "out of the frame" in first.reason and "edge" in first.reason
    assert any(w.startswith("left out of the analysis") for w in ma.warnings)


def test_whole_in_frame_and_mask() -> None:
    xy = np.full((10, sk.N_LANDMARKS, 2), 50.0)
    xy[4:8, sk.LEFT_ANKLE, 0] = 120.0  # past the right edge of a 100 px wide picture
    whole = whole_in_frame(xy, (100, 100))
    assert whole.tolist() == [True] * 4 + [False] * 4 + [True] * 2
    t = np.arange(10) / 30.0
    spans = excluded_spans(t, whole, np.ones(10, bool), image_xy=xy, image_size=(100, 100))
    assert [(s.start_frame, s.end_frame) for s in spans] == [(4, 7)]
    assert "right edge" in spans[0].reason


def test_rhythm_bounds_and_timing_error() -> None:
    rng = np.random.default_rng(0)
    steady = 0.26 + rng.normal(0, 0.004, 10)
    rc = rhythm_cv(steady, 0.005)
    assert rc.lower_pct <= rc.cv_pct <= rc.upper_pct
    assert rc.lower_pct < 2.0
    uneven = 0.26 * (1 + rng.normal(0, 0.25, 10))
    assert rhythm_cv(uneven, 0.005).lower_pct > 10.0
    # touchdown times off by +/- 20 ms every other step: consecutive step times anti-correlate
    e = 0.02 * (-1.0) ** np.arange(11)
    dt = np.diff(np.arange(11) * 0.26 + e)
    assert timing_sigma_s(dt, 60.0, 1 / np.sqrt(12)) > 0.015
    assert rhythm_cv(dt, timing_sigma_s(dt, 60.0, 1 / np.sqrt(12))).cv_pct < 3.0


def test_upright_mask() -> None:
    p = np.zeros((2, sk.N_LANDMARKS, 2))
    p[:, [sk.LEFT_HIP, sk.RIGHT_HIP], 1] = 100.0
    p[0, [sk.LEFT_ANKLE, sk.RIGHT_ANKLE], 1] = 190.0  # standing: hip 0.9 L up
    p[1, [sk.LEFT_ANKLE, sk.RIGHT_ANKLE], 1] = 140.0  # seated: 0.4 L
    assert upright_mask(p, 100.0).tolist() == [True, False]


def test_mask_excluded_untracks_the_span() -> None:
    ma, _ = _analysed("in_place")
    track = ma.track
    spans = excluded_spans(track.times_s, np.r_[np.ones(5), np.zeros(10),
                                                np.ones(track.n_frames - 15)].astype(bool),
                           track.detected())  # fmt: skip
    masked = mask_excluded(track, spans)
    assert not masked.detected()[5:15].any() and masked.detected()[:5].all()


def _alternating_lifts(fs: float, stride_s: float, n: int) -> np.ndarray:
    """(n, 2) foot heights of stepping in place: each foot lifts once a stride (raised
    cosine, half a stride long), alternately high and low, the feet half a stride apart."""
    t = np.arange(n) / fs
    h = np.zeros((n, 2))
    for side in (0, 1):
        phase = (t / stride_s + 0.5 * side) % 1.0
        stride_no = np.floor(t / stride_s + 0.5 * side)
        lift = np.where(phase < 0.5, 0.5 * (1 - np.cos(4 * np.pi * phase)), 0.0)
        h[:, side] = lift * np.where(stride_no % 2 == 0, 30.0, 18.0)
    return h


@pytest.mark.parametrize("fs", [30.0, 60.0])
def test_stride_period_is_the_fundamental_not_two_strides(fs: float) -> None:
    """A foot lifting alternately high and low repeats exactly every two strides and only
    roughly every stride: the stride is still one period (the 60 fps treadmill clip read half
    its cadence when the best-repeating lag was taken)."""
    from analyzer.events.inplace import InPlaceParams, _stride_frames

    stride_s = 0.53
    h = _alternating_lifts(fs, stride_s, round(4.0 * fs))
    got = _stride_frames(h, fs, InPlaceParams())
    assert got is not None and abs(got / (stride_s * fs) - 1.0) < 0.02, got


def test_frames_lost_to_damage_are_not_also_athlete_not_found() -> None:
    """A damaged span is reported once, by the damage warning (issue 12): the analysis does
    not add an "athlete not found" span for the same frames, but still reports the athlete
    missing next to it."""
    from analyzer.events.frame_coverage import lost_frames

    track, _ = _projected("in_place")
    t = track.times_s
    xy, vis = np.array(track.image_xy), np.array(track.visibility)
    xy[30:45], vis[30:45] = np.nan, 0.0  # 15 frames lost to damage
    xy[45:52], vis[45:52] = np.nan, 0.0  # then the model misses the athlete for 7 more
    meta = {**track.meta, "lost_spans_s": [[float(t[30]), float(t[44])]]}
    damaged = replace(track.with_arrays(image_xy=xy, visibility=vis), meta=meta)
    lost = lost_frames(t, damaged.meta["lost_spans_s"])
    assert np.flatnonzero(lost).tolist() == list(range(30, 45))
    ma = analyze_motion(damaged, athlete_height_m=1.8)
    spans = [(s.start_frame, s.end_frame, s.reason) for s in ma.excluded_spans]
    assert spans == [(45, 51, "athlete not found")]
    assert lost_frames(t, "not spans").sum() == 0


@pytest.mark.parametrize("fps", [30.0, 60.0])
@pytest.mark.parametrize("seed", [0, 2])
def test_in_place_phase_starts_after_the_ready_stance(fps: float, seed: int) -> None:
    """With MediaPipe-like landmark noise, a foot standing still in the ready stance makes
    small bumps, and another contact method marks the start of the still stretch: neither is
    a step, so the in-place phase starts at the first landing of the stepping (it once
    started inside the 0.6 s ready stance), with the cadence kept."""
    from backpedal_dev.synth.noise import NoiseSpec, add_mediapipe_noise

    motion = scenario_motion("in_place", BackpedalParams.clean(fps=fps, backpedal_steps=10))
    cam = camera_for_view("side_left", framing_landmarks("in_place", motion))
    clean = project_to_track(motion.landmarks_world, motion.times_s, cam)
    rng = np.random.default_rng(seed)
    track = add_mediapipe_noise(clean, rng=rng, spec=NoiseSpec.realistic())
    ma = analyze_motion(track, athlete_height_m=1.8)
    (ready,) = [p for p in motion.phases if p.kind == "ready"]
    (in_place,) = [p for p in ma.phases if p.kind == "in_place"]
    assert in_place.start_s >= ready.end_s, (in_place.start_s, ready.end_s)
    cad = ma.metrics["cadence_steps_per_s"].value
    assert abs(cad / motion.metrics["cadence_steps_per_s"] - 1.0) <= 0.03, cad
