"""Probe a clip: upright size, frame rates (playback and capture), frame count, codec, rotation.

Decoding goes through PyAV (FFmpeg), which reports exact presentation timestamps, raises on
corrupt data instead of silently stopping, and decodes straight to RGB for the pose model.
Rotation follows FFmpeg's display matrix: ``rotation_deg`` is how far the stored frames must
be turned **clockwise** to show upright (an iPhone portrait clip: stored 1280x720, 90).
This matches OpenCV's ``CAP_PROP_ORIENTATION_META``; PyAV and ffprobe report the opposite
sign (counter-clockwise, -90). A clip stored sideways with a wrong or missing tag is turned
upright by the user's ``rotate_deg``, which replaces the tag.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from analyzer.errors import (
    ConfigError,
    CorruptVideoError,
    EmptyVideoError,
    NotAVideoError,
    UnsupportedCodecError,
)
from analyzer.video.info import VideoInfo

#: Container/stream tags that hold the capture rate of slow-motion clips
#: (Android: ``com.android.capture.fps``; other phones and tools use similar names).
_CAPTURE_FPS_KEY = re.compile(r"capture[._ -]?(fps|frame[._ -]?rate|rate)$", re.IGNORECASE)

#: Leading bytes of containers a video may come in: an unreadable file that starts with one
#: of them is a damaged video (e.g. an MP4 cut before its index), not some other file.
_VIDEO_SIGNATURES = (
    (4, b"ftyp"),
    (4, b"moov"),
    (4, b"mdat"),
    (4, b"wide"),
    (4, b"free"),
    (0, b"RIFF"),
    (0, b"\x1a\x45\xdf\xa3"),
)

#: Rotations a user may ask for (clockwise degrees applied to the stored frames).
ROTATIONS_DEG = (0, 90, 180, 270)


def looks_like_video_container(path: Path) -> bool:
    """Whether the file starts like an MP4/MOV, AVI or Matroska/WebM container."""
    with path.open("rb") as fh:
        head = fh.read(16)
    return any(head[off : off + len(sig)] == sig for off, sig in _VIDEO_SIGNATURES)


def open_container(path: str | Path) -> Any:
    """Open ``path`` with PyAV, turning failures into the analyzer's video errors.

    Returns
    -------
    av.container.InputContainer
        The open container (the caller closes it); it has at least one video stream.
    """
    import av

    path = Path(path)
    if not path.exists():
        raise NotAVideoError(f"{path} does not exist.", "Check the path and the file name.")
    if path.is_dir():
        raise NotAVideoError(f"{path} is a folder, not a video file.", "Pass one clip.")
    if path.stat().st_size == 0:
        raise EmptyVideoError(f"{path} is empty (0 bytes).")
    try:
        container = av.open(str(path), mode="r")
    except av.error.FFmpegError as exc:
        if looks_like_video_container(path):
            raise CorruptVideoError(
                f"{path} looks like a video but cannot be opened ({exc.strerror}); "
                "it is probably cut short (an MP4 whose index at the end is missing)."
            ) from exc
        raise NotAVideoError(
            f"{path} is not a video file FFmpeg can read ({exc.strerror})."
        ) from exc
    if not container.streams:
        container.close()
        raise EmptyVideoError(f"{path} is a media container with nothing in it.")
    if not container.streams.video:
        container.close()
        raise NotAVideoError(f"{path} has no video stream (audio or data only).")
    stream = container.streams.video[0]
    if stream.codec_context is None:
        container.close()
        raise UnsupportedCodecError(
            f"{path} uses a video codec this installation of FFmpeg does not know."
        )
    return container


def first_frame(container: Any, path: Path) -> Any:
    """Decode the first frame of the first video stream (the caller re-opens to read on).

    Raises
    ------
    EmptyVideoError
        If the stream holds no decodable frame.
    UnsupportedCodecError
        If FFmpeg knows the codec but has no decoder for it.
    CorruptVideoError
        If decoding fails before the first frame.
    """
    import av

    try:
        for frame in container.decode(video=0):
            return frame
    except (av.error.DecoderNotFoundError, av.error.PatchWelcomeError) as exc:
        raise UnsupportedCodecError(
            f"{path} uses a video codec ({container.streams.video[0].codec_context.name}) "
            "that this installation cannot decode."
        ) from exc
    except av.error.FFmpegError as exc:
        raise CorruptVideoError(
            f"{path} cannot be decoded: the first frame is damaged ({exc.strerror})."
        ) from exc
    raise EmptyVideoError(f"{path} holds a video stream but no frame.")


def rotation_cw(frame: Any, path: Path | None = None) -> int:
    """Clockwise display rotation (0/90/180/270) of a decoded PyAV frame.

    PyAV's ``VideoFrame.rotation`` is FFmpeg's display-matrix angle, counter-clockwise.
    Older PyAV versions lack it: then OpenCV's ``CAP_PROP_ORIENTATION_META`` (clockwise)
    is read from ``path``.
    """
    if hasattr(frame, "rotation"):
        ccw = float(frame.rotation or 0)
        return round(-ccw / 90.0) % 4 * 90
    if path is None:
        return 0
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        cw = float(cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0.0)
    finally:
        cap.release()
    return round(cw / 90.0) % 4 * 90


def find_capture_fps(*tag_dicts: dict[str, str]) -> float | None:
    """Capture rate from container or stream tags (e.g. ``com.android.capture.fps``)."""
    for tags in tag_dicts:
        for key, value in tags.items():
            if _CAPTURE_FPS_KEY.search(key.strip()):
                try:
                    fps = float(str(value).strip().split()[0])
                except (ValueError, IndexError):
                    continue
                if math.isfinite(fps) and fps > 0:
                    return fps
    return None


def _playback_fps(stream: Any, container: Any) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate is not None and rate > 0:
            return float(rate)
    raise CorruptVideoError(f"{container.name} does not say its frame rate.")


def _duration_s(stream: Any, container: Any) -> float:
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    if container.duration is not None and container.duration > 0:
        return float(container.duration) / 1_000_000.0
    return float("nan")


def check_rotation(rotate_deg: int | None) -> int | None:
    """``rotate_deg`` if it is None or one of 0/90/180/270, else :class:`ConfigError`."""
    if rotate_deg is None or (
        isinstance(rotate_deg, int)
        and not isinstance(rotate_deg, bool)
        and rotate_deg in ROTATIONS_DEG
    ):
        return rotate_deg
    raise ConfigError(
        f"a rotation of {rotate_deg!r} degrees is not possible.",
        "Give --rotate 0, 90, 180 or 270 (degrees clockwise that turn the stored picture upright).",
    )


def probe_video(
    path: str | Path, *, capture_fps: float | None = None, rotate_deg: int | None = None
) -> VideoInfo:
    """Read a clip's header and its first frame, and describe the clip.

    Parameters
    ----------
    path
        The clip (mp4, mov, avi, mkv, webm, ...).
    capture_fps
        The rate the camera really recorded at, when the user knows it (slow motion filmed at
        240 fps and stored for 30 fps playback); overrides what the container says.
    rotate_deg
        Clockwise rotation (0, 90, 180, 270) that turns the *stored* frames upright, replacing
        the container's rotation tag (for clips stored sideways with a wrong or missing tag).

    Raises
    ------
    NotAVideoError, EmptyVideoError, CorruptVideoError, UnsupportedCodecError, ConfigError
    """
    check_rotation(rotate_deg)
    if capture_fps is not None and not (math.isfinite(capture_fps) and capture_fps > 0):
        raise ValueError(f"capture_fps must be a positive number, got {capture_fps}.")
    path = Path(path)
    container = open_container(path)
    try:
        stream = container.streams.video[0]
        cc = stream.codec_context
        playback = _playback_fps(stream, container)
        capture = capture_fps or find_capture_fps(dict(container.metadata), dict(stream.metadata))
        scale = 1.0 if not capture else playback / capture
        duration_play = _duration_s(stream, container)
        exact = bool(stream.frames and stream.frames > 0)
        if exact:
            count = int(stream.frames)
        elif math.isfinite(duration_play):
            count = round(duration_play * playback)
        else:
            count = 0
        if not math.isfinite(duration_play):
            duration_play = count / playback
        frame0 = first_frame(container, path)
        tagged = rotation_cw(frame0, path)
        rot = tagged if rotate_deg is None else int(rotate_deg)
        sw, sh = int(frame0.width), int(frame0.height)
        if sw <= 0 or sh <= 0:
            raise EmptyVideoError(f"{path} holds a video stream without a picture size.")
        w, h = (sh, sw) if rot in (90, 270) else (sw, sh)
        return VideoInfo(
            path=path,
            width=w,
            height=h,
            fps=capture or playback,
            playback_fps=playback,
            capture_fps=capture,
            frame_count=count,
            duration_s=duration_play * scale,
            codec=cc.name,
            rotation_deg=rot,
            stored_width=sw,
            stored_height=sh,
            pix_fmt=str(frame0.format.name),
            container=str(container.format.name),
            frame_count_exact=exact,
            tagged_rotation_deg=tagged,
            rotation_source="tag" if rotate_deg is None else "user",
        )
    finally:
        container.close()
