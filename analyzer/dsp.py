"""Small signal-processing kernels in plain numpy (no scipy in the runtime environment).

Keeping scipy out saves ~140 MB of install (the issue caps the environment at 500 MB). Each
function mirrors the scipy routine of the same name closely enough that the tests compare
them directly (scipy is a test-only dependency).

References: Butterworth design by the bilinear transform with pre-warping (Oppenheim &
Schafer, *Discrete-Time Signal Processing*, 3rd ed., §7.1); forward-backward filtering with
odd extension and steady-state initial conditions (Gustafsson 1996, as in scipy's
``filtfilt``); dual-pass cut-off correction 0.802 (Winter 2009, METRICS.md §3.3 step 6);
PCHIP (Fritsch & Carlson 1980); peak prominence as defined by scipy.signal.find_peaks.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np


def butter(order: int, wn: float | tuple[float, float], *, btype: str = "low"
           ) -> tuple[np.ndarray, np.ndarray]:
    """Digital Butterworth filter coefficients ``(b, a)``, as ``scipy.signal.butter``.

    Parameters
    ----------
    order
        Filter order N (per band edge for a band-pass, as in scipy).
    wn
        Cut-off(s) as a fraction of the Nyquist frequency: one value for ``"low"`` and
        ``"high"``, a (low, high) pair for ``"band"``.
    btype
        ``"low"``, ``"high"`` or ``"band"``.
    """
    edges = np.atleast_1d(np.asarray(wn, dtype=float))
    if np.any(edges <= 0.0) or np.any(edges >= 1.0):
        raise ValueError(f"cut-offs must be in (0, 1) of Nyquist, got {wn}")
    k = np.arange(order)
    poles = np.exp(1j * np.pi * (2 * k + order + 1) / (2 * order))  # analog prototype, wc = 1
    zeros = np.zeros(0, complex)
    gain = 1.0
    warped = 4.0 * np.tan(np.pi * edges / 2.0)  # pre-warp with fs = 2
    if btype == "low":
        poles, gain = poles * warped[0], gain * warped[0] ** order
    elif btype == "high":
        gain = gain * np.real(1.0 / np.prod(-poles))
        zeros, poles = np.zeros(order, complex), warped[0] / poles
    elif btype == "band":
        bw, wo = warped[1] - warped[0], np.sqrt(warped[0] * warped[1])
        p_lp = poles * bw / 2.0
        root = np.sqrt(p_lp**2 - wo**2)
        poles = np.concatenate([p_lp + root, p_lp - root])
        zeros, gain = np.zeros(order, complex), gain * bw**order
    else:
        raise ValueError(f"btype must be 'low', 'high' or 'band', got {btype!r}")
    fs2 = 4.0
    z_d = (fs2 + zeros) / (fs2 - zeros)
    p_d = (fs2 + poles) / (fs2 - poles)
    z_d = np.concatenate([z_d, -np.ones(len(p_d) - len(z_d))])
    gain_d = gain * np.real(np.prod(fs2 - zeros) / np.prod(fs2 - poles))
    return np.real(gain_d * np.poly(z_d)), np.real(np.poly(p_d))


def butter_lowpass(order: int, wn: float) -> tuple[np.ndarray, np.ndarray]:
    """Digital Butterworth low-pass coefficients ``(b, a)`` (cut-off ``wn`` of Nyquist)."""
    return butter(order, wn, btype="low")


def dual_pass_wn(cutoff_hz: float, fs_hz: float, *, order: int = 2) -> float:
    """Normalised design cut-off (0..1 of Nyquist) so that ``filtfilt`` is -3 dB at ``cutoff_hz``.

    Exact form of Winter's dual-pass correction (Winter 2009; METRICS.md §3.3 step 6)::

        C  = (sqrt(2) - 1) ** (1 / (2 * order))          # 0.802 for order 2
        Wn = (2 / pi) * arctan(tan(pi * fc / fs) / C)

    The correction is applied to the pre-warped frequency, so it stays exact close to the
    Nyquist frequency; ``Wn = (fc / 0.802) / (fs / 2)`` is its low-frequency limit.
    """
    c = (np.sqrt(2.0) - 1.0) ** (1.0 / (2 * order))
    wn = (2.0 / np.pi) * np.arctan(np.tan(np.pi * cutoff_hz / fs_hz) / c)
    if not 0.0 < wn < 1.0:
        raise ValueError(
            f"cut-off {cutoff_hz} Hz is not below the Nyquist frequency of {fs_hz / 2:.3g} Hz."
        )
    return float(wn)


def lowpass_coefficients(
    cutoff_hz: float, fs_hz: float, *, order: int = 2, dual_pass: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Butterworth coefficients for ``cutoff_hz`` at sampling rate ``fs_hz``.

    With ``dual_pass`` the design cut-off is :func:`dual_pass_wn`, so that the
    forward-backward (zero-lag) filter has its -3 dB point at ``cutoff_hz`` (Winter 2009).
    The normalised cut-off is capped at 0.99 of Nyquist.
    """
    wn = dual_pass_wn(cutoff_hz, fs_hz, order=order) if dual_pass else 2.0 * cutoff_hz / fs_hz
    return butter_lowpass(order, float(min(wn, 0.99)))


