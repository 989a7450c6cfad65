"""Zero-lag Butterworth low-pass with its cut-off in Hz of *real* time (METRICS.md §3.3 step 6).

The filter is a 2nd-order Butterworth run forward and backward (``filtfilt``: zero phase,
4th-order effective roll-off). Running it twice squares the magnitude response, so the design
cut-off is raised to keep the -3 dB point of the *dual-pass* response at the requested
frequency. Winter's correction ``Wn = (fc / 0.802) / (fs / 2)`` [S:13, S:15] is the
low-frequency limit of the exact form used here, which also undoes the bilinear-transform
frequency warping (:func:`analyzer.dsp.dual_pass_wn`)::

    C  = (sqrt(2) - 1) ** (1 / (2 * order))          # 0.802 for order 2
    Wn = (2 / pi) * arctan(tan(pi * fc / fs) / C)

so the -3 dB point sits at ``fc`` at any frame rate (the plain formula puts it ~7 % high for
6 Hz at 30 fps). The sampling rate comes from the frame times in seconds of real time, so
30/60/120/240 fps and slow-motion clips (times already rescaled to capture time) all filter
at the same physical frequency. Variable frame rate: samples are resampled to a uniform grid
(natural cubic spline, ``scipy.interpolate.CubicSpline``), filtered, and resampled back at the
original times. The filter is scipy's (:func:`analyzer.dsp.lowpass_sos` designs it,
``scipy.signal.sosfiltfilt`` runs it). NaN gaps split the series into runs that are filtered
separately; NaN stays NaN.
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.signal import sosfiltfilt

from analyzer.dsp import lowpass_sos, zero_lag_padlen
from analyzer.skeleton import N_LANDMARKS

#: Default cut-offs per landmark group, Hz of real time (METRICS.md §3.3 step 6, [EJ]).
TRUNK_CUTOFF_HZ = 6.0
LIMB_CUTOFF_HZ = 8.0
FEET_CUTOFF_HZ = 10.0
#: Feet get their own (higher) cut-off only at or above this frame rate (§3.3 step 6).
FEET_MIN_FS_HZ = 60.0
#: Cut-offs are capped at this fraction of the Nyquist frequency (§3.3 step 6).
MAX_FRACTION_NYQUIST = 0.4

#: Landmark groups (BlazePose indices): face + shoulders + hips = trunk/head.
TRUNK_LANDMARKS: tuple[int, ...] = (*range(0, 13), 23, 24)
#: Elbows, wrists, hand points, knees.
LIMB_LANDMARKS: tuple[int, ...] = (*range(13, 23), 25, 26)
#: Ankles, heels, toes.
FEET_LANDMARKS: tuple[int, ...] = tuple(range(27, 33))


def sampling_rate_hz(times_s: np.ndarray) -> float:
    """Median frame rate of ``times_s`` (seconds of real time), in Hz."""
    dt = np.diff(np.asarray(times_s, dtype=float))
    if dt.size == 0:
        return float("nan")
    return float(1.0 / np.median(dt))


def effective_cutoff_hz(
    cutoff_hz: float, fs_hz: float, *, max_fraction_nyquist: float = MAX_FRACTION_NYQUIST
) -> float:
    """The cut-off actually used: ``min(cutoff_hz, max_fraction_nyquist * fs_hz / 2)``."""
    if cutoff_hz <= 0 or fs_hz <= 0:
        raise ValueError(f"cutoff_hz and fs_hz must be > 0, got {cutoff_hz}, {fs_hz}.")
    return float(min(cutoff_hz, max_fraction_nyquist * fs_hz / 2.0))


def valid_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` half-open index ranges where the 1-D bool ``mask`` is True."""
    m = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(m.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _filtfilt_uniform(x: np.ndarray, cutoff_hz: float, fs_hz: float, order: int) -> np.ndarray:
    sos = lowpass_sos(cutoff_hz, fs_hz, order=order)
    return sosfiltfilt(sos, x, axis=0, padlen=zero_lag_padlen(sos, x.shape[0]))


def _filter_run(
    t: np.ndarray,
    x: np.ndarray,
    *,
    cutoff_hz: float,
    order: int,
    uniform_tol: float,
    max_fraction_nyquist: float,
) -> np.ndarray:
    """Filter one NaN-free run ``x`` (n, M) sampled at times ``t`` (n,)."""
    dt = np.diff(t)
    step = float(np.median(dt))
    uniform = bool(np.max(np.abs(dt / step - 1.0)) <= uniform_tol)
    if uniform:
        fs = 1.0 / step
        fc = effective_cutoff_hz(cutoff_hz, fs, max_fraction_nyquist=max_fraction_nyquist)
        return _filtfilt_uniform(x, fc, fs, order)
    n_grid = max(round((t[-1] - t[0]) / step) + 1, x.shape[0])
    grid = np.linspace(t[0], t[-1], n_grid)
    fs = (n_grid - 1) / (t[-1] - t[0])
    fc = effective_cutoff_hz(cutoff_hz, fs, max_fraction_nyquist=max_fraction_nyquist)
    y = _filtfilt_uniform(_natural_spline(t, x, grid), fc, fs, order)
    return _natural_spline(grid, y, t)


def _natural_spline(tk: np.ndarray, yk: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Natural cubic spline through ``(tk, yk)`` (along axis 0) evaluated at ``t``."""
    return np.asarray(CubicSpline(tk, yk, axis=0, bc_type="natural")(t))


def lowpass_filter(
    values: np.ndarray,
    times_s: np.ndarray,
    *,
    cutoff_hz: float,
    order: int = 2,
    max_fraction_nyquist: float = MAX_FRACTION_NYQUIST,
    uniform_tol: float = 0.01,
    min_run: int = 4,
) -> np.ndarray:
    """Zero-lag Butterworth low-pass of a (T, ...) series over its valid (non-NaN) runs.

    Parameters
    ----------
    values
        (T, ...) samples; NaN marks missing samples (each column is handled on its own runs).
    times_s
        (T,) strictly increasing sample times in seconds of real time.
    cutoff_hz
        -3 dB frequency of the dual-pass response in Hz of real time, capped at
        ``max_fraction_nyquist`` × Nyquist (METRICS.md §3.3 step 6).
    order
        Order of each pass (2: Winter's 4th-order-effective zero-lag filter).
    uniform_tol
        If any frame interval differs from the median by more than this fraction, the run
        is treated as variable frame rate and resampled to a uniform grid for filtering.
    min_run
        Runs shorter than this many samples are returned unfiltered.

    Returns
    -------
    Filtered copy (float64), NaN where ``values`` was NaN.
    """
    values = np.asarray(values, dtype=float)
    t = np.asarray(times_s, dtype=float)
    if values.shape[0] != t.shape[0]:
        raise ValueError(f"values has {values.shape[0]} samples but times_s has {t.shape[0]}.")
    flat = values.reshape(values.shape[0], -1)
    out = flat.copy()
    finite = np.isfinite(flat)
    patterns, inverse = np.unique(finite.T, axis=0, return_inverse=True)
    for p, pattern in enumerate(patterns):
        cols = np.flatnonzero(inverse.ravel() == p)
        for start, stop in valid_runs(pattern):
            if stop - start < min_run:
                continue
            out[start:stop, cols] = _filter_run(
                t[start:stop],
                flat[start:stop][:, cols],
                cutoff_hz=cutoff_hz,
                order=order,
                uniform_tol=uniform_tol,
                max_fraction_nyquist=max_fraction_nyquist,
            )
    return out.reshape(values.shape)


def group_cutoffs_hz(
    fs_hz: float,
    *,
    trunk_hz: float = TRUNK_CUTOFF_HZ,
    limb_hz: float = LIMB_CUTOFF_HZ,
    feet_hz: float = FEET_CUTOFF_HZ,
    feet_min_fs_hz: float = FEET_MIN_FS_HZ,
    max_fraction_nyquist: float = MAX_FRACTION_NYQUIST,
) -> dict[str, float]:
    """Cut-off per landmark group for a clip at ``fs_hz`` (METRICS.md §3.3 step 6).

    Trunk/head 6 Hz, limbs 8 Hz, feet 10 Hz only when ``fs_hz >= 60`` (else the limb
    cut-off), all capped at 0.4 × Nyquist (so 6 Hz at 30 fps).
    """
    feet = feet_hz if fs_hz >= feet_min_fs_hz else limb_hz
    return {
        name: effective_cutoff_hz(fc, fs_hz, max_fraction_nyquist=max_fraction_nyquist)
        for name, fc in (("trunk", trunk_hz), ("limbs", limb_hz), ("feet", feet))
    }


def landmark_cutoffs_hz(cutoffs: dict[str, float]) -> np.ndarray:
    """(33,) cut-off per BlazePose landmark from :func:`group_cutoffs_hz`'s groups."""
    out = np.empty(N_LANDMARKS)
    for name, idx in (
        ("trunk", TRUNK_LANDMARKS),
        ("limbs", LIMB_LANDMARKS),
        ("feet", FEET_LANDMARKS),
    ):
        out[list(idx)] = cutoffs[name]
    return out


def lowpass_landmarks(
    landmarks: np.ndarray,
    times_s: np.ndarray,
    *,
    cutoffs_hz: np.ndarray,
    order: int = 2,
    max_fraction_nyquist: float = MAX_FRACTION_NYQUIST,
) -> np.ndarray:
    """Low-pass (T, 33, D) landmarks with one cut-off per landmark (``cutoffs_hz``, (33,))."""
    out = np.asarray(landmarks, dtype=float).copy()
    for fc in np.unique(cutoffs_hz):
        idx = np.flatnonzero(cutoffs_hz == fc)
        out[:, idx] = lowpass_filter(
            out[:, idx],
            times_s,
            cutoff_hz=float(fc),
            order=order,
            max_fraction_nyquist=max_fraction_nyquist,
        )
    return out
