"""Kinovea sidecar: a ``.kva`` file with a key image at each flagged frame, titled by the fault.

Kinovea (https://www.kinovea.org) loads ``<clip>.kva`` next to ``<clip>.mp4`` automatically.
The format is Kinovea's XML "KinoveaVideoAnalysis" 2.0: a header with the image size and the
timing (``AverageTimeStampsPerFrame``, ``FirstTimeStamp``, ``TimeOrigin``) and
``<Keyframes>`` whose ``<Position>`` is an absolute timestamp in those units (Kinovea's
``Keyframe.ReadXml`` / ``MetadataSerializer``). When the file was written for another
decoder's timestamps, Kinovea converts positions through the frame number relative to the
time origin, so each key image lands on the same frame either way.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

from analyzer import __version__
from analyzer.render.scene import band_text, metric_label, metric_text
from analyzer.results import AnalysisResult, Finding
from analyzer.review import CoachFlag, Review

#: Timestamp units per second when the clip's own time base is not known (1 ms ticks).
DEFAULT_TICKS_PER_S = 1000


def kva_timing(
    fps: float, *, time_base: Fraction | None = None, first_pts: int = 0
) -> tuple[int, int]:
    """``(AverageTimeStampsPerFrame, FirstTimeStamp)`` for a clip.

    With the stream's ``time_base`` (seconds per tick) the values are the ones Kinovea's
    decoder sees; without it, millisecond ticks are used.
    """
    ticks_per_s = 1 / time_base if time_base else Fraction(DEFAULT_TICKS_PER_S)
    per_frame = max(1, round(float(ticks_per_s) / fps))
    return per_frame, int(first_pts)


def kva_document(
    result: AnalysisResult,
    *,
    video_name: str,
    fps: float | None = None,
    time_base: Fraction | None = None,
    first_pts: int = 0,
    image_size: tuple[int, int] | None = None,
    review: Review | None = None,
) -> ET.ElementTree:
    """The ``.kva`` XML tree: one key image per finding (at its key frame), titled by the fault.

    With a coach's ``review``, each finding's comment carries the coach's decision and note
    (a dismissed finding's title says so) and each coach flag is a key image of its own
    ("Coach flag", the note as comment; merged with a finding's key image on the same frame).

    Parameters
    ----------
    video_name
        File name of the clip the sidecar belongs to (Kinovea matches it without extension).
    fps
        Frame rate of the clip (default: the track's).
    time_base, first_pts
        The video stream's time base and first presentation timestamp, if known.
    image_size
        ``(width, height)`` of the clip as Kinovea shows it (default: the track's).
    review
        The coach's decisions and flags (:mod:`analyzer.review`), or None.
    """
    track = result.motion.track
    fps = fps or track.fps
    per_frame, first = kva_timing(fps, time_base=time_base, first_pts=first_pts)
    w, h = image_size or track.image_size
    root = ET.Element("KinoveaVideoAnalysis")
    _sub(root, "FormatVersion", "2.0")
    _sub(root, "Producer", f"backpedal-analyzer.{__version__}")
    _sub(root, "OriginalFilename", Path(video_name).stem)
    _sub(root, "GlobalTitle", "Backpedal analysis")
    _sub(root, "ImageSize", f"{w};{h}")
    _sub(root, "AverageTimeStampsPerFrame", str(per_frame))
    _sub(root, "CaptureFramerate", f"{fps:.6g}")
    _sub(root, "UserFramerate", f"{fps:.6g}")
    _sub(root, "FirstTimeStamp", str(first))
    _sub(root, "SelectionStart", str(first))
    _sub(root, "TimeOrigin", str(first))
    _add_keyframes(root, result, review, per_frame=per_frame, first=first)
    tree = ET.ElementTree(root)
    ET.indent(tree)
    return tree


def write_kva(
    result: AnalysisResult,
    out_path: str | Path,
    *,
    video_name: str,
    fps: float | None = None,
    time_base: Fraction | None = None,
    first_pts: int = 0,
    image_size: tuple[int, int] | None = None,
    review: Review | None = None,
) -> Path:
    """Write the Kinovea sidecar (see :func:`kva_document`) and return its path."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tree = kva_document(
        result,
        video_name=video_name,
        fps=fps,
        time_base=time_base,
        first_pts=first_pts,
        image_size=image_size,
        review=review,
    )
    tree.write(out_path, encoding="utf-8", xml_declaration=True)
    return out_path


def kva_with_review(kva_path: str | Path, result: AnalysisResult, review: Review) -> bytes:
    """An existing ``.kva`` (as written with the clip's timing) with the coach's ``review``
    added: its key images rebuilt from ``result`` and ``review`` on the file's own timing."""
    tree = ET.parse(kva_path)
    root = tree.getroot()
    per_frame = int(root.findtext("AverageTimeStampsPerFrame") or 0)
    first = int(root.findtext("FirstTimeStamp") or 0)
    if per_frame <= 0:
        per_frame, first = kva_timing(result.motion.track.fps)
    for old in root.findall("Keyframes"):
        root.remove(old)
    _add_keyframes(root, result, review, per_frame=per_frame, first=first)
    ET.indent(tree)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _add_keyframes(
    root: ET.Element,
    result: AnalysisResult,
    review: Review | None,
    *,
    per_frame: int,
    first: int,
) -> None:
    """``<Keyframes>``: one key image per flagged frame (findings and coach flags)."""
    findings = result.faults.findings if result.faults else []
    flags = review.flags if review is not None else ()
    if findings or flags:
        keyframes = ET.SubElement(root, "Keyframes")
        by_frame: dict[int, list[Finding | CoachFlag]] = {}
        for f in findings:
            by_frame.setdefault(int(f.key_frame), []).append(f)
        for flag in flags:
            by_frame.setdefault(int(flag.frame), []).append(flag)
        for frame, group in sorted(by_frame.items()):
            kf = ET.SubElement(keyframes, "Keyframe", id=str(_stable_uuid(result, frame)))
            _sub(kf, "Position", str(first + frame * per_frame))
            _sub(kf, "Title", " + ".join(_title(g, review) for g in group))
            _sub(kf, "Comment", "\n\n".join(_entry_comment(g, review) for g in group))


def clip_timing(clip: str | Path) -> tuple[Fraction | None, int]:
    """The clip's video stream time base and first presentation timestamp (PyAV)."""
    import av

    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        first = stream.start_time if stream.start_time is not None else 0
        return stream.time_base, int(first)


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    el = ET.SubElement(parent, tag)
    el.text = text
    return el


def _title(entry: Finding | CoachFlag, review: Review | None) -> str:
    if isinstance(entry, CoachFlag):
        return "Coach flag"
    decided = review.decision_for(entry.id) if review is not None else None
    if decided is not None and decided.decision == "dismissed":
        return f"{entry.title} (dismissed by the coach)"
    return entry.title


def _entry_comment(entry: Finding | CoachFlag, review: Review | None) -> str:
    if isinstance(entry, CoachFlag):
        return f"Coach flag: {entry.note}" if entry.note else "Coach flag"
    text = _comment(entry)
    decided = review.decision_for(entry.id) if review is not None else None
    if decided is not None:
        text += f"\nCoach: {decided.decision}" + (f". {decided.note}" if decided.note else "")
    return text


def _comment(f: Finding) -> str:
    band = band_text(f.metric, f.unit, f.band)
    measured = f"{metric_label(f.metric)}: {metric_text(f.metric, f.unit, f.value)}"
    lines = [f"{f.title} ({f.severity})", measured + (f", target {band}" if band else "")]
    if f.cue:
        lines.append(f"Cue: {f.cue}")
    if f.drills:
        lines.append("Drills: " + "; ".join(f.drills))
    return "\n".join(lines)


def _stable_uuid(result: AnalysisResult, frame: int) -> uuid.UUID:
    clip = str(result.provenance.get("clip_sha256", result.provenance.get("clip", "")))
    return uuid.uuid5(uuid.NAMESPACE_URL, f"backpedal-analyzer:{clip}:{frame}")
