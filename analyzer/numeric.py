"""Shared numerics for events and metrics: filtering, derivatives, geometry, runs.

Everything here is pure (arrays in, arrays out) and sits below ``events`` and ``metrics``
so both can use it without importing each other. Conventions follow METRICS.md §2: image
pixels with y down, angles in degrees, leg length ``L`` as the length unit.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np

from analyzer import skeleton as sk
from analyzer.processing.filtering import lowpass_filter
from analyzer.processing.filtering import valid_runs as runs

__all__ = [
    "DE_LEVA",
    "cap_cutoff",
    "com_x_series",
    "derivative",
    "inner_angle_deg",
    "lowpass",
    "midpoint",
    "nanmedian",
    "nanpercentile",
    "pick_side",
    "rotate_xy",
    "runs",
    "sustained",
]


# ---------------------------------------------------------------------------------------
# filtering and derivatives


def lowpass(x: np.ndarray, fs: float, cutoff_hz: float, *, order: int = 2) -> np.ndarray:
    """Zero-lag Butterworth low-pass along axis 0, NaN-aware (METRICS §3.3 step 6).

    A uniform-rate wrapper of :func:`analyzer.processing.filtering.lowpass_filter` (exact
    dual-pass cut-off correction, capped at 0.4 x Nyquist). Each finite run is filtered on
    its own; runs too short to pad (``3 (order + 1)`` samples or fewer) are copied.

    Parameters
    ----------
    x
        (T, ...) samples; NaN marks missing values.
    fs
        Sampling rate in Hz.
    cutoff_hz
        Desired -3 dB cut-off of the dual-pass response in Hz.
    order
        Filter order per pass.
    """
    x = np.asarray(x, dtype=float)
    if x.shape[0] < 4 or not np.isfinite(fs) or fs <= 0:
        return x.copy()
    times = np.arange(x.shape[0]) / fs
    return lowpass_filter(x, times, cutoff_hz=cutoff_hz, order=order, min_run=3 * (order + 1) + 1)


def cap_cutoff(cutoff_hz: float, fs: float) -> float:
    """Cap a cut-off at 6 Hz for clips below 50 fps (METRICS §3.3 step 6: "at 30 fps cap
    every cut-off at 6 Hz")."""
    return min(cutoff_hz, 6.0) if fs < 50.0 else cutoff_hz


def derivative(x: np.ndarray, times_s: np.ndarray) -> np.ndarray:
    """Central-difference time derivative along axis 0 (NaN where a neighbour is NaN)."""
    x = np.asarray(x, dtype=float)
    if x.shape[0] < 2:
        return np.full_like(x, np.nan)
    return np.gradient(x, times_s, axis=0)


# ---------------------------------------------------------------------------------------
# geometry


def inner_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle ABC at vertex B in degrees, for (..., D) points (METRICS §13A)."""
    u = np.asarray(a, float) - np.asarray(b, float)
    v = np.asarray(c, float) - np.asarray(b, float)
    nu = np.linalg.norm(u, axis=-1)
    nv = np.linalg.norm(v, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cosang = np.sum(u * v, axis=-1) / (nu * nv)
    return np.degrees(np.arccos(np.clip(cosang, -1.0, 1.0)))


def midpoint(p: np.ndarray, i: int, j: int) -> np.ndarray:
    """Mid-point of landmarks i and j for (T, 33, D) arrays -> (T, D)."""
    return 0.5 * (p[:, i] + p[:, j])


def rotate_xy(p: np.ndarray, angle_rad: float, origin: np.ndarray) -> np.ndarray:
    """Rotate (..., 2) image points by ``angle_rad`` (image coordinates, y down) about origin."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    q = np.asarray(p, float) - origin
    out = np.empty_like(q)
    out[..., 0] = c * q[..., 0] - s * q[..., 1]
    out[..., 1] = s * q[..., 0] + c * q[..., 1]
    return out + origin


def pick_side(arr: np.ndarray, left_idx: int, right_idx: int, side: np.ndarray) -> np.ndarray:
    """Per frame, landmark ``left_idx`` where ``side == 0`` else ``right_idx``.

    ``arr`` is (T, 33, D); ``side`` is (T,) with 0 = left, 1 = right. Returns (T, D).
    """
    return np.where(side[:, None] == 0, arr[:, left_idx], arr[:, right_idx])


# ---------------------------------------------------------------------------------------
# whole-body centre of mass

#: de Leva (1996) male segment mass fractions and COM position from the proximal end
#: (METRICS §7 M5b, [S:40]); arms and legs counted twice (both sides).
DE_LEVA = {
    "head": (0.0694, 0.5002), "trunk": (0.4346, 0.5138), "upper_arm": (0.0271, 0.5772),
    "forearm": (0.0162, 0.4574), "hand": (0.0061, 0.7900), "thigh": (0.1416, 0.4095),
    "shank": (0.0433, 0.4395), "foot": (0.0137, 0.4415),
}  # fmt: skip


def com_x_series(p: np.ndarray, *, max_missing_mass: float = 0.12) -> np.ndarray:
    """(T,) whole-body COM image x from de Leva segment parameters (METRICS §7 M5b).

    Untracked segments (up to ``max_missing_mass`` of the body mass) are left out.
    """
    with np.errstate(all="ignore"), warnings.catch_warnings():
        # an untracked hand (all three points NaN) has no mean: NaN, left out below
        warnings.simplefilter("ignore", RuntimeWarning)
        ear = midpoint(p, sk.LEFT_EAR, sk.RIGHT_EAR)
        s = midpoint(p, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER)
        h = midpoint(p, sk.LEFT_HIP, sk.RIGHT_HIP)
        parts = [
            (DE_LEVA["head"][0], ear[:, 0]),
            (DE_LEVA["trunk"][0], s[:, 0] + DE_LEVA["trunk"][1] * (h[:, 0] - s[:, 0])),
        ]
        for side in (0, 1):
            sh, el, wr = (11, 13, 15) if side == 0 else (12, 14, 16)
            hp, kn, an, he, to = sk.LEFT_LEG if side == 0 else sk.RIGHT_LEG
            hand = np.nanmean(p[:, [17, 19, 21] if side == 0 else [18, 20, 22], 0], axis=1)
            for name, a, b in (
                ("upper_arm", p[:, sh, 0], p[:, el, 0]),
                ("forearm", p[:, el, 0], p[:, wr, 0]),
                ("hand", p[:, wr, 0], hand),
                ("thigh", p[:, hp, 0], p[:, kn, 0]),
                ("shank", p[:, kn, 0], p[:, an, 0]),
                ("foot", p[:, he, 0], p[:, to, 0]),
            ):
                m, c = DE_LEVA[name]
                parts.append((m, a + c * (b - a)))
        w = np.array([m for m, _ in parts])
        x = np.stack([v for _, v in parts], axis=1)
        # a segment that is not tracked (the far arm in a side view is often masked) is left
        # out and the others re-weighted, i.e. its COM is assumed at the rest's; more than
        # ``max_missing_mass`` (both arms are ~0.10 of body mass) missing gives NaN
        have = np.isfinite(x)
        wsum = np.sum(w * have, axis=1)
        out = np.sum(np.where(have, w * x, 0.0), axis=1) / np.where(wsum > 0, wsum, np.nan)
    return np.where(wsum >= (1.0 - max_missing_mass) * w.sum(), out, np.nan)


# ---------------------------------------------------------------------------------------
# runs and robust statistics


def sustained(mask: np.ndarray, min_frames: int) -> np.ndarray:
    """Keep only runs of True at least ``min_frames`` long (runs as in :func:`runs`, i.e.
    :func:`analyzer.processing.filtering.valid_runs`: half-open ``(start, stop)`` pairs)."""
    out = np.zeros(np.asarray(mask).shape, dtype=bool)
    for s, e in runs(mask):
        if e - s >= min_frames:
            out[s:e] = True
    return out


def nanmedian(x: Iterable[float] | np.ndarray) -> float:
    """Median ignoring NaN; NaN when nothing is finite (no warning)."""
    a = np.asarray(list(x) if not isinstance(x, np.ndarray) else x, dtype=float)
    a = a[np.isfinite(a)]
    return float(np.median(a)) if a.size else float("nan")


def nanpercentile(x: np.ndarray, q: float) -> float:
    """Percentile ignoring NaN; NaN when nothing is finite."""
    a = np.asarray(x, dtype=float)
    a = a[np.isfinite(a)]
    return float(np.percentile(a, q)) if a.size else float("nan")
