"""The project's filter conventions on top of ``scipy.signal``.

The signal processing itself is scipy's (Butterworth design ``scipy.signal.butter``, zero-lag
filtering ``sosfiltfilt``, ``find_peaks``, ``periodogram``, ``detrend``; PCHIP and cubic
splines from ``scipy.interpolate``; running maxima and medians from ``scipy.ndimage``);
callers use those directly. What stays here is what scipy does not know:

* the cut-off is given in Hz of real time (``cutoff_hz``, ``fs_hz``), not as a fraction of
  the Nyquist frequency;
* the cut-off is the -3 dB point of the *dual-pass* (forward-backward) response: the design
  frequency is raised by the exact form of Winter's correction (Winter 2009, *Biomechanics
  and Motor Control of Human Movement*, 4th ed., §3.4.4.3; METRICS.md §3.3 step 6);
* the design cut-off is capped just below Nyquist.

NaN runs and variable frame rates are handled one level up, in
:func:`analyzer.processing.filtering.lowpass_filter`.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

#: Highest design cut-off as a fraction of the Nyquist frequency (``butter`` needs < 1).
MAX_DESIGN_WN = 0.99


def dual_pass_wn(cutoff_hz: float, fs_hz: float, *, order: int = 2) -> float:
    """Normalised design cut-off (0..1 of Nyquist) so that the forward-backward filter is
    -3 dB at ``cutoff_hz``.

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


def lowpass_sos(
    cutoff_hz: float, fs_hz: float, *, order: int = 2, dual_pass: bool = True
) -> np.ndarray:
    """Butterworth low-pass (second-order sections) for ``cutoff_hz`` at ``fs_hz``.

    With ``dual_pass`` (the default, for ``scipy.signal.sosfiltfilt``) the design cut-off is
    :func:`dual_pass_wn`, so the zero-lag filter has its -3 dB point at ``cutoff_hz``;
    without it, ``cutoff_hz`` is the -3 dB point of one pass. The normalised design cut-off
    is capped at :data:`MAX_DESIGN_WN` of Nyquist.
    """
    wn = dual_pass_wn(cutoff_hz, fs_hz, order=order) if dual_pass else 2.0 * cutoff_hz / fs_hz
    return signal.butter(order, min(wn, MAX_DESIGN_WN), btype="low", output="sos")


def default_padlen(sos: np.ndarray) -> int:
    """``scipy.signal.sosfiltfilt``'s default odd-extension length (3 x the filter's taps);
    a series must be longer than this to be filtered with the default padding."""
    taps = 2 * len(sos) + 1 - min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    return 3 * taps


def zero_lag_padlen(sos: np.ndarray, n_samples: int) -> int:
    """Odd-extension length for ``sosfiltfilt`` on a series of ``n_samples``: scipy's default
    (:func:`default_padlen`), shortened to ``n_samples - 1`` so short runs still filter."""
    return max(0, min(default_padlen(sos), n_samples - 1))
