"""The web app's only door into the analyzer: probe an upload, analyse a clip, summarise.

Keeping every call here lets the analyzer's API change in one place. Workers call
:func:`run_analysis`; the upload view calls :func:`probe_upload`; pages read
:func:`summarize_result` (stored in ``Clip.summary``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.errors import AnalyzerError

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


def run_analysis(
    clip: Path, out_dir: Path, settings: dict[str, Any], progress: ProgressFn | None = None
) -> dict[str, Any]:
    """Analyse ``clip``, write every output into ``out_dir``; return the page summary.

    Raises :class:`analyzer.errors.AnalyzerError` for a clip the analyzer cannot use.
    """
    from analyzer.outputs import write_outputs
    from analyzer.pipeline import AnalysisSettings, analyze_clip

    chosen = {k: v for k, v in settings.items() if k in ALLOWED_SETTINGS and v not in (None, "")}
    analysis_settings = AnalysisSettings(**chosen)
    result = analyze_clip(clip, analysis_settings, progress=progress)
    write_outputs(
        result,
        out_dir,
        clip=clip,
        with_video=True,
        capture_fps=analysis_settings.capture_fps,
        progress=progress,
    )
    return summarize_result(out_dir / "result.json")


def summarize_result(result_json: Path) -> dict[str, Any]:
    """The short summary the lists and the clip page show, read from ``result.json``.

    Tolerant of older and newer schema versions: missing parts are left out.
    """
    try:
        doc = json.loads(Path(result_json).read_text())
    except (OSError, ValueError) as exc:
        raise AnalyzerError(
            f"The analysis result {Path(result_json).name} could not be read ({exc}).",
            "Run the analysis again.",
        ) from exc
    scores = doc.get("scores") or {}
    findings = []
    for f in doc.get("findings") or []:
        findings.append(
            {
                "id": f.get("id", ""),
                "title": f.get("title", ""),
                "severity": f.get("severity", ""),
                "cue": f.get("cue", ""),
                "key_frame": f.get("key_frame"),
                "metric": f.get("metric", ""),
            }
        )
    view = doc.get("view") or {}
    categories = {
        k: (round(v, 1) if isinstance(v, int | float) else None)
        for k, v in (scores.get("categories") or {}).items()
    }
    overall = scores.get("overall")
    return {
        "schema_version": doc.get("schema_version"),
        "overall": round(overall, 1) if isinstance(overall, int | float) else None,
        "categories": categories,
        "findings": findings,
        "not_assessable": [n.get("key", "") for n in doc.get("not_assessable") or []],
        "view": view.get("view") if isinstance(view, dict) else None,
        "profile": doc.get("profile"),
        "fps": doc.get("fps"),
        "n_frames": doc.get("n_frames"),
        "warnings": list(doc.get("warnings") or [])[:10],
    }


def describe_error(exc: BaseException) -> tuple[str, str]:
    """(message, hint) to show the coach for an analysis that failed."""
    if isinstance(exc, AnalyzerError):
        return exc.message, exc.hint
    return (
        f"The analysis stopped on an unexpected error ({type(exc).__name__}: {exc}).",
        "Retry; if it fails again, send the clip to whoever runs this server.",
    )
