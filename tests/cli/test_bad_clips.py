"""Bad clips through the real command: each gets a clear message, exit code 1, no output lost."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from analyzer.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_videos" / "backpedal_side_left.mp4"

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *args], check=True)


@needs_ffmpeg
def test_sideways_clip_says_it_is_rotated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sample turned on its side (pixels rotated, no rotation tag): the real model sees a
    person lying down, and the message says the clip is rotated wrongly."""
    clip = tmp_path / "sideways.mp4"
    _ffmpeg("-i", str(SAMPLE), "-vf", "transpose=1", "-c:v", "libx264", "-crf", "28", str(clip))
    monkeypatch.setenv("BACKPEDAL_CACHE", str(tmp_path / "cache"))
    assert main(["analyze", str(clip), "--out", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "rotated wrongly" in err and "how to fix" in err


@needs_ffmpeg
def test_clip_without_a_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clip = tmp_path / "empty_field.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=2", "-c:v", "libx264",
            str(clip))  # fmt: skip
    monkeypatch.setenv("BACKPEDAL_CACHE", str(tmp_path / "cache"))
    assert main(["analyze", str(clip), "--out", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "person" in err.lower() and "how to fix" in err


def test_text_file_is_not_a_video(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip = tmp_path / "notes.mp4"
    clip.write_text("this is not a video")
    assert main(["analyze", str(clip), "--out", str(tmp_path / "out"), "-q"]) == 1
    assert "how to fix" in capsys.readouterr().err
