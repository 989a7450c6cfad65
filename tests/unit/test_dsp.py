"""analyzer.dsp against scipy (a test-only dependency) and against known answers."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer import dsp

signal = pytest.importorskip("scipy.signal")
interpolate = pytest.importorskip("scipy.interpolate")
optimize = pytest.importorskip("scipy.optimize")


@pytest.mark.parametrize("order", [1, 2, 4])
@pytest.mark.parametrize("wn", [0.05, 0.2, 0.6])
def test_butter_matches_scipy(order: int, wn: float) -> None:
    b, a = dsp.butter_lowpass(order, wn)
    b2, a2 = signal.butter(order, wn)
    np.testing.assert_allclose(b, b2, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(a, a2, rtol=1e-9, atol=1e-12)


def test_filtfilt_matches_scipy_multichannel() -> None:
    rng = np.random.default_rng(1)
    x = np.cumsum(rng.normal(size=(300, 4, 2)), axis=0)
    b, a = dsp.lowpass_coefficients(6.0, 60.0)
    np.testing.assert_allclose(dsp.filtfilt(b, a, x), signal.filtfilt(b, a, x, axis=0),
                               rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("fs_hz", [30.0, 120.0, 240.0])
def test_dual_pass_cutoff_is_minus_3db(fs_hz: float) -> None:
    """A sine at the cut-off comes out at 1/sqrt(2) amplitude with zero lag."""
    fc = 6.0
    t = np.arange(int(20 * fs_hz)) / fs_hz
    x = np.sin(2 * np.pi * fc * t)
    b, a = dsp.lowpass_coefficients(fc, fs_hz)
    y = dsp.filtfilt(b, a, x)
    mid = slice(len(t) // 4, 3 * len(t) // 4)
    gain = np.std(y[mid]) / np.std(x[mid])
    assert gain == pytest.approx(1 / np.sqrt(2), abs=0.02)
    lag = np.argmax(np.correlate(y[mid], x[mid], "full")) - (len(x[mid]) - 1)
    assert lag == 0


def test_find_peaks_matches_scipy() -> None:
    rng = np.random.default_rng(2)
    x = np.sin(np.linspace(0, 30, 500)) + 0.3 * rng.normal(size=500)
    for dist, prom in [(None, None), (10, None), (None, 0.5), (15, 0.8)]:
        ours = dsp.find_peaks(x, distance=dist, prominence=prom)
        theirs = signal.find_peaks(x, distance=dist, prominence=prom)[0]
        np.testing.assert_array_equal(ours, theirs)


def test_pchip_matches_scipy() -> None:
    xk = np.array([0.0, 1.0, 2.5, 3.0, 5.0, 6.0])
    yk = np.array([0.0, 2.0, 2.0, 1.0, 4.0, 4.5])
    x = np.linspace(0, 6, 97)
    np.testing.assert_allclose(dsp.pchip_interpolate(xk, yk, x),
                               interpolate.PchipInterpolator(xk, yk)(x), atol=1e-12)


@pytest.mark.parametrize("shape", [(2, 2), (3, 2), (2, 4), (5, 5)])
def test_assignment_is_optimal(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(3)
    cost = rng.uniform(size=shape)
    r, c = dsp.linear_sum_assignment(cost)
    r2, c2 = optimize.linear_sum_assignment(cost)
    assert cost[r, c].sum() == pytest.approx(cost[r2, c2].sum())
    assert len(r) == min(shape)


def test_median_filter_removes_spike_and_keeps_nan_gaps() -> None:
    x = np.ones(11)
    x[5] = 50.0
    x[8] = np.nan
    y = dsp.median_filter(x, window=3)
    assert y[5] == 1.0 and np.isfinite(y).all()
    assert np.isnan(dsp.median_filter(np.full(4, np.nan), window=3)).all()


def test_max_filter_detrend_periodogram() -> None:
    ndimage = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(4)
    x = rng.normal(size=50)
    for size in (3, 4, 7):
        np.testing.assert_allclose(dsp.max_filter(x, size=size),
                                   ndimage.maximum_filter1d(x, size=size, mode="nearest"))
    np.testing.assert_allclose(dsp.detrend(x + 0.3 * np.arange(50)), signal.detrend(x), atol=1e-9)
    t = np.arange(600) / 60.0
    f, p = dsp.periodogram(np.sin(2 * np.pi * 3.5 * t), fs_hz=60.0)
    assert f[np.argmax(p)] == pytest.approx(3.5, abs=0.1)


@pytest.mark.parametrize(("wn", "btype"), [(0.1, "high"), (0.03, "high"), ((0.05, 0.3), "band"),
                                           ((0.2, 0.45), "band")])
def test_butter_high_and_band_match_scipy(wn: float | tuple[float, float], btype: str) -> None:
    for order in (1, 2, 3):
        b, a = dsp.butter(order, wn, btype=btype)
        b2, a2 = signal.butter(order, wn, btype=btype)
        np.testing.assert_allclose(b, b2, rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(a, a2, rtol=1e-8, atol=1e-12)


def test_periodogram_matches_scipy_with_padding() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=301)
    for nfft in (None, 1024):
        f, p = dsp.periodogram(x, fs_hz=60.0, nfft=nfft)
        f2, p2 = signal.periodogram(x, fs=60.0, nfft=nfft)
        np.testing.assert_allclose(f, f2)
        np.testing.assert_allclose(p, p2, rtol=1e-9, atol=1e-14)
