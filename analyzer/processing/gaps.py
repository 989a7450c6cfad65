"""Short-gap interpolation (METRICS.md §3.3 step 5; Stenum et al.: gaps ≤ 120 ms [S:15])."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.interpolate import PchipInterpolator

from analyzer.processing.filtering import valid_runs

MAX_GAP_S = 0.12


def gap_durations_s(times_s: np.ndarray, before: int, after: int) -> float:
    """Length of the hole between valid samples ``before`` and ``after``, in seconds.

    Defined as ``t[after] − t[before] − Δt`` with ``Δt`` the median frame interval, i.e. the
    number of missing frames × Δt at a constant frame rate (3 missing frames at 30 fps =
    0.100 s; 4 missing = 0.133 s).
    """
    dt = float(np.median(np.diff(times_s)))
    return float(times_s[after] - times_s[before] - dt)


def fill_gaps(
    values: np.ndarray,
    times_s: np.ndarray,
    *,
    max_gap_s: float = MAX_GAP_S,
    method: str = "pchip",
) -> tuple[np.ndarray, np.ndarray]:
    """Interpolate interior NaN gaps no longer than ``max_gap_s`` seconds of real time.

    Parameters
    ----------
    values
        (T, ...) samples; each column is filled on its own (the coordinates of one landmark
        share their NaN pattern, so they are filled together).
    times_s
        (T,) strictly increasing times in seconds (variable frame rate is fine: the gap
        length and the interpolation both use the real times).
    max_gap_s
        Longest gap to fill (see :func:`gap_durations_s`); longer gaps, and leading or
        trailing NaN, stay NaN.
    method
        ``"pchip"`` (shape-preserving cubic, no overshoot) or ``"linear"``.

    Returns
    -------
    filled
        Float64 copy with the short gaps filled.
    was_filled
        Bool array shaped like ``values``: True where a value was interpolated.
    """
    if method not in ("pchip", "linear"):
        raise ValueError(f"method must be 'pchip' or 'linear', got {method!r}.")
    t = np.asarray(times_s, dtype=float)
    flat = np.asarray(values, dtype=float).reshape(t.size, -1)
    out = flat.copy()
    finite = np.isfinite(flat)
    patterns, inverse = np.unique(finite.T, axis=0, return_inverse=True)
    for p, pattern in enumerate(patterns):
        cols = np.flatnonzero(inverse.ravel() == p)
        runs = valid_runs(pattern)
        holes = [
            (a_stop, b_start)
            for (_, a_stop), (b_start, _) in itertools.pairwise(runs)
            if gap_durations_s(t, a_stop - 1, b_start) <= max_gap_s + 1e-9
        ]
        if not holes:
            continue
        ok = np.flatnonzero(pattern)
        query = np.concatenate([np.arange(start, stop) for start, stop in holes])
        interp = _pchip if method == "pchip" else _linear
        out[query[:, None], cols] = interp(t[ok], flat[ok][:, cols], t[query])
    was_filled = np.isfinite(out) & ~finite
    return out.reshape(np.shape(values)), was_filled.reshape(np.shape(values))


def _pchip(tk: np.ndarray, yk: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Shape-preserving cubic (Fritsch & Carlson 1980): a filled gap never leaves the range
    of its neighbours; a straight line through two knots."""
    return np.asarray(PchipInterpolator(tk, yk, axis=0)(x))


def _linear(tk: np.ndarray, yk: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.stack([np.interp(x, tk, yk[:, c]) for c in range(yk.shape[1])], axis=1)
