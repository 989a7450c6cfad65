"""Quality mask (visibility, segment length, speed, spikes) and short-gap filling."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.processing.gaps import fill_gaps
from analyzer.processing.geometry import leg_length_px
from analyzer.processing.outliers import (
    low_visibility,
    segment_length_outliers,
    speed_outliers,
    spike_outliers,
)
from analyzer.skeleton import LEFT_ANKLE, LEFT_HIP, LEFT_KNEE, LEFT_WRIST, NOSE
from tests.processing.synth import figure_xy


@pytest.mark.parametrize(
    ("fps", "missing", "filled"),
    [(30, 3, True), (30, 4, False), (120, 14, True), (120, 15, False), (240, 28, True)],
)
def test_gap_limit_is_in_seconds(fps: float, missing: int, filled: bool) -> None:
    t = np.arange(0, 2, 1 / fps)
    x = np.sin(2 * np.pi * 0.7 * t)
    x[30 : 30 + missing] = np.nan
    y, was = fill_gaps(x, t, max_gap_s=0.12)
    assert bool(np.all(np.isfinite(y[30 : 30 + missing]))) is filled
    assert int(was.sum()) == (missing if filled else 0)
    if filled:  # PCHIP on a smooth signal (shape-preserving, so not exact near the peak)
        np.testing.assert_allclose(
            y[30 : 30 + missing], np.sin(2 * np.pi * 0.7 * t[30 : 30 + missing]), atol=0.03
        )


def test_gap_limit_with_variable_frame_rate_and_edges() -> None:
    t = np.array([0.0, 0.033, 0.066, 0.2, 0.233, 0.266, 0.3, 0.5, 0.533, 0.566])
    x = np.arange(10.0)[:, None] * np.array([1.0, 2.0])
    x[[3, 4, 5]] = np.nan  # hole 0.066 -> 0.3: 0.234 - 0.033 = 0.2 s > 0.12: stays
    x[0] = np.nan  # leading NaN stays
    x[8] = np.nan  # hole 0.5 -> 0.566: 0.033 s: filled
    y, _ = fill_gaps(x, t, max_gap_s=0.12, method="linear")
    assert np.isnan(y[0]).all() and np.isnan(y[3:6]).all()
    np.testing.assert_allclose(y[8], [8.0, 16.0], atol=0.05)


def _walker(fps: float = 60.0) -> tuple[np.ndarray, np.ndarray, float]:
    t = np.arange(0, 3, 1 / fps)
    xy = figure_xy(t)
    return t, xy, leg_length_px(xy)


def test_low_visibility_rule_is_a_parameter() -> None:
    vis = np.array([[0.2, 0.6]])
    assert low_visibility(vis).tolist() == [[True, False]]
    assert low_visibility(vis, min_visibility=None).tolist() == [[False, False]]


def test_segment_length_blames_the_right_point() -> None:
    _, xy, L = _walker()
    bad = xy.copy()
    bad[10, LEFT_KNEE] += [0.3 * L, 0]  # both thigh and shank wrong -> knee
    bad[20, LEFT_ANKLE] += [0, 0.3 * L]  # only the shank -> ankle
    bad[30, LEFT_HIP] += [0, -0.3 * L]  # only the thigh -> hip
    mask = segment_length_outliers(bad)
    assert mask[10, LEFT_KNEE] and not mask[10, LEFT_HIP] and not mask[10, LEFT_ANKLE]
    assert mask[20, LEFT_ANKLE] and not mask[20, LEFT_KNEE]
    assert mask[30, LEFT_HIP] and not mask[30, LEFT_KNEE]
    assert mask.sum() == 3  # nothing on the clean frames
    assert not segment_length_outliers(bad, tolerance=None).any()


def test_speed_check_rejects_spikes_not_fast_motion() -> None:
    t, xy, L = _walker(30.0)
    bad = xy.copy()
    bad[40, NOSE] += [0.6 * L, 0]  # 0.6 L in 1/30 s = 18 L/s out and back: trunk limit 15
    bad[50, LEFT_WRIST] += [0.6 * L, 0]  # 18 L/s: below the 40 L/s extremity limit
    bad[60, LEFT_WRIST] += [1.6 * L, 0]  # 48 L/s: above
    mask = speed_outliers(bad, t, scale_px=L)
    assert mask[40, NOSE] and mask[60, LEFT_WRIST] and not mask[50, LEFT_WRIST]
    assert mask.sum() == 2  # the walker's own motion never trips it
    step = xy.copy()
    step[45:, NOSE] += [2 * L, 0]  # a single jump: ambiguous, left alone
    assert not speed_outliers(step, t, scale_px=L)[:, NOSE].any()
    edge = xy.copy()  # a glitch on the last frame before a gap, and on the first after it
    edge[60:70, NOSE] = np.nan
    edge[59, NOSE] += [L, 0]
    edge[70, NOSE] += [0, L]
    mask = speed_outliers(edge, t, scale_px=L)
    assert mask[59, NOSE] and mask[70, NOSE] and mask[:, NOSE].sum() == 2


@pytest.mark.parametrize("fps", [30.0, 60.0, 240.0])
def test_spike_filter_removes_one_and_two_frame_spikes_only(fps: float) -> None:
    _, xy, L = _walker(fps)
    assert not spike_outliers(xy, scale_px=L).any()  # peaks of real motion untouched
    bad = xy.copy()
    bad[40, LEFT_ANKLE] += [0.2 * L, 0.1 * L]
    bad[80:82, LEFT_WRIST] += [0.0, 0.3 * L]
    mask = spike_outliers(bad, scale_px=L)
    assert mask[40, LEFT_ANKLE] and mask[80, LEFT_WRIST] and mask[81, LEFT_WRIST]
    assert mask.sum() == 3