def lfilter_zi(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Initial state of :func:`lfilter` for a step response's steady state (input 1)."""
    b = np.asarray(b, float) / a[0]
    a = np.asarray(a, float) / a[0]
    n = max(len(a), len(b))
    a = np.r_[a, np.zeros(n - len(a))]
    b = np.r_[b, np.zeros(n - len(b))]
    companion = np.zeros((n - 1, n - 1))
    companion[:, 0] = -a[1:]
    companion[: n - 2, 1:] += np.eye(n - 2)
    lhs = np.eye(n - 1) - companion
    rhs = b[1:] - a[1:] * b[0]
    return np.linalg.solve(lhs, rhs)


def lfilter(
    b: np.ndarray, a: np.ndarray, x: np.ndarray, *, zi: np.ndarray | None = None
) -> np.ndarray:
    """IIR filter along axis 0 (direct form II transposed), vectorised over other axes.

    ``zi`` has shape (order, *x.shape[1:]).
    """
    b = np.asarray(b, float) / a[0]
    a = np.asarray(a, float) / a[0]
    n = max(len(a), len(b))
    a = np.r_[a, np.zeros(n - len(a))]
    b = np.r_[b, np.zeros(n - len(b))]
    x = np.asarray(x, float)
    state = np.zeros((n - 1, *x.shape[1:])) if zi is None else np.array(zi, float)
    y = np.empty_like(x)
    for t in range(x.shape[0]):
        xt = x[t]
        yt = b[0] * xt + state[0]
        for i in range(n - 2):
            state[i] = b[i + 1] * xt + state[i + 1] - a[i + 1] * yt
        state[n - 2] = b[n - 1] * xt - a[n - 1] * yt
        y[t] = yt
    return y


def filtfilt(
    b: np.ndarray, a: np.ndarray, x: np.ndarray, *, padlen: int | None = None
) -> np.ndarray:
    """Zero-phase forward-backward filtering along axis 0 (as ``scipy.signal.filtfilt``).

    Uses odd extension of ``padlen`` samples (default ``3 * max(len(a), len(b))``) at both
    ends and steady-state initial conditions. The series must be longer than ``padlen``.
    """
    x = np.asarray(x, float)
    ntaps = max(len(a), len(b))
    padlen = 3 * ntaps if padlen is None else padlen
    if x.shape[0] <= padlen:
        raise ValueError(f"series of {x.shape[0]} samples is too short (needs > {padlen})")
    if padlen > 0:
        head = 2 * x[0] - x[padlen:0:-1]
        tail = 2 * x[-1] - x[-2 : -padlen - 2 : -1]
        ext = np.concatenate([head, x, tail], axis=0)
    else:
        ext = x
    zi = lfilter_zi(b, a).reshape((-1,) + (1,) * (x.ndim - 1))
    y = lfilter(b, a, ext, zi=zi * ext[0])
    y = lfilter(b, a, y[::-1], zi=zi * y[-1])[::-1]
    return y[padlen : padlen + x.shape[0]] if padlen > 0 else y


def _local_maxima(x: np.ndarray) -> np.ndarray:
    """Indices of local maxima (the middle of flat plateaus), like scipy's helper."""
    peaks = []
    i, n = 1, len(x)
    while i < n - 1:
        if x[i - 1] < x[i]:
            j = i
            while j + 1 < n - 1 and x[j + 1] == x[i]:
                j += 1
            if x[j + 1] < x[i]:
                peaks.append((i + j) // 2)
            i = j
        i += 1
    return np.asarray(peaks, dtype=int)


def peak_prominences(x: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """Prominence of each peak: height above the higher of its two bases."""
    out = np.empty(len(peaks))
    for k, p in enumerate(peaks):
        left = p
        i = p
        min_left = x[p]
        while i > 0 and x[i - 1] <= x[p]:
            i -= 1
            min_left = min(min_left, x[i])
        left = min_left
        i = p
        min_right = x[p]
        while i < len(x) - 1 and x[i + 1] <= x[p]:
            i += 1
            min_right = min(min_right, x[i])
        out[k] = x[p] - max(left, min_right)
    return out


def find_peaks(
    x: np.ndarray, *, distance: int | None = None, prominence: float | None = None
) -> np.ndarray:
    """Indices of peaks of a 1-D series, filtered by minimum distance then by prominence.

    Matches ``scipy.signal.find_peaks(x, distance=..., prominence=...)[0]`` for finite input:
    when two peaks are closer than ``distance`` samples the higher one is kept.
    """
    x = np.asarray(x, float)
    peaks = _local_maxima(x)
    if distance is not None and distance > 1 and len(peaks) > 1:
        keep = np.ones(len(peaks), bool)
        for k in np.argsort(x[peaks], kind="stable")[::-1]:
            if not keep[k]:
                continue
            close = np.abs(peaks - peaks[k]) < distance
            close[k] = False
            keep[close] = False
        peaks = peaks[keep]
    if prominence is not None and len(peaks):
        peaks = peaks[peak_prominences(x, peaks) >= prominence]
    return peaks


def pchip_interpolate(xk: np.ndarray, yk: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Shape-preserving piecewise cubic through ``(xk, yk)`` evaluated at ``x``.

    Fritsch-Carlson slopes (weighted harmonic mean of the neighbouring secants, zero at a
    local extremum) with the usual three-point end slopes, as ``scipy``'s
    ``PchipInterpolator`` computes them: no overshoot, so a filled gap never leaves the range
    of its neighbours. ``yk`` is (n, ...): interpolates along axis 0, vectorised over the
    trailing axes; the result has shape ``np.shape(x) + yk.shape[1:]``. Linear for n < 3.
    """
    xk = np.asarray(xk, dtype=float)
    yk = np.asarray(yk, dtype=float)
    x = np.asarray(x, dtype=float)
    t = x.ravel()
    flat = yk.reshape(yk.shape[0], -1)
    if xk.size < 3:
        out = np.stack([np.interp(t, xk, flat[:, c]) for c in range(flat.shape[1])], axis=-1)
        return out.reshape(x.shape + yk.shape[1:])
    h = np.diff(xk)[:, None]
    delta = np.diff(flat, axis=0) / h
    d = np.zeros_like(flat)
    w1 = 2 * h[1:] + h[:-1]
    w2 = h[1:] + 2 * h[:-1]
    same = delta[:-1] * delta[1:] > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        d[1:-1] = np.where(same, (w1 + w2) / (w1 / delta[:-1] + w2 / delta[1:]), 0.0)
    d[0] = _pchip_end(h[0], h[1], delta[0], delta[1])
    d[-1] = _pchip_end(h[-1], h[-2], delta[-1], delta[-2])
    i = np.clip(np.searchsorted(xk, t) - 1, 0, xk.size - 2)
    hi = h[i]
    s = ((t - xk[i]) / hi[:, 0])[:, None]
    out = (
        (1 + 2 * s) * (1 - s) ** 2 * flat[i]
        + s * (1 - s) ** 2 * hi * d[i]
        + s**2 * (3 - 2 * s) * flat[i + 1]
        + s**2 * (s - 1) * hi * d[i + 1]
    )
    return out.reshape(x.shape + yk.shape[1:])


def _pchip_end(h0: np.ndarray, h1: np.ndarray, m0: np.ndarray, m1: np.ndarray) -> np.ndarray:
    """Three-point end slope, limited to keep the end piece shape-preserving."""
    d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1)
    d = np.where(np.sign(d) != np.sign(m0), 0.0, d)
    return np.where((np.sign(m0) != np.sign(m1)) & (np.abs(d) > np.abs(3 * m0)), 3 * m0, d)


def median_filter(x: np.ndarray, *, window: int, edges: str = "shrink") -> np.ndarray:
    """Running median along axis 0 with an odd ``window``.

    NaNs are ignored inside a window (a window of only NaN stays NaN). At the ends the window
    shrinks (``edges="shrink"``) or the end values are repeated (``edges="nearest"``, as
    scipy.ndimage's mode of that name).
    """
    if window < 1 or window % 2 == 0:
        raise ValueError("window must be a positive odd number")
    x = np.asarray(x, float)
    half = window // 2
    widths = [(half, half)] + [(0, 0)] * (x.ndim - 1)
    if edges == "nearest":
        pad = np.pad(x, widths, mode="edge")
    else:
        pad = np.pad(x, widths, mode="constant", constant_values=np.nan)
    stack = np.stack([pad[i : i + x.shape[0]] for i in range(window)], axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows stay NaN
        return np.nanmedian(stack, axis=0)


def linear_sum_assignment(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minimum-cost assignment of rows to columns for the small matrices of person linking.

    Exact (exhaustive) for up to 7 rows or columns, which covers every person count the pose
    estimator is run with; returns (row_indices, col_indices) like scipy's function.
    """
    cost = np.asarray(cost, float)
    n_rows, n_cols = cost.shape
    if min(n_rows, n_cols) == 0:
        return np.zeros(0, int), np.zeros(0, int)
    if min(n_rows, n_cols) > 7:
        raise ValueError("linear_sum_assignment here is meant for at most 7 people")
    transposed = n_rows > n_cols
    c = cost.T if transposed else cost
    rows = np.arange(c.shape[0])
    best, best_cols = np.inf, None
    for cols in itertools.permutations(range(c.shape[1]), c.shape[0]):
        total = c[rows, list(cols)].sum()
        if total < best:
            best, best_cols = total, cols
    assert best_cols is not None
    r, k = rows, np.asarray(best_cols, int)
    if transposed:
        order = np.argsort(k)
        return k[order], r[order]
    return r, k


def max_filter(x: np.ndarray, *, size: int) -> np.ndarray:
    """Running maximum of a 1-D series over ``size`` samples (centred, edges clipped)."""
    x = np.asarray(x, float)
    half = size // 2
    pad = np.pad(x, (half, size - 1 - half), mode="edge")
    return np.lib.stride_tricks.sliding_window_view(pad, size).max(axis=-1)


def detrend(x: np.ndarray) -> np.ndarray:
    """Remove the least-squares straight line from a 1-D series."""
    x = np.asarray(x, float)
    t = np.arange(len(x), dtype=float)
    slope, intercept = np.polyfit(t, x, 1)
    return x - (slope * t + intercept)


def periodogram(
    x: np.ndarray, *, fs_hz: float, nfft: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One-sided power spectral density of a mean-removed 1-D series (zero-padded to
    ``nfft``): (frequencies_hz, power), as ``scipy.signal.periodogram``."""
    x = np.asarray(x, float) - np.mean(x)
    n = max(nfft or len(x), len(x))
    spec = np.abs(np.fft.rfft(x, n=n)) ** 2 / (fs_hz * len(x))
    spec[1 : (n + 1) // 2] *= 2.0
    return np.fft.rfftfreq(n, d=1.0 / fs_hz), spec
