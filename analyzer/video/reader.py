"""Stream a clip's frames upright, one at a time, each with its true timestamp.

Frames come from PyAV (FFmpeg) in decode order of presentation, are turned upright per the
container's display matrix (or the user's rotation), and carry the container's presentation
time (exact on variable frame rate clips), rescaled to real time for slow motion:
``time_s = pts_s * playback_fps / capture_fps``. Only the current frame is held.

Damaged clips: a packet the decoder rejects, or a picture it had to patch up (FFmpeg's
"corrupt" flag), starts a damaged span; decoding resumes at the next keyframe (the first
picture that depends on no damaged one) and every frame in between is *lost*. Each frame's
``index`` is its place among all the clip's frames (lost ones included, counted from the
packets' timestamps), and :attr:`VideoReader.lost` lists the lost frames with their real
times, so a pose track can keep them as missing rows. A clip whose container breaks off
keeps the frames read so far. Problems are collected in :attr:`VideoReader.problems` (one
sentence each) for the caller to show once; the reader itself only logs them at debug level.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Collection, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import numpy as np

from analyzer.errors import CorruptVideoError
from analyzer.video.probe import VideoInfo, open_container, probe_video

logger = logging.getLogger(__name__)

_ROTATE_CODES = {90: 0, 180: 1, 270: 2}  # cv2.ROTATE_90_CLOCKWISE, ROTATE_180, ..._COUNTERCLOCKWISE

#: Timestamps further than this before the stream's start or after its header duration come
#: from a damaged index (seen: 1e18 s in a garbled MP4), not from the clip (seconds).
_PTS_SLACK_BEFORE_S = 1.0
_PTS_SLACK_AFTER_S = 10.0


@dataclass(frozen=True)
class Frame:
    """One decoded frame.

    Attributes
    ----------
    index
        0-based position of the frame in the clip, in presentation order, counting frames
        lost to damage (so indices skip over a damaged span).
    time_s
        Seconds of real time since the start of the stream (slow motion rescaled).
    pts_s
        Presentation time in the container, seconds of playback.
    image
        (height, width, 3) uint8 C-contiguous upright image, BGR or RGB as the reader was
        asked (scaled when the reader was given a ``size``).
    full
        The same picture at the clip's own size, for the frames a scaling reader was asked
        to give at full size too (``full_size_at``); else None.
    """

    index: int
    time_s: float
    pts_s: float
    image: np.ndarray
    full: np.ndarray | None = None


@dataclass(frozen=True)
class LostSpan:
    """Consecutive frames the clip holds but that could not be decoded.

    ``start_s``/``end_s`` are the real times of the first and last lost frame.
    """

    start_s: float
    end_s: float
    n_frames: int

    def describe(self) -> str:
        """``"2.02-2.43 s"`` (or ``"2.02 s"`` for one frame)."""
        if self.n_frames == 1:
            return f"{self.start_s:.2f} s"
        return f"{self.start_s:.2f}-{self.end_s:.2f} s"


def lost_spans(lost: list[tuple[int, float]]) -> list[LostSpan]:
    """Group ``(index, time_s)`` lost frames into spans of consecutive indices."""
    spans: list[LostSpan] = []
    run: list[tuple[int, float]] = []
    for item in sorted(lost):
        if run and item[0] != run[-1][0] + 1:
            spans.append(LostSpan(run[0][1], run[-1][1], len(run)))
            run = []
        run.append(item)
    if run:
        spans.append(LostSpan(run[0][1], run[-1][1], len(run)))
    return spans


class VideoReader:
    """Iterate over a clip's frames; records problems instead of losing what was read.

    Parameters
    ----------
    path
        The clip.
    capture_fps
        Real capture rate when the user knows it (slow motion); overrides the container.
    rotate_deg
        Clockwise rotation (0/90/180/270) turning the stored frames upright, replacing the
        container's rotation tag (None = follow the tag).
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
        then not probed again; ``capture_fps`` and ``rotate_deg`` are taken from it).
    size
        ``(width, height)`` of the upright images, scaled by FFmpeg in the same pass that
        converts the colours (area averaging: cheaper than converting at full size and
        resizing); None for the clip's own size.
    full_size_at
        With ``size``: frame indices whose picture is also given at full size
        (:attr:`Frame.full`), e.g. the key frames a report shows.

    Attributes
    ----------
    info
        :class:`VideoInfo` of the clip.
    problems
        Human-readable descriptions of what went wrong while reading (empty if nothing),
        complete once the iteration ends.
    lost
        ``(index, time_s)`` of the frames lost to damage, complete once the iteration ends.
    frames_read
        Frames yielded so far.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        capture_fps: float | None = None,
        rotate_deg: int | None = None,
        color: Literal["bgr", "rgb"] = "bgr",
        threads: int = 0,
        max_frames: int | None = None,
        info: VideoInfo | None = None,
        size: tuple[int, int] | None = None,
        full_size_at: Collection[int] = (),
    ) -> None:
        if color not in ("bgr", "rgb"):
            raise ValueError(f"color must be 'bgr' or 'rgb', got {color!r}.")
        self.path = Path(path)
        self.info: VideoInfo = info or probe_video(
            path, capture_fps=capture_fps, rotate_deg=rotate_deg
        )
        self.problems: list[str] = []
        self.lost: list[tuple[int, float]] = []
        self.frames_read = 0
        self._format = f"{color}24"
        self._threads = int(threads)
        self._max_frames = max_frames
        self._size = None if size is None else (int(size[0]), int(size[1]))
        self._full_at = frozenset(int(i) for i in full_size_at)
        self._container: Any = None
        self._no_pts_noted = False
        self._skipped = 0
        self._pts: list[int] = []  # every distinct packet timestamp seen, sorted
        self._yielded: set[int] = set()
        self._damage: list[str] = []  # what the decoder said at each damaged span
        self._start_pts = 0
        self._time_base: Any = None

    # -- iteration -------------------------------------------------------------------------
    def __iter__(self) -> Generator[Frame, None, None]:
        import av

        if self._container is not None:
            raise RuntimeError("a VideoReader can be iterated only once; make a new one.")
        self._container = open_container(self.path)
        stream = self._container.streams.video[0]
        stream.thread_type = "AUTO"
        stream.thread_count = self._threads
        self._start_pts = stream.start_time or 0  # kept: the stream is gone once closed
        self._time_base = stream.time_base
        by_pts = self.info.container != "avi"  # AVI timestamps may be in decode order
        last_t: float | None = None
        ended = False  # the demuxer reached the end of the clip
        broken: Exception | None = None
        try:
            for decoded, frame in self._sound_frames(stream, by_pts):
                item = self._make_frame(frame, decoded, last_t, by_pts)
                if item is None:
                    continue
                last_t = item.time_s
                self.frames_read += 1
                yield item
                if self._max_frames is not None and self.frames_read >= self._max_frames:
                    return
            ended = True
        except av.error.FFmpegError as exc:  # the demuxer broke off
            broken = exc
        finally:
            self.close()
            self._find_lost(ended, by_pts)
        if broken is not None:
            self._broken_off(broken, last_t)
        else:
            self._check_complete(last_t, by_pts)
        self._describe_damage()

    def _sound_frames(self, stream: Any, by_pts: bool) -> Iterator[tuple[int, Any]]:
        """Decoded frames (with their decode counter) that no damage touched.

        A packet the decoder rejects sends decoding to the next keyframe (the decoder is
        flushed there); a picture flagged corrupt does too, unless a later keyframe has
        already been sent, in which case only the frames before that keyframe are dropped.
        Demuxer errors propagate (the clip breaks off).
        """
        import av

        decoded = 0
        resync = False
        last_key: int | None = None  # timestamp of the last keyframe sent to the decoder
        drop_before = -(2**62)  # frames before this timestamp depend on a damaged one
        for packet in self._container.demux(stream):
            has_pts = packet.pts is not None and bool(packet.size)
            if by_pts and has_pts and self._plausible(int(packet.pts)):
                self._note_pts(int(packet.pts))
            key = has_pts and bool(packet.is_keyframe)
            if resync and not key:
                continue  # depends on a damaged picture: lost
            if resync:
                stream.codec_context.flush_buffers()
                resync = False
            if key:
                last_key = int(packet.pts)
            try:
                frames = packet.decode()
            except av.error.FFmpegError as exc:
                self._damage.append(str(getattr(exc, "strerror", "") or exc))
                resync = True
                continue
            for frame in frames:
                decoded += 1
                pts = frame.pts
                if pts is not None and pts < drop_before:
                    continue  # between a damaged picture and the keyframe after it
                if frame.is_corrupt:  # concealed by the decoder: not the real picture
                    self._damage.append("a damaged picture")
                    if pts is not None and last_key is not None and last_key > pts:
                        drop_before = last_key  # already past the damage: no resync
                        continue
                    resync = True
                    break
                yield decoded - 1, frame

    def _plausible(self, pts: int, time_base: Any = None) -> bool:
        """Whether a timestamp lies within the clip (a damaged index can hold any number)."""
        t = self._pts_time(pts, time_base)
        end = self.info.duration_s / self.info.time_scale
        return -_PTS_SLACK_BEFORE_S <= t <= end + _PTS_SLACK_AFTER_S

    def _note_pts(self, pts: int) -> None:
        i = bisect.bisect_left(self._pts, pts)
        if i == len(self._pts) or self._pts[i] != pts:
            self._pts.insert(i, pts)

    def _pts_time(self, pts: int, time_base: Any = None) -> float:
        return float((pts - self._start_pts) * (time_base or self._time_base))

    def _make_frame(
        self, frame: Any, decoded: int, last_t: float | None, by_pts: bool
    ) -> Frame | None:
        info = self.info
        index = decoded
        if info.container == "avi":  # constant frame rate by design; pts may be decode order
            pts_s = decoded / info.playback_fps
        elif frame.pts is None:
            pts_s = decoded / info.playback_fps
            if not self._no_pts_noted:
                self._no_pts_noted = True
                self._problem("the clip has no timestamps; assuming a constant frame rate")
        else:
            if not self._plausible(frame.pts, frame.time_base):
                self._skipped += 1
                return None
            pts_s = self._pts_time(frame.pts, frame.time_base)
            if by_pts:
                self._note_pts(int(frame.pts))
                index = bisect.bisect_left(self._pts, int(frame.pts))
        time_s = pts_s * info.time_scale
        if last_t is not None and time_s <= last_t:
            self._skipped += 1
            return None
        if by_pts and frame.pts is not None:
            self._yielded.add(int(frame.pts))
        image = self._picture(frame, self._size)
        full = None
        if self._size is not None and index in self._full_at:
            full = self._picture(frame, None)
        return Frame(index=index, time_s=time_s, pts_s=pts_s, image=image, full=full)

    def _picture(self, frame: Any, size: tuple[int, int] | None) -> np.ndarray:
        """The decoded frame as an upright array, at ``size`` (upright) or its own size."""
        rot = self.info.rotation_deg
        if size is None:
            image = frame.to_ndarray(format=self._format)
        else:
            w, h = size if rot in (0, 180) else (size[1], size[0])
            image = frame.to_ndarray(format=self._format, width=w, height=h, interpolation="AREA")
        if rot:
            import cv2

            return cv2.rotate(image, _ROTATE_CODES[rot])
        # FFmpeg pads rows to 32/64 bytes for some widths: give callers a plain array
        return np.ascontiguousarray(image)

    def _problem(self, text: str) -> None:
        self.problems.append(text)
        logger.debug("%s: %s", self.info.path.name, text)

    def _find_lost(self, ended: bool, by_pts: bool) -> None:
        """Name the lost frames (those after the last one read count only when the whole
        clip was demuxed)."""
        if self._skipped:
            self._problem(
                f"{self._skipped} frame(s) did not come after the previous frame's time "
                "and were skipped"
            )
        if not by_pts or not self._yielded:
            return
        last = max(self._yielded)
        scale = self.info.time_scale
        self.lost = [
            (i, self._pts_time(p) * scale)
            for i, p in enumerate(self._pts)
            if p not in self._yielded and (ended or p < last)
        ]

    def _describe_damage(self) -> None:
        """One sentence for all the frames lost to damage."""
        if not self.lost:
            return
        spans = lost_spans(self.lost)
        n = len(self.lost)
        where = ", ".join(s.describe() for s in spans[:5]) + (" ..." if len(spans) > 5 else "")
        self._problem(
            f"the clip is damaged: {n} of {len(self._pts)} frames could not be decoded "
            f"(at {where}); they are left out as missing and the rest is analysed"
        )
        logger.debug("decoder: %s", "; ".join(dict.fromkeys(self._damage)))

    def _broken_off(self, exc: Exception, last_t: float | None) -> None:
        where = f"after {self.frames_read} frames ({last_t or 0.0:.2f} s)"
        if self.frames_read == 0:
            raise CorruptVideoError(
                f"{self.info.path} is damaged: no frame could be decoded ({exc})."
            ) from exc
        self._problem(
            f"the clip is damaged and breaks off {where} of about {self.info.frame_count}; "
            "kept the frames read so far"
        )

    def _check_complete(self, last_t: float | None, by_pts: bool) -> None:
        info = self.info
        if self._max_frames is not None and self.frames_read >= self._max_frames:
            return
        if self.frames_read == 0:
            raise CorruptVideoError(f"{info.path} is damaged: no frame could be decoded.")
        held = self.frames_read + len(self.lost) + self._skipped
        if by_pts:
            held = max(held, len(self._pts))
        tolerance = max(2, round(0.02 * info.frame_count))
        if info.frame_count_exact:
            short = held < info.frame_count - tolerance
        else:
            end = (last_t or 0.0) + 1.0 / info.fps
            short = end < info.duration_s - tolerance / info.fps
        if short:  # frames lost at the very end are part of the truncation
            last_read = max((i for i, _ in self.lost), default=-1)
            if self._yielded:
                last_read = bisect.bisect_left(self._pts, max(self._yielded))
            self.lost = [(i, t) for i, t in self.lost if i < last_read]
            self._problem(
                f"the clip ends early: {held} frames ({last_t or 0.0:.2f} s) of "
                f"{info.frame_count} ({info.duration_s:.2f} s) in its header; it is probably "
                "truncated, kept the frames read so far"
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
    rotate_deg: int | None = None,
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
    rotate_deg
        Clockwise rotation turning the stored frames upright (None = the container's tag).
    color
        ``"bgr"`` (default) or ``"rgb"``.
    max_frames
        Stop after this many frames.
    info
        The clip's probe, when already known (see :class:`VideoReader`).

    Yields
    ------
    Frame
        ``index``, ``time_s`` (real time), ``pts_s`` (container time), ``image``. Frames
        lost to damage are skipped (their indices are missing).
    """
    with VideoReader(
        path,
        capture_fps=capture_fps,
        rotate_deg=rotate_deg,
        color=color,
        max_frames=max_frames,
        info=info,
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
