"""``result.json``: write an AnalysisResult, and read it back into the same typed result.

The JSON layout is documented in the README ("result.json"). Numbers are plain floats,
NaN/inf become null, numpy types are converted. The motion data a report or review needs
beside the numbers (the athlete's cleaned track and the per-frame series) live in two files
named under ``files`` in the same folder (``track.npz``, ``series.npz``), so that
:func:`load_result` gives back the whole result without re-running anything.

Schema history: 1.0 (first release; cannot be read back: re-run the analysis), 2.0 (typed
capture stage, finding bands and evidence, ``files``, ``focus``).
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.errors import ResultFormatError, TrackFormatError
from analyzer.pose.track import load_track
from analyzer.results import (
    SCHEMA_VERSION,
    AnalysisResult,
    CaptureReport,
    ContactEvent,
    ExcludedSpan,
    FaultReport,
    Finding,
    MetricValue,
    MotionAnalysis,
    NotAssessable,
    Phase,
    Scores,
    Step,
    Verdict,
    ViewInfo,
)

RESULT_NAME = "result.json"
TRACK_NAME = "track.npz"
SERIES_NAME = "series.npz"


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


def result_to_dict(
    result: AnalysisResult,
    *,
    files: dict[str, str] | None = None,
    output_timings: dict[str, float] | None = None,
) -> dict:
    """The whole result as a JSON-ready dict (see README, "result.json").

    ``files`` names the companion files (``track``, ``series``) relative to result.json.
    ``output_timings``: what writing the output folder cost (``output_timings_s``, seconds
    per output; a fact about the folder, not the analysis: :func:`load_result` leaves it
    out, :func:`read_output_timings` reads it).
    """
    motion = result.motion
    doc: dict[str, Any] = {
        "schema_version": result.schema_version,
        "provenance": _plain(result.provenance),
        "capture": _plain(result.capture),
        "files": dict(files or {}),
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
        "series_keys": list(motion.series),
        "timings_s": _plain(result.timings_s),
        "warnings": list(result.warnings) + list(motion.warnings),
        "pipeline_warnings": list(result.warnings),
        "excluded_spans": [_plain(s) for s in motion.excluded_spans],
    }
    faults = result.faults
    if faults is not None:
        doc["profile"] = faults.profile
        doc["findings"] = [_plain(f) for f in faults.findings]
        doc["scores"] = _plain(faults.scores)
        doc["not_assessable"] = [_plain(n) for n in faults.not_assessable]
        doc["focus"] = list(faults.focus)
        doc["verdict"] = _plain(faults.verdict)
        doc["units"] = faults.units
        doc["metric_bands"] = _plain(faults.metric_bands)
    else:
        doc.update(profile=None, findings=[], scores=None, not_assessable=[], focus=[])
    if output_timings:
        doc["output_timings_s"] = _plain(output_timings)
    return doc


def write_result_json(
    result: AnalysisResult,
    path: str | Path,
    *,
    files: dict[str, str] | None = None,
    output_timings: dict[str, float] | None = None,
) -> Path:
    """Write ``result.json`` (UTF-8, indented) and return its path (see
    :func:`result_to_dict` for ``files`` and ``output_timings``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = result_to_dict(result, files=files, output_timings=output_timings)
    path.write_text(json.dumps(doc, indent=2, allow_nan=False) + "\n")
    return path


def write_series(series: dict[str, np.ndarray], path: str | Path) -> Path:
    """Write the per-frame series (one float array per name) as a compressed ``.npz``."""
    path = Path(path)
    arrays: dict[str, Any] = {k: np.asarray(v, dtype=np.float64) for k, v in series.items()}
    with path.open("wb") as fh:
        np.savez_compressed(fh, **arrays)
    return path


# ------------------------------------------------------------------------------ reading back


def _decode(tp: Any, value: Any) -> Any:
    """``value`` (plain JSON data) as the annotated type ``tp`` (dataclasses, tuples, ...)."""
    origin = typing.get_origin(tp)
    if tp is Any or origin is typing.Literal:
        return value
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _decode(args[0], value) if len(args) == 1 else value
    if value is None:
        return math.nan if tp is float else None
    if origin in (tuple, list, dict):
        return _decode_container(origin, typing.get_args(tp), value)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return tp(**_fields(tp, value))
    if tp in (float, int, Path):
        return tp(value)
    return value


def _decode_container(origin: Any, args: tuple[Any, ...], value: Any) -> Any:
    if origin is dict:
        return {k: _decode(args[1], v) for k, v in value.items()}
    if origin is list:
        return [_decode(args[0], v) for v in value]
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(_decode(args[0], v) for v in value)
    return tuple(_decode(a, v) for a, v in zip(args, value, strict=True))


def load_result(path: str | Path) -> AnalysisResult:
    """Read a ``result.json`` (or the folder holding it) back into an :class:`AnalysisResult`.

    The cleaned track and the per-frame series are read from the files named under
    ``files`` beside it, so the result is whole: ``write_outputs`` then ``load_result`` gives
    a result equal to the one written.

    Raises
    ------
    ResultFormatError
        The file is missing, not JSON, another schema version (1.0 files cannot be read
        back: re-run the analysis), or its companion files are missing or damaged.
    """
    path = Path(path)
    if path.is_dir():
        path = path / RESULT_NAME
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise ResultFormatError(f"{path} does not exist.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultFormatError(f"{path} is not a readable result.json ({exc}).") from exc
    version = doc.get("schema_version") if isinstance(doc, dict) else None
    if version != SCHEMA_VERSION:
        raise ResultFormatError(
            f"{path} is result schema {version!r}; this version reads {SCHEMA_VERSION!r} only."
        )
    try:
        return _result_from_doc(doc, path.parent)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ResultFormatError(f"{path} is incomplete or damaged ({exc!r}).") from exc


def read_output_timings(path: str | Path) -> dict[str, float]:
    """What writing the output folder cost, seconds per output (``output_timings_s`` of a
    ``result.json`` or its folder; empty when the file does not record it)."""
    path = Path(path)
    if path.is_dir():
        path = path / RESULT_NAME
    try:
        doc = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultFormatError(f"{path} is not a readable result.json ({exc}).") from exc
    found = doc.get("output_timings_s") if isinstance(doc, dict) else None
    if not isinstance(found, dict):
        return {}
    return {str(k): float(v) for k, v in found.items() if isinstance(v, int | float)}


def _result_from_doc(doc: dict[str, Any], folder: Path) -> AnalysisResult:
    files = doc["files"]
    try:
        track = load_track(folder / files["track"])
    except TrackFormatError as exc:
        raise ResultFormatError(f"the track beside {folder / RESULT_NAME}: {exc.message}") from exc
    series: dict[str, np.ndarray] = {}
    if files.get("series"):
        try:
            with np.load(folder / files["series"], allow_pickle=False) as data:
                loaded = {k: np.asarray(data[k]) for k in data.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise ResultFormatError(f"{folder / files['series']} is unreadable ({exc}).") from exc
        series = {k: loaded[k] for k in doc["series_keys"]}
    pipeline_warnings = list(doc.get("pipeline_warnings", []))
    metrics = {
        k: MetricValue(key=k, **_fields(MetricValue, m, skip=("key",)))
        for k, m in doc["metrics"].items()
    }
    rep_metrics = [
        {k: MetricValue(key=k, **_fields(MetricValue, m, skip=("key",))) for k, m in rep.items()}
        for rep in doc["rep_metrics"]
    ]
    motion = MotionAnalysis(
        track=track,
        view=_decode(ViewInfo, doc["view"]),
        travel_direction=doc["travel_direction"],
        facing=doc["facing"],
        leg_length_px=_decode(float, doc["leg_length_px"]),
        scale_m_per_px=_decode(float | None, doc["scale_m_per_px"]),
        events=_decode(list[ContactEvent], doc["events"]),
        steps=_decode(list[Step], doc["steps"]),
        phases=_decode(list[Phase], doc["phases"]),
        metrics=metrics,
        rep_metrics=rep_metrics,
        series=series,
        warnings=list(doc["warnings"])[len(pipeline_warnings) :],
        excluded_spans=_decode(list[ExcludedSpan], doc.get("excluded_spans", [])),
    )
    faults = None
    if doc.get("scores") is not None:
        faults = FaultReport(
            profile=doc["profile"],
            findings=_decode(list[Finding], doc["findings"]),
            scores=_decode(Scores, doc["scores"]),
            not_assessable=_decode(list[NotAssessable], doc["not_assessable"]),
            focus=list(doc.get("focus", [])),
            verdict=_decode(Verdict | None, doc.get("verdict")),
            units=str(doc.get("units", "imperial")),
            metric_bands=dict(doc.get("metric_bands", {})),
        )
    return AnalysisResult(
        motion=motion,
        faults=faults,
        provenance=dict(doc["provenance"]),
        capture=_decode(CaptureReport | None, doc["capture"]),
        timings_s={k: float(v) for k, v in doc["timings_s"].items()},
        warnings=pipeline_warnings,
        schema_version=doc["schema_version"],
    )


def _fields(cls: type, data: dict[str, Any], *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The decoded keyword arguments of dataclass ``cls`` found in ``data``."""
    hints = typing.get_type_hints(cls)
    return {
        f.name: _decode(hints[f.name], data[f.name])
        for f in dataclasses.fields(cls)
        if f.name in data and f.name not in skip
    }
