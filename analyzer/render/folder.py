"""Everything a person looks at, in one call: annotated video, report, Kinovea sidecar, CSVs.

:func:`write_render_outputs` streams the clip once (annotating every frame and keeping the
raw key frames on the way), then writes ``report.html``, ``<clip>.kva``, ``steps.csv`` and
``metrics.csv``. It reads the result and never changes it: the capture verdict is a pipeline
stage (``analyzer.capture``), and the clip's probe comes from ``result.capture.video``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analyzer.export_csv import export_csv
from analyzer.progress import ProgressFn
from analyzer.results import AnalysisResult
from analyzer.video.info import VideoInfo

VIDEO_NAME = "annotated.mp4"
REPORT_NAME = "report.html"


def write_render_outputs(
    result: AnalysisResult,
    out_dir: str | Path,
    *,
    clip: str | Path | None = None,
    with_video: bool = True,
    capture_fps: float | None = None,
    rotate_deg: int | None = None,
    progress: ProgressFn | None = None,
) -> dict[str, Path]:
    """Write the annotated video, report, Kinovea sidecar and CSVs; return paths by name.

    Parameters
    ----------
    result
        The analysis (read only).
    out_dir
        The output folder (created if needed).
    clip
        The analysed clip, or None for a track-only analysis (no video, key images or .kva).
    with_video
        Write ``annotated.mp4`` (else only the key frames are decoded, for the report).
    capture_fps
        Real capture rate of a slow-motion clip, used only when the result carries no probe
        of the clip (``result.capture.video``).
    rotate_deg
        Clockwise rotation of the stored frames in place of the clip's rotation tag, used
        only when the result carries no probe of the clip.
    progress
        ``progress("video", done, total)`` while the video is written.
    """
    from analyzer.render.annotate_video import annotate_clip
    from analyzer.render.kva import clip_timing, write_kva
    from analyzer.render.report import capture_of, collect_frames, key_frame_indices, write_report

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    key_frames: dict[int, np.ndarray] = {}
    video_name: str | None = None
    info = _video_info(result, clip, capture_fps, rotate_deg)
    if clip is not None:
        capture_fps = info.capture_fps if info is not None else None
        wanted = key_frame_indices(result)
        if with_video:
            path, key_frames = annotate_clip(
                clip,
                result,
                out_dir / VIDEO_NAME,
                capture_fps=capture_fps,
                progress=progress,
                keep_frames=wanted,
                video=info,
            )
            written[VIDEO_NAME] = path
            video_name = VIDEO_NAME
        else:
            key_frames = collect_frames(clip, wanted, capture_fps=capture_fps, video=info)
    written[REPORT_NAME] = write_report(
        result, out_dir, key_frames=key_frames, video_name=video_name, capture=capture_of(result)
    )
    if clip is not None:
        time_base, first_pts = clip_timing(clip)
        kva = out_dir / f"{Path(clip).stem}.kva"
        written[kva.name] = write_kva(
            result,
            kva,
            video_name=Path(clip).name,
            fps=info.playback_fps if info else None,
            time_base=time_base,
            first_pts=first_pts,
        )
    written.update(export_csv(result, out_dir))
    return written


def _video_info(
    result: AnalysisResult,
    clip: str | Path | None,
    capture_fps: float | None,
    rotate_deg: int | None,
) -> VideoInfo | None:
    """The clip's probe from the result's capture stage; probed here only when the result
    has none (a result built from a track, rendered against its clip)."""
    if clip is None:
        return None
    if result.capture is not None and result.capture.video is not None:
        return result.capture.video
    from analyzer.video import probe_video

    settings = result.provenance.get("settings", {})
    if capture_fps is None:
        capture_fps = settings.get("capture_fps")
    if rotate_deg is None:
        rotate_deg = settings.get("rotate_deg")
    return probe_video(clip, capture_fps=capture_fps, rotate_deg=rotate_deg)
