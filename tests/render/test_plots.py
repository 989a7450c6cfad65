"""Plots: ax=None makes a figure, phases shaded, contacts marked, bands drawn, no pyplot state."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from analyzer.render.plots import (
    figure_png,
    new_axes,
    plot_arm_swing,
    plot_hip_height,
    plot_knee_flexion,
    plot_series,
    plot_step_lengths,
    plot_trunk_lean,
    report_figures,
)
from tests.render.factories import make_result


@pytest.fixture(scope="module")
def result():
    return make_result()


@pytest.mark.parametrize(
    "fn", [plot_hip_height, plot_trunk_lean, plot_knee_flexion, plot_arm_swing, plot_step_lengths]
)
def test_plot_functions_make_a_figure_or_use_the_given_axes(result, fn):
    fig = fn(result.motion)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = new_axes()
    assert fn(result.motion, ax=ax) is ax.figure
    assert figure_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"


def test_no_pyplot_figures_are_left_open(result):
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    figs = report_figures(result)
    assert set(plt.get_fignums()) == before
    # drawn on their own Agg canvases, whatever pyplot's backend is
    assert figs and all(type(f.canvas) is FigureCanvasAgg for f in figs.values())


def test_series_plot_shades_each_phase_and_marks_each_touchdown(result):
    motion = result.motion
    fig = plot_series(motion, "knee_flexion", band=(45.0, 75.0))
    ax = fig.axes[0]
    spans = [p for p in ax.patches if isinstance(p, Rectangle) or hasattr(p, "get_xy")]
    # one shaded span per phase plus the band
    assert len(ax.patches) >= len(motion.phases) + 1
    line = next(ln for ln in ax.lines if ln.get_label() == "measured")
    np.testing.assert_allclose(line.get_ydata(), motion.series["knee_flexion_deg"])
    n_td = sum(1 for e in motion.events if e.kind == "touchdown")
    markers = [ln for ln in ax.lines if ln.get_marker() == "^"]
    assert sum(len(ln.get_xdata()) for ln in markers) == n_td
    labels = {t.get_text() for t in ax.get_legend().get_texts()}
    assert {"backpedal", "transition", "target band", "left foot lands"} <= labels
    assert spans


def test_missing_series_says_so(result):
    motion = result.motion
    saved = dict(motion.series)
    try:
        motion.series.pop("arm_angle_deg")
        fig = plot_arm_swing(motion)
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert "not measured in this clip" in texts
    finally:
        motion.series.clear()
        motion.series.update(saved)


def test_step_length_bars_one_per_step_coloured_by_foot(result):
    fig = plot_step_lengths(result.motion, band=(None, 0.9))
    ax = fig.axes[0]
    bars = [p for p in ax.patches if np.isfinite(p.get_height())]
    assert [round(b.get_height(), 3) for b in bars] == [
        round(s.length_leg_lengths, 3) for s in result.motion.steps
    ]
    colours = {tuple(np.round(b.get_facecolor()[:3], 2)) for b in bars}
    assert len(colours) == 2
    assert any(ln.get_linestyle() == "--" and ln.get_ydata()[0] == 0.9 for ln in ax.lines)


def test_report_figures_use_the_findings_band(result):
    figs = report_figures(result)
    assert set(figs) == {"hip_height", "trunk_lean", "knee_flexion", "step_length", "arm_swing"}
    ax = figs["knee_flexion"].axes[0]
    edges = sorted(ln.get_ydata()[0] for ln in ax.lines if ln.get_linestyle() == "--")
    assert edges == [45.0, 75.0]
