"""Clean one athlete's PoseTrack: swaps, outliers, spikes, gaps, zero-lag low-pass.

:func:`clean_track` runs METRICS.md §3.3 steps 3-6 in this order:

1. **Left/right repair** (step 4): whole-skeleton flips and leg swaps, jointly and globally
   (:mod:`analyzer.processing.swaps`). It runs on the raw landmarks, before the quality
   mask: a swapped leg looks like an implausible jump and would otherwise be deleted instead
   of relabelled, and every landmark the mask removes is evidence lost.
2. **Quality mask** (step 3): visibility below ``min_visibility`` and limb segments off their
   median length by more than ``segment_tolerance``.
3. **Speed check** (step 3): samples that jump away and back faster than 15 L/s (head and
   trunk) or 40 L/s (limbs, feet).
4. **Spikes** (step 5): Hampel median filter over ``spike_window`` frames.
5. **Gap filling** (step 5): PCHIP over gaps up to ``max_gap_s`` seconds; longer gaps stay NaN.
6. **Low-pass** (step 6): zero-lag 2nd-order Butterworth per landmark group, cut-offs in Hz of
   real time (:mod:`analyzer.processing.filtering`).

World landmarks get the same relabelling, the same rejected samples, gap filling and
filtering. What was fixed is counted in ``meta["cleaning"]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analyzer.errors import NoPersonError
from analyzer.pose.track import PoseTrack
from analyzer.processing import filtering, gaps, outliers, swaps
from analyzer.processing.geometry import body_size_px, leg_length_px, nanmedian


def reference_length_px(xy: np.ndarray) -> float:
    """Leg length ``L`` (METRICS.md §2), or ≈ body size / 1.6 when no leg is ever complete."""
    length = leg_length_px(xy)
    if np.isfinite(length) and length > 0:
        return length
    size = float(nanmedian(body_size_px(xy)))
    if not np.isfinite(size) or size <= 0:
        raise NoPersonError("The pose track has no landmarks to clean.")
    return size / 1.6


def _reject(
    xy: np.ndarray, world: np.ndarray | None, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None, int]:
    """Set ``mask``ed (T, 33) samples to NaN; return the arrays and how many valid were hit."""
    n = int(np.sum(mask & np.all(np.isfinite(xy), axis=-1)))
    xy = xy.copy()
    xy[mask] = np.nan
    if world is not None:
        world = world.copy()
        world[mask] = np.nan
    return xy, world, n


def _quality_steps(
    xy: np.ndarray,
    world: np.ndarray | None,
    vis: np.ndarray,
    t: np.ndarray,
    L: float,
    opts: dict[str, Any],
) -> tuple[np.ndarray, np.ndarray | None, dict[str, int]]:
    counts: dict[str, int] = {}
    if world is not None:  # world landmarks exist only where image landmarks do
        world = world.copy()
        world[np.any(np.isnan(xy), axis=-1)] = np.nan
    xy, world, counts["low_visibility_removed"] = _reject(
        xy, world, outliers.low_visibility(vis, min_visibility=opts["min_visibility"])
    )
    xy, world, counts["segment_length_removed"] = _reject(
        xy, world, outliers.segment_length_outliers(xy, tolerance=opts["segment_tolerance"])
    )
    xy, world, counts["speed_outliers_removed"] = _reject(
        xy,
        world,
        outliers.speed_outliers(
            xy,
            t,
            scale_px=L,
            trunk_max_speed_l_s=opts["trunk_max_speed_l_s"],
            extremity_max_speed_l_s=opts["extremity_max_speed_l_s"],
        ),
    )
    if opts["spike_window"]:
        xy, world, counts["spikes_removed"] = _reject(
            xy, world, outliers.spike_outliers(xy, scale_px=L, window=opts["spike_window"])
        )
    else:
        counts["spikes_removed"] = 0
    return xy, world, counts


def clean_track(
    track: PoseTrack,
    *,
    fix_skeleton_flips: bool = True,
    fix_leg_swaps: bool = True,
    flip_penalty_l: float = swaps.FLIP_PENALTY_L,
    leg_swap_penalty_l: float = swaps.LEG_SWAP_PENALTY_L,
    min_visibility: float | None = outliers.MIN_VISIBILITY,
    segment_tolerance: float | None = outliers.SEGMENT_TOLERANCE,
    trunk_max_speed_l_s: float = outliers.TRUNK_MAX_SPEED_L_S,
    extremity_max_speed_l_s: float = outliers.EXTREMITY_MAX_SPEED_L_S,
    spike_window: int | None = outliers.SPIKE_WINDOW,
    max_gap_s: float = gaps.MAX_GAP_S,
    gap_method: str = "pchip",
    lowpass: bool = True,
    trunk_cutoff_hz: float = filtering.TRUNK_CUTOFF_HZ,
    limb_cutoff_hz: float = filtering.LIMB_CUTOFF_HZ,
    feet_cutoff_hz: float = filtering.FEET_CUTOFF_HZ,
    max_fraction_nyquist: float = filtering.MAX_FRACTION_NYQUIST,
) -> PoseTrack:
    """Return a cleaned copy of ``track`` (METRICS.md §3.3 steps 3-6, order in module docstring).

    Parameters
    ----------
    track
        One athlete's raw track (e.g. from :func:`analyzer.processing.select_athlete`).
    fix_skeleton_flips, fix_leg_swaps, flip_penalty_l, leg_swap_penalty_l
        Left/right repair (:func:`analyzer.processing.swaps.repair_left_right`).
    min_visibility
        Reject samples below this visibility (0.5, §3.3 step 3); None keeps them all.
    segment_tolerance
        Reject limb points whose segment is off its median length by more than this fraction
        (0.15); None turns the check off (e.g. for a front view, where legs foreshorten).
    trunk_max_speed_l_s, extremity_max_speed_l_s
        Speed limits in leg lengths per second (15 and 40).
    spike_window
        Hampel window in frames (3-5); None or 0 turns it off.
    max_gap_s, gap_method
        Fill gaps up to this many seconds of real time (0.12 s) with PCHIP or linear.
    lowpass, trunk_cutoff_hz, limb_cutoff_hz, feet_cutoff_hz, max_fraction_nyquist
        Zero-lag Butterworth per group (6 / 8 / 10 Hz, feet only at >= 60 fps, capped at
        0.4 × Nyquist).

    Returns
    -------
    PoseTrack with ``meta["cleaning"]`` holding the counts of what was fixed and the cut-offs.

    Raises
    ------
    NoPersonError
        If the track holds no landmark at all.
    """
    t = track.times_s
    xy = track.image_xy.astype(float)
    L = reference_length_px(xy)
    rep = swaps.repair_left_right(
        xy,
        t,
        scale_px=L,
        visibility=track.visibility,
        world_xyz=None if track.world_xyz is None else track.world_xyz.astype(float),
        fix_skeleton_flips=fix_skeleton_flips,
        fix_leg_swaps=fix_leg_swaps,
        flip_penalty_l=flip_penalty_l,
        leg_swap_penalty_l=leg_swap_penalty_l,
    )
    opts = {
        "min_visibility": min_visibility,
        "segment_tolerance": segment_tolerance,
        "trunk_max_speed_l_s": trunk_max_speed_l_s,
        "extremity_max_speed_l_s": extremity_max_speed_l_s,
        "spike_window": spike_window,
    }
    vis = rep.visibility if rep.visibility is not None else track.visibility
    xy, world, counts = _quality_steps(rep.image_xy, rep.world_xyz, vis, t, L, opts)
    # image and world coordinates are filled (and filtered) together: one pass per NaN pattern
    joined, was_filled = gaps.fill_gaps(_join(xy, world), t, max_gap_s=max_gap_s, method=gap_method)
    xy, world = _split(joined, world)
    filled = was_filled[..., :2]
    fs = filtering.sampling_rate_hz(t)
    cutoffs: dict[str, float] = {}
    if lowpass and t.size > 1:
        cutoffs = filtering.group_cutoffs_hz(
            fs,
            trunk_hz=trunk_cutoff_hz,
            limb_hz=limb_cutoff_hz,
            feet_hz=feet_cutoff_hz,
            max_fraction_nyquist=max_fraction_nyquist,
        )
        xy, world = _lowpass(xy, world, t, cutoffs, max_fraction_nyquist)
    detected = track.detected()
    report = _report(rep, counts, filled, xy[detected], L, fs, cutoffs, max_gap_s)
    return track.with_arrays(
        image_xy=xy.astype(np.float32),
        visibility=vis.astype(np.float32),
        world_xyz=None if world is None else world.astype(np.float32),
        meta={**track.meta, "cleaning": report},
    )


def _join(xy: np.ndarray, world: np.ndarray | None) -> np.ndarray:
    """(T, 33, 2) image and (T, 33, 3) world landmarks side by side: (T, 33, 5)."""
    return xy if world is None else np.concatenate([xy, world], axis=-1)


def _split(joined: np.ndarray, world: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Undo :func:`_join`."""
    return (joined, None) if world is None else (joined[..., :2], joined[..., 2:])


