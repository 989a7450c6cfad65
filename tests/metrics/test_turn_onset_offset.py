"""Hip-turn onset with a constant hip-landmark offset (``events.turn.pelvis_yaw_deg``).

A constant error on the world hip landmarks moves the centre of the circle that the
left-minus-right hip vector traces while the pelvis turns, which distorts the yaw (up to
``asin(|offset| / radius)``) and shifts the rate-threshold onset. Known answer: the
noise-free parametric turn (truth from ``backpedal_dev.synth.truth.turn_onset_s``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from analyzer import skeleton as sk
from analyzer.events.phases import PhaseParams
from analyzer.events.turn import pelvis_yaw_deg
from analyzer.events.view import build_scene
from analyzer.motion import analyze_motion
from backpedal_dev.synth.clips import camera_for_view
from backpedal_dev.synth.parametric import BackpedalParams, generate_backpedal
from backpedal_dev.synth.projection import project_to_track

#: world (camera-aligned: x right, y down, z away) offsets of the hip landmarks, metres:
#: |left - right| = 0.11 m, half the hip width (MediaPipe-like: depth the weakest axis)
OFFSETS = {sk.LEFT_HIP: (-0.02, 0.0, -0.07), sk.RIGHT_HIP: (0.01, 0.0, 0.03)}


@pytest.fixture(scope="module")
def tracks():
    # a slow hip flip: its onset depends on the yaw's shape (uncorrected: 0.1 s late)
    motion = generate_backpedal(BackpedalParams.with_fault("slow_hip_flip", fps=30.0))
    cam = camera_for_view("side_left", motion.landmarks_world)
    clean = project_to_track(motion.landmarks_world, motion.times_s, cam)
    world = np.array(clean.world_xyz, dtype=np.float64)
    for i, d in OFFSETS.items():
        world[:, i] += d
    return motion, clean, replace(clean, world_xyz=world.astype(clean.world_xyz.dtype))


def _deviation_deg(yaw: np.ndarray, ref: np.ndarray) -> float:
    d = (yaw - ref + 180.0) % 360.0 - 180.0
    d = d[np.isfinite(d)]
    return float(np.max(np.abs(d - np.median(d))))


def test_offset_removed_from_pelvis_yaw(tracks) -> None:
    _, clean, shifted = tracks
    ref = build_scene(clean, athlete_height_m=1.8).pelvis_yaw_deg
    scene = build_scene(shifted, athlete_height_m=1.8)
    assert _deviation_deg(scene.pelvis_yaw_deg, ref) > 15.0  # the offset distorts the yaw
    assert _deviation_deg(pelvis_yaw_deg(scene, PhaseParams()), ref) < 3.0


def test_no_correction_without_a_turn(tracks) -> None:
    """Hip vectors spanning less than ``offset_min_arc_deg``: the centre is not determined."""
    _, _, shifted = tracks
    scene = build_scene(shifted, athlete_height_m=1.8)
    prm = PhaseParams(offset_min_arc_deg=361.0)
    np.testing.assert_array_equal(pelvis_yaw_deg(scene, prm), scene.pelvis_yaw_deg)


def test_turn_onset_with_hip_offset(tracks) -> None:
    motion, _, shifted = tracks
    ma = analyze_motion(shifted, athlete_height_m=1.8)
    onset = ma.rep_metrics[0]["turn_onset_s"].value
    assert onset == pytest.approx(motion.metrics["hip_turn_onset_s"], abs=0.05)
