"""Streaming video writer (H.264 by default) built on PyAV.

OpenCV's wheel can only write MPEG-4 Part 2 (``mp4v``), which browsers do not play; PyAV's
wheels bundle libx264, so annotated videos and test clips are written here, one frame at a
time (the clip is never held in memory).

Examples
--------
>>> with VideoWriter("out.mp4", fps=30.0, size=(1280, 720)) as w:  # doctest: +SKIP
...     for frame in frames:
...         w.write(frame)  # (720, 1280, 3) uint8 BGR
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

#: Time base of the written stream: divisible by 24, 25, 30, 30000/1001, 50, 60, 120, 240 fps.
TIME_BASE = Fraction(1, 90000)
#: MPEG-4 Part 2 allows time-base denominators up to 65535 only.
_TIME_BASE_16BIT = Fraction(1, 60000)

_SUBSAMPLED = ("yuv420p", "yuv422p", "yuv420p10le", "nv12")


class VideoWriter:
    """Write BGR frames to a video file, frame by frame.

    Parameters
    ----------
    path
        Output file; the container follows the extension (``.mp4``, ``.mov``, ``.mkv``,
        ``.avi``). Parent directories are created.
    fps
        Nominal frame rate (frames per second). Frames without an explicit timestamp are
        stamped ``index / fps``.
    size
        ``(width, height)`` of every frame in pixels (even numbers for ``yuv420p``).
    crf
        Constant rate factor for libx264/libx265 (lower = better quality; 23 is the default).
    pix_fmt
        Pixel format of the encoded stream (``yuv420p`` plays everywhere).
    codec
        Encoder name known to PyAV: ``libx264`` (default), ``libx265``, ``mpeg4``,
        ``libvpx-vp9``, ...
    rotation_deg
        Display rotation stored in the container (mp4/mov only), counter-clockwise degrees
        as ffmpeg's ``-display_rotation``: 90 or -90 make a player show the stored frames
        turned by a quarter. The frames themselves are written as given.
    options
        Extra encoder options (strings), e.g. ``{"preset": "veryfast"}``.
    faststart
        For mp4/mov, put the index at the front when closing (a browser can start playing
        before the whole file has arrived).

    Notes
    -----
    ``write(frame, time_s=...)`` writes exact per-frame timestamps (variable frame rate);
    they must increase strictly and are rounded to 1/90000 s (``.avi`` is constant frame
    rate: times are rounded to whole frames of ``fps``). A writer closed before any frame
    was written leaves no file.
    """

    def __init__(
        self,
        path: str | Path,
        fps: float,
        size: tuple[int, int],
        *,
        crf: int | None = 23,
        pix_fmt: str = "yuv420p",
        codec: str = "libx264",
        rotation_deg: int = 0,
        options: dict[str, str] | None = None,
        faststart: bool = True,
    ) -> None:
        import av

        width, height = int(size[0]), int(size[1])
        if fps <= 0:
            raise ValueError(f"fps must be > 0, got {fps}.")
        if width <= 0 or height <= 0:
            raise ValueError(f"size must be (width, height) > 0, got {size}.")
        if pix_fmt in _SUBSAMPLED and (width % 2 or height % 2):
            raise ValueError(
                f"{pix_fmt} needs an even width and height, got {width}x{height}; "
                "crop or pad the frames by one pixel."
            )
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fps = float(fps)
        self.size = (width, height)
        self._n_written = 0
        self._last_pts: int | None = None
        mp4_like = self.path.suffix.lower() in (".mp4", ".mov", ".m4v")
        container_options = {"movflags": "+faststart"} if faststart and mp4_like else {}
        self._container = av.open(str(self.path), mode="w", options=container_options)
        try:
            rate = Fraction(self.fps).limit_denominator(100_000)
            stream: Any = self._container.add_stream(codec, rate=rate)
            stream.width, stream.height = width, height
            stream.pix_fmt = pix_fmt
            opts = dict(options or {})
            if crf is not None and codec in ("libx264", "libx265"):
                opts.setdefault("crf", str(crf))
            if codec == "libx265":
                opts.setdefault("x265-params", "log-level=error")
            stream.options = opts
            if self.path.suffix.lower() == ".avi":  # AVI is constant-rate: one tick per frame
                self._time_base = 1 / rate
            else:
                self._time_base = _TIME_BASE_16BIT if codec == "mpeg4" else TIME_BASE
            stream.codec_context.time_base = self._time_base
            stream.time_base = self._time_base
            if rotation_deg % 360:
                if not hasattr(stream, "set_display_rotation"):
                    raise RuntimeError("writing a display rotation needs PyAV >= 18.1.")
                stream.set_display_rotation(float(rotation_deg))
        except Exception:
            self._container.close()
            raise
        self._stream = stream

    @property
    def frames_written(self) -> int:
        """How many frames were written so far."""
        return self._n_written

    def write(self, frame_bgr: np.ndarray, *, time_s: float | None = None) -> None:
        """Encode one frame.

        Parameters
        ----------
        frame_bgr
            (height, width, 3) uint8 BGR image (OpenCV's layout).
        time_s
            Presentation time of this frame in seconds; default ``index / fps``.
        """
        import av

        h, w = self.size[1], self.size[0]
        if frame_bgr.shape != (h, w, 3) or frame_bgr.dtype != np.uint8:
            raise ValueError(
                f"frame must be ({h}, {w}, 3) uint8 BGR, got {frame_bgr.shape} {frame_bgr.dtype}."
            )
        t = self._n_written / self.fps if time_s is None else float(time_s)
        pts = round(t / self._time_base)
        if self._last_pts is not None and pts <= self._last_pts:
            raise ValueError(
                f"frame times must increase strictly; {t:.6f} s does not come after "
                f"{self._last_pts * float(self._time_base):.6f} s."
            )
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame_bgr), format="bgr24")
        frame.pts = pts
        frame.time_base = self._time_base
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self._last_pts = pts
        self._n_written += 1

    def close(self, *, flush: bool = True) -> None:
        """Flush the encoder and finish the file (safe to call twice)."""
        if self._container is None:
            return
        try:
            if flush and self._n_written:
                for packet in self._stream.encode():
                    self._container.mux(packet)
        finally:
            self._container.close()
            self._container = None  # type: ignore[assignment]

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(flush=exc_type is None)
