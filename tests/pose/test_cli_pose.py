"""``backpedal pose``: exit codes 0 / 1 / 2 and the track file it writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.cli import main
from analyzer.commands.pose import parse_select
from analyzer.errors import ConfigError
from analyzer.pose.track import load_track


def test_parse_select() -> None:
    assert parse_select(None) == (None, None)
    assert parse_select("640,360") == ((640.0, 360.0), None)
    assert parse_select("640.5,360@1.25") == ((640.5, 360.0), 1.25)
    with pytest.raises(ConfigError):
        parse_select("640")


@pytest.mark.parametrize(
    "extra",
    [
        [],  # no -o
        ["--out", "t.npz", "--num-poses", "0"],
        ["--out", "t.npz", "--select", "here"],
        ["--out", "t.npz", "--capture-fps", "-5"],
        ["--out", "track.json"],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, extra: list[str]) -> None:
    clip = tmp_path / "c.mp4"
    clip.write_bytes(b"\x00")
    assert main(["pose", str(clip), *extra]) == 2


def test_bad_clip_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("not a clip")
    assert main(["pose", str(text), "--out", str(tmp_path / "t.npz"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "not a video" in err and "how to fix:" in err
    assert not (tmp_path / "t.npz").exists()


@pytest.mark.shared_data
def test_pose_writes_track(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clip = shared_data / "videos" / "tfjs_pose_detection" / "pose_squats.mp4"
    out = tmp_path / "sub" / "squats.npz"
    code = main(
        ["pose", str(clip), "--out", str(out), "-q", "--num-poses", "1", "--select", "360,640@2.0"]
    )
    assert code == 0, capsys.readouterr().err
    track = load_track(out)
    assert track.n_frames == 65 and track.image_size == (720, 1280)
    assert track.fps == pytest.approx(5.0)
    assert track.detected().mean() > 0.95
    assert track.world_xyz is not None
    assert track.model.startswith("mediapipe-") and "pose_landmarker_full" in track.model
    assert str(out) in capsys.readouterr().out
