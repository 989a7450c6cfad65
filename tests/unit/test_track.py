"""The PoseTrack container and the .npz track file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analyzer.errors import TrackFormatError
from analyzer.pose.track import PoseTrack, load_track, save_track
from analyzer.skeleton import LANDMARK_NAMES, LEFT_RIGHT_PAIRS, MIRROR


def _track(t: int = 5, world: bool = True) -> PoseTrack:
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 640, size=(t, 33, 2)).astype(np.float32)
    xy[2, 5] = np.nan
    return PoseTrack(
        times_s=np.arange(t) / 30.0,
        image_xy=xy,
        visibility=rng.uniform(0, 1, size=(t, 33)).astype(np.float32),
        image_size=(640, 480),
        world_xyz=rng.normal(size=(t, 33, 3)).astype(np.float32) if world else None,
        model="test",
        meta={"clip": "x.mp4"},
    )


def test_skeleton_mirror_is_an_involution() -> None:
    assert len(LANDMARK_NAMES) == 33
    assert all(MIRROR[MIRROR[i]] == i for i in range(33))
    assert (11, 12) in LEFT_RIGHT_PAIRS and (23, 24) in LEFT_RIGHT_PAIRS
    assert len(LEFT_RIGHT_PAIRS) == 16


@pytest.mark.parametrize("world", [True, False])
def test_round_trip(tmp_path: Path, world: bool) -> None:
    tr = _track(world=world)
    back = load_track(save_track(tr, tmp_path / "t.npz"))
    np.testing.assert_array_equal(back.times_s, tr.times_s)
    np.testing.assert_array_equal(back.image_xy, tr.image_xy)  # NaN positions equal too
    assert back.image_size == (640, 480)
    assert back.model == "test" and back.meta == {"clip": "x.mp4"}
    assert (back.world_xyz is None) == (not world)
    assert back.fps == pytest.approx(30.0)


def test_wrong_shape_is_named(tmp_path: Path) -> None:
    p = tmp_path / "bad.npz"
    np.savez(p, times_s=np.arange(4.0), image_xy=np.zeros((4, 17, 2)),
             visibility=np.zeros((4, 33)), image_size=np.array([640, 480]))
    with pytest.raises(TrackFormatError, match=r"image_xy must have shape \(4, 33, 2\)"):
        load_track(p)


def test_missing_array_is_named(tmp_path: Path) -> None:
    p = tmp_path / "bad.npz"
    np.savez(p, times_s=np.arange(4.0), image_xy=np.zeros((4, 33, 2)))
    with pytest.raises(TrackFormatError, match="visibility, image_size"):
        load_track(p)


def test_non_increasing_time_rejected() -> None:
    tr = _track()
    times = tr.times_s.copy()
    times[3] = times[2]
    with pytest.raises(TrackFormatError, match="increase strictly"):
        tr.with_arrays(times_s=times)


def test_not_an_npz(tmp_path: Path) -> None:
    p = tmp_path / "x.npz"
    p.write_text("hello")
    with pytest.raises(TrackFormatError, match="not a readable"):
        load_track(p)
