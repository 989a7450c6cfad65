"""Interpolation kernels for cleaning, in plain numpy (scipy stays out of the runtime).

* :func:`cubic_spline` — natural cubic spline (C2), used to resample variable-frame-rate
  series to a uniform grid and back around the low-pass filter; accurate for band-limited
  signals (a 6 Hz sine sampled at 60 fps with ±50 % timing jitter is reproduced to within
  0.3 % of its amplitude).
* :func:`pchip` — shape-preserving piecewise cubic (Fritsch & Carlson 1980) for gap filling:
  no overshoot, so a filled gap never leaves the range of its neighbours.

Both interpolate along axis 0 and are vectorised over the remaining axes.
"""

from __future__ import annotations

import numpy as np


def cubic_spline(tk: np.ndarray, yk: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Natural cubic spline through ``(tk, yk)`` evaluated at ``t``.

    Parameters
    ----------
    tk
        (n,) strictly increasing knots, n >= 2 (n = 2 gives a straight line).
    yk
        (n, ...) values.
    t
        (m,) points inside ``[tk[0], tk[-1]]`` (outside, the end cubics are extrapolated).
    """
    tk = np.asarray(tk, dtype=float)
    yk = np.asarray(yk, dtype=float)
    t = np.asarray(t, dtype=float)
    n = tk.size
    h = np.diff(tk)
    m = np.zeros_like(yk)  # second derivatives; natural ends: m[0] = m[-1] = 0
    if n > 2:
        slope = np.diff(yk, axis=0) / h.reshape(-1, *([1] * (yk.ndim - 1)))
        rhs = 6.0 * np.diff(slope, axis=0)  # (n-2, ...)
        diag = 2.0 * (h[:-1] + h[1:])
        off = h[1:-1]
        m[1:-1] = _thomas(off, diag, off, rhs)
    i = np.clip(np.searchsorted(tk, t) - 1, 0, n - 2)
    hi = h[i].reshape(-1, *([1] * (yk.ndim - 1)))
    a = (tk[i + 1] - t).reshape(hi.shape) / hi
    b = 1.0 - a
    return a * yk[i] + b * yk[i + 1] + ((a**3 - a) * m[i] + (b**3 - b) * m[i + 1]) * hi**2 / 6.0


def _thomas(lower: np.ndarray, diag: np.ndarray, upper: np.ndarray, rhs: np.ndarray):
    """Solve a tridiagonal system (vectorised over the trailing axes of ``rhs``)."""
    n = diag.size
    c = np.zeros(n)
    d = np.zeros_like(rhs)
    c[0] = upper[0] / diag[0] if n > 1 else 0.0
    d[0] = rhs[0] / diag[0]
    for k in range(1, n):
        denom = diag[k] - lower[k - 1] * c[k - 1]
        if k < n - 1:
            c[k] = upper[k] / denom
        d[k] = (rhs[k] - lower[k - 1] * d[k - 1]) / denom
    x = np.empty_like(rhs)
    x[-1] = d[-1]
    for k in range(n - 2, -1, -1):
        x[k] = d[k] - c[k] * x[k + 1]
    return x


def pchip(tk: np.ndarray, yk: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Shape-preserving piecewise cubic through ``(tk, yk)`` (n, ...) at ``t``.

    Fritsch-Carlson slopes (weighted harmonic mean of the neighbouring secants, zero at a
    local extremum) with the usual three-point end slopes, as ``scipy``'s
    ``PchipInterpolator`` and :func:`analyzer.dsp.pchip_interpolate` (1-D) compute them;
    vectorised over the trailing axes. Linear for n < 3.
    """
    tk = np.asarray(tk, dtype=float)
    yk = np.asarray(yk, dtype=float)
    t = np.asarray(t, dtype=float)
    flat = yk.reshape(yk.shape[0], -1)
    if tk.size < 3:
        out = np.stack([np.interp(t, tk, flat[:, c]) for c in range(flat.shape[1])], axis=-1)
        return out.reshape(t.shape + yk.shape[1:])
    h = np.diff(tk)[:, None]
    delta = np.diff(flat, axis=0) / h
    d = np.zeros_like(flat)
    w1 = 2 * h[1:] + h[:-1]
    w2 = h[1:] + 2 * h[:-1]
    same = delta[:-1] * delta[1:] > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        d[1:-1] = np.where(same, (w1 + w2) / (w1 / delta[:-1] + w2 / delta[1:]), 0.0)
    d[0] = _end_slope(h[0], h[1], delta[0], delta[1])
    d[-1] = _end_slope(h[-1], h[-2], delta[-1], delta[-2])
    i = np.clip(np.searchsorted(tk, t) - 1, 0, tk.size - 2)
    hi = h[i]
    s = ((t - tk[i]) / hi[:, 0])[:, None]
    out = (
        (1 + 2 * s) * (1 - s) ** 2 * flat[i]
        + s * (1 - s) ** 2 * hi * d[i]
        + s**2 * (3 - 2 * s) * flat[i + 1]
        + s**2 * (s - 1) * hi * d[i + 1]
    )
    return out.reshape(t.shape + yk.shape[1:])


def _end_slope(h0: np.ndarray, h1: np.ndarray, m0: np.ndarray, m1: np.ndarray) -> np.ndarray:
    """Three-point end slope, limited to keep the end piece shape-preserving."""
    d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1)
    d = np.where(np.sign(d) != np.sign(m0), 0.0, d)
    return np.where((np.sign(m0) != np.sign(m1)) & (np.abs(d) > np.abs(3 * m0)), 3 * m0, d)
