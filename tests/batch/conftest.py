"""Real clips for the batch tests, made once per session: short copies of the bundled
samples (30 fps, 480x270: a third of the pose work), a clip with no person, a clip cut
before its index, a text file named .mp4. The pose-track cache is shared by the session's
batches, so a clip's pose is estimated once and later batches re-score it in seconds."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_videos"

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")


def ffmpeg(*args: str) -> None:
    """Run the ffmpeg command quietly (fails the test with its message)."""
    proc = subprocess.run(["ffmpeg", "-v", "error", "-y", *args], capture_output=True, text=True)
    if proc.returncode:
        pytest.fail(f"ffmpeg {' '.join(args)} failed: {proc.stderr}")


def small_copy(sample: str, dest: Path) -> Path:
    """The sample at 30 fps and 480x270 (index at the end, as ffmpeg writes by default)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    ffmpeg("-i", str(SAMPLES / sample), "-vf", "fps=30,scale=480:270", "-c:v", "libx264",
           "-preset", "veryfast", "-crf", "24", str(dest))  # fmt: skip
    return dest


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small clips, made once: ``left.mp4``, ``right.mp4``, ``front.mp4``, ``empty.mp4``
    (no person), ``corrupt.mp4`` (cut before its index), ``text.mp4`` (a text file)."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed")
    d = tmp_path_factory.mktemp("clips")
    small_copy("backpedal_side_left.mp4", d / "left.mp4")
    small_copy("backpedal_side_right.mp4", d / "right.mp4")
    small_copy("backpedal_front.mp4", d / "front.mp4")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=2", "-c:v", "libx264",
           "-preset", "veryfast", str(d / "empty.mp4"))  # fmt: skip
    data = (d / "left.mp4").read_bytes()
    (d / "corrupt.mp4").write_bytes(data[: len(data) // 2])
    (d / "text.mp4").write_text("this is a note, not a video\n")
    return d


@pytest.fixture(scope="session")
def pose_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pose-track cache shared by this session's batches."""
    return tmp_path_factory.mktemp("pose-cache")
