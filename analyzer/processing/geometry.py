"""Small geometric helpers shared by selection and cleaning (pixels, NaN-aware).

Reference lengths follow METRICS.md §2 (Conventions): leg length ``L`` is the segment sum
``|hip − knee| + |knee − ankle|`` so that knee bend does not shorten it.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from analyzer.skeleton import (
    LEFT_ANKLE,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    RIGHT_ANKLE,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
)

_LEGS = ((LEFT_HIP, LEFT_KNEE, LEFT_ANKLE), (RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE))


def nanmedian(a: np.ndarray, axis: int | None = None) -> Any:
    """``np.nanmedian`` without the all-NaN RuntimeWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(a, axis=axis)


def nanmean(a: np.ndarray, axis: int | None = None) -> Any:
    """``np.nanmean`` without the all-NaN RuntimeWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(a, axis=axis)


def segment_length(xy: np.ndarray, a: int, b: int) -> np.ndarray:
    """Distance between landmarks ``a`` and ``b`` for every frame (NaN where either is missing).

    Parameters
    ----------
    xy
        (..., 33, D) landmark coordinates.
    """
    return np.linalg.norm(xy[..., a, :] - xy[..., b, :], axis=-1)


def leg_lengths_per_frame(xy: np.ndarray) -> np.ndarray:
    """(..., 2) segment-sum leg length of the left and right leg per frame (METRICS.md §2)."""
    return np.stack(
        [segment_length(xy, h, k) + segment_length(xy, k, a) for h, k, a in _LEGS], axis=-1
    )


def leg_length_px(xy: np.ndarray) -> float:
    """Leg length ``L`` in pixels (METRICS.md §2): the longer of the two legs' medians.

    The longer side is taken because foreshortening and occlusion only ever shorten a leg;
    left/right swaps do not change it. Returns NaN when no leg is ever complete.

    Parameters
    ----------
    xy
        (T, 33, 2) image landmarks in pixels.
    """
    per_side = nanmedian(leg_lengths_per_frame(xy), axis=0)
    if np.all(np.isnan(per_side)):
        return float("nan")
    return float(np.nanmax(per_side))


def hip_centre(xy: np.ndarray) -> np.ndarray:
    """(..., D) mid-hip ``H = (P23 + P24) / 2`` (METRICS.md §2); one hip if the other is NaN."""
    return nanmean(np.stack([xy[..., LEFT_HIP, :], xy[..., RIGHT_HIP, :]]), axis=0)


def body_size_px(xy: np.ndarray) -> np.ndarray:
    """Orientation-free body size per detection: torso length + leg length, in pixels.

    Torso ``T = |S − H|`` (mid-shoulder to mid-hip) plus the mean of the two segment-sum leg
    lengths; about 0.78 of stature (thigh + shank ≈ 0.491 H, torso ≈ 0.29 H, METRICS.md §2
    [S:39]). Unlike a bounding-box height it does not shrink when the person bends, raises
    the arms or flips. Where those landmarks are missing, falls back to the diagonal of the
    box around the visible landmarks.

    Parameters
    ----------
    xy
        (..., 33, 2) image landmarks in pixels.

    Returns
    -------
    (...,) float array, NaN where the detection is empty.
    """
    shoulders = nanmean(
        np.stack([xy[..., LEFT_SHOULDER, :], xy[..., RIGHT_SHOULDER, :]]), axis=0
    )
    torso = np.linalg.norm(shoulders - hip_centre(xy), axis=-1)
    legs = nanmean(leg_lengths_per_frame(xy), axis=-1)
    size = torso + legs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        span = np.nanmax(xy, axis=-2) - np.nanmin(xy, axis=-2)
    diagonal = np.linalg.norm(span, axis=-1)
    return np.where(np.isfinite(size), size, diagonal)
