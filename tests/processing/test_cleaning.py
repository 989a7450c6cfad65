"""clean_track end to end on a synthetic gait with every kind of damage injected."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.errors import NoPersonError
from analyzer.pose.track import PoseTrack
from analyzer.processing import clean_track
from analyzer.processing.geometry import leg_length_px
from analyzer.skeleton import BODY_LANDMARKS, LEFT_ANKLE, LEFT_KNEE, NOSE
from tests.processing.synth import (
    crossing_frames,
    figure_xy,
    flip_skeleton,
    swap_legs,
    world_from_image,
)

BODY = list(BODY_LANDMARKS)


def _damaged(t: np.ndarray, seed: int) -> dict:
    """Truth, and a raw track: noise 2 % L, 5 % leg swaps, 2 % flips, 1 % spikes, two gaps."""
    rng = np.random.default_rng(seed)
    n = t.size
    truth = figure_xy(t)
    L = leg_length_px(truth)
    noisy = truth + rng.normal(0, 0.02 * L, truth.shape)
    swapped = np.zeros(n, dtype=bool)
    crossings = crossing_frames(truth)
    while swapped.mean() < 0.05:
        start = rng.choice(crossings) if rng.random() < 0.5 else rng.integers(2, n - 5)
        swapped[start : start + rng.integers(1, 4)] = True
    flipped = np.zeros(n, dtype=bool)
    flipped[rng.choice(np.arange(3, n - 3), max(2, n // 50), replace=False)] = True
    fps = 1 / np.median(np.diff(t))
    short = slice(n // 3, n // 3 + max(1, int(0.1 * fps)))  # <= 0.1 s: filled
    long = slice(n // 2, n // 2 + int(0.3 * fps))  # 0.3 s: stays NaN
    labelled = noisy.copy()  # gaps in the true labels, then damage the labels
    labelled[short, LEFT_KNEE] = np.nan
    labelled[long, NOSE] = np.nan
    raw = flip_skeleton(swap_legs(labelled, np.flatnonzero(swapped)), np.flatnonzero(flipped))
    spikes = rng.random(raw.shape[:2]) < 0.01
    raw[spikes] += rng.normal(0, 0.5 * L, (int(spikes.sum()), 2))
    world_true = world_from_image(truth, L)
    world_raw = flip_skeleton(
        swap_legs(world_true, np.flatnonzero(swapped)), np.flatnonzero(flipped)
    )
    world_raw[np.isnan(raw[..., 0])] = np.nan
    track = PoseTrack(
        times_s=t,
        image_xy=raw.astype(np.float32),
        visibility=np.full((n, 33), 0.9, np.float32),
        image_size=(1920, 1080),
        world_xyz=world_raw.astype(np.float32),
    )
    return dict(
        truth=truth, noisy=noisy, raw=raw, L=L, swapped=swapped, flipped=flipped,
        short=short, long=long, track=track, world_true=world_true,
    )  # fmt: skip


def _err(xy: np.ndarray, truth: np.ndarray, L: float) -> tuple[float, float]:
    e = np.linalg.norm(xy[:, BODY] - truth[:, BODY], axis=-1) / L
    return float(np.nanmean(e)), float(np.nanpercentile(e, 99))


def _vfr_times(fps: float, seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.uniform(0.7, 1.3, int(seconds * fps))) / fps


@pytest.mark.parametrize(
    ("fps", "vfr"), [(30.0, False), (60.0, False), (120.0, False), (240.0, False), (120.0, True)]
)
def test_clean_track_repairs_everything(fps: float, vfr: bool) -> None:
    t = _vfr_times(fps, 5.0, 9) if vfr else np.arange(0, 5, 1 / fps)
    d = _damaged(t, seed=int(fps))
    out = clean_track(d["track"])
    meta = out.meta["cleaning"]
    L = d["L"]
    raw_mean, raw_p99 = _err(d["raw"], d["truth"], L)
    noisy_mean, _ = _err(d["noisy"], d["truth"], L)
    mean, p99 = _err(out.image_xy.astype(float), d["truth"], L)
    # Known answers: swaps and flips counted as injected (+-2 frames, 0.5 % at 240 fps, where
    # the two sides overlap and the labelling does not matter); errors far below the input's.
    tol = max(2, int(0.005 * t.size))
    assert abs(meta["leg_swaps_fixed"] - d["swapped"].sum()) <= tol
    assert abs(meta["skeleton_flips_fixed"] - d["flipped"].sum()) <= tol
    assert p99 < 0.1 and p99 < 0.15 * raw_p99
    assert mean < 0.8 * noisy_mean and mean < 0.5 * raw_mean
    assert meta["spikes_removed"] + meta["speed_outliers_removed"] > 0
    # gaps: the short one is filled, the long one (0.3 s > 0.12 s) stays NaN
    assert np.all(np.isfinite(out.image_xy[d["short"], LEFT_KNEE]))
    assert np.all(np.isnan(out.image_xy[d["long"], NOSE]))
    assert meta["gap_points_filled"] > 0
    # cut-offs in Hz of real time (METRICS.md §3.3 step 6)
    expected_feet = 10.0 if fps >= 60 else 6.0
    assert meta["cutoff_hz"]["feet"] == pytest.approx(expected_feet)
    assert meta["cutoff_hz"]["trunk"] == pytest.approx(6.0)
    # world landmarks: same relabelling, NaN where the image was rejected
    w_err = np.nanmean(np.linalg.norm(out.world_xyz[:, BODY] - d["world_true"][:, BODY], axis=-1))
    w_raw = np.nanmean(
        np.linalg.norm(d["track"].world_xyz[:, BODY] - d["world_true"][:, BODY], axis=-1)
    )
    assert w_err < 0.2 * w_raw
    assert np.all(np.isnan(out.world_xyz[d["long"], NOSE]))


def test_clean_input_stays_clean() -> None:
    t = np.arange(0, 4, 1 / 60)
    truth = figure_xy(t)
    L = leg_length_px(truth)
    track = PoseTrack(
        times_s=t,
        image_xy=truth.astype(np.float32),
        visibility=np.full((t.size, 33), 0.9, np.float32),
        image_size=(1920, 1080),
    )
    out = clean_track(track)
    meta = out.meta["cleaning"]
    assert meta["leg_swaps_fixed"] == 0 and meta["skeleton_flips_fixed"] == 0
    assert meta["spikes_removed"] == 0 and meta["speed_outliers_removed"] == 0
    assert meta["segment_length_removed"] == 0 and meta["points_missing"] == 0
    assert _err(out.image_xy.astype(float), truth, L)[0] < 0.01
    assert out.world_xyz is None


def test_low_visibility_rule_is_optional() -> None:
    t = np.arange(0, 2, 1 / 30)
    truth = figure_xy(t)
    vis = np.full((t.size, 33), 0.9, np.float32)
    vis[10:30, LEFT_ANKLE] = 0.3
    track = PoseTrack(t, truth.astype(np.float32), vis, (1920, 1080))
    strict = clean_track(track)
    assert strict.meta["cleaning"]["low_visibility_removed"] == 20
    assert np.isnan(strict.image_xy[20, LEFT_ANKLE]).all()
    lenient = clean_track(track, min_visibility=None, lowpass=False)
    assert lenient.meta["cleaning"]["low_visibility_removed"] == 0
    assert lenient.meta["cleaning"]["cutoff_hz"] == {}
    np.testing.assert_allclose(lenient.image_xy, truth, atol=1e-3)


def test_empty_track_raises() -> None:
    t = np.arange(10) / 30
    xy = np.full((10, 33, 2), np.nan, np.float32)
    with pytest.raises(NoPersonError):
        clean_track(PoseTrack(t, xy, np.zeros((10, 33), np.float32), (640, 480)))


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_very_short_tracks_pass_through(n: int) -> None:
    t = np.arange(n) / 30.0
    truth = figure_xy(t)
    track = PoseTrack(t, truth.astype(np.float32), np.full((n, 33), 0.9, np.float32), (1920, 1080))
    out = clean_track(track)
    assert np.isfinite(out.image_xy).all()
    np.testing.assert_allclose(out.image_xy, truth, atol=2.0)  # too short to filter much
