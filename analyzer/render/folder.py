"""Everything a person looks at, in one call: annotated video, report, Kinovea sidecar, CSVs.

:func:`write_render_outputs` streams the clip once (annotating every frame, keeping the raw
key frames and the brightness statistics on the way), stores the capture-quality verdict in
``result.capture``, then writes ``report.html``, ``<clip>.kva``, ``steps.csv`` and
``metrics.csv``. Call it before serialising ``result.json`` so the verdict is saved with it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from analyzer.export_csv import export_csv
from analyzer.render.capture import BrightnessStats, assess_capture
from analyzer.results import AnalysisResult

#: progress(stage, done, total)
ProgressFn = Callable[[str, int, int | None], None]

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
        The analysis; ``result.capture["assessment"]`` (and ``["brightness"]`` when the clip
        was streamed) are filled in here.
    out_dir
        The output folder (created if needed).
    clip
        The analysed clip, or None for a track-only analysis (no video, key images or .kva).
    with_video
        Write ``annotated.mp4`` (else only the key frames are decoded, for the report).
    capture_fps
        Real capture rate of a slow-motion clip when the container does not say it.
    rotate_deg
        Clockwise rotation of the stored frames used by the analysis (None = the clip's tag).
    """
    from analyzer.render.annotate_video import annotate_clip
    from analyzer.render.kva import clip_timing, write_kva
    from analyzer.render.report import collect_frames, key_frame_indices, write_report

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    key_frames: dict[int, np.ndarray] = {}
    video_name: str | None = None
    info = None
    brightness: BrightnessStats | None = None
    if clip is not None:
        from analyzer.video import probe_video

        info = probe_video(clip, capture_fps=capture_fps, rotate_deg=rotate_deg)
        wanted = key_frame_indices(result)
        brightness = BrightnessStats()
        if with_video:
            path, key_frames = annotate_clip(
                clip,
                result,
                out_dir / VIDEO_NAME,
                capture_fps=capture_fps,
                rotate_deg=rotate_deg,
                progress=progress,
                keep_frames=wanted,
                brightness=brightness,
            )
            written[VIDEO_NAME] = path
            video_name = VIDEO_NAME
        else:
            key_frames = collect_frames(
                clip, wanted, capture_fps=capture_fps, rotate_deg=rotate_deg
            )
            for frame in key_frames.values():
                brightness.add(frame)
        result.capture["brightness"] = brightness.to_dict() if brightness.n_frames else None
    assessment = assess_capture(
        result.motion.track,
        info,
        view=result.motion.view,
        brightness=brightness if brightness is not None and brightness.n_frames else None,
    )
    result.capture["assessment"] = assessment.to_dict()
    written[REPORT_NAME] = write_report(
        result, out_dir, key_frames=key_frames, video_name=video_name, capture=assessment
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
