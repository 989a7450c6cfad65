"""The athlete report: one self-contained HTML file (images inline, no network, works offline).

:func:`write_report` renders ``report.html`` from an :class:`~analyzer.results.AnalysisResult`
and the raw upright frames at the findings' key frames (collected while the pipeline streams
the clip; :func:`collect_frames` re-reads just those frames for re-runs from the cache).
Images are embedded as base64 data URIs, CSS and JS inline; the only external reference is
the annotated video next to the report (``<video src="annotated.mp4">``, a relative path).
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import cv2
import numpy as np

from analyzer.faults.rules import SEVERITY_ORDER
from analyzer.render.capture import CaptureAssessment, assess_capture
from analyzer.render.overlay import FrameOverlay, annotate, athlete_box, crop_overlay
from analyzer.render.plots import figure_png, report_figures
from analyzer.render.scene import (
    band_text,
    finding_overlay,
    metric_label,
    metric_text,
)
from analyzer.results import AnalysisResult, Finding, MetricValue

TEMPLATE_DIR = Path(__file__).with_name("templates")

LIMITATIONS: tuple[str, ...] = (
    "Target bands are provisional: there are no published norms for the backpedal yet, so "
    "they come from running research, coaching sources and engineering judgement.",
    "The head's direction is measured, not where the eyes look; it is at best a hint of "
    '"eyes on the receiver" and only from the front.',
    "The 3D pose is only good for body orientation (errors of about 12 cm per joint), so "
    "distances come from the 2D picture.",
    "Views from behind and helmets or visors that hide the face make the pose less reliable, "
    "and the model does not warn about it.",
    "A panning, zooming or stabilised camera makes speed and step length wrong: keep the "
    "phone still on a tripod.",
    "Athletes more than about 4 m from the camera are small for the pose model.",
    "Ground-contact time needs 120 fps or more, and forces (braking, push-off) cannot be "
    "measured from video alone.",
)


def write_report(
    result: AnalysisResult,
    out_dir: str | Path,
    *,
    key_frames: dict[int, np.ndarray],
    video_name: str | None = "annotated.mp4",
    filename: str = "report.html",
    capture: CaptureAssessment | None = None,
) -> Path:
    """Write the self-contained HTML report and return its path.

    Parameters
    ----------
    result
        The analysis.
    out_dir
        Folder to write into (created if needed).
    key_frames
        Raw upright BGR frames by frame index, at least at each finding's ``key_frame``
        (a finding whose frame is missing is shown without a picture).
    video_name
        File name of the annotated video next to the report, or None when there is none.
    capture
        The capture-quality verdict; default: ``result.capture["assessment"]`` if present,
        else computed from the track, ``result.capture["video"]`` and
        ``result.capture["brightness"]``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    context = build_report_context(
        result, key_frames=key_frames, video_name=video_name, capture=capture
    )
    path = out_dir / filename
    path.write_text(render_report_html(context), encoding="utf-8")
    return path


