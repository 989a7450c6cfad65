"""The pose cache: the pose pass cached before selection; entries that cannot lie or break
(a new --select re-chooses, running the dense pass when the follow pass followed someone
else; a torn entry is a miss, writes are atomic)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from analyzer.errors import TrackFormatError
from analyzer.pipeline import estimate_track
from analyzer.pose.cache import PoseCache, pose_key
from analyzer.pose.follow import PosePass, read_pass
from analyzer.pose.multi import MultiPoseTrack
from analyzer.pose.track import load_track
from analyzer.settings import AnalysisSettings
from tests.render.factories import make_track

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_videos" / "backpedal_side_left.mp4"


def _two_people() -> MultiPoseTrack:
    """Person 0 backpedals across the frame; person 1 stands still 200 px to the right."""
    track = make_track()
    mover = track.image_xy
    still = np.repeat(mover[:1], track.n_frames, axis=0) + np.float32([200.0, 0.0])
    return MultiPoseTrack(
        times_s=track.times_s,
        image_xy=np.stack([mover, still], axis=1),
        visibility=np.stack([track.visibility, track.visibility], axis=1),
        image_size=(1280, 720),
        model="fake-estimator",
        meta={"clip": SAMPLE.name},
    )


def _pass(dense: bool) -> PosePass:
    """The dense pass finds both people; the follow pass follows the mover (slot 0) and
    scans both every 5th frame."""
    both = _two_people()
    if dense:
        return PosePass(people=both)
    scan = np.arange(0, both.n_frames, 5)
    follow = MultiPoseTrack(
        times_s=both.times_s,
        image_xy=both.image_xy[:, :1],
        visibility=both.visibility[:, :1],
        image_size=both.image_size,
        model=both.model,
        meta=both.meta,
    )
    scanned = MultiPoseTrack(
        times_s=both.times_s[scan],
        image_xy=both.image_xy[scan],
        visibility=both.visibility[scan],
        image_size=both.image_size,
        model=both.model,
    )
    return PosePass(people=follow, scan=scanned, followed=True)


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace the pose passes with fakes on two people; lists the passes that ran."""
    calls: list[str] = []

    def run_pose_pass(path, *, dense=False, **_kwargs):
        assert Path(path) == SAMPLE
        calls.append("dense" if dense else "follow")
        return _pass(dense)

    monkeypatch.setattr("analyzer.pose.follow.run_pose_pass", run_pose_pass)
    return calls


def _hip_x(track) -> float:
    return float(np.nanmean(track.image_xy[:, [23, 24], 0]))


def test_a_new_select_rechooses_from_the_cache(tmp_path: Path, fake_model) -> None:
    first, facts = estimate_track(SAMPLE, AnalysisSettings(), cache_dir=tmp_path)
    assert not facts.cache_hit and first.meta["selection"]["method"] == "most_ground_travel"
    assert facts.pose_pass["method"] == "follow" and facts.pose_pass["n_scans"] == 12
    assert first.meta["pose_pass"]["follow_check"]["verified"]
    mover = _two_people().image_xy[:, 0]
    assert np.abs(first.image_xy - mover).max() < 1e-3  # the followed person, every frame
    still = _two_people().image_xy[0, 1]
    x, y = (float(v) for v in still[[23, 24]].mean(axis=0))
    chosen = AnalysisSettings(select_point_xy=(x, y), select_time_s=1.0)
    second, facts = estimate_track(SAMPLE, chosen, cache_dir=tmp_path)
    # the follow pass followed the mover: the dense pass runs for the standing person
    assert not facts.cache_hit and fake_model == ["follow", "dense"]
    assert facts.pose_pass["method"] == "dense after follow"
    assert not facts.pose_pass["follow_check"]["verified"]
    assert second.meta["selection"]["method"] == "point"
    assert _hip_x(second) == pytest.approx(x, abs=1.0)  # the standing person, not the mover
    assert abs(_hip_x(second) - _hip_x(first)) > 50
    # the dense pass replaced the entry: both choices now come from the cache
    again, facts = estimate_track(SAMPLE, chosen, cache_dir=tmp_path)
    assert facts.cache_hit and fake_model == ["follow", "dense"]
    assert _hip_x(again) == pytest.approx(x, abs=1.0)
    default, facts = estimate_track(SAMPLE, AnalysisSettings(), cache_dir=tmp_path)
    assert facts.cache_hit and facts.pose_pass["method"] == "dense after follow"
    assert _hip_x(default) == pytest.approx(_hip_x(first), abs=1.0)


