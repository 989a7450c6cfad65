"""The annotated video: the clip with skeleton, phase label and live metrics, in H.264.

Frames are streamed (never the whole clip in memory), scaled down to at most 720p
(:data:`MAX_VIDEO_SIDE_PX`: a phone or laptop shows no more, and encoding a full HD or 4K
video cost more than the pose pass), annotated with the stateless
:func:`~analyzer.render.overlay.annotate` and written with the shared
:class:`~analyzer.video.writer.VideoWriter` (libx264, yuv420p: plays in browsers and phones).
The raw frames the report needs (the findings' key frames) are kept at full size on the way
and handed over as soon as the last one has been decoded, so the report need not wait for
the whole video.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.progress import ProgressFn
from analyzer.render.overlay import FrameOverlay, annotate, moved_overlay
from analyzer.render.scene import frame_overlay
from analyzer.results import AnalysisResult
from analyzer.video.info import VideoInfo

#: Longest side of the annotated video in pixels (720p); larger clips are scaled down.
MAX_VIDEO_SIDE_PX = 1280

KeyFramesFn = Callable[[dict[int, np.ndarray]], None]


def video_size(width: int, height: int, *, max_side_px: int = MAX_VIDEO_SIDE_PX) -> tuple[int, int]:
    """``(width, height)`` of the annotated video of a ``width`` x ``height`` clip: scaled
    down so the longest side is at most ``max_side_px``, never up, and even (yuv420p)."""
    k = min(1.0, max_side_px / max(width, height, 1))
    w = round(width * k) if k < 1.0 else width
    h = round(height * k) if k < 1.0 else height
    return max(2, w - w % 2), max(2, h - h % 2)


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
    max_side_px: int = MAX_VIDEO_SIDE_PX,
    on_key_frames: KeyFramesFn | None = None,
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
        Frame indices whose *raw* full-size frames are returned (e.g. the findings' key
        frames), so the report needs no second decode.
    crf, preset
        libx264 quality (lower is better) and speed preset.
    max_side_px
        Frames are scaled down (see :func:`video_size`) so the video's longest side is at
        most this.
    on_key_frames
        Called once with the kept frames as soon as the last of ``keep_frames`` is decoded
        (or at the end of the stream), while the rest of the video is still being written.
    """
    track = result.motion.track
    fps = fps or (track.fps if np.isfinite(track.fps) else 30.0)
    keep = set(int(i) for i in keep_frames)
    kept: dict[int, np.ndarray] = {}
    last_kept = max(keep, default=-1)
    handed = on_key_frames is None
    encoder = _Encoder(Path(out_path), fps, crf=crf, preset=preset, max_side_px=max_side_px)
    try:
        for done, (index, time_s, image) in enumerate(frames, start=1):
            if index in keep:
                kept[index] = image.copy()
            if not handed and index >= last_kept:
                on_key_frames(dict(kept))  # type: ignore[misc]
                handed = True
            data = frame_overlay(result, index) if 0 <= index < track.n_frames else FrameOverlay()
            encoder.write(image, data, float(time_s))
            if progress is not None:
                progress("video", done, total)
    finally:
        encoder.close()
    if not handed:
        on_key_frames(dict(kept))  # type: ignore[misc]
    if encoder.frames_written == 0:
        raise ValueError("no frames to write: the clip produced no decodable frame.")
    return Path(out_path), kept


class _Encoder:
    """Scale, annotate and encode frames; the writer opens on the first frame (its size)."""

    def __init__(self, path: Path, fps: float, *, crf: int, preset: str, max_side_px: int):
        self.path, self.fps, self.crf, self.preset = path, fps, crf, preset
        self.max_side_px = max_side_px
        self.frames_written = 0
        self._writer: Any = None
        self._size: tuple[int, int] = (0, 0)
        self._scale = 1.0
        self._last_t: float | None = None

    def write(self, image: np.ndarray, data: FrameOverlay, time_s: float) -> None:
        import cv2

        if self._writer is None:
            self._open(image)
        if self._scale < 1.0:
            small = cv2.resize(image, self._size, interpolation=cv2.INTER_LINEAR)
            out = annotate(small, moved_overlay(data, scale=self._scale))
        else:  # crop one pixel row/column if needed: yuv420p needs even sizes
            out = annotate(image[: self._size[1], : self._size[0]], data)
        t = time_s
        if self._last_t is not None and t <= self._last_t:  # duplicate timestamps: nudge
            t = self._last_t + 1e-3
        self._writer.write(out, time_s=t)
        self._last_t = t
        self.frames_written += 1

    def _open(self, image: np.ndarray) -> None:
        from analyzer.video.writer import VideoWriter

        h, w = image.shape[:2]
        self._size = video_size(w, h, max_side_px=self.max_side_px)
        self._scale = self._size[0] / w if max(w, h) > self.max_side_px else 1.0
        self._writer = VideoWriter(
            self.path,
            fps=self.fps,
            size=self._size,
            crf=self.crf,
            options={"preset": self.preset, "movflags": "+faststart"},
        )

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


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
    on_key_frames: KeyFramesFn | None = None,
) -> tuple[Path, dict[int, np.ndarray]]:
    """Stream ``clip`` (upright), annotate every frame, write H.264 on the playback clock.

    Returns the written path and the raw frames at ``keep_frames`` (see
    :func:`write_annotated_video`, also for ``on_key_frames``). Frames are decoded ahead
    in a second thread (:func:`analyzer.video.reader.prefetch_frames`). ``video``: the
    clip's probe, when already known (it carries the rotation and capture rate of the
    analysis); else ``capture_fps`` and ``rotate_deg`` (replacing the clip's rotation tag)
    are used to probe it.
    """
    from analyzer.video.reader import VideoReader, prefetch_frames

    with VideoReader(clip, capture_fps=capture_fps, rotate_deg=rotate_deg, info=video) as reader:
        info = reader.info

        def frames() -> Iterator[tuple[int, float, np.ndarray]]:
            first: float | None = None
            for f in prefetch_frames(iter(reader)):
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
            on_key_frames=on_key_frames,
        )
