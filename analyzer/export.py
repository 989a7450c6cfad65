"""Serialise an AnalysisResult to JSON (``result.json``): schema-versioned and traceable.

The JSON layout is documented in the README ("result.json"). Numbers are plain floats,
NaN/inf become null, numpy types are converted.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.results import AnalysisResult, MetricValue


def _plain(value: Any) -> Any:
    """Convert numpy scalars/arrays, tuples and dataclasses into JSON-safe Python values."""
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def metric_to_dict(metric: MetricValue) -> dict[str, Any]:
    """One metric as a JSON object (``value``, ``unit``, ``assessable`` always present)."""
    out = _plain(metric)
    out.pop("key", None)
    return out


def result_to_dict(result: AnalysisResult) -> dict[str, Any]:
    """The whole result as a JSON-ready dict (see README, "result.json")."""
    motion = result.motion
    doc: dict[str, Any] = {
        "schema_version": result.schema_version,
        "provenance": _plain(result.provenance),
        "capture": _plain(result.capture),
        "view": _plain(motion.view),
        "travel_direction": motion.travel_direction,
        "facing": motion.facing,
        "leg_length_px": _plain(motion.leg_length_px),
        "scale_m_per_px": _plain(motion.scale_m_per_px),
        "n_frames": motion.track.n_frames,
        "fps": _plain(motion.track.fps),
        "events": [_plain(e) for e in motion.events],
        "steps": [_plain(s) for s in motion.steps],
        "phases": [_plain(p) for p in motion.phases],
        "metrics": {k: metric_to_dict(m) for k, m in motion.metrics.items()},
        "rep_metrics": [
            {k: metric_to_dict(m) for k, m in rep.items()} for rep in motion.rep_metrics
        ],
        "timings_s": _plain(result.timings_s),
        "warnings": list(result.warnings) + list(motion.warnings),
        "excluded_spans": [_plain(s) for s in motion.excluded_spans],
    }
    faults = result.faults
    if faults is not None:
        doc["profile"] = faults.profile
        doc["findings"] = [_plain(f) for f in faults.findings]
        doc["scores"] = _plain(faults.scores)
        doc["not_assessable"] = [_plain(n) for n in faults.not_assessable]
    else:
        doc.update(profile=None, findings=[], scores=None, not_assessable=[])
    return doc


def write_result_json(result: AnalysisResult, path: str | Path) -> Path:
    """Write ``result.json`` (UTF-8, indented) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result_to_dict(result), indent=2, allow_nan=False) + "\n")
    return path
