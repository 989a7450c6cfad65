"""Each kind of bad input gets its own error (or a problem noted once) with a message that says
what to do."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from analyzer.errors import (
    CorruptVideoError,
    EmptyVideoError,
    NotAVideoError,
    UnsupportedCodecError,
    VideoError,
)
from analyzer.video import VideoReader, iter_frames, probe_video
from tests.video.clips import ffmpeg, make_clip, needs_ffmpeg

N_FRAMES = 60


@pytest.fixture(scope="module")
def good_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2 s, 30 fps H.264 clip with noise (so every frame has real data), index up front."""
    path = tmp_path_factory.mktemp("clips") / "good.mp4"
    from analyzer.video import VideoWriter

    rng = np.random.default_rng(0)
    with VideoWriter(path, 30, (96, 64), options={"preset": "ultrafast"}) as w:
        for _ in range(N_FRAMES):
            w.write(rng.integers(0, 255, (64, 96, 3), dtype=np.uint8))
    return path


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotAVideoError, match="does not exist"):
        probe_video(tmp_path / "nope.mp4")


def test_not_a_video(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("this is a shopping list, not a clip\n" * 50)
    with pytest.raises(NotAVideoError) as info:
        probe_video(text)
    assert "not a video" in str(info.value) and info.value.hint
    with pytest.raises(NotAVideoError):
        list(iter_frames(text))


@needs_ffmpeg
def test_audio_only_file_is_not_a_video(tmp_path: Path) -> None:
    audio = tmp_path / "voice.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=0.5", str(audio))
    with pytest.raises(NotAVideoError, match="no video stream"):
        probe_video(audio)


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mov"
    empty.write_bytes(b"")
    with pytest.raises(EmptyVideoError, match="empty"):
        probe_video(empty)


@needs_ffmpeg
def test_container_without_frames_is_empty(tmp_path: Path) -> None:
    hollow = tmp_path / "hollow.mp4"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "color=c=black:s=64x48:r=30",
        "-frames:v",
        "0",
        "-c:v",
        "libx264",
        str(hollow),
    )
    assert hollow.stat().st_size > 0
    with pytest.raises(EmptyVideoError):
        probe_video(hollow)


def test_truncated_clip_keeps_frames_and_notes_it(tmp_path: Path, good_clip: Path) -> None:
    data = good_clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # noted in reader.problems, never a Python warning
        reader = VideoReader(cut)
        frames = list(reader)
    assert 10 < len(frames) < N_FRAMES
    assert [f.index for f in frames] == list(range(len(frames)))
    assert reader.problems and "frames read so far" in reader.problems[-1]


def test_corrupt_mid_stream_keeps_frames_and_notes_it(tmp_path: Path, good_clip: Path) -> None:
    """One keyframe only: everything after the damage is lost, and each lost frame is named
    with its index and time, so the read and the lost frames make up the whole clip."""
    data = bytearray(good_clip.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 3000] = np.random.default_rng(3).integers(0, 256, 3000, np.uint8).tobytes()
    bad = tmp_path / "garbled.mp4"
    bad.write_bytes(bytes(data))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reader = VideoReader(bad)
        frames = list(reader)
    assert 10 < len(frames) < N_FRAMES
    indices = [f.index for f in frames] + [i for i, _ in reader.lost]
    assert sorted(indices) == list(range(N_FRAMES))
    lost_t = dict(reader.lost)
    assert all(abs(t - i / 30) < 1e-3 for i, t in lost_t.items())  # real times kept
    assert len(reader.problems) == 1 and "damaged" in reader.problems[0]


def test_clip_cut_before_its_index_is_corrupt(tmp_path: Path) -> None:
    """An MP4 whose index (moov) is at the end, cut short: nothing can be read."""
    from analyzer.video import VideoWriter

    clip = tmp_path / "src.mp4"
    with VideoWriter(clip, 30, (64, 48), faststart=False) as w:  # index (moov) at the end
        for i in range(30):
            w.write(np.full((48, 64, 3), i * 8, np.uint8))
    data = clip.read_bytes()
    cut = tmp_path / "cut_no_index.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptVideoError, match="cut short") as info:
        probe_video(cut)
    assert "Copy the clip" in str(info.value)


@needs_ffmpeg
def test_unsupported_codec(tmp_path: Path) -> None:
    """An AVI whose codec tag FFmpeg does not know (patched FourCC)."""
    src = make_clip(tmp_path / "src.mp4", n_frames=5, size=(64, 48))
    avi = tmp_path / "m.avi"
    ffmpeg("-i", str(src), "-c:v", "mpeg4", "-vtag", "FMP4", str(avi))
    data = avi.read_bytes()
    assert b"FMP4" in data
    odd = tmp_path / "odd_codec.avi"
    odd.write_bytes(data.replace(b"FMP4", b"QQQQ"))
    with pytest.raises(UnsupportedCodecError) as info:
        probe_video(odd)
    assert "ffmpeg -i CLIP -c:v libx264" in str(info.value)


def test_errors_are_video_errors_with_exit_code_1() -> None:
    for cls in (NotAVideoError, EmptyVideoError, CorruptVideoError, UnsupportedCodecError):
        err = cls("x")
        assert isinstance(err, VideoError) and err.exit_code == 1 and err.hint
