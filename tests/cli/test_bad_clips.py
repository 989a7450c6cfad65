"""Bad clips through the real command: each gets a clear message, exit code 1, no output lost."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from analyzer.cli import main
from analyzer.pose.track import load_track
from tests.video.clips import damage_middle, ffprobe_frame_times

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
    person lying down, and the message says the clip is rotated wrongly and how to fix it."""
    clip = tmp_path / "sideways.mp4"
    _ffmpeg("-i", str(SAMPLE), "-vf", "transpose=1", "-c:v", "libx264", "-crf", "28", str(clip))
    monkeypatch.setenv("BACKPEDAL_CACHE", str(tmp_path / "cache"))
    assert main(["analyze", str(clip), "--out", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "rotated wrongly" in err and "no rotation tag" in err
    assert "how to fix: Run again with --rotate 270" in err
    assert not (tmp_path / "out" / "result.json").exists()


@needs_ffmpeg
def test_wrong_rotation_tag_refused_then_fixed_with_rotate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The upright sample re-muxed with a rotation tag it should not have: the picture shows
    sideways, the clip is refused with the fix, and ``--rotate 0`` analyses it upright."""
    clip = tmp_path / "wrong_tag.mp4"
    _ffmpeg("-i", str(SAMPLE), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(clip))
    monkeypatch.setenv("BACKPEDAL_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "out"
    assert main(["pose", str(clip), "--out", str(tmp_path / "t.npz"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "rotation tag (270 deg) is wrong" in err and "--rotate 0" in err
    assert main(["analyze", str(clip), "--out", str(out), "-q", "--rotate", "0", "--no-video"]) == 0
    result = json.loads((out / "result.json").read_text())
    assert result["view"]["view"] == "side" and result["travel_direction"] == "backward"
    assert result["provenance"]["settings"]["rotate_deg"] == 0
    video = result["capture"]["video"]
    assert video["rotation_source"] == "user" and video["tagged_rotation_deg"] == 270
    assert main(["analyze", str(clip), "--out", str(out), "-q", "--rotate", "45"]) == 2


@needs_ffmpeg
@pytest.mark.slow
def test_clip_damaged_in_the_middle_is_analysed_on_both_sides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Random bytes over the middle of the sample (a keyframe every 0.5 s): decoding goes on
    from the next keyframe, the lost span is missing in the track at its real times, and the
    warning appears once in the terminal, in result.json and in the report."""
    good = tmp_path / "good.mp4"
    _ffmpeg("-i", str(SAMPLE), "-c:v", "libx264", "-g", "30", "-crf", "28", str(good))
    clip = damage_middle(good, tmp_path / "damaged.mp4")
    after = [t for t in ffprobe_frame_times(clip) if t > 2.6]
    assert len(after) > 60  # ffprobe decodes past the damage
    monkeypatch.setenv("BACKPEDAL_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "out"
    assert main(["analyze", str(clip), "--out", str(out), "-q", "--no-video"]) == 0
    stdout = capsys.readouterr().out
    assert stdout.count("the clip is damaged") == 1
    result = json.loads((out / "result.json").read_text())
    damage = [w for w in result["warnings"] if "damaged" in w]
    assert len(damage) == 1 and "could not be decoded (at " in damage[0]
    assert (out / "report.html").read_text().count("the clip is damaged") == 1
    track = load_track(out / "track.npz")
    assert track.n_frames == 229  # every frame of the clip has its row
    assert np.allclose(np.diff(track.times_s), 1 / 60, atol=1e-3)
    found = track.detected()
    lost = np.flatnonzero(~found)
    assert 10 <= lost.size <= 60
    assert found[: lost[0]].sum() > 60 and found[lost[-1] + 1 :].sum() > 60
    (span,) = result["capture"]["lost_spans_s"]
    assert span[0] == pytest.approx(track.times_s[lost[0]], abs=1e-3)
    contacts = [e["time_s"] for e in result["events"]]
    assert min(contacts) < track.times_s[lost[0]] < track.times_s[lost[-1]] < max(contacts)


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
