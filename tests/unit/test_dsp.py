"""The project's filter conventions on top of scipy (analyzer.dsp).

scipy does the signal processing; these tests check what the wrappers add: a cut-off in Hz
of real time that is the -3 dB point of the *dual-pass* response, the cap below Nyquist and
the shortened padding for short runs.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from analyzer import dsp


@pytest.mark.parametrize("fs_hz", [30.0, 120.0, 240.0])
def test_dual_pass_cutoff_is_minus_3db_with_zero_lag(fs_hz: float) -> None:
    """A sine at the cut-off comes out of sosfiltfilt at 1/sqrt(2) amplitude, no lag."""
    fc = 6.0
    t = np.arange(int(20 * fs_hz)) / fs_hz
    x = np.sin(2 * np.pi * fc * t)
    y = signal.sosfiltfilt(dsp.lowpass_sos(fc, fs_hz), x)
    mid = slice(len(t) // 4, 3 * len(t) // 4)
    assert np.std(y[mid]) / np.std(x[mid]) == pytest.approx(1 / np.sqrt(2), abs=0.02)
    lag = np.argmax(np.correlate(y[mid], x[mid], "full")) - (len(x[mid]) - 1)
    assert lag == 0


@pytest.mark.parametrize(("fc", "fs_hz"), [(6.0, 30.0), (6.0, 60.0), (10.0, 240.0)])
def test_dual_pass_response_is_exact_at_the_cutoff(fc: float, fs_hz: float) -> None:
    """|H(fc)|^2 of one pass is 1/sqrt(2) exactly, at any frame rate (not only fc << fs)."""
    _, h = signal.sosfreqz(dsp.lowpass_sos(fc, fs_hz), worN=[fc], fs=fs_hz)
    assert abs(h[0]) ** 2 == pytest.approx(1 / np.sqrt(2), rel=1e-9)
    # the single-pass design puts -3 dB of one pass at fc instead
    _, h1 = signal.sosfreqz(dsp.lowpass_sos(fc, fs_hz, dual_pass=False), worN=[fc], fs=fs_hz)
    assert abs(h1[0]) == pytest.approx(1 / np.sqrt(2), rel=1e-9)


def test_dual_pass_wn_tends_to_winter_and_refuses_nyquist() -> None:
    assert dsp.dual_pass_wn(5.0, 1000.0) == pytest.approx((5.0 / 0.802) / 500.0, rel=2e-3)
    with pytest.raises(ValueError, match="Nyquist"):
        dsp.dual_pass_wn(16.0, 30.0)


def test_design_cutoff_is_capped_below_nyquist() -> None:
    """14.9 Hz at 30 fps is 0.993 of Nyquist: the design is capped at 0.99, still stable."""
    sos = dsp.lowpass_sos(14.9, 30.0, dual_pass=False)
    np.testing.assert_allclose(sos, signal.butter(2, dsp.MAX_DESIGN_WN, output="sos"))


def test_padding_shrinks_for_short_runs() -> None:
    sos = dsp.lowpass_sos(6.0, 60.0)
    assert dsp.zero_lag_padlen(sos, 500) == 9  # scipy's default for one section
    assert dsp.zero_lag_padlen(sos, 5) == 4
    y = signal.sosfiltfilt(sos, np.ones(5), padlen=dsp.zero_lag_padlen(sos, 5))
    np.testing.assert_allclose(y, 1.0)  # a constant passes unchanged
