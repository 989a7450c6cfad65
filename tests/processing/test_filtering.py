"""Zero-lag low-pass: -3 dB at the requested cut-off in Hz of real time, no phase shift."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.dsp import dual_pass_wn
from analyzer.processing.filtering import (
    effective_cutoff_hz,
    group_cutoffs_hz,
    landmark_cutoffs_hz,
    lowpass_filter,
    valid_runs,
)


def _gain_and_phase(t: np.ndarray, y: np.ndarray, f_hz: float) -> tuple[float, float]:
    """Amplitude and phase (deg) of the f_hz component of y, fitted on the middle half."""
    m = slice(t.size // 4, 3 * t.size // 4)
    basis = np.c_[np.sin(2 * np.pi * f_hz * t[m]), np.cos(2 * np.pi * f_hz * t[m])]
    a, b = np.linalg.lstsq(basis, y[m], rcond=None)[0]
    return float(np.hypot(a, b)), float(np.degrees(np.arctan2(b, a)))


def _times(fs: float, kind: str, seconds: float = 20.0) -> np.ndarray:
    if kind == "uniform":
        return np.arange(0.0, seconds, 1.0 / fs)
    rng = np.random.default_rng(7)  # variable frame rate: intervals 0.5-1.5 x nominal
    return np.cumsum(rng.uniform(0.5, 1.5, int(seconds * fs))) / fs


@pytest.mark.parametrize(
    ("fs", "kind", "fc"),
    [
        (30.0, "uniform", 5.0),
        (30.0, "uniform", 6.0),
        (120.0, "uniform", 6.0),
        (240.0, "uniform", 10.0),
        (60.0, "vfr", 6.0),
        (240.0, "vfr", 8.0),
    ],
)
def test_minus_3db_at_cutoff_in_real_hz_and_zero_phase(fs: float, kind: str, fc: float) -> None:
    t = _times(fs, kind)
    gain, phase = _gain_and_phase(
        t, lowpass_filter(np.sin(2 * np.pi * fc * t), t, cutoff_hz=fc), fc
    )
    assert gain == pytest.approx(1 / np.sqrt(2), abs=0.01)
    assert abs(phase) < 0.5
    # pass- and stopband follow the dual-pass Butterworth response |H|^2 of one pass
    wn = dual_pass_wn(effective_cutoff_hz(fc, fs), fs)
    for f in (fc / 4, 2 * fc):
        if f < 0.45 * fs:
            expected = 1 / (1 + (np.tan(np.pi * f / fs) / np.tan(np.pi * wn / 2)) ** 4)
            got, _ = _gain_and_phase(
                t, lowpass_filter(np.sin(2 * np.pi * f * t), t, cutoff_hz=fc), f
            )
            assert got == pytest.approx(expected, abs=0.005)


def test_same_physical_cutoff_for_slow_motion_times() -> None:
    """A 240 fps capture played at 30 fps: with capture-time stamps the filter acts at 6 Hz."""
    t_capture = np.arange(2400) / 240.0
    x = np.sin(2 * np.pi * 6.0 * t_capture)
    gain, _ = _gain_and_phase(t_capture, lowpass_filter(x, t_capture, cutoff_hz=6.0), 6.0)
    assert gain == pytest.approx(0.7071, abs=0.01)


def test_pulse_peak_does_not_move() -> None:
    t = np.arange(0, 4, 1 / 60)
    x = np.exp(-(((t - 2.0) / 0.08) ** 2))
    y = lowpass_filter(x, t, cutoff_hz=6.0)
    assert np.argmax(y) == np.argmax(x)
    # symmetric input stays symmetric: no lag
    k = np.argmax(x)
    np.testing.assert_allclose(y[k - 20 : k], y[k + 20 : k : -1], atol=1e-9)


def test_cutoff_capped_at_0p4_nyquist() -> None:
    assert effective_cutoff_hz(10.0, 30.0) == pytest.approx(6.0)
    t = np.arange(0, 20, 1 / 30)
    gain, _ = _gain_and_phase(t, lowpass_filter(np.sin(2 * np.pi * 6 * t), t, cutoff_hz=10.0), 6.0)
    assert gain == pytest.approx(0.7071, abs=0.01)


def test_dual_pass_wn_tends_to_winter_formula() -> None:
    # Winter: Wn = (fc / 0.802) / (fs / 2) for fc << fs
    assert dual_pass_wn(5.0, 1000.0) == pytest.approx((5.0 / 0.802) / 500.0, rel=2e-3)


def test_group_cutoffs_follow_metrics_3_3() -> None:
    assert group_cutoffs_hz(30.0) == {"trunk": 6.0, "limbs": 6.0, "feet": 6.0}
    assert group_cutoffs_hz(50.0) == {"trunk": 6.0, "limbs": 8.0, "feet": 8.0}
    assert group_cutoffs_hz(60.0) == {"trunk": 6.0, "limbs": 8.0, "feet": 10.0}
    assert group_cutoffs_hz(240.0) == {"trunk": 6.0, "limbs": 8.0, "feet": 10.0}
    per = landmark_cutoffs_hz(group_cutoffs_hz(120.0))
    assert per[0] == 6.0 and per[23] == 6.0 and per[25] == 8.0 and per[15] == 8.0
    assert per[27] == 10.0 and per[31] == 10.0


def test_nan_runs_filtered_separately_and_stay_nan() -> None:
    t = np.arange(0, 6, 1 / 60)
    x = np.sin(2 * np.pi * 1.0 * t)[:, None].repeat(2, axis=1)
    x[150:170, 0] = np.nan
    y = lowpass_filter(x, t, cutoff_hz=6.0)
    assert np.all(np.isnan(y[150:170, 0])) and np.all(np.isfinite(y[:150, 0]))
    # a 1 Hz sine passes essentially unchanged on both sides of the gap
    np.testing.assert_allclose(y[:150, 0], x[:150, 0], atol=0.02)
    np.testing.assert_allclose(y[170:, 0], x[170:, 0], atol=0.02)
    assert valid_runs(np.isfinite(x[:, 0])) == [(0, 150), (170, 360)]
