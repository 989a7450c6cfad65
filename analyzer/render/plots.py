"""Plots of one analysis (matplotlib, Agg, no pyplot state).

Every function takes ``ax=None`` (a new figure is made when it is None) and returns the
:class:`~matplotlib.figure.Figure`; nothing is shown or saved here except by
:func:`figure_png`, which renders a figure to PNG bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analyzer.render.scene import PHASE_NAMES, band_limits, find_series
from analyzer.results import AnalysisResult, ContactEvent, MotionAnalysis, Phase

PHASE_COLOURS: dict[str, str] = {
    "ready": "#9e9e9e",
    "backpedal": "#42a5f5",
    "transition": "#ffa726",
    "sprint": "#66bb6a",
}
#: Foot colours, matching the skeleton drawn on the video (left orange, right blue).
FOOT_COLOURS: dict[str, str] = {"left": "#ff9f3c", "right": "#3c78ff"}
BAND_COLOUR = "#2e7d32"

#: (series group, title, y label) of the time-series plots in the report.
SERIES_PLOTS: dict[str, tuple[str, str]] = {
    "hip_height": ("Hip height", "hip height (× standing)"),
    "trunk_lean": ("Trunk lean", "trunk lean (°, + = forward)"),
    "knee_flexion": ("Knee bend", "knee flexion (°)"),
    "arm_swing": ("Arm swing", "upper arm to trunk (°)"),
}


def new_axes(figsize: tuple[float, float] = (6.4, 3.6)) -> Axes:
    """A fresh Agg figure with one axes (no pyplot global state)."""
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def figure_png(fig: Figure, *, dpi: int = 110) -> bytes:
    """Render ``fig`` to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def shade_phases(ax: Axes, phases: Sequence[Phase]) -> None:
    """Shade each phase's time span in its colour (one legend entry per phase kind)."""
    seen: set[str] = set()
    for p in phases:
        label = PHASE_NAMES.get(p.kind, p.kind) if p.kind not in seen else None
        seen.add(p.kind)
        ax.axvspan(
            p.start_s,
            p.end_s,
            color=PHASE_COLOURS.get(p.kind, "#bdbdbd"),
            alpha=0.15,
            lw=0,
            label=label,
        )


def mark_contacts(ax: Axes, events: Sequence[ContactEvent]) -> None:
    """Mark each foot touchdown: a thin line and a triangle at the bottom, coloured by foot."""
    for foot in ("left", "right"):
        times = [e.time_s for e in events if e.kind == "touchdown" and e.foot == foot]
        if not times:
            continue
        colour = FOOT_COLOURS[foot]
        for t in times:
            ax.axvline(t, color=colour, lw=0.8, alpha=0.35)
        ax.plot(
            times,
            np.zeros(len(times)),
            linestyle="none",
            marker="^",
            ms=7,
            color=colour,
            transform=ax.get_xaxis_transform(),
            clip_on=False,
            label=f"{foot} foot lands",
        )


def draw_band(ax: Axes, band: tuple[float | None, float | None]) -> None:
    """The target band: shaded when two-sided, a dashed line at the edge when one-sided."""
    lo, hi = band
    if lo is not None and hi is not None:
        ax.axhspan(lo, hi, color=BAND_COLOUR, alpha=0.12, lw=0, label="target band")
    for edge in (lo, hi):
        if edge is not None:
            ax.axhline(
                edge,
                color=BAND_COLOUR,
                lw=1,
                ls="--",
                alpha=0.8,
                label=None if (lo is not None and hi is not None) else "target",
            )


