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
