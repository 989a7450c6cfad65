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
from dataclasses import dataclass
from functools import lru_cache
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
#: How often the video pass hands freed memory back to the system (frames).
TRIM_EVERY_FRAMES = 64
#: libx264 speed preset of the annotated video. Measured on a 12 s 720x1280 clip (quiet
#: 2-core machine, 2026-12-02): "ultrafast" made the whole output step 1.3 s shorter than
#: "veryfast" with a cheap motion search (5.7 s vs 7.0 s, pose cached) for a file 3.4x larger
#: (5.1 MB vs 1.5 MB) at the same quality factor; the video is the output step's critical
#: path, and 5 MB for a 12 s review clip is cheap next to the coach's time.
X264_PRESET = "ultrafast"


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
    preset: str = X264_PRESET,
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
    raw = ((index, time_s, image, None) for index, time_s, image in frames)
    options = _Options(fps, total, progress, crf, preset, max_side_px)
    return _write_stream(raw, result, Path(out_path), options, keep_frames, on_key_frames)


@dataclass(frozen=True)
class _Options:
    fps: float | None
    total: int | None
    progress: ProgressFn | None
    crf: int = 23
    preset: str = X264_PRESET
    max_side_px: int = MAX_VIDEO_SIDE_PX
    source_size: tuple[int, int] | None = None


def _write_stream(
    frames: Iterable[tuple[int, float, np.ndarray, np.ndarray | None]],
    result: AnalysisResult,
    out_path: Path,
    o: _Options,
    keep_frames: Iterable[int],
    on_key_frames: KeyFramesFn | None,
) -> tuple[Path, dict[int, np.ndarray]]:
    """:func:`write_annotated_video` on ``(index, time, image, full-size image or None)``:
    the image may come scaled to the video's size already (``o.source_size`` is then the
    clip's), with the full-size picture given for the kept frames."""
    track = result.motion.track
    fps = o.fps or (track.fps if np.isfinite(track.fps) else 30.0)
    keep = set(int(i) for i in keep_frames)
    kept: dict[int, np.ndarray] = {}
    last_kept = max(keep, default=-1)
    handed = on_key_frames is None
    encoder = _Encoder(out_path, fps, o)
    try:
        for done, (index, time_s, image, full) in enumerate(frames, start=1):
            if done % TRIM_EVERY_FRAMES == 1:
                release_free_memory()
            if index in keep:
                kept[index] = full if full is not None else image.copy()
            if not handed and index >= last_kept:
                on_key_frames(dict(kept))  # type: ignore[misc]
                handed = True
            data = frame_overlay(result, index) if 0 <= index < track.n_frames else FrameOverlay()
            encoder.write(image, data, float(time_s))
            if o.progress is not None:
                o.progress("video", done, o.total)
    finally:
        encoder.close()
    if not handed:
        on_key_frames(dict(kept))  # type: ignore[misc]
    if encoder.frames_written == 0:
        raise ValueError("no frames to write: the clip produced no decodable frame.")
    return out_path, kept


class _Encoder:
    """Scale (unless the frames come scaled), annotate and encode frames; the writer opens on
    the first frame."""

    def __init__(self, path: Path, fps: float, o: _Options) -> None:
        self.path, self.fps, self.o = path, fps, o
        self.frames_written = 0
        self._writer: Any = None
        self._size: tuple[int, int] = (0, 0)
        self._scale = 1.0
        self._last_t: float | None = None

    def write(self, image: np.ndarray, data: FrameOverlay, time_s: float) -> None:
        import cv2

        if self._writer is None:
            self._open(image)
        w, h = self._size
        if self._scale < 1.0:
            if image.shape[:2] != (h, w):
                image = cv2.resize(image, self._size, interpolation=cv2.INTER_AREA)
            out = annotate(image, moved_overlay(data, scale=self._scale))
        else:  # crop one pixel row/column if needed: yuv420p needs even sizes
            out = annotate(image[:h, :w], data)
        t = time_s
        if self._last_t is not None and t <= self._last_t:  # duplicate timestamps: nudge
            t = self._last_t + 1e-3
        self._writer.write(out, time_s=t)
        self._last_t = t
        self.frames_written += 1

    def _open(self, image: np.ndarray) -> None:
        from analyzer.video.writer import VideoWriter

        h, w = image.shape[:2]
        if self.o.source_size is not None:
            w, h = self.o.source_size
        self._size = video_size(w, h, max_side_px=self.o.max_side_px)
        self._scale = self._size[0] / w if max(w, h) > self.o.max_side_px else 1.0
        self._writer = VideoWriter(
            self.path,
            fps=self.fps,
            size=self._size,
            crf=self.o.crf,
            options={"preset": self.o.preset},
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
    from analyzer.video.probe import probe_video
    from analyzer.video.reader import VideoReader, prefetch_frames

    keep = sorted(set(int(i) for i in keep_frames))
    info = video or probe_video(clip, capture_fps=capture_fps, rotate_deg=rotate_deg)
    size = video_size(info.width, info.height)
    scaled = size[0] < info.width - 1  # FFmpeg scales while converting the colours
    with VideoReader(
        clip, info=info, size=size if scaled else None, full_size_at=keep if scaled else ()
    ) as reader:

        def frames() -> Iterator[tuple[int, float, np.ndarray, np.ndarray | None]]:
            first: float | None = None
            for f in prefetch_frames(iter(reader)):
                first = f.pts_s if first is None else first
                yield f.index, f.pts_s - first, f.image, f.full

        # written on the playback clock, so a slow-motion clip stays slow in the annotated video
        options = _Options(
            info.playback_fps, info.frame_count, progress, source_size=(info.width, info.height)
        )
        return _write_stream(frames(), result, Path(out_path), options, keep, on_key_frames)


def release_free_memory() -> None:
    """Hand the heap's free pages back to the system (glibc ``malloc_trim``; no-op where
    there is no glibc).

    The video pass allocates and frees frame-sized buffers in several threads (decoder,
    prefetch, drawing, encoder) and glibc keeps the freed pieces, so without this the peak
    resident size crept up with the clip's length (1080p: +45 MB from a 10 s to a 60 s
    clip). Python's standard library has no wrapper for ``malloc_trim``, hence ctypes.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim() -> Any:
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None
