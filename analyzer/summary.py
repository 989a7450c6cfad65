"""The one-screen text summary printed at the end of ``backpedal analyze``."""

from __future__ import annotations

from pathlib import Path

from analyzer.results import AnalysisResult

_SEVERITY_ORDER = {"major": 0, "moderate": 1, "minor": 2}


def _fmt_score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}/100"


def not_analysable(result: AnalysisResult) -> bool:
    """True when the verdict is "could not analyse this clip" (the CLI then exits 1)."""
    v = result.faults.verdict if result.faults is not None else None
    return v is not None and v.status == "not_analysable"


def _band(result: AnalysisResult) -> str:
    """``", needs work"``: the overall score's band, as the report says it."""
    faults = result.faults
    if faults is None or faults.scores.overall is None or not faults.scores.bands:
        return ""
    b, x = faults.scores.bands, faults.scores.overall
    word = "good" if x >= b["good_from"] else ("fair" if x >= b["fair_from"] else "needs work")
    return f", {word}"


def _verdict_lines(result: AnalysisResult) -> list[str]:
    v = result.faults.verdict if result.faults is not None else None
    if v is None:
        return []
    lines = [f"{v.headline}."]
    lines += [f"  Why: {r}" for r in v.reasons]
    lines += [f"  What to do: {a}" for a in v.actions]
    return lines


def summary_lines(
    result: AnalysisResult, written: dict[str, Path], *, max_findings: int = 3
) -> list[str]:
    """Lines summarising the verdict: overall score, top faults, where the report is.

    A clip that could not be analysed gets its reasons and what to do instead of scores.
    """
    motion = result.motion
    lines = [
        f"View: {motion.view.view} (confidence {motion.view.confidence:.2f}), "
        f"{motion.track.n_frames} frames at {motion.track.fps:.0f} fps, "
        f"{motion.n_reps} rep(s)",
    ]
    faults = result.faults
    if faults is not None and not_analysable(result):
        lines += _verdict_lines(result)
    elif faults is not None:
        cats = ", ".join(
            f"{name} {_fmt_score(score)}" for name, score in faults.scores.categories.items()
        )
        band = _band(result)
        lines.append(f"Overall score: {_fmt_score(faults.scores.overall)}{band} ({cats})")
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
        if faults.verdict is not None:
            lines += [f"Tip: {h}" for h in faults.verdict.hints]
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
