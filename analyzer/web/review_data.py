"""The review pages' door into the analyzer: a clip's result, timeline, frames and .kva.

Like :mod:`analyzer.web.analysis` for the analysis, every call the review features make into
the analyzer goes through here. Results are read back with :func:`analyzer.export.load_result`
(never re-analysed) and kept in a small cache keyed on ``result.json``'s path and mtime.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.errors import AnalyzerError
from analyzer.results import AnalysisResult, Finding, MetricValue
from analyzer.review import Review

#: Height (px) and JPEG quality of a rendered review frame (JPEG: ~55 kB against ~310 kB
#: as PNG for a 720p clip, and encoded in a fraction of the time).
FRAME_HEIGHT_PX = 540
JPEG_QUALITY = 85


class ResultMissingError(AnalyzerError):
    """The clip has no readable analysis result (not analysed, or its folder is gone)."""


def load_clip_result(result_dir: Path) -> AnalysisResult:
    """The clip's analysis, read from its folder (cached while ``result.json`` is unchanged)."""
    path = Path(result_dir) / "result.json"
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise ResultMissingError(
            "This clip has no analysis result yet.", "Wait for the analysis, or retry it."
        ) from exc
    return _load(str(path), mtime)


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int) -> AnalysisResult:
    from analyzer.export import load_result

    return load_result(path)


def timeline(result: AnalysisResult) -> dict[str, Any]:
    """Frame times, findings, contacts, phases and reps (see ``review_timeline``)."""
    from analyzer.render.timeline import review_timeline

    return review_timeline(result)


def clip_sha256(result: AnalysisResult) -> str:
    """The analysed clip's SHA-256 (from the result's provenance; "" when unknown)."""
    return str(result.provenance.get("clip_sha256") or "")


def finding_by_id(result: AnalysisResult, finding_id: str) -> Finding | None:
    """The clip's finding with this id, or None."""
    for f in result.faults.findings if result.faults else []:
        if f.id == finding_id:
            return f
    return None


def frame_jpeg(
    result: AnalysisResult,
    video: Path,
    frame: int,
    *,
    finding: Finding | None = None,
    already_drawn: bool = False,
) -> bytes:
    """Frame ``frame`` of ``video`` with the skeleton and, for a ``finding``, its measurement
    drawn against its band (the report's key-frame picture, at any frame), as JPEG.

    ``already_drawn``: ``video`` is the annotated video (an imported clip whose source is
    not kept): its frames are on the playback clock, and a bare frame gets nothing more.
    """
    import cv2

    from analyzer.render.overlay import FrameOverlay, annotate
    from analyzer.render.report import collect_frames, key_frame_image
    from analyzer.render.scene import finding_overlay, frame_overlay

    n = result.motion.track.n_frames
    if not 0 <= frame < n:
        raise ValueError(f"frame {frame} is outside the clip (0-{n - 1})")
    capture = result.capture.video if result.capture is not None else None
    capture_fps = capture.capture_fps if capture is not None and not already_drawn else None
    frames = collect_frames(video, [frame], capture_fps=capture_fps)
    if frame not in frames:
        raise ValueError(f"frame {frame} could not be decoded")
    image = frames[frame]
    if finding is not None:
        moved = replace(finding, key_frame=frame)
        overlay = finding_overlay(result, moved)
        out = key_frame_image(result, moved, image, out_height=FRAME_HEIGHT_PX, overlay=overlay)
    else:
        data = FrameOverlay() if already_drawn else frame_overlay(result, frame)
        out = annotate(image, data)
        scale = FRAME_HEIGHT_PX / out.shape[0]
        if scale < 1:
            out = cv2.resize(out, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("could not encode the frame")
    return buf.tobytes()


def cached_frame_jpeg(
    result_dir: Path, video: Path, frame: int, *, finding_id: str = "", already_drawn: bool
) -> bytes:
    """:func:`frame_jpeg` for the clip in ``result_dir``, kept for repeated requests (a coach
    steps back and forth over the same frames) while the result and the video are unchanged.

    Raises ValueError for a frame outside the clip and KeyError for an unknown finding.
    """
    stamp = (Path(result_dir) / "result.json").stat().st_mtime_ns, Path(video).stat().st_mtime_ns
    return _frame_cache(str(result_dir), str(video), stamp, frame, finding_id, already_drawn)


@lru_cache(maxsize=64)
def _frame_cache(
    result_dir: str,
    video: str,
    stamp: tuple[int, int],
    frame: int,
    finding_id: str,
    already_drawn: bool,
) -> bytes:
    result = load_clip_result(Path(result_dir))
    finding = finding_by_id(result, finding_id) if finding_id else None
    if finding_id and finding is None:
        raise KeyError(finding_id)
    return frame_jpeg(result, Path(video), frame, finding=finding, already_drawn=already_drawn)


def kva_bytes(kva_path: Path, result: AnalysisResult, review: Review) -> bytes:
    """The clip's Kinovea file with the coach's decisions and flags as comments."""
    from analyzer.render.kva import kva_with_review

    return kva_with_review(kva_path, result, review)


def rep_metrics(result: AnalysisResult, rep: int) -> dict[str, MetricValue]:
    """The metrics of one rep (the clip's metrics when the clip has a single rep)."""
    reps = result.motion.rep_metrics
    if 0 <= rep < len(reps):
        return reps[rep]
    return result.motion.metrics if rep == 0 else {}


def metric_rows(a: dict[str, MetricValue], b: dict[str, MetricValue]) -> list[dict[str, Any]]:
    """One row per metric of either rep: label, both values in words, and B minus A."""
    from analyzer.render.scene import metric_label, metric_text

    rows = []
    for key in sorted(set(a) | set(b), key=lambda k: metric_label(k)):
        ma, mb = a.get(key), b.get(key)
        va = ma.value if ma is not None and ma.assessable else None
        vb = mb.value if mb is not None and mb.assessable else None
        if va is None and vb is None:
            continue
        unit = (ma or mb).unit  # type: ignore[union-attr]
        diff = None if va is None or vb is None else vb - va
        rows.append(
            {
                "key": key,
                "label": metric_label(key),
                "a": metric_text(key, unit, va) if va is not None else "not assessable",
                "b": metric_text(key, unit, vb) if vb is not None else "not assessable",
                "diff": (("+" if diff > 0 else "") + metric_text(key, unit, diff))
                if diff is not None
                else "",
            }
        )
    return rows


def rep_pose(result: AnalysisResult, events: dict[str, Any], align_frame: int):
    """One rep of the clip's stored track for the overlay (:class:`RepPose`)."""
    from analyzer.web.review_overlay import RepPose

    track = result.motion.track
    facing = result.motion.series.get("facing_sign")
    return RepPose(
        xy=np.asarray(track.image_xy, dtype=float),
        visibility=np.asarray(track.visibility, dtype=float),
        start_frame=int(events["start_frame"]),
        end_frame=int(events["end_frame"]),
        align_frame=int(align_frame),
        facing=None if facing is None else np.asarray(facing, dtype=float),
    )
