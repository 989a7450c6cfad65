"""Interpolation conventions: gap filling never overshoots its neighbours (PCHIP), two knots
give a straight line, and variable-frame-rate filtering reproduces a band-limited signal."""

from __future__ import annotations

import numpy as np

from analyzer.processing.filtering import lowpass_filter
from analyzer.processing.gaps import fill_gaps


def test_gap_fill_stays_within_its_neighbours() -> None:
    t = np.arange(8) / 60.0
    x = np.array([0.0, 0.0, 0.0, np.nan, np.nan, 1.0, 1.0, 1.0])
    filled, was = fill_gaps(x, t, max_gap_s=0.05)
    assert was.tolist() == [False] * 3 + [True] * 2 + [False] * 3
    assert 0.0 < filled[3] < filled[4] < 1.0


def test_two_knots_are_a_straight_line() -> None:
    t = np.arange(3) / 60.0
    filled, _ = fill_gaps(np.array([1.0, np.nan, 3.0]), t)
    assert filled[1] == 2.0


def test_variable_frame_rate_resampling_keeps_a_slow_sine() -> None:
    """6 Hz at ~120 fps with +-50 % timing jitter: the natural spline to the grid and back
    plus a 20 Hz low-pass leave it within 1 % inside the run."""
    rng = np.random.default_rng(1)
    t = np.cumsum(rng.uniform(0.5, 1.5, 1200)) / 120.0
    x = np.sin(2 * np.pi * 6 * t)
    y = lowpass_filter(x, t, cutoff_hz=20.0)
    np.testing.assert_allclose(y[100:-100], x[100:-100], atol=0.01)