def test_dense_is_its_own_entry(tmp_path: Path, fake_model) -> None:
    _, facts = estimate_track(SAMPLE, AnalysisSettings(dense=True), cache_dir=tmp_path)
    assert fake_model == ["dense"] and facts.pose_pass["method"] == "dense"
    assert facts.cache_key["pass"] == "dense"
    estimate_track(SAMPLE, AnalysisSettings(), cache_dir=tmp_path)
    assert fake_model == ["dense", "follow"]


def test_key_names_the_model_by_content_and_the_pose_settings(tmp_path: Path) -> None:
    base = pose_key(SAMPLE, model_path=None, num_poses=2, capture_fps=None)
    assert len(base.clip_sha256) == 64 and len(base.model_sha256) == 64
    assert base.mediapipe_version
    same_name = tmp_path / "a" / "pose.task"
    other = tmp_path / "b" / "pose.task"
    for path, data in ((same_name, b"model one"), (other, b"model two")):
        path.parent.mkdir()
        path.write_bytes(data)
    names = {
        base.file_name(),
        pose_key(SAMPLE, model_path=None, num_poses=1, capture_fps=None).file_name(),
        pose_key(SAMPLE, model_path=None, num_poses=2, capture_fps=240.0).file_name(),
        pose_key(SAMPLE, model_path=same_name, num_poses=2, capture_fps=None).file_name(),
        pose_key(SAMPLE, model_path=other, num_poses=2, capture_fps=None).file_name(),
        pose_key(SAMPLE, model_path=None, num_poses=2, capture_fps=None, rotate_deg=90).file_name(),
        pose_key(SAMPLE, model_path=None, num_poses=2, capture_fps=None, rotate_deg=0).file_name(),
        pose_key(SAMPLE, model_path=None, num_poses=2, capture_fps=None, dense=True).file_name(),
    }
    assert len(names) == 8  # two model files with one name are two keys; rotation counts


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage"])
def test_an_unreadable_entry_is_a_miss_rebuilt_with_one_warning(
    tmp_path: Path, fake_model, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    estimate_track(SAMPLE, AnalysisSettings(), cache_dir=tmp_path)
    (entry,) = (tmp_path / "poses").glob("*.npz")
    data = entry.read_bytes()
    entry.write_bytes(
        {"truncated": data[: len(data) // 2], "empty": b"", "garbage": b"x" * 99}[damage]
    )
    caplog.set_level(logging.WARNING)
    track, facts = estimate_track(SAMPLE, AnalysisSettings(), cache_dir=tmp_path)
    assert not facts.cache_hit and len(fake_model) == 2 and track.n_frames == 60
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "\n" not in warnings[0].getMessage()
    read_pass(entry)  # rebuilt: readable again
    _, facts = estimate_track(SAMPLE, AnalysisSettings(), cache_dir=tmp_path)
    assert facts.cache_hit


def test_a_failed_write_leaves_no_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = PoseCache(tmp_path)
    key = pose_key(SAMPLE, model_path=None, num_poses=2, capture_fps=None)

    def boom(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("analyzer.pose.multi.np.savez_compressed", boom)
    assert cache.put(key, PosePass(people=_two_people())) is None
    assert not cache.path(key).exists() and not list((tmp_path / "poses").iterdir())
    assert cache.get(key) is None


def test_a_truncated_track_file_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "track.npz"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(TrackFormatError):
        load_track(path)
    path.write_bytes(b"")
    with pytest.raises(TrackFormatError):
        load_track(path)