def render_report_html(context: dict[str, Any]) -> str:
    """Render the report template with ``context`` (see :func:`build_report_context`)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    css = (TEMPLATE_DIR / "report.css").read_text(encoding="utf-8")
    js = (TEMPLATE_DIR / "report.js").read_text(encoding="utf-8")
    return env.get_template("report.html").render(**context, css=css, js=js)


def build_report_context(
    result: AnalysisResult,
    *,
    key_frames: dict[int, np.ndarray],
    video_name: str | None = "annotated.mp4",
    capture: CaptureAssessment | None = None,
) -> dict[str, Any]:
    """Everything the template shows, as plain data (strings, numbers, data URIs)."""
    motion = result.motion
    faults = result.faults
    findings = sorted(
        faults.findings if faults else [],
        key=lambda f: (-SEVERITY_ORDER.index(f.severity), -f.confidence),
    )
    assessment = capture or capture_of(result)
    plots = {name: png_data_uri(figure_png(fig)) for name, fig in report_figures(result).items()}
    not_assessable = [
        {"key": metric_label(n.key), "reason": n.reason}
        for n in (faults.not_assessable if faults else [])
    ]
    return {
        "title": "Backpedal report",
        "clip": str(result.provenance.get("clip", motion.track.meta.get("clip", "clip"))),
        "generated": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "profile": faults.profile if faults else str(result.provenance.get("profile", "")),
        "overall": _score(faults.scores.overall if faults else None),
        "categories": [
            {"name": k.capitalize(), **_score(v)}
            for k, v in (faults.scores.categories.items() if faults else [])
        ],
        "findings": [_finding_context(result, f, key_frames.get(f.key_frame)) for f in findings],
        "reps": _reps_context(
            faults.scores.per_rep if faults else [], faults.scores.trend if faults else {}
        ),
        "video": video_name,
        "plots": plots,
        "summary": _summary(result, findings),
        "metrics": [_metric_row(m) for m in motion.metrics.values() if m.assessable],
        "metrics_na": [_metric_row(m) for m in motion.metrics.values() if not m.assessable],
        "capture": _capture_context(assessment),
        "not_assessable": not_assessable,
        "limitations": LIMITATIONS,
        "warnings": list(dict.fromkeys([*motion.warnings, *result.warnings])),
        "provenance": _provenance_rows(result),
        "schema_version": result.schema_version,
    }


def capture_of(result: AnalysisResult) -> CaptureAssessment:
    """The capture verdict stored in the result, else computed from what the result holds."""
    stored = result.capture.get("assessment")
    if isinstance(stored, dict) and stored.get("checks"):
        return CaptureAssessment.from_dict(stored)
    video = result.capture.get("video")
    info = SimpleNamespace(**video) if isinstance(video, dict) and video else None
    return assess_capture(
        result.motion.track,
        info,
        view=result.motion.view,
        brightness=result.capture.get("brightness"),
    )


def key_frame_indices(result: AnalysisResult) -> list[int]:
    """Sorted frame indices the report needs raw frames for (each finding's key frame)."""
    if result.faults is None:
        return []
    return sorted({int(f.key_frame) for f in result.faults.findings})


def collect_frames(
    clip: str | Path,
    frame_indices: Iterable[int],
    *,
    capture_fps: float | None = None,
    rotate_deg: int | None = None,
) -> dict[int, np.ndarray]:
    """Read only the wanted frames (upright BGR) of ``clip`` in one streaming pass.

    ``rotate_deg`` replaces the clip's rotation tag as in the analysis. Indices count frames
    lost to damage (as the track's rows do).

    Used for re-runs from the cached track, when the pipeline did not stream the clip.
    Stops decoding after the last wanted frame; nothing else is kept in memory.
    """
    from analyzer.video.reader import iter_frames

    wanted = set(int(i) for i in frame_indices)
    out: dict[int, np.ndarray] = {}
    if not wanted:
        return out
    last = max(wanted)
    for frame in iter_frames(
        clip, capture_fps=capture_fps, rotate_deg=rotate_deg, max_frames=last + 1
    ):
        if frame.index in wanted:
            out[frame.index] = frame.image.copy()
        if frame.index >= last:
            break
    return out


def key_frame_image(
    result: AnalysisResult,
    finding: Finding,
    frame: np.ndarray,
    *,
    out_height: int = 540,
    overlay: FrameOverlay | None = None,
) -> np.ndarray:
    """The finding's key frame cropped around the athlete, with skeleton, measurement, band.

    ``overlay`` is the finding's :func:`~analyzer.render.scene.finding_overlay` if the caller
    already has it.
    """
    overlay = overlay if overlay is not None else finding_overlay(result, finding)
    h, w = frame.shape[:2]
    if overlay.landmarks_xy is None:
        return annotate(frame, overlay)
    box = athlete_box(overlay.landmarks_xy, (w, h))
    cropped, moved = crop_overlay(frame, overlay, box, out_height=out_height)
    return annotate(cropped, replace(moved, text_scale=1.5))


def png_data_uri(png: bytes) -> str:
    """``data:image/png;base64,...``"""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def jpeg_data_uri(image_bgr: np.ndarray, *, quality: int = 85) -> str:
    """A BGR image as ``data:image/jpeg;base64,...``"""
    ok, buf = cv2.imencode(".jpg", image_bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("could not encode the key frame as JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii")


# --------------------------------------------------------------------------- context parts


def _score(value: float | None) -> dict[str, Any]:
    if value is None or not math.isfinite(value):
        return {"value": None, "text": "not assessed", "level": "none", "pct": 0}
    level = "good" if value >= 80 else ("fair" if value >= 60 else "poor")
    return {"value": value, "text": f"{value:.0f}", "level": level, "pct": round(value)}


def _finding_context(result: AnalysisResult, f: Finding, frame: np.ndarray | None) -> dict:
    times = result.motion.track.times_s
    n = times.size

    def t(i: int) -> float:
        return float(times[int(np.clip(i, 0, n - 1))]) if n else 0.0

    overlay = finding_overlay(result, f)
    return {
        "id": f.id,
        "title": f.title,
        "severity": f.severity,
        "confidence": f"{f.confidence:.0%}",
        "metric": metric_label(f.metric),
        "value": metric_text(f.metric, f.unit, f.value),
        "band": band_text(f.metric, f.unit, f.band) or "—",
        "source": str(f.band.get("source", "")) if isinstance(f.band, dict) else "",
        "cue": f.cue,
        "drills": list(f.drills),
        "explanation": f.explanation,
        "key_time": f"{t(f.key_frame):.2f}",
        "key_frame": int(f.key_frame),
        "ranges": [
            {"start": f"{t(a):.2f}", "end": f"{t(b):.2f}", "seek": f"{t(a):.3f}"}
            for a, b in f.frames
        ],
        "seek": f"{t(f.key_frame):.3f}",
        "image": (
            None
            if frame is None
            else jpeg_data_uri(key_frame_image(result, f, frame, overlay=overlay))
        ),
        "measured_on_image": bool(overlay.measurements),
        "rep": None if f.rep is None else f.rep + 1,
    }


def _metric_row(m: MetricValue) -> dict[str, Any]:
    return {
        "name": metric_label(m.key),
        "value": metric_text(m.key, m.unit, m.value) if m.assessable else "—",
        "phase": m.phase,
        "assessable": m.assessable,
        "confidence": m.confidence if m.assessable else "",
        "note": m.reason if not m.assessable else ("" if m.support == "valid" else m.support),
    }


def _reps_context(per_rep: list[dict[str, Any]], trend: dict[str, Any]) -> dict[str, Any]:
    """Per-rep overall scores (shown when the clip has two or more reps) and the trend."""
    rows = [
        {"rep": int(r.get("rep", i)) + 1, **_score(r.get("overall"))} for i, r in enumerate(per_rep)
    ]
    direction = str(trend.get("direction", "")) if trend else ""
    text = {
        "dropping": "Form drops over the reps (fatigue?).",
        "improving": "Form gets better over the reps.",
        "steady": "Form stays steady over the reps.",
    }.get(direction, "")
    return {"rows": rows if len(rows) > 1 else [], "trend": text}


def _capture_context(a: CaptureAssessment) -> dict[str, Any]:
    return {
        "verdict": a.verdict,
        "checks": [
            {"label": c.label, "value": c.value, "status": c.status, "advice": c.advice}
            for c in a.checks
        ],
        "advice": a.advice,
    }


def _summary(result: AnalysisResult, findings: list[Finding]) -> str:
    if result.faults is None:
        return "No fault checks were run on this clip."
    if not findings:
        return "No faults were found in what this clip lets us assess. Keep it up!"
    top = ", ".join(f.title.lower() for f in findings[:3])
    return f"Main things to work on: {top}."


def _provenance_rows(result: AnalysisResult) -> list[tuple[str, str]]:
    p = result.provenance
    rows = [
        ("Analyzer version", str(p.get("version", p.get("package_version", "")))),
        ("Profile", str(p.get("profile", ""))),
        ("Pose model", str(p.get("model", result.motion.track.model))),
        ("Clip", str(p.get("clip", ""))),
        ("Clip SHA-256", str(p.get("clip_sha256", ""))),
        ("Result schema", result.schema_version),
    ]
    if result.timings_s:
        total = result.timings_s.get("total_s", sum(result.timings_s.values()))
        rows.append(("Analysis time", f"{total:.1f} s"))
    return [(k, v) for k, v in rows if v]
