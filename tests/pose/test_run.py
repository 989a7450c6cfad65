"""The run step with a fake estimator: timestamps, slots, NaN, progress and its errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analyzer.errors import ClipTooShortError, NoPersonError, SidewaysVideoError
from analyzer.pose.estimator import FramePoses, PoseEstimator
from analyzer.pose.run import RunTimings, estimate_poses, torso_tilt_deg
from analyzer.skeleton import N_LANDMARKS
from tests.video.clips import make_clip


def skeleton(cx: float, *, lying: bool = False) -> np.ndarray:
    """(33, 2) pixels: a crude person 40 px tall centred at x=cx (or lying along x)."""
    xy = np.zeros((N_LANDMARKS, 2), np.float32)
    xy[:, 0], xy[:, 1] = cx, 30.0
    xy[[11, 12], 1] = 20.0  # shoulders
    xy[[23, 24], 1] = 40.0  # hips
    xy[[27, 28], 1] = 60.0  # ankles
    xy[11, 0], xy[12, 0] = cx - 4, cx + 4
    if lying:
        xy = np.stack([cx + (xy[:, 1] - 40.0), 40.0 + (xy[:, 0] - cx)], axis=1)
    return xy


class FakeEstimator:
    """Finds ``people(frame_index)`` people; records the times it was given."""

    model = "fake/1"

    def __init__(
        self, max_people: int = 2, people=None, lying: bool = False, visibility: float = 0.99
    ) -> None:
        self.max_people = max_people
        self.people = people or (lambda i: 1)
        self.lying = lying
        self.visibility = visibility
        self.times: list[float] = []
        self.shapes: list[tuple[int, ...]] = []
        self.closed = False

    def process(self, image_rgb: np.ndarray, time_s: float) -> FramePoses:
        i = len(self.times)
        self.times.append(time_s)
        self.shapes.append(image_rgb.shape)
        n = self.people(i)
        xy = (
            np.stack([skeleton(10.0 + 20 * p + i, lying=self.lying) for p in range(n)])
            if n
            else np.zeros((0, N_LANDMARKS, 2), np.float32)
        )
        vis = np.full((n, N_LANDMARKS), self.visibility, np.float32)
        world = np.zeros((n, N_LANDMARKS, 3), np.float32)
        return FramePoses(image_xy=xy, visibility=vis, world_xyz=world)

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> FakeEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def test_fake_satisfies_protocol() -> None:
    assert isinstance(FakeEstimator(), PoseEstimator)


def test_times_slots_nan_and_progress(tmp_path: Path) -> None:
    times = [i / 30 for i in range(40)]
    times[10] += 0.004  # VFR
    clip = make_clip(tmp_path / "c.mp4", times_s=times, size=(96, 64), rotation_deg=-90)
    est = FakeEstimator(max_people=3, people=lambda i: i % 3)  # 0, 1, 2 people
    calls: list[tuple[str, int, int | None]] = []
    timings = RunTimings()
    multi = estimate_poses(
        clip,
        est,
        min_person_fraction=0.1,
        progress=lambda *a: calls.append(a),
        timings=timings,
    )
    assert np.allclose(multi.times_s, times, atol=2e-5)
    assert np.allclose(est.times, times, atol=2e-5)
    assert all(s == (96, 64, 3) for s in est.shapes)  # upright (rotated) frames, RGB
    assert multi.image_size == (64, 96)
    assert multi.image_xy.shape == (40, 3, N_LANDMARKS, 2)
    assert multi.world_xyz is not None and multi.world_xyz.shape == (40, 3, N_LANDMARKS, 3)
    assert list(multi.people_per_frame()[:6]) == [0, 1, 2, 0, 1, 2]
    assert np.isnan(multi.image_xy[0]).all() and np.isnan(multi.visibility[0]).all()
    assert np.isnan(multi.image_xy[1, 1:]).all() and not np.isnan(multi.image_xy[1, 0]).any()
    assert multi.model == "fake/1"
    assert multi.meta["rotation_deg"] == 90 and multi.meta["video_problems"] == []
    assert calls[-1] == ("pose", 40, 40) and len(calls) == 40
    assert timings.n_frames == 40 and timings.inference_s > 0 and timings.decode_s > 0


def test_slow_motion_times_are_real_time(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", n_frames=40, fps=30.0)
    est = FakeEstimator()
    multi = estimate_poses(clip, est, capture_fps=120.0, min_duration_s=0.1)
    assert np.allclose(multi.times_s, np.arange(40) / 120.0, atol=1e-4)
    assert multi.meta["capture_fps"] == 120.0


def test_no_person(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "empty_scene.mp4", n_frames=40)
    with pytest.raises(NoPersonError, match="no person"):
        estimate_poses(clip, FakeEstimator(people=lambda i: 0))
    # a person in 2 of 40 frames is below the 10 % threshold
    with pytest.raises(NoPersonError, match="2 of 40"):
        estimate_poses(clip, FakeEstimator(people=lambda i: int(i < 2)))
    multi = estimate_poses(clip, FakeEstimator(people=lambda i: int(i < 5)))
    assert int((multi.people_per_frame() > 0).sum()) == 5


def test_lying_detections_do_not_count_as_people(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", n_frames=40)
    # BlazePose's false detections in still clutter: lying, visibility ~0.6-0.9
    with pytest.raises(NoPersonError):
        estimate_poses(clip, FakeEstimator(lying=True, visibility=0.7))
    # a confident person lying in every frame: the clip is rotated wrongly
    with pytest.raises(SidewaysVideoError, match="rotated"):
        estimate_poses(clip, FakeEstimator(lying=True, visibility=0.99))


def test_torso_tilt() -> None:
    assert torso_tilt_deg(skeleton(30.0)) == pytest.approx(0.0)
    assert torso_tilt_deg(skeleton(30.0, lying=True)) == pytest.approx(90.0)
    upside_down = skeleton(30.0) * np.array([1, -1], np.float32)
    assert torso_tilt_deg(upside_down) == pytest.approx(180.0)
    assert np.isnan(torso_tilt_deg(np.full((N_LANDMARKS, 2), np.nan)))


def test_clip_too_short(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "blink.mp4", n_frames=6, fps=30.0)  # 0.2 s
    est = FakeEstimator()
    with pytest.raises(ClipTooShortError, match=r"0\.20 s"):
        estimate_poses(clip, est)
    assert est.times == []  # failed before any inference


def test_corrupt_clip_keeps_frames(tmp_path: Path) -> None:
    from analyzer.video import VideoWriter

    rng = np.random.default_rng(1)
    path = tmp_path / "good.mp4"
    with VideoWriter(path, 30, (64, 48), options={"preset": "ultrafast"}) as w:
        for _ in range(90):
            w.write(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    multi = estimate_poses(cut, FakeEstimator())
    assert 30 < multi.n_frames < 90
    assert len(multi.meta["video_problems"]) == 1


def test_sideways_picture_refused_after_the_first_seconds(tmp_path: Path) -> None:
    """A confident person lying in every frame of a 4 s clip: refused after ~2 s of frames,
    not after the whole pass, with the rotation that makes the picture upright."""
    clip = make_clip(tmp_path / "c.mp4", n_frames=120, fps=30.0)
    est = FakeEstimator(lying=True, visibility=0.99)
    with pytest.raises(SidewaysVideoError, match="--rotate 90") as info:
        estimate_poses(clip, est)
    assert info.value.rotate_deg == 90  # heads towards image-left: a clockwise quarter turn
    assert "no rotation tag" in info.value.message
    assert 55 <= len(est.times) <= 70  # the first 2 s, not 120 frames


def test_rotate_replaces_the_tag(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "c.mp4", n_frames=40, size=(96, 64), rotation_deg=-90)
    est = FakeEstimator()
    multi = estimate_poses(clip, est, rotate_deg=0)
    assert all(s == (64, 96, 3) for s in est.shapes)  # stored frames as they are
    assert multi.image_size == (96, 64)
    assert multi.meta["rotation_deg"] == 0 and multi.meta["rotation_source"] == "user"


def _noise_clip(path: Path, n_frames: int, gop: int) -> Path:
    from analyzer.video import VideoWriter

    rng = np.random.default_rng(1)
    with VideoWriter(path, 30, (64, 48), options={"preset": "ultrafast", "g": str(gop)}) as w:
        for _ in range(n_frames):
            w.write(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    return path


def test_damaged_middle_keeps_both_sides_with_missing_rows(tmp_path: Path) -> None:
    from tests.video.clips import damage_middle

    good = _noise_clip(tmp_path / "good.mp4", 90, gop=15)
    bad = damage_middle(good, tmp_path / "bad.mp4", n_bytes=3000)
    est = FakeEstimator()
    multi = estimate_poses(bad, est)
    assert multi.n_frames == 90  # one row per frame of the clip, lost ones included
    assert np.allclose(multi.times_s, np.arange(90) / 30.0, atol=1e-3)  # real times kept
    found = multi.people_per_frame() > 0
    missing = np.flatnonzero(~found)
    assert 0 < missing.size < 45
    assert found[: missing[0]].all() and found[missing[-1] + 1 :].all()  # both sides
    assert missing[-1] + 1 < 90  # frames after the damage were analysed
    assert np.all(np.diff(missing) == 1)  # one span, up to the next keyframe
    assert len(multi.meta["video_problems"]) == 1
    assert "damaged" in multi.meta["video_problems"][0]
    (span,) = multi.meta["lost_spans_s"]
    assert span == pytest.approx([missing[0] / 30.0, missing[-1] / 30.0], abs=1e-3)


def test_too_little_left_after_damage_is_refused(tmp_path: Path) -> None:
    from tests.video.clips import damage_middle

    good = _noise_clip(tmp_path / "good.mp4", 45, gop=250)  # 1.5 s, one keyframe
    bad = damage_middle(good, tmp_path / "bad.mp4", n_bytes=3000)
    with pytest.raises(ClipTooShortError, match="could be decoded") as info:
        estimate_poses(bad, FakeEstimator())
    assert "Copy the clip" in info.value.hint
