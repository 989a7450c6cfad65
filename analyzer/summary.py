"""The one-screen text summary printed at the end of ``backpedal analyze``."""

from __future__ import annotations

from pathlib import Path

from analyzer.results import AnalysisResult

_SEVERITY_ORDER = {"major": 0, "moderate": 1, "minor": 2}


def _fmt_score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}/100"


def summary_lines(
    result: AnalysisResult, written: dict[str, Path], *, max_findings: int = 3
) -> list[str]:
    """Lines summarising the verdict: overall score, top faults, where the report is."""
    motion = result.motion
    lines = [
        f"View: {motion.view.view} (confidence {motion.view.confidence:.2f}), "
        f"{motion.track.n_frames} frames at {motion.track.fps:.0f} fps, "
        f"{motion.n_reps} rep(s)",
    ]
    faults = result.faults
    if faults is not None:
        cats = ", ".join(
            f"{name} {_fmt_score(score)}" for name, score in faults.scores.categories.items()
        )
        lines.append(f"Overall score: {_fmt_score(faults.scores.overall)}  ({cats})")
        ranked = sorted(
            faults.findings, key=lambda f: (_SEVERITY_ORDER.get(f.severity, 9), -f.confidence)
        )
        if ranked:
            lines.append("Top faults:")
            for f in ranked[:max_findings]:
                lines.append(f"  - {f.title} [{f.severity}]: {f.cue}")
            if len(ranked) > max_findings:
                lines.append(f"  ... and {len(ranked) - max_findings} more in the report")
        else:
            lines.append("No faults found in what this view can assess.")
        if faults.not_assessable:
            lines.append(
                f"Not assessable from this clip: {len(faults.not_assessable)} item(s) "
                "(see the report for how to film them)."
            )
    for w in (result.warnings + motion.warnings)[:3]:
        lines.append(f"Warning: {w}")
    if "report" in written:
        lines.append(f"Report: {written['report']}")
    elif written:
        lines.append(f"Results in: {next(iter(written.values())).parent}")
    return lines
