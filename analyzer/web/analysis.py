"""The web app's only door into the analyzer: probe an upload, analyse a clip, summarise.

Keeping every call here lets the analyzer's API change in one place. The upload checks a
clip's settings with :func:`check_clip_settings` (``analyzer.settings.check_settings``) and
probes the file with :func:`probe_upload`; workers call :func:`run_analysis`; results on disk
are read back typed with :func:`read_result` (``analyzer.export.load_result``) and
:func:`summarize` makes the short summary pages show (stored in ``Clip.summary``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.errors import AnalyzerError, ConfigError

if TYPE_CHECKING:
    from analyzer.results import AnalysisResult
    from analyzer.settings import AnalysisSettings

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, int, "int | None"], None]

#: Settings a coach may set per clip (the rest keep the analyzer's defaults).
ALLOWED_SETTINGS = ("athlete_height_m", "profile", "capture_fps", "qb_side")


@dataclass(frozen=True)
class ProbedClip:
    """What the upload check learned from the file's content."""

    container: str
    codec: str
    width: int
    height: int
    duration_s: float
    fps: float


def probe_upload(path: Path) -> ProbedClip:
    """Check that ``path`` is a video by reading its header and first frame.

    Raises
    ------
    analyzer.errors.VideoError
        Not a video, empty, corrupt or an unsupported codec (message + hint for the user).
    """
    from analyzer.video import probe_video

    info = probe_video(path)
    return ProbedClip(
        container=info.container,
        codec=info.codec,
        width=info.width,
        height=info.height,
        duration_s=float(info.duration_s),
        fps=float(info.fps),
    )


def clip_settings(settings: dict[str, Any]) -> AnalysisSettings:
    """The analysis settings of a clip from its stored choices (unknown keys are ignored)."""
    from analyzer.settings import AnalysisSettings

    chosen = {k: v for k, v in settings.items() if k in ALLOWED_SETTINGS and v not in (None, "")}
    return AnalysisSettings(**chosen)


def check_clip_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Check a clip's settings before it is queued; return the ones to store.

    Runs :func:`analyzer.settings.check_settings` (milliseconds: numbers in range, the
    profile exists and validates), so a bad team profile or height is refused at upload
    time instead of failing in the worker after the pose pass.

    Raises
    ------
    analyzer.errors.ConfigError, analyzer.errors.ProfileError
        What is wrong and what to give instead.
    """
    from analyzer.settings import check_settings

    try:
        check_settings(clip_settings(settings))
    except TypeError as exc:  # a value of the wrong type reaching the dataclass
        raise ConfigError(
            f"The analysis settings are invalid ({exc}).",
            "Give the height in metres and a profile name from `backpedal profiles`.",
        ) from exc
    return {k: v for k, v in settings.items() if k in ALLOWED_SETTINGS and v not in (None, "")}


def run_analysis(
    clip: Path, out_dir: Path, settings: dict[str, Any], progress: ProgressFn | None = None
) -> dict[str, Any]:
    """Analyse ``clip``, write every output into ``out_dir``; return the page summary.

    Raises :class:`analyzer.errors.AnalyzerError` for a clip the analyzer cannot use.
    """
    from analyzer.outputs import write_outputs
    from analyzer.pipeline import analyze_clip

    analysis_settings = clip_settings(settings)
    result = analyze_clip(clip, analysis_settings, progress=progress)
    write_outputs(
        result,
        out_dir,
        clip=clip,
        with_video=True,
        capture_fps=analysis_settings.capture_fps,
        progress=progress,
    )
    return summarize(result)


def read_result(result_json: Path) -> AnalysisResult:
    """A stored ``result.json`` (or its folder) as the typed result.

    Raises
    ------
    analyzer.errors.ResultFormatError
        Missing, damaged, incomplete or of another schema version (message + how to fix).
    """
    from analyzer.export import load_result

    return load_result(result_json)


def summarize_result(result_json: Path) -> dict[str, Any]:
    """The page summary of a stored ``result.json`` (read back typed: see :func:`read_result`).

    Raises :class:`analyzer.errors.ResultFormatError` for a file that cannot be read back.
    """
    return summarize(read_result(result_json))


def _score(value: float | None) -> float | None:
    return round(float(value), 1) if value is not None and math.isfinite(value) else None


def summarize(result: AnalysisResult) -> dict[str, Any]:
    """The short summary the lists and the clip page show (JSON-ready, kept in ``Clip.summary``).

    ``overall`` and ``categories`` are None when not assessable; ``findings`` keep what the
    page lists (id, title, severity, cue, key frame, metric); ``verdict`` says whether the clip
    could be judged at all.
    """
    motion, faults = result.motion, result.faults
    findings = [
        {
            "id": f.id,
            "title": f.title,
            "severity": f.severity,
            "cue": f.cue,
            "key_frame": int(f.key_frame),
            "metric": f.metric,
        }
        for f in (faults.findings if faults else [])
    ]
    verdict = faults.verdict if faults else None
    return {
        "schema_version": result.schema_version,
        "overall": _score(faults.scores.overall) if faults else None,
        "categories": (
            {k: _score(v) for k, v in faults.scores.categories.items()} if faults else {}
        ),
        "findings": findings,
        "not_assessable": [n.key for n in (faults.not_assessable if faults else [])],
        "verdict": (
            {"status": verdict.status, "headline": verdict.headline} if verdict else None
        ),
        "view": motion.view.view,
        "profile": faults.profile if faults else None,
        "fps": float(motion.track.fps),
        "n_frames": int(motion.track.n_frames),
        "n_reps": motion.n_reps,
        "clip_sha256": str(result.provenance.get("clip_sha256", "")),
        "warnings": [*result.warnings, *motion.warnings][:10],
    }


def describe_error(exc: BaseException) -> tuple[str, str]:
    """(message, hint) to show the coach for an analysis that failed."""
    if isinstance(exc, AnalyzerError):
        return exc.message, exc.hint
    return (
        f"The analysis stopped on an unexpected error ({type(exc).__name__}: {exc}).",
        "Retry; if it fails again, send the clip to whoever runs this server.",
    )