def plot_series(
    motion: MotionAnalysis,
    group: str,
    *,
    ax: Axes | None = None,
    band: tuple[float | None, float | None] = (None, None),
    title: str | None = None,
    ylabel: str | None = None,
) -> Figure:
    """One per-frame series over time with phases shaded and foot contacts marked.

    Parameters
    ----------
    motion
        The analysis; the series is looked up by ``group`` (see ``scene.SERIES_KEYS``).
    group
        ``"hip_height"``, ``"trunk_lean"``, ``"knee_flexion"`` or ``"arm_swing"``.
    band
        Target band ``(low, high)`` drawn behind the curve (either edge may be None).
    """
    ax = ax if ax is not None else new_axes()
    default_title, default_ylabel = SERIES_PLOTS.get(group, (group, group))
    ax.set_title(title or default_title, loc="left", fontsize=12, fontweight="bold")
    ax.set_xlabel("time (s)")
    ax.set_ylabel(ylabel or default_ylabel)
    times = motion.track.times_s
    found = find_series(motion, group)
    shade_phases(ax, motion.phases)
    draw_band(ax, band)
    if found is None or not np.any(np.isfinite(found[1])):
        ax.text(
            0.5,
            0.5,
            "not measured in this clip",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="#757575",
        )
    else:
        values = found[1][: times.size]
        ax.plot(times[: values.size], values, color="#212121", lw=1.6, label="measured")
    mark_contacts(ax, motion.events)
    if times.size:
        ax.set_xlim(float(times[0]), float(times[-1]))
    ax.grid(True, alpha=0.25)
    _legend(ax)
    return _figure(ax)


def plot_hip_height(motion: MotionAnalysis, *, ax: Axes | None = None, band=(None, None)):
    """Hip height (fraction of standing hip height, METRICS.md M1) over time."""
    return plot_series(motion, "hip_height", ax=ax, band=band)


def plot_trunk_lean(motion: MotionAnalysis, *, ax: Axes | None = None, band=(None, None)):
    """Trunk lean (degrees from vertical, forward positive, METRICS.md M4) over time."""
    return plot_series(motion, "trunk_lean", ax=ax, band=band)


def plot_knee_flexion(motion: MotionAnalysis, *, ax: Axes | None = None, band=(None, None)):
    """Knee flexion of the camera-side leg (degrees, METRICS.md M2) over time."""
    return plot_series(motion, "knee_flexion", ax=ax, band=band)


def plot_arm_swing(motion: MotionAnalysis, *, ax: Axes | None = None, band=(None, None)):
    """Upper-arm angle to the trunk (degrees, METRICS.md M10a) over time."""
    return plot_series(motion, "arm_swing", ax=ax, band=band)


def plot_step_lengths(
    motion: MotionAnalysis,
    *,
    ax: Axes | None = None,
    band: tuple[float | None, float | None] = (None, None),
) -> Figure:
    """Step length per step (leg lengths, METRICS.md M6a), bars coloured by foot.

    Steps outside the backpedal phase are drawn lighter; the dashed grey line is the median
    over backpedal steps.
    """
    ax = ax if ax is not None else new_axes()
    ax.set_title("Step length per step", loc="left", fontsize=12, fontweight="bold")
    ax.set_ylabel("step length (leg lengths)")
    ax.set_xlabel("step")
    steps = [s for s in motion.steps if s.length_leg_lengths is not None]
    draw_band(ax, band)
    if not steps:
        ax.text(
            0.5,
            0.5,
            "no step lengths in this clip",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="#757575",
        )
        _legend(ax)
        return _figure(ax)
    x = np.arange(1, len(steps) + 1)
    heights = [float(s.length_leg_lengths or 0.0) for s in steps]
    colours = [FOOT_COLOURS.get(s.foot, "#9e9e9e") for s in steps]
    alphas = [1.0 if s.phase == "backpedal" else 0.4 for s in steps]
    for xi, h, c, a in zip(x, heights, colours, alphas, strict=True):
        ax.bar(xi, h, color=c, alpha=a, width=0.7)
    for foot in ("left", "right"):
        if any(s.foot == foot for s in steps):
            ax.bar([np.nan], [np.nan], color=FOOT_COLOURS[foot], label=f"{foot} foot")
    back = [h for h, s in zip(heights, steps, strict=True) if s.phase == "backpedal"]
    if back:
        ax.axhline(
            float(np.median(back)), color="#616161", ls=":", lw=1.2, label="median (backpedal)"
        )
    ax.set_xticks(x, [f"{i}\n{s.foot[0].upper()}" for i, s in zip(x, steps, strict=True)])
    ax.set_xlim(0.4, len(steps) + 0.6)
    ax.set_ylim(0, max(max(heights), band[1] or 0.0) * 1.25)
    ax.grid(True, axis="y", alpha=0.25)
    _legend(ax)
    return _figure(ax)


