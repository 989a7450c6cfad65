"""Stream a clip's frames upright, one at a time, each with its true timestamp.

Frames come from PyAV (FFmpeg) in decode order of presentation, are turned upright per the
container's display matrix, and carry the container's presentation time (exact on variable
frame rate clips), rescaled to real time for slow motion:
``time_s = pts_s * playback_fps / capture_fps``. Only the current frame is held.

A clip that breaks off mid-stream keeps the frames read so far: the reader stops, records
the problem in ``VideoReader.problems`` and issues a :class:`CorruptVideoWarning`.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import numpy as np

from analyzer.errors import CorruptVideoError
from analyzer.video.probe import VideoInfo, open_container, probe_video

logger = logging.getLogger(__name__)

_ROTATE_CODES = {90: 0, 180: 1, 270: 2}  # cv2.ROTATE_90_CLOCKWISE, ROTATE_180, ..._COUNTERCLOCKWISE


class CorruptVideoWarning(UserWarning):
    """The clip broke off or had damaged frames; the frames read so far are kept."""


@dataclass(frozen=True)
class Frame:
    """One decoded frame.

    Attributes
    ----------
    index
        0-based position of the frame in the clip (decode order of presentation).
    time_s
        Seconds of real time since the start of the stream (slow motion rescaled).
    pts_s
        Presentation time in the container, seconds of playback.
    image
        (height, width, 3) uint8 C-contiguous upright image, BGR or RGB as the reader was
        asked.
    """

    index: int
    time_s: float
    pts_s: float
    image: np.ndarray


class VideoReader:
    """Iterate over a clip's frames; records problems instead of losing what was read.

    Parameters
    ----------
    path
        The clip.
    capture_fps
        Real capture rate when the user knows it (slow motion); overrides the container.
    color
        ``"bgr"`` (OpenCV's order, default) or ``"rgb"`` (what pose models take: decoding
        straight to RGB saves a conversion).
    threads
        FFmpeg decoding threads (0 = FFmpeg chooses). Frame threads decode the next frames
        while the caller works on the current one.
    max_frames
        Stop after this many frames (None = all).
    info
        The clip's :class:`VideoInfo` when the caller has probed it already (the clip is
        then not probed again; ``capture_fps`` is taken from it).

    Attributes
    ----------
    info
        :class:`VideoInfo` of the clip.
    problems
        Human-readable descriptions of what went wrong while reading (empty if nothing).
    frames_read
        Frames yielded so far.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        capture_fps: float | None = None,
        color: Literal["bgr", "rgb"] = "bgr",
        threads: int = 0,
        max_frames: int | None = None,
        info: VideoInfo | None = None,
    ) -> None:
        if color not in ("bgr", "rgb"):
            raise ValueError(f"color must be 'bgr' or 'rgb', got {color!r}.")
        self.path = Path(path)
        self.info: VideoInfo = info or probe_video(path, capture_fps=capture_fps)
        self.problems: list[str] = []
        self.frames_read = 0
        self._format = f"{color}24"
        self._threads = int(threads)
        self._max_frames = max_frames
        self._container: Any = None
        self._no_pts_noted = False
        self._skipped = 0

    # -- iteration -------------------------------------------------------------------------
    def __iter__(self) -> Generator[Frame, None, None]:
        import av

        if self._container is not None:
            raise RuntimeError("a VideoReader can be iterated only once; make a new one.")
        self._container = open_container(self.path)
        stream = self._container.streams.video[0]
        stream.thread_type = "AUTO"
        stream.thread_count = self._threads
        decoded = 0
        last_t: float | None = None
        try:
            for packet in self._container.demux(stream):
                for frame in packet.decode():
                    item = self._make_frame(frame, decoded, stream, last_t)
                    decoded += 1
                    if item is None:
                        continue
                    last_t = item.time_s
                    self.frames_read += 1
                    yield item
                    if self._max_frames is not None and self.frames_read >= self._max_frames:
                        return
        except av.error.FFmpegError as exc:
            self._broken_off(exc, decoded, last_t)
            return
        finally:
            self.close()
            if self._skipped:
                self._problem(
                    f"{self._skipped} frame(s) did not come after the previous frame's time "
                    "and were skipped"
                )
        self._check_complete(decoded, last_t)

    def _make_frame(
        self, frame: Any, decoded: int, stream: Any, last_t: float | None
    ) -> Frame | None:
        info = self.info
        if info.container == "avi":  # constant frame rate by design; pts may be decode order
            pts_s = decoded / info.playback_fps
        elif frame.pts is None:
            pts_s = decoded / info.playback_fps
            if not self._no_pts_noted:
                self._no_pts_noted = True
                self._problem("the clip has no timestamps; assuming a constant frame rate")
        else:
            start = stream.start_time or 0
            pts_s = float((frame.pts - start) * (frame.time_base or stream.time_base))
        time_s = pts_s * info.time_scale
        if last_t is not None and time_s <= last_t:
            self._skipped += 1
            return None
        image = frame.to_ndarray(format=self._format)
        rot = info.rotation_deg
        if rot:
            import cv2

            image = cv2.rotate(image, _ROTATE_CODES[rot])
        else:  # FFmpeg pads rows to 32/64 bytes for some widths: give callers a plain array
            image = np.ascontiguousarray(image)
        return Frame(index=decoded, time_s=time_s, pts_s=pts_s, image=image)

    def _problem(self, text: str, *, warn: bool = False) -> None:
        self.problems.append(text)
        logger.warning("%s: %s", self.info.path.name, text)
        if warn:
            warnings.warn(f"{self.info.path.name}: {text}", CorruptVideoWarning, stacklevel=4)

    def _broken_off(self, exc: Exception, decoded: int, last_t: float | None) -> None:
        where = f"after {self.frames_read} frames ({last_t or 0.0:.2f} s)"
        if self.frames_read == 0:
            raise CorruptVideoError(
                f"{self.info.path} is damaged: no frame could be decoded ({exc})."
            ) from exc
        self._problem(
            f"the clip is damaged and breaks off {where} of about {self.info.frame_count} "
            f"({exc}); kept the frames read so far",
            warn=True,
        )

    def _check_complete(self, decoded: int, last_t: float | None) -> None:
        info = self.info
        if self._max_frames is not None and self.frames_read >= self._max_frames:
            return
        tolerance = max(2, round(0.02 * info.frame_count))
        if info.frame_count_exact:
            short = decoded < info.frame_count - tolerance
        else:
            end = (last_t or 0.0) + 1.0 / info.fps
            short = end < info.duration_s - tolerance / info.fps
        if short:
            self._problem(
                f"the clip ends early: {decoded} frames ({last_t or 0.0:.2f} s) decoded of "
                f"{info.frame_count} ({info.duration_s:.2f} s) in its header; it is probably "
                "truncated, kept the frames read so far",
                warn=True,
            )

    # -- resources -------------------------------------------------------------------------
    def close(self) -> None:
        """Release the decoder (safe to call twice)."""
        if self._container is not None and self._container is not False:
            self._container.close()
            self._container = False  # iterated once and closed

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def iter_frames(
    path: str | Path,
    *,
    capture_fps: float | None = None,
    color: Literal["bgr", "rgb"] = "bgr",
    max_frames: int | None = None,
    info: VideoInfo | None = None,
) -> Iterator[Frame]:
    """Yield a clip's frames upright with real-time timestamps, one at a time.

    Parameters
    ----------
    path
        The clip.
    capture_fps
        Real capture rate of a slow-motion clip, if the container does not say it.
    color
        ``"bgr"`` (default) or ``"rgb"``.
    max_frames
        Stop after this many frames.
    info
        The clip's probe, when already known (see :class:`VideoReader`).

    Yields
    ------
    Frame
        ``index``, ``time_s`` (real time), ``pts_s`` (container time), ``image``.

    Warns
    -----
    CorruptVideoWarning
        When the clip breaks off or ends early; the frames read so far were yielded.
    """
    with VideoReader(
        path, capture_fps=capture_fps, color=color, max_frames=max_frames, info=info
    ) as r:
        yield from r


class _Failure:
    """An exception raised in the prefetch thread, carried to the consumer."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetch_frames(frames: Iterator[Frame], *, depth: int = 2) -> Generator[Frame, None, None]:
    """Decode ahead in a background thread while the caller works on the current frame.

    FFmpeg's decoding and colour conversion release the GIL, so on a machine with a spare
    core they overlap with inference (also GIL-free) instead of adding to it. At most
    ``depth`` decoded frames wait in the queue, so memory stays flat.

    Exceptions from the decoder (e.g. :class:`CorruptVideoError`) are re-raised here.
    Closing this generator early stops the thread.
    """
    import queue
    import threading

    q: queue.Queue[Frame | _Failure | None] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def put(item: Frame | _Failure | None) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for frame in frames:
                if not put(frame):
                    return
            put(None)
        except BaseException as exc:  # handed to the consumer
            put(_Failure(exc))
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                close()  # release the decoder from the thread that used it

    thread = threading.Thread(target=work, name="frame-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is None:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join(timeout=5.0)
