"""What a clip holds (:class:`VideoInfo`): a plain record, no codec imports.

Filled by :func:`analyzer.video.probe.probe_video`; a module of its own so that results and
the pure stages can name the type without importing the decoders.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class VideoInfo:
    """What a clip holds, as shown upright.

    Attributes
    ----------
    path
        The clip.
    width, height
        Size in pixels of the upright (displayed) frame.
    fps
        Frames per second of *real* time: ``capture_fps`` when known, else ``playback_fps``.
    playback_fps
        Average frame rate stored in the container (frames per second of playback).
    capture_fps
        Rate the camera recorded at, when the container says so (slow motion), else None.
    frame_count
        Number of frames (from the container index; estimated from the duration when the
        container has no count, see ``frame_count_exact``).
    duration_s
        Length in seconds of real time.
    codec
        FFmpeg's codec name (``h264``, ``hevc``, ``vp9``, ``mpeg4``, ...).
    rotation_deg
        Clockwise rotation (0, 90, 180, 270) applied to stored frames to show them upright:
        the user's ``rotate_deg`` when given, else the container's tag.
    stored_width, stored_height
        Size of the frames as encoded, before rotation.
    pix_fmt
        Decoded pixel format (``yuv420p``, ``yuv420p10le``, ``yuvj420p``, ...).
    container
        FFmpeg's demuxer name.
    frame_count_exact
        Whether ``frame_count`` comes from the container's index.
    tagged_rotation_deg
        Clockwise rotation the container's tag asks for (kept when the user overrides it).
    rotation_source
        ``"tag"`` (the container's display matrix) or ``"user"`` (``rotate_deg``).
    """

    path: Path
    width: int
    height: int
    fps: float
    playback_fps: float
    capture_fps: float | None
    frame_count: int
    duration_s: float
    codec: str
    rotation_deg: int
    stored_width: int
    stored_height: int
    pix_fmt: str
    container: str
    frame_count_exact: bool = True
    tagged_rotation_deg: int = 0
    rotation_source: str = "tag"

    @property
    def time_scale(self) -> float:
        """Seconds of real time per second of playback (1 unless slow motion)."""
        if self.capture_fps is None or self.capture_fps <= 0:
            return 1.0
        return self.playback_fps / self.capture_fps
