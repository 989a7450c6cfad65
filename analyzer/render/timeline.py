"""The clip's timeline for frame-by-frame review: frame times, flagged moments, foot contacts.

One JSON-ready dictionary, used by the web app's review and compare pages and by the stepper
inlined into the offline ``report.html``: both step the *annotated* video one frame at a
time, so they need each frame's time on that video's clock, and they draw a marker per
flagged moment and per foot contact under it.

The annotated video is written on the playback clock (``analyzer.render.annotate_video``),
the track on real time: a slow-motion clip's frame ``i`` plays at
``(t_i - t_0) * capture_fps / playback_fps``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from analyzer.faults.rules import SEVERITY_ORDER
from analyzer.render.scene import band_text, metric_label, metric_text
from analyzer.results import AnalysisResult, MotionAnalysis

#: The frame stepper script (inlined into report.html, served by the web app).
STEPPER_JS = Path(__file__).with_name("templates") / "stepper.js"

#: Events a rep can be aligned on in the compare view: key -> label.
ALIGN_EVENTS: dict[str, str] = {
    "pedal_start": "start of the pedal",
    "first_contact": "first foot contact",
    "hip_turn": "hip turn",
}


def video_times_s(result: AnalysisResult) -> np.ndarray:
    """Each frame's time (s) on the annotated video's clock (starts at 0)."""
    times = np.asarray(result.motion.track.times_s, dtype=float)
    if times.size == 0:
        return times
    factor = 1.0
    video = result.capture.video if result.capture is not None else None
    if video is not None and video.capture_fps and video.playback_fps:
        factor = float(video.capture_fps) / float(video.playback_fps)
    return (times - times[0]) * factor


def rep_events(motion: MotionAnalysis) -> list[dict[str, Any]]:
    """Per rep: the frames of its alignment events (None when the rep has no such event).

    ``pedal_start``: the first frame of the rep's backpedal phase; ``first_contact``: the
    first touchdown at or after it; ``hip_turn``: the first frame of its transition phase.
    """
    reps = sorted({p.rep for p in motion.phases})
    out = []
    for rep in reps:
        phases = [p for p in motion.phases if p.rep == rep]
        pedal = next((p for p in phases if p.kind == "backpedal"), None)
        turn = next((p for p in phases if p.kind == "transition"), None)
        start = pedal.start_frame if pedal else min(p.start_frame for p in phases)
        end = max(p.end_frame for p in phases)
        touch = [
            e.frame for e in motion.events if e.kind == "touchdown" and start <= e.frame <= end
        ]
        out.append(
            {
                "rep": rep,
                "start_frame": int(min(p.start_frame for p in phases)),
                "end_frame": int(end),
                "pedal_start": int(pedal.start_frame) if pedal else None,
                "first_contact": int(min(touch)) if touch else None,
                "hip_turn": int(turn.start_frame) if turn else None,
            }
        )
    return out


def review_timeline(result: AnalysisResult) -> dict[str, Any]:
    """Everything a frame-by-frame review needs, JSON-ready.

    Keys: ``n_frames``, ``fps`` (playback), ``times_s`` (per frame, video clock, ms
    precision), ``findings`` (by severity: id, title, severity, ``frames`` ranges,
    ``key_frame``, measured value and target in words), ``contacts`` (touchdowns and
    toe-offs: foot, kind, frame), ``phases`` and ``reps`` (alignment events per rep).
    """
    motion = result.motion
    times = video_times_s(result)
    n = int(times.size)
    fps = 1.0 / float(np.median(np.diff(times))) if n > 1 else 0.0
    rank = {s: i for i, s in enumerate(reversed(SEVERITY_ORDER))}
    findings = sorted(
        result.faults.findings if result.faults else [],
        key=lambda f: (rank.get(f.severity, 99), f.key_frame),
    )
    last = max(n - 1, 0)
    return {
        "n_frames": n,
        "fps": round(fps, 3),
        "times_s": [round(float(t), 4) for t in times],
        "findings": [
            {
                "id": f.id,
                "title": f.title,
                "severity": f.severity,
                "category": f.category,
                "key_frame": int(np.clip(f.key_frame, 0, last)),
                "frames": [
                    [int(np.clip(a, 0, last)), int(np.clip(b, 0, last))] for a, b in f.frames
                ]
                or [[int(f.key_frame), int(f.key_frame)]],
                "metric": metric_label(f.metric),
                "value": metric_text(f.metric, f.unit, f.value),
                "target": band_text(f.metric, f.unit, f.band),
                "cue": f.cue,
                "rep": f.rep,
            }
            for f in findings
        ],
        "contacts": [
            {"foot": e.foot, "kind": e.kind, "frame": int(e.frame)}
            for e in motion.events
            if 0 <= e.frame < n
        ],
        "phases": [
            {"kind": p.kind, "rep": p.rep, "start": int(p.start_frame), "end": int(p.end_frame)}
            for p in motion.phases
        ],
        "reps": rep_events(motion),
    }


def review_context(result: AnalysisResult) -> dict[str, Any]:
    """What the offline report's review part needs: the timeline (also as JSON safe to put
    inside a ``<script>`` element), the clip's name and SHA-256 (so the web app imports the
    downloaded review into the right clip)."""
    import json

    line = review_timeline(result)
    return {
        "timeline": line,
        "json": json.dumps(line, separators=(",", ":")).replace("</", "<\\/"),
        "clip": str(result.provenance.get("clip", "")),
        "clip_sha256": str(result.provenance.get("clip_sha256", "")),
    }