def _lowpass(
    xy: np.ndarray,
    world: np.ndarray | None,
    t: np.ndarray,
    cutoffs: dict[str, float],
    max_fraction_nyquist: float,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Zero-lag low-pass of image and world landmarks with the per-group cut-offs."""
    joined = filtering.lowpass_landmarks(
        _join(xy, world),
        t,
        cutoffs_hz=filtering.landmark_cutoffs_hz(cutoffs),
        max_fraction_nyquist=max_fraction_nyquist,
    )
    return _split(joined, world)


def _report(
    rep: swaps.SwapRepair,
    counts: dict[str, int],
    filled: np.ndarray,
    xy: np.ndarray,
    L: float,
    fs: float,
    cutoffs: dict[str, float],
    max_gap_s: float,
) -> dict[str, Any]:
    """JSON-serialisable summary for ``meta["cleaning"]``."""
    return {
        "leg_length_px": round(float(L), 2),
        "fs_hz": round(float(fs), 4) if np.isfinite(fs) else None,
        "skeleton_flips_fixed": int(rep.skeleton_flipped.sum()),
        "leg_swaps_fixed": int(rep.legs_swapped.sum()),
        "skeleton_flip_frames": np.flatnonzero(rep.skeleton_flipped).tolist(),
        "leg_swap_frames": np.flatnonzero(rep.legs_swapped).tolist(),
        **counts,
        "gap_points_filled": int(np.sum(np.all(filled, axis=-1))),
        "max_gap_s": max_gap_s,
        # NaN landmark samples left in frames where the athlete was detected at all
        "points_missing": int(np.sum(np.any(np.isnan(xy), axis=-1))),
        "cutoff_hz": {k: round(v, 4) for k, v in cutoffs.items()},
    }
