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
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.capture import assess_capture
from analyzer.faults.rules import SEVERITY_ORDER
from analyzer.filming import filming_guide_lines
from analyzer.render.coach_text import Scale, say_value, scale_for
from analyzer.render.evidence import (
    coach_label,
    finding_context,
    jpeg_data_uri,
    key_frame_image,
    png_data_uri,
    shown_frames,
    step_chart,
)
from analyzer.render.plots import figure_png, report_figures
from analyzer.render.scene import live_metric_supported, metric_label
from analyzer.render.timeline import review_context
from analyzer.results import AnalysisResult, CaptureAssessment, Finding, MetricValue, Scores
from analyzer.video.info import VideoInfo

__all__ = [
    "ReportCharts",
    "build_report_context",
    "collect_frames",
    "embed_video",
    "jpeg_data_uri",
    "key_frame_image",
    "key_frame_indices",
    "png_data_uri",
    "render_report_html",
    "report_charts",
    "write_report",
]

#: The report's charts: (plot name, metric whose assessability decides whether the view
#: supports the chart, alt text, caption).
CHARTS: tuple[tuple[str, str, str, str], ...] = (
    ("hip_height", "hip_height_ratio", "Hip height over time",
     "Hip height: 1.0 is standing tall; lower means sitting into the backpedal."),
    ("trunk_lean", "trunk_lean_deg", "Trunk lean over time",
     "Trunk lean: how far the chest leans forward over the hips."),
    ("knee_flexion", "knee_flexion_deg", "Knee bend over time",
     "Knee bend of the leg nearer the camera (0° = straight)."),
    ("step_length", "step_length_leg_lengths", "Step length per step",
     "Each step's length, in leg lengths (one leg length is the height of the hip above "
     "the ground): short, quick steps are the goal."),
    ("arm_swing", "arm_swing_deg", "Arm swing over time",
     "Arm swing: angle of the upper arm to the body; big waves mean active arms."),
)  # fmt: skip
#: The largest annotated video put inside report.html by default (bytes).
EMBED_VIDEO_MAX_BYTES = 20 * 1024 * 1024

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
    "An athlete under about 300 px tall in the picture is small for the pose model: film "
    "in 1080p or 4K.",
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
    charts: ReportCharts | None = None,
    video_note: str = "",
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
    charts
        The charts, when already drawn (:func:`report_charts`); else drawn here.
    video_note
        A sentence shown under the video (e.g. that it was scaled down).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    context = build_report_context(
        result,
        key_frames=key_frames,
        video_name=video_name,
        capture=capture,
        charts=charts,
        video_note=video_note,
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
    js = "\n".join(
        (TEMPLATE_DIR / name).read_text(encoding="utf-8")
        for name in ("report.js", "stepper.js", "report_review.js")  # stepper: _review.html
    )
    return env.get_template("report.html").render(**context, css=css, js=js)


def build_report_context(
    result: AnalysisResult,
    *,
    key_frames: dict[int, np.ndarray],
    video_name: str | None = "annotated.mp4",
    capture: CaptureAssessment | None = None,
    charts: ReportCharts | None = None,
    video_note: str = "",
) -> dict[str, Any]:
    """Everything the template shows, as plain data (strings, numbers, data URIs).

    ``charts``: the drawn charts when already known (see :func:`report_charts`)."""
    motion = result.motion
    faults = result.faults
    findings = sorted(
        faults.findings if faults else [],
        key=lambda f: (-SEVERITY_ORDER.index(f.severity), -f.confidence),
    )
    assessment = capture or capture_of(result)
    drawn = charts if charts is not None else report_charts(result)
    scale = report_scale(result)
    not_assessable = [
        {"key": metric_label(n.key), "reason": n.reason}
        for n in (faults.not_assessable if faults else [])
    ]
    scores = faults.scores if faults else None
    bands = (scores.bands if scores else {}) or {}
    verdict = faults.verdict if faults else None
    blocked = verdict is not None and verdict.status == "not_analysable"
    shown = shown_frames(result, findings)
    return {
        "title": "Backpedal report",
        "clip": str(result.provenance.get("clip", motion.track.meta.get("clip", "clip"))),
        "generated": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "profile": faults.profile if faults else str(result.provenance.get("profile", "")),
        "verdict": _verdict_context(verdict),
        "blocked": blocked,
        "overall": _score(None if blocked or not faults else faults.scores.overall, bands),
        "categories": [] if blocked or scores is None else _categories(scores, findings, bands),
        "score_rule": score_rule(bands),
        "findings": [
            finding_context(
                result,
                f,
                key_frames.get(f.key_frame),
                scale,
                shown.get(f.id),
                chart=drawn.step_charts.get(f.id),
            )
            for f in findings
        ],
        "reps": _reps_context(
            faults.scores.per_rep if faults else [], faults.scores.trend if faults else {}, bands
        ),
        "video": video_name,
        "video_note": video_note if video_name else "",
        "charts": list(drawn.charts),
        "charts_left_out": list(drawn.left_out),
        "summary": _summary(result, findings),
        "scale_note": scale.note(),
        "units": scale.units,
        "metrics": [_metric_row(m, scale) for m in motion.metrics.values() if m.assessable],
        "metrics_na": [_metric_row(m, scale) for m in motion.metrics.values() if not m.assessable],
        "capture": _capture_context(assessment),
        "not_assessable": not_assessable,
        "filming_guide": filming_guide_lines(),
        "limitations": LIMITATIONS,
        "sources": _sources(findings),
        "warnings": list(dict.fromkeys([*motion.warnings, *result.warnings])),
        "provenance": _provenance_rows(result),
        "schema_version": result.schema_version,
        "review": review_context(result),
    }


@dataclass(frozen=True)
class ReportCharts:
    """The report's charts, drawn (PNG data URIs). They need no frame of the clip, so they
    are drawn while the annotated video is still being written.

    ``charts``: ``{"name", "uri", "alt", "caption"}`` per chart shown; ``left_out``: the
    charts the view cannot support; ``step_charts``: the step-time strip of each timing
    finding, by finding id (None when there are no steps to draw).
    """

    charts: tuple[dict[str, str], ...] = ()
    left_out: tuple[str, ...] = ()
    step_charts: dict[str, str | None] = field(default_factory=dict)


def report_charts(result: AnalysisResult) -> ReportCharts:
    """Draw every chart of the report (series charts and the timing findings' strips)."""
    figures = report_figures(result)
    charts, left_out = [], []
    for name, key, alt, caption in CHARTS:
        if name in figures and live_metric_supported(result, key):
            uri = png_data_uri(figure_png(figures[name]))
            charts.append({"name": name, "uri": uri, "alt": alt, "caption": caption})
        else:
            left_out.append(alt.replace(" over time", "").replace(" per step", "").lower())
    findings = result.faults.findings if result.faults is not None else []
    shown = shown_frames(result, findings)
    steps = {f.id: step_chart(result, f) for f in findings if shown[f.id] == "chart"}
    return ReportCharts(charts=tuple(charts), left_out=tuple(left_out), step_charts=steps)


def report_scale(result: AnalysisResult) -> Scale:
    """Units (``--units``, else the profile's) and body scale (athlete height, else assumed)."""
    settings = result.provenance.get("settings")
    settings = settings if isinstance(settings, dict) else {}
    default = result.faults.units if result.faults is not None else "imperial"
    return scale_for(settings.get("units"), settings.get("athlete_height_m"), default)


def score_rule(bands: dict[str, float]) -> str:
    """The scoring rule, said once: bands and how findings cap the scores."""
    good, fair = bands.get("good_from", 80), bands.get("fair_from", 60)
    return (
        f"Scores are out of 100: {good:.0f} or more is good, {fair:.0f}-{good - 1:.0f} fair, "
        f"under {fair:.0f} needs work. A major finding holds its area and the overall under "
        f"{fair:.0f}; a moderate one under {good:.0f}. Only what this clip lets us measure "
        "counts."
    )


def embed_video(report: Path, video: Path, *, embed: bool | None = None) -> bool:
    """Put the annotated video inside ``report`` as a data URI, so one file can be forwarded.

    ``embed`` None: only when the video is under :data:`EMBED_VIDEO_MAX_BYTES`. Returns
    whether the video was embedded. The video is base64-encoded in chunks straight into a
    new report file (then renamed over the old one): memory stays flat whatever its size.
    """
    size = video.stat().st_size
    if embed is False or (embed is None and size >= EMBED_VIDEO_MAX_BYTES):
        return False
    html = report.read_text(encoding="utf-8")
    marker = f'src="{video.name}" data-embeddable'
    head, found, tail = html.partition(marker)
    if not found:
        return False
    fd, tmp_name = tempfile.mkstemp(prefix=f".{report.name}.", dir=report.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, video.open("rb") as src:
            out.write(head.encode("utf-8"))
            out.write(b'src="data:video/mp4;base64,')
            while chunk := src.read(_EMBED_CHUNK_BYTES):
                out.write(base64.b64encode(chunk))
            out.write(b'"')
            out.write(tail.encode("utf-8"))
        os.chmod(tmp, report.stat().st_mode & 0o777)
        os.replace(tmp, report)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return True


#: Bytes of video base64-encoded at a time (a multiple of 3: the pieces join with no padding).
_EMBED_CHUNK_BYTES = 3 * (1 << 18)


def capture_of(result: AnalysisResult) -> CaptureAssessment:
    """The capture verdict of the result's capture stage (computed from the track and view
    when the result was built without one, e.g. in tests)."""
    if result.capture is not None:
        return result.capture.assessment
    return assess_capture(result.motion.track, None, view=result.motion.view)


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
    video: VideoInfo | None = None,
    rotate_deg: int | None = None,
) -> dict[int, np.ndarray]:
    """Read only the wanted frames (upright BGR) of ``clip`` in one streaming pass.

    ``video`` is the clip's probe when known (with the analysis's rotation); else the clip
    is probed with ``capture_fps`` and ``rotate_deg`` (replacing its rotation tag). Indices
    count frames lost to damage (as the track's rows do).

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
        clip, capture_fps=capture_fps, rotate_deg=rotate_deg, max_frames=last + 1, info=video
    ):
        if frame.index in wanted:
            out[frame.index] = frame.image.copy()
        if frame.index >= last:
            break
    return out


def _score(value: float | None, bands: dict[str, float] | None = None) -> dict[str, Any]:
    if value is None or not math.isfinite(value):
        return {"value": None, "text": "not assessed", "level": "none", "pct": 0, "band": ""}
    bands = bands or {}
    good, fair = bands.get("good_from", 80.0), bands.get("fair_from", 60.0)
    level = "good" if value >= good else ("fair" if value >= fair else "poor")
    band = {"good": "good", "fair": "fair", "poor": "needs work"}[level]
    return {"value": value, "text": f"{value:.0f}", "level": level, "pct": round(value),
            "band": band}  # fmt: skip


def _categories(
    scores: Scores, findings: list[Finding], bands: dict[str, float]
) -> list[dict[str, Any]]:
    """Category scores, each with what lowered it: the capping finding or the docked metrics."""
    titles = {f.id: f.title for f in findings}
    with_finding = {f.category for f in findings}
    out = []
    for cat, value in scores.categories.items():
        note = ""
        if cat in scores.caps:
            note = f"held down by: {titles.get(scores.caps[cat], scores.caps[cat]).lower()}"
        elif value is not None and round(value) < FULL_POINTS and cat not in with_finding:
            # what lowered a category with no finding (scores that print as 100 did not)
            docked = scores.docked.get(cat, [])
            keys = [k for k in docked if round(scores.metrics.get(k, 0)) < FULL_POINTS]
            names = ", ".join(coach_label(k).lower() for k in keys)
            note = f"lowered by: {names} (inside the limits, not a fault)" if names else ""
        out.append({"name": cat.capitalize(), **_score(value, bands), "note": note})
    return out


FULL_POINTS = 100


def _verdict_context(verdict: Any) -> dict[str, Any] | None:
    if verdict is None:
        return None
    return {
        "status": verdict.status,
        "headline": verdict.headline,
        "reasons": list(verdict.reasons),
        "actions": list(verdict.actions),
        "hints": list(verdict.hints),
    }


def _metric_row(m: MetricValue, scale: Scale) -> dict[str, Any]:
    return {
        "name": coach_label(m.key),
        "value": say_value(m.key, m.unit, m.value, scale) if m.assessable else "—",
        "phase": m.phase,
        "assessable": m.assessable,
        "confidence": m.confidence if m.assessable else "",
        "note": m.reason if not m.assessable else ("" if m.support == "valid" else m.support),
    }


def _reps_context(
    per_rep: list[dict[str, Any]], trend: dict[str, Any], bands: dict[str, float] | None = None
) -> dict[str, Any]:
    """Per-rep overall scores (shown when the clip has two or more reps) and the trend."""
    rows = [
        {"rep": int(r.get("rep", i)) + 1, **_score(r.get("overall"), bands)}
        for i, r in enumerate(per_rep)
    ]
    direction = str(trend.get("direction", "")) if trend else ""
    text = {
        "dropping": "Form drops over the reps (fatigue?).",
        "improving": "Form gets better over the reps.",
        "steady": "Form stays steady over the reps.",
    }.get(direction, "")
    return {"rows": rows if len(rows) > 1 else [], "trend": text}


def _sources(findings: list[Finding]) -> list[tuple[str, str]]:
    """(finding title, where its numbers come from), for the "where the numbers come from"
    toggle."""
    out = []
    for f in findings:
        src = f.band.source if f.band is not None else ""
        if src:
            out.append((f.title, src))
    return out


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
    verdict = result.faults.verdict
    if verdict is not None and verdict.status == "not_analysable":
        return f"{verdict.headline}: {' '.join(verdict.reasons)}"
    if not findings:
        return (
            "No faults in what this clip lets us measure. Check “Filming” for what it could "
            "not show."
        )
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
