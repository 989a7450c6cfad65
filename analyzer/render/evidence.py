"""A finding's evidence in the report: its key frame with the measurement drawn, or the
step-time strip of a timing finding, and its measurement in a coach's words.

Pure apart from encoding images; used by :mod:`analyzer.render.report`.
"""

from __future__ import annotations

import base64

import cv2
import numpy as np

from analyzer.render.coach_text import COACH_LABELS, Scale, say_band, say_drill, say_value
from analyzer.render.overlay import FrameOverlay, annotate, athlete_box, crop_overlay
from analyzer.render.plots import backpedal_steps, figure_png, plot_step_times
from analyzer.render.scene import finding_overlay, metric_label
from analyzer.results import AnalysisResult, Finding

#: Findings about timing: their evidence is the step-time strip, not a standing frame.
TIMING_FINDINGS = frozenset({"slow_feet", "uneven_rhythm"})


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
    return annotate(cropped, moved)


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


def shown_frames(result: AnalysisResult, findings: list[Finding]) -> dict[str, str]:
    """How each finding's evidence is shown: "chart" (the step-time strip of a timing
    finding), "frame" (a key frame with the measurement drawn) or "none" (nothing in a single
    frame shows it: no bare frame is shown, the charts are)."""
    out: dict[str, str] = {}
    for f in findings:
        if f.id in TIMING_FINDINGS:
            out[f.id] = "chart"
        else:
            out[f.id] = "frame" if finding_overlay(result, f).measurements else "none"
    return out


def step_chart(result: AnalysisResult, f: Finding) -> str | None:
    """The step-time strip of a timing finding as a data URI (flagged steps in red)."""
    times = [float(s.step_time_s) for s in backpedal_steps(result.motion)]
    if not times:
        return None
    lo_ok, hi = (f.band.ok if f.band is not None else None) or (None, None)
    median = float(np.median(times))
    if f.metric == "cadence_steps_per_s" and lo_ok:
        limit = 1.0 / float(lo_ok)
        flagged = [i for i, t in enumerate(times) if t > limit]
        title = "Time of each step (slow feet: longer than the red line)"
    else:
        share = (hi or 10.0) / 100.0
        limit = None
        flagged = [i for i, t in enumerate(times) if abs(t - median) > share * median]
        title = f"Time of each step (red: more than {share:.0%} off the median)"
    fig = plot_step_times(result.motion, flagged=flagged, limit_s=limit, title=title)
    return png_data_uri(figure_png(fig))


def _why(f: Finding) -> str:
    """The finding's reason in words (its raw "Measured: ..." part is shown in plain words)."""
    why, _, rest = f.explanation.partition(" Measured: ")
    seen = rest.partition(". Seen in ")[2]
    return f"{why} Seen in {seen}" if seen else why


def _evidence(result: AnalysisResult, f: Finding, scale: Scale) -> list[str]:
    out = []
    rows = [(e.metric, e.value, e.step_fraction) for e in f.evidence] or [
        (f.metric, f.value, None)
    ]
    for key, value, frac in rows:
        m = result.motion.metrics.get(key)
        unit = m.unit if m is not None else f.unit
        text = f"{coach_label(key)}: {say_value(key, unit, value, scale)}"
        if frac is not None:
            text += f" (typical of the flagged steps; {float(frac):.0%} of steps past the limit)"
        out.append(text)
    return out


def finding_context(
    result: AnalysisResult,
    f: Finding,
    frame: np.ndarray | None,
    scale: Scale,
    shown: str | None = None,
    *,
    chart: str | None = None,
) -> dict:
    """The template's data for finding ``f``: ``frame`` is its raw key frame (or None),
    ``chart`` its step-time strip when ``shown`` is "chart" (see :func:`step_chart`)."""
    times = result.motion.track.times_s
    n = times.size

    def t(i: int) -> float:
        return float(times[int(np.clip(i, 0, n - 1))]) if n else 0.0

    overlay = finding_overlay(result, f)
    chart = chart if shown == "chart" else None
    image = None
    if shown in (None, "frame") and frame is not None:
        image = jpeg_data_uri(key_frame_image(result, f, frame, overlay=overlay))
    return {
        "id": f.id,
        "title": f.title,
        "severity": f.severity,
        "confidence": f"{f.confidence:.0%}",
        "metric": coach_label(f.metric),
        "value": say_value(f.metric, f.unit, f.value, scale),
        "band": say_band(f.metric, f.unit, f.band, scale) or "",
        "evidence": _evidence(result, f, scale),
        "source": f.band.source if f.band is not None else "",
        "cue": f.cue,
        "drills": [say_drill(d, scale) for d in f.drills],
        "explanation": _why(f),
        "key_time": f"{t(f.key_frame):.2f}",
        "key_frame": int(f.key_frame),
        "ranges": [
            {"start": f"{t(a):.2f}", "end": f"{t(b):.2f}", "seek": f"{t(a):.3f}"}
            for a, b in f.frames
        ],
        "seek": f"{t(f.key_frame):.3f}",
        "image": image,
        "chart": chart,
        "shown": shown or "frame",
        "measured_on_image": bool(overlay.measurements),
        "rep": None if f.rep is None else f.rep + 1,
    }


def coach_label(key: str) -> str:
    """The report's name for a metric (no unit in it: the value says it in words)."""
    return COACH_LABELS.get(key) or metric_label(key)