def plot_step_times(
    motion: MotionAnalysis,
    *,
    flagged: Sequence[int] = (),
    limit_s: float | None = None,
    title: str = "Time of each step",
    ax: Axes | None = None,
) -> Figure:
    """Each backpedal step's time (touchdown to next touchdown), flagged steps in red.

    The evidence strip of the timing findings (slow feet, uneven rhythm): ``flagged`` are
    indices into the backpedal steps with a step time; ``limit_s`` is drawn dashed.
    """
    ax = ax if ax is not None else new_axes((6.4, 3.0))
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.set_ylabel("step time (s)")
    ax.set_xlabel("backpedal step")
    times = [float(s.step_time_s) for s in backpedal_steps(motion)]
    if not times:
        ax.text(0.5, 0.5, "no step times in this clip", transform=ax.transAxes, ha="center")
        return _figure(ax)
    x = np.arange(1, len(times) + 1)
    bad = set(int(i) for i in flagged)
    colours = ["#d32f2f" if i in bad else "#78909c" for i in range(len(times))]
    ax.bar(x, times, color=colours, width=0.7)
    ax.bar([np.nan], [np.nan], color="#d32f2f", label="flagged step")
    ax.bar([np.nan], [np.nan], color="#78909c", label="step")
    ax.axhline(float(np.median(times)), color="#424242", ls=":", lw=1.2, label="median")
    if limit_s is not None:
        ax.axhline(limit_s, color="#d32f2f", ls="--", lw=1.2, label="limit")
    ax.set_xticks(x)
    ax.set_ylim(0, max(max(times), limit_s or 0.0) * 1.25)
    ax.grid(True, axis="y", alpha=0.25)
    _legend(ax)
    return _figure(ax)


def backpedal_steps(motion: MotionAnalysis) -> list[Any]:
    """The backpedal steps that have a step time, in order."""
    return [s for s in motion.steps if s.phase == "backpedal" and s.step_time_s is not None]


def report_figures(result: AnalysisResult) -> dict[str, Figure]:
    """The report's plots keyed by name, each with the target band of a finding on it if any."""
    motion = result.motion
    figs: dict[str, Figure] = {}
    for group in ("hip_height", "trunk_lean", "knee_flexion"):
        figs[group] = plot_series(motion, group, band=_band_for(result, group))
    figs["step_length"] = plot_step_lengths(motion, band=_band_for(result, "step_length"))
    figs["arm_swing"] = plot_series(motion, "arm_swing", band=(None, None))
    return figs


def _band_for(result: AnalysisResult, group: str) -> tuple[float | None, float | None]:
    """The band of the first finding whose metric belongs to ``group`` (e.g. knee_flexion_deg)."""
    if result.faults is None:
        return None, None
    for f in result.faults.findings:
        if f.metric.startswith(group) or f.metric.startswith(group.replace("_", "")):
            return band_limits(f.band)
    return None, None


def _figure(ax: Axes) -> Figure:
    fig = ax.get_figure(root=True)
    assert fig is not None
    return fig


def _legend(ax: Axes, **kwargs: Any) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(
            handles,
            labels,
            fontsize=10,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.22),
            ncol=3,
            frameon=False,
            **kwargs,
        )
    ax.tick_params(labelsize=10)
