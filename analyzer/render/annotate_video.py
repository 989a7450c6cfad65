"""The annotated video: the clip with skeleton, phase label and live metrics, in H.264.

Frames are streamed (never the whole clip in memory), annotated with the stateless
:func:`~analyzer.render.overlay.annotate` and written with the shared
:class:`~analyzer.video.writer.VideoWriter` (libx264, yuv420p: plays in browsers and phones).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from analyzer.progress import ProgressFn
from analyzer.render.overlay import FrameOverlay, annotate
from analyzer.render.scene import frame_overlay
from analyzer.results import AnalysisResult
from analyzer.video.info import VideoInfo


def write_annotated_video(
    frames: Iterable[tuple[int, float, np.ndarray]],
    result: AnalysisResult,
    out_path: str | Path,
    *,
    fps: float | None = None,
    total: int | None = None,
    progress: ProgressFn | None = None,
    keep_frames: Iterable[int] = (),
    crf: int = 23,
    preset: str = "veryfast",
) -> tuple[Path, dict[int, np.ndarray]]:
    """Annotate and encode a stream of frames; return the path and the raw kept frames.

    Parameters
    ----------
    frames
        ``(frame index, time in seconds, upright BGR image)`` in order (e.g. from
        ``analyzer.video.iter_frames``).
    result
        The analysis whose track (same frame indices) is drawn.
    out_path
        The ``.mp4`` to write.
    fps
        Nominal frame rate of the output; default the track's.
    total
        Number of frames, for the progress callback.
    keep_frames
        Frame indices whose *raw* frames are returned (e.g. the findings' key frames), so
        the report needs no second decode.
    crf, preset
        libx264 quality (lower is better) and speed preset.
    """
    from analyzer.video.writer import VideoWriter

    track = result.motion.track
    fps = fps or (track.fps if np.isfinite(track.fps) else 30.0)
    keep = set(int(i) for i in keep_frames)
    kept: dict[int, np.ndarray] = {}
    writer: VideoWriter | None = None
    last_t: float | None = None
    out_path = Path(out_path)
    try:
        for done, (index, time_s, image) in enumerate(frames, start=1):
            if index in keep:
                kept[index] = image.copy()
            data = frame_overlay(result, index) if 0 <= index < track.n_frames else FrameOverlay()
            out = _even(annotate(image, data))
            if writer is None:
                size = (out.shape[1], out.shape[0])
                writer = VideoWriter(
                    out_path,
                    fps=fps,
                    size=size,
                    crf=crf,
                    options={"preset": preset, "movflags": "+faststart"},
                )
            t = float(time_s)
            if last_t is not None and t <= last_t:  # duplicate timestamps: nudge forward
                t = last_t + 1e-3
            writer.write(out, time_s=t)
            last_t = t
            if progress is not None:
                progress("video", done, total)
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        raise ValueError("no frames to write: the clip produced no decodable frame.")
    return out_path, kept


def annotate_clip(
    clip: str | Path,
    result: AnalysisResult,
    out_path: str | Path,
    *,
    capture_fps: float | None = None,
    rotate_deg: int | None = None,
    progress: ProgressFn | None = None,
    keep_frames: Iterable[int] = (),
    video: VideoInfo | None = None,
) -> tuple[Path, dict[int, np.ndarray]]:
    """Stream ``clip`` (upright), annotate every frame, write H.264 on the playback clock.

    Returns the written path and the raw frames at ``keep_frames`` (see
    :func:`write_annotated_video`). ``video``: the clip's probe, when already known (it
    carries the rotation and capture rate of the analysis); else ``capture_fps`` and
    ``rotate_deg`` (replacing the clip's rotation tag) are used to probe it.
    """
    from analyzer.video.reader import VideoReader

    with VideoReader(clip, capture_fps=capture_fps, rotate_deg=rotate_deg, info=video) as reader:
        info = reader.info

        def frames() -> Iterator[tuple[int, float, np.ndarray]]:
            first: float | None = None
            for f in reader:
                first = f.pts_s if first is None else first
                yield f.index, f.pts_s - first, f.image

        # written on the playback clock, so a slow-motion clip stays slow in the annotated video
        return write_annotated_video(
            frames(),
            result,
            out_path,
            fps=info.playback_fps,
            total=info.frame_count,
            progress=progress,
            keep_frames=keep_frames,
        )


def _even(frame: np.ndarray) -> np.ndarray:
    """Crop one pixel row/column if needed: yuv420p needs an even width and height."""
    h, w = frame.shape[:2]
    return frame[: h - h % 2, : w - w % 2]
