"""Small clips the tests make themselves (with the project's writer or the ffmpeg CLI).

Every frame carries a marker: a white square in the stored frame's top-left corner (to
check rotation) and a grey level that encodes the frame index (to check order).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from analyzer.video import VideoWriter

FFMPEG = shutil.which("ffmpeg")
FFPROBE = shutil.which("ffprobe")

needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="the ffmpeg command is not installed")


def marker_frame(i: int, width: int, height: int) -> np.ndarray:
    """(height, width, 3) BGR frame: grey level 20 + 8*i, white square at the top left."""
    frame = np.full((height, width, 3), (20 + 8 * i) % 200, np.uint8)
    s = max(4, min(width, height) // 4)
    frame[:s, :s] = 255
    return frame


def make_clip(
    path: Path,
    *,
    n_frames: int = 10,
    size: tuple[int, int] = (64, 48),
    fps: float = 30.0,
    times_s: list[float] | None = None,
    rotation_deg: int = 0,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
) -> Path:
    """Write a marker clip with :class:`VideoWriter` and return its path."""
    w, h = size
    opts = {"preset": "ultrafast"} if codec in ("libx264", "libx265") else {}
    if codec == "libvpx-vp9":
        opts = {"deadline": "realtime", "cpu-used": "8"}
    with VideoWriter(
        path, fps, size, codec=codec, pix_fmt=pix_fmt, rotation_deg=rotation_deg, options=opts
    ) as writer:
        for i in range(n_frames if times_s is None else len(times_s)):
            t = None if times_s is None else times_s[i]
            writer.write(marker_frame(i, w, h), time_s=t)
    return path


def ffmpeg(*args: str) -> None:
    """Run the ffmpeg CLI quietly; fail the test with its message if it fails."""
    assert FFMPEG is not None
    proc = subprocess.run(
        [FFMPEG, "-v", "error", "-y", *args], capture_output=True, text=True, check=False
    )
    if proc.returncode:
        pytest.fail(f"ffmpeg {' '.join(args)} failed: {proc.stderr}")


def corner_is_white(image: np.ndarray, corner: str) -> bool:
    """Whether the given corner ('tl', 'tr', 'bl', 'br') of an image holds the marker."""
    h, w = image.shape[:2]
    y = 1 if corner[0] == "t" else h - 2
    x = 1 if corner[1] == "l" else w - 2
    return bool(image[y, x].mean() > 200)


def damage_middle(src: Path, dst: Path, *, n_bytes: int = 20_000, seed: int = 0) -> Path:
    """Copy ``src`` with ``n_bytes`` of random bytes written over the middle of the file (a
    transfer damaged in the middle: the container's index is intact, packets are garbled)."""
    data = bytearray(src.read_bytes())
    mid = len(data) // 2
    rng = np.random.default_rng(seed)
    data[mid : mid + n_bytes] = rng.integers(0, 256, n_bytes, np.uint8).tobytes()
    dst.write_bytes(bytes(data))
    return dst


def ffprobe_frame_times(path: Path) -> list[float]:
    """Times (s) of the frames the ffprobe command can decode (it conceals damage)."""
    assert FFPROBE is not None
    out = subprocess.run(
        [FFPROBE, "-v", "quiet", "-select_streams", "v:0", "-show_entries",
         "frame=pts_time", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    values = (v.strip().strip(",") for v in out.split())
    return [float(v) for v in values if v and v != "N/A"]
