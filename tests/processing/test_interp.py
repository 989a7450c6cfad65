"""numpy interpolation kernels against scipy (a test-only dependency) and known answers."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.dsp import pchip_interpolate as pchip
from analyzer.processing.interp import cubic_spline


def _knots() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    tk = np.cumsum(rng.uniform(0.5, 1.5, 40))
    yk = np.c_[np.sin(tk), rng.normal(size=40)]
    return tk, yk, np.linspace(tk[0], tk[-1], 500)


def test_pchip_matches_scipy_and_does_not_overshoot() -> None:
    interpolate = pytest.importorskip("scipy.interpolate")
    tk, yk, q = _knots()
    got = pchip(tk, yk, q)
    np.testing.assert_allclose(got, interpolate.PchipInterpolator(tk, yk, axis=0)(q), atol=1e-12)
    step = pchip(np.arange(4.0), np.array([0.0, 0.0, 1.0, 1.0]), np.linspace(0, 3, 31))
    assert step.min() >= 0.0 and step.max() <= 1.0


def test_natural_cubic_spline_matches_scipy_and_reproduces_a_sine() -> None:
    interpolate = pytest.importorskip("scipy.interpolate")
    tk, yk, q = _knots()
    want = interpolate.CubicSpline(tk, yk, axis=0, bc_type="natural")(q)
    np.testing.assert_allclose(cubic_spline(tk, yk, q), want, atol=1e-10)
    # 6 Hz sine at ~60 fps with +-50 % timing jitter: reproduced well inside the run
    rng = np.random.default_rng(1)
    t = np.cumsum(rng.uniform(0.5, 1.5, 300)) / 60.0
    grid = np.linspace(t[10], t[-10], 1000)
    err = cubic_spline(t, np.sin(2 * np.pi * 6 * t), grid) - np.sin(2 * np.pi * 6 * grid)
    assert np.max(np.abs(err)) < 0.005


def test_two_knots_are_a_straight_line() -> None:
    np.testing.assert_allclose(cubic_spline([0.0, 2.0], [1.0, 3.0], [0.5, 1.0]), [1.5, 2.0])
    np.testing.assert_allclose(pchip([0.0, 2.0], [1.0, 3.0], [0.5, 1.0]), [1.5, 2.0])
