"""Left/right repair: whole-skeleton flips and leg swaps injected into a synthetic gait."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.processing.geometry import leg_length_px
from analyzer.processing.swaps import mirror_all, mirror_legs, repair_left_right
from analyzer.skeleton import LEFT_LEG, MIRROR, RIGHT_LEG
from tests.processing.synth import (
    crossing_frames,
    figure_xy,
    flip_skeleton,
    swap_legs,
    world_from_image,
)

LEGS = [*LEFT_LEG, *RIGHT_LEG]


def _inject(
    n: int, truth: np.ndarray, rng: np.random.Generator, swap_fraction: float
) -> tuple[np.ndarray, np.ndarray]:
    """Leg-swap runs of 1-3 frames (half of them starting at a leg crossing) and isolated
    whole-skeleton flips on 2 % of frames."""
    swapped = np.zeros(n, dtype=bool)
    crossings = crossing_frames(truth)
    while swapped.mean() < swap_fraction:
        start = rng.choice(crossings) if rng.random() < 0.5 else rng.integers(2, n - 5)
        swapped[start : start + rng.integers(1, 4)] = True
    flipped = np.zeros(n, dtype=bool)
    flipped[rng.choice(np.arange(3, n - 3), max(2, n // 50), replace=False)] = True
    return swapped, flipped


@pytest.mark.parametrize(("fps", "seed"), [(30.0, 0), (60.0, 1), (120.0, 2), (240.0, 3)])
def test_swaps_and_flips_are_undone(fps: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    t = np.arange(0, 5, 1 / fps)
    truth = figure_xy(t)
    L = leg_length_px(truth)
    noisy = truth + rng.normal(0, 0.02 * L, truth.shape)
    swapped, flipped = _inject(t.size, truth, rng, swap_fraction=rng.uniform(0.04, 0.07))
    raw = flip_skeleton(swap_legs(noisy, np.flatnonzero(swapped)), np.flatnonzero(flipped))
    rep = repair_left_right(raw, t, scale_px=L)
    # labels: wherever the two sides are apart, each side's relabelling is the injected one
    legs_apart = np.linalg.norm(truth[:, 27] - truth[:, 28], axis=-1) > 0.15 * L
    arms_apart = np.linalg.norm(truth[:, 15] - truth[:, 16], axis=-1) > 0.15 * L
    leg_relabelled = rep.skeleton_flipped ^ rep.legs_swapped
    assert np.array_equal(leg_relabelled[legs_apart], (flipped ^ swapped)[legs_apart])
    assert np.array_equal(rep.skeleton_flipped[arms_apart], flipped[arms_apart])
    # positions: restored exactly wherever labelled right, and within 0.2 L everywhere
    exact = np.all(rep.image_xy == noisy, axis=(1, 2))
    assert exact.mean() >= 0.99
    assert np.max(np.linalg.norm(rep.image_xy - noisy, axis=-1)) < 0.2 * L
    before = np.linalg.norm(raw[:, LEGS] - noisy[:, LEGS], axis=-1).mean()
    after = np.linalg.norm(rep.image_xy[:, LEGS] - noisy[:, LEGS], axis=-1).mean()
    assert after < 0.05 * before


def test_exact_labels_at_30_fps_with_swaps_at_crossings() -> None:
    rng = np.random.default_rng(11)
    t = np.arange(0, 6, 1 / 30)
    truth = figure_xy(t)
    L = leg_length_px(truth)
    noisy = truth + rng.normal(0, 0.02 * L, truth.shape)
    swapped = np.zeros(t.size, dtype=bool)
    for c in crossing_frames(truth)[::2]:  # swaps that begin right where the legs cross
        swapped[c : c + 2] = True
    raw = swap_legs(noisy, np.flatnonzero(swapped))
    rep = repair_left_right(raw, t, scale_px=L)
    assert 0.04 <= swapped.mean() <= 0.1
    assert np.array_equal(rep.legs_swapped, swapped)
    assert not rep.skeleton_flipped.any()
    np.testing.assert_array_equal(rep.image_xy, noisy)


def test_world_and_visibility_follow_the_image_relabelling() -> None:
    t = np.arange(0, 3, 1 / 60)
    truth = figure_xy(t)
    L = leg_length_px(truth)
    world = world_from_image(truth, L)
    vis = np.tile(np.linspace(0.1, 0.9, 33), (t.size, 1))
    frames = np.array([50, 120])
    raw_xy = flip_skeleton(truth, frames)
    raw_world = flip_skeleton(world, frames)
    raw_vis = vis.copy()
    raw_vis[frames] = vis[frames][:, list(MIRROR)]
    rep = repair_left_right(raw_xy, t, scale_px=L, visibility=raw_vis, world_xyz=raw_world)
    assert np.flatnonzero(rep.skeleton_flipped).tolist() == frames.tolist()
    np.testing.assert_array_equal(rep.image_xy, truth)
    np.testing.assert_array_equal(rep.world_xyz, world)
    np.testing.assert_array_equal(rep.visibility, vis)


def test_clean_track_untouched_and_options() -> None:
    t = np.arange(0, 3, 1 / 30)
    truth = figure_xy(t)
    L = leg_length_px(truth)
    rep = repair_left_right(truth, t, scale_px=L)
    assert not rep.skeleton_flipped.any() and not rep.legs_swapped.any()
    raw = swap_legs(truth, [40])
    off = repair_left_right(raw, t, scale_px=L, fix_leg_swaps=False)
    assert not off.legs_swapped.any()
    legs_only = repair_left_right(raw, t, scale_px=L, fix_skeleton_flips=False)
    assert np.flatnonzero(legs_only.legs_swapped).tolist() == [40]


def test_permutations() -> None:
    assert mirror_all().tolist() == list(MIRROR)
    legs = mirror_legs()
    assert [legs[i] for i in LEFT_LEG] == list(RIGHT_LEG)
    assert legs[11] == 11 and legs[15] == 15  # arms untouched


def test_missing_frames_do_not_break_the_chain() -> None:
    t = np.arange(0, 4, 1 / 60)
    truth = figure_xy(t)
    L = leg_length_px(truth)
    raw = swap_legs(truth, [100, 101])
    raw[60:64] = np.nan  # a short dropout and a missing landmark elsewhere
    raw[150, 27] = np.nan
    rep = repair_left_right(raw, t, scale_px=L)
    assert np.flatnonzero(rep.legs_swapped).tolist() == [100, 101]
