"""Real footage: the Sports2D demo played in reverse must give the walker, not the jumper.

In the clip (1768x994, 30 fps, 7.7 s) a woman walks right to left along the ground (frames
~60-200); a man does jumping jacks on top of a box, back-flips off it (~frame 175) and runs
off to the right. Played in reverse, the walker faces left and travels right: the backpedal
geometry. MediaPipe runs once per session (about 30 s on one core).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from analyzer.pose.multi import MultiPoseTrack
from analyzer.processing import clean_track, select_athlete
from analyzer.skeleton import LEFT_EAR, LEFT_HIP, NOSE, RIGHT_EAR, RIGHT_HIP

pytestmark = [pytest.mark.slow, pytest.mark.shared_data]

WALKER_FRAMES = (59, 201)  # first and last frame MediaPipe finds her in, forward order


@pytest.fixture(scope="module")
def demo_multi(shared_data: Path) -> MultiPoseTrack:
    clip = shared_data / "videos" / "sports2d" / "demo.mp4"
    if not clip.is_file():
        pytest.skip(f"{clip} is missing")
    pytest.importorskip("mediapipe")
    from analyzer.pose.run import estimate_clip

    return estimate_clip(clip, num_poses=3)


def _reversed(multi: MultiPoseTrack) -> MultiPoseTrack:
    t = multi.times_s
    return dataclasses.replace(
        multi,
        times_s=t[-1] - t[::-1],
        image_xy=multi.image_xy[::-1].copy(),
        visibility=multi.visibility[::-1].copy(),
        world_xyz=None if multi.world_xyz is None else multi.world_xyz[::-1].copy(),
    )


def _hips(xy: np.ndarray) -> np.ndarray:
    return np.nanmean(xy[:, [LEFT_HIP, RIGHT_HIP]], axis=1)


@pytest.mark.parametrize("reverse", [True, False])
def test_demo_selects_the_walker(demo_multi: MultiPoseTrack, reverse: bool) -> None:
    multi = _reversed(demo_multi) if reverse else demo_multi
    track = select_athlete(multi)
    n = multi.n_frames
    lo, hi = WALKER_FRAMES
    if reverse:
        lo, hi = n - 1 - hi, n - 1 - lo
    frames = np.flatnonzero(track.detected())
    inside = (frames >= lo - 3) & (frames <= hi + 3)
    assert frames.size >= 0.85 * (hi - lo + 1)
    assert inside.mean() >= 0.95  # the walker's frames, not the jumper's (all clip long)
    hips = _hips(track.image_xy[frames].astype(float))
    height = multi.image_size[1]
    assert np.nanmedian(hips[:, 1]) > 0.6 * height  # on the ground, not on top of the box
    travel = hips[-5:, 0].mean() - hips[:5, 0].mean()
    assert (travel > 800) if reverse else (travel < -800)  # crosses most of the frame
    sel = track.meta["selection"]
    assert sel["method"] == "most_ground_travel"
    chosen = next(c for c in sel["candidates"] if c["tracklet"] == sel["chosen"])
    runner_up = max(
        (c["score"] for c in sel["candidates"] if c["tracklet"] != sel["chosen"]), default=0.0
    )
    assert chosen["score"] > 1.3 * runner_up
    if reverse:  # backpedal geometry: she faces image-left while travelling image-right
        ears = np.nanmean(track.image_xy[frames][:, [LEFT_EAR, RIGHT_EAR], 0], axis=1)
        facing = np.sign(np.nanmedian(track.image_xy[frames, NOSE, 0] - ears))
        assert facing == -1


def test_demo_walker_cleans(demo_multi: MultiPoseTrack) -> None:
    track = clean_track(select_athlete(_reversed(demo_multi)))
    meta = track.meta["cleaning"]
    frames = np.flatnonzero(track.detected())
    assert meta["fs_hz"] == pytest.approx(30.0, rel=0.01)
    assert meta["cutoff_hz"] == {"trunk": 6.0, "limbs": 6.0, "feet": 6.0}
    # MediaPipe swaps her legs on a few frames, never on most of them
    assert meta["leg_swaps_fixed"] < 0.15 * frames.size
    assert meta["skeleton_flips_fixed"] < 0.05 * frames.size
    hips = _hips(track.image_xy[frames].astype(float))
    assert np.isfinite(hips).all(axis=1).mean() > 0.95
    # after cleaning, hip-centre speed is smooth: no frame-to-frame jump above 15 L/s
    step = np.linalg.norm(np.diff(hips, axis=0), axis=1) * meta["fs_hz"]
    assert np.nanmax(step) < 15 * meta["leg_length_px"]
