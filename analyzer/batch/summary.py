"""``summary.csv``: one row per clip and rep of a team batch (and one per failed or skipped file).

Columns, in order:

- ``athlete``, ``date`` (YYYY-MM-DD or empty), ``clip`` (path in the batch folder), ``rep``
  (1-based; empty for a clip that was not scored), ``status`` (``ok``, ``failed``,
  ``pending``: interrupted, ``skipped``: not a video), ``error`` and ``hint`` (why it failed,
  how to fix it), ``attempts``, ``view``, ``reps`` (reps in the clip), ``report`` (path of
  the clip's report.html relative to the summary);
- ``overall_score`` and ``<category>_score`` (0-100; the rep's own scores when the clip has
  several reps, else the clip's);
- ``fault:<id>`` for each fault of the profiles used: its severity (``minor``,
  ``moderate``, ``major``), empty when not found, ``not assessable`` when this view cannot
  tell; a clip-level finding without reps applies to every rep row;
- ``<metric> (<unit>)`` for each scored metric (unit as the profile names it): the rep's
  value, empty when not assessable.

Plain ``csv`` module, UTF-8, floats with 6 significant digits (as ``metrics.csv``).
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.batch.analysis import ProfileFacts

BASE_COLUMNS: tuple[str, ...] = (
    "athlete",
    "date",
    "clip",
    "rep",
    "status",
    "error",
    "hint",
    "attempts",
    "view",
    "reps",
    "report",
    "overall_score",
)
NOT_ASSESSABLE = "not assessable"


@dataclass
class ClipRecord:
    """One clip's (or skipped file's) line of the batch: state and, when scored, its result."""

    clip: str
    athlete: str
    date: str | None
    status: str
    error: str = ""
    hint: str = ""
    out_rel: str = ""
    attempts: int = 0
    result: dict[str, Any] | None = None


@dataclass(frozen=True)
class SummaryColumns:
    """The fault ids and scored metrics (key, unit) that get a column."""

    fault_ids: tuple[str, ...]
    metrics: tuple[tuple[str, str], ...]


def summary_columns(profiles: Iterable[ProfileFacts]) -> SummaryColumns:
    """Union of the profiles' faults and scored metrics, first seen first."""
    faults: dict[str, None] = {}
    metrics: dict[str, str] = {}
    for p in profiles:
        faults.update(dict.fromkeys(p.fault_ids))
        for key, unit in p.metrics:
            metrics.setdefault(key, unit)
    return SummaryColumns(tuple(faults), tuple(metrics.items()))


def metric_column(key: str, unit: str) -> str:
    """Column name of a metric: ``key (unit)``."""
    return f"{key} ({unit})" if unit else key


def _categories(records: Iterable[ClipRecord]) -> list[str]:
    seen: dict[str, None] = {}
    for r in records:
        scores = (r.result or {}).get("scores") or {}
        seen.update(dict.fromkeys(scores.get("categories") or {}))
    return list(seen)


def _fault_cells(result: dict[str, Any], fault_ids: Iterable[str], rep: int | None) -> dict:
    gaps = {n["key"] for n in result.get("not_assessable") or [] if n.get("kind") == "fault"}
    cells: dict[str, str] = {}
    for fid in fault_ids:
        cells[f"fault:{fid}"] = NOT_ASSESSABLE if fid in gaps else ""
    for f in result.get("findings") or []:
        reps = f.get("reps") or ([f["rep"]] if f.get("rep") is not None else [])
        if rep is None or not reps or rep in reps:
            cells[f"fault:{f['id']}"] = str(f.get("severity", ""))
    return cells


def rep_rows(record: ClipRecord, columns: SummaryColumns) -> list[dict[str, Any]]:
    """The summary rows of one record (one per rep for a scored clip, else one)."""
    base: dict[str, Any] = {
        "athlete": record.athlete,
        "date": record.date or "",
        "clip": record.clip,
        "status": record.status,
        "error": record.error,
        "hint": record.hint,
        "attempts": record.attempts or "",
    }
    result = record.result
    if result is None:
        return [base]
    base["view"] = (result.get("view") or {}).get("view", "")
    base["report"] = f"{record.out_rel}/report.html"
    rep_metrics = result.get("rep_metrics") or []
    scores = result.get("scores") or {}
    per_rep = scores.get("per_rep") or []
    base["reps"] = max(len(rep_metrics), 1)
    rows = []
    for i in range(max(len(rep_metrics), 1)):
        multi = len(rep_metrics) > 1
        rep_scores = per_rep[i] if multi and i < len(per_rep) else scores
        metrics = rep_metrics[i] if multi else result.get("metrics") or {}
        row = dict(base, rep=i + 1, overall_score=rep_scores.get("overall"))
        for cat, value in (rep_scores.get("categories") or {}).items():
            row[f"{cat}_score"] = value
        row.update(_fault_cells(result, columns.fault_ids, i if multi else None))
        for key, unit in columns.metrics:
            m = metrics.get(key) or {}
            row[metric_column(key, unit)] = m.get("value")
        rows.append(row)
    return rows


def header(records: list[ClipRecord], columns: SummaryColumns) -> list[str]:
    """The summary's columns for these records."""
    cats = [f"{c}_score" for c in _categories(records)]
    faults = [f"fault:{f}" for f in columns.fault_ids]
    for r in records:  # a finding outside the profiles' list (e.g. form_drop_fatigue)
        for f in (r.result or {}).get("findings") or []:
            if f"fault:{f['id']}" not in faults:
                faults.append(f"fault:{f['id']}")
    metrics = [metric_column(k, u) for k, u in columns.metrics]
    return [*BASE_COLUMNS, *cats, *faults, *metrics]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}" if math.isfinite(value) else ""
    return str(value)


def write_summary_csv(records: list[ClipRecord], path: Path, columns: SummaryColumns) -> Path:
    """Write ``summary.csv`` atomically (a temporary file renamed over the old one)."""
    names = header(records, columns)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(names)
        for record in records:
            for row in rep_rows(record, columns):
                writer.writerow([_cell(row.get(c)) for c in names])
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path
