"""CSV exports of one analysis: ``steps.csv`` (one row per step) and ``metrics.csv``.

Plain ``csv`` module, UTF-8, a header row, empty cells for missing values, floats written
with enough digits to round-trip to the precision the analysis has.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

from analyzer.results import AnalysisResult, MotionAnalysis

STEP_COLUMNS: tuple[str, ...] = (
    "index",
    "foot",
    "phase",
    "touchdown_frame",
    "touchdown_time_s",
    "toe_off_frame",
    "step_time_s",
    "length_leg_lengths",
    "length_m",
    "reach_leg_lengths",
)
METRIC_COLUMNS: tuple[str, ...] = (
    "key",
    "value",
    "unit",
    "phase",
    "assessable",
    "confidence",
    "support",
    "score",
    "n_steps",
    "reason",
)


def step_rows(motion: MotionAnalysis) -> list[dict[str, Any]]:
    """One dict per step with the :data:`STEP_COLUMNS`."""
    return [{c: getattr(s, c) for c in STEP_COLUMNS} for s in motion.steps]


def metric_rows(result: AnalysisResult) -> list[dict[str, Any]]:
    """One dict per metric (overall, then per rep with ``key`` suffixed ``@rep<N>``)."""
    scores = result.faults.scores.metrics if result.faults else {}
    rows = []
    sets = [("", result.motion.metrics)]
    sets += [(f"@rep{i + 1}", m) for i, m in enumerate(result.motion.rep_metrics)]
    for suffix, metrics in sets:
        for key, m in metrics.items():
            rows.append(
                {
                    "key": key + suffix,
                    "value": m.value,
                    "unit": m.unit,
                    "phase": m.phase,
                    "assessable": m.assessable,
                    "confidence": m.confidence if m.assessable else "",
                    "support": m.support,
                    "score": scores.get(key) if not suffix else None,
                    "n_steps": len(m.per_step) if m.per_step else None,
                    "reason": m.reason,
                }
            )
    return rows


def write_steps_csv(motion: MotionAnalysis, path: str | Path) -> Path:
    """Write ``steps.csv`` and return its path."""
    return _write(path, STEP_COLUMNS, step_rows(motion))


def write_metrics_csv(result: AnalysisResult, path: str | Path) -> Path:
    """Write ``metrics.csv`` and return its path."""
    return _write(path, METRIC_COLUMNS, metric_rows(result))


def export_csv(result: AnalysisResult, out_dir: str | Path) -> dict[str, Path]:
    """Write ``steps.csv`` and ``metrics.csv`` into ``out_dir``; returns their paths by name."""
    out_dir = Path(out_dir)
    return {
        "steps.csv": write_steps_csv(result.motion, out_dir / "steps.csv"),
        "metrics.csv": write_metrics_csv(result, out_dir / "metrics.csv"),
    }


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "" if not math.isfinite(v) else f"{v:.6g}"
    return str(v)


def _write(path: str | Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    return path
