"""The follow pass: the scan's schedule, the check that the followed person is the athlete,
and the pass itself with fake estimators (lost frames, sideways) and with MediaPipe."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from analyzer.errors import SidewaysVideoError
from analyzer.pose.estimator import FramePoses
from analyzer.pose.follow import PosePass, ScanWorker, follow_clip, scan_interval_s
from analyzer.pose.multi import MultiPoseTrack
from analyzer.processing.following import (
    check_follow,
    followed_athlete,
    median_gap_sizes,
    unclear_choice,
)
from analyzer.processing.selection import select_athlete
from tests.pose.test_run import FakeEstimator, skeleton
from tests.processing.synth import figure_xy
from tests.video.clips import make_clip

ROOT = Path(__file__).resolve().parents[2]
T = np.arange(0, 6, 1 / 30)
SCANS = np.arange(0, T.size, 15)  # every 0.5 s


def _multi(people: list[np.ndarray], times: np.ndarray) -> MultiPoseTrack:
    xy = np.stack(people, axis=1).astype(np.float32)
    vis = np.where(np.isnan(xy[..., 0]), np.nan, 0.9).astype(np.float32)
    return MultiPoseTrack(times_s=times, image_xy=xy, visibility=vis, image_size=(1920, 1080))


def _pass(followed: np.ndarray, people: list[np.ndarray]) -> PosePass:
    """A follow pass whose tracker gave ``followed``, scanning ``people`` every 0.5 s."""
    scan = _multi([p[SCANS] for p in people], T[SCANS])
    return PosePass(people=_multi([followed], T), scan=scan, followed=True)


def _backpedaller() -> np.ndarray:
    return figure_xy(T, leg_px=220, start_xy=(1700, 600), speed_px_s=-220)


def _coach() -> np.ndarray:
    return figure_xy(T, leg_px=200, start_xy=(250, 560), speed_px_s=0, stride_hz=1e-4)


def _choose(p: PosePass):
    assert p.scan is not None
    chosen = select_athlete(p.scan)
    return chosen, check_follow(p.people, p.scan, chosen)


def test_a_follow_on_the_athlete_is_verified_and_kept_whole() -> None:
    athlete, coach = _backpedaller(), _coach()
    p = _pass(athlete, [coach, athlete])
    chosen, check = _choose(p)
    assert check.verified and check.counts["match"] == SCANS.size
    assert unclear_choice(chosen.meta["selection"]) is None
    track = followed_athlete(p.people, check, chosen.meta["selection"])
    assert np.allclose(track.image_xy, athlete, equal_nan=True)


def test_a_follow_on_someone_else_is_not_verified() -> None:
    athlete, coach = _backpedaller(), _coach()
    _, check = _choose(_pass(coach, [coach, athlete]))
    assert not check.verified and "another person" in check.reason
    assert not check.keep.any()


def test_a_swap_between_scans_without_a_jump_is_caught() -> None:
    """Two people side by side (0.35 body sizes apart): the tracker slides from one to the
    other between two scans, too little for the jump test, seen at the next scan."""
    athlete = _backpedaller()
    twin = athlete + np.float32([120.0, 0.0])
    twin[:, :, 1] += 5.0
    slide = athlete.copy()
    w = np.clip((np.arange(T.size) - 100) / 8.0, 0.0, 1.0)[:, None, None]
    slide = (1 - w) * athlete + w * twin  # from frame 100 to 108, 15 px per frame
    p = _pass(slide, [twin, athlete])
    chosen = select_athlete(p.scan, point_xy=tuple(athlete[0, 23]), at_time_s=0.0)
    check = check_follow(p.people, p.scan, chosen)
    assert not check.verified and "identity" in check.reason


def test_frames_of_someone_else_before_the_athlete_arrives_are_left_out() -> None:
    """The tracker holds the coach until the athlete enters at 2.0 s and jumps to them:
    the coach's frames are not the athlete's, the rest is kept."""
    athlete, coach = _backpedaller(), _coach()
    athlete[:60] = np.nan
    followed = np.where(np.arange(T.size)[:, None, None] < 60, coach, athlete)
    p = _pass(followed, [coach, athlete])
    _, check = _choose(p)
    assert check.verified and check.counts["other"] == 4
    assert not check.keep[:60].any() and check.keep[60:].all()


def test_the_follow_losing_the_athlete_too_often_is_not_verified() -> None:
    athlete, coach = _backpedaller(), _coach()
    followed = athlete.copy()
    followed[40:] = np.nan  # lost after 1.3 s
    _, check = _choose(_pass(followed, [coach, athlete]))
    assert not check.verified and "missed" in check.reason


def test_standing_people_are_an_unclear_choice() -> None:
    coach = _coach()
    other = figure_xy(T, leg_px=210, start_xy=(1200, 560), speed_px_s=5, stride_hz=1e-4)
    chosen = select_athlete(_pass(coach, [coach, other]).scan)
    assert "travelled only" in (unclear_choice(chosen.meta["selection"]) or "")
    alone = select_athlete(_multi([coach[SCANS]], T[SCANS]))
    assert unclear_choice(alone.meta["selection"]) is None  # nobody else: nothing to confuse


def test_scan_schedule(tmp_path: Path) -> None:
    """At least 16 scans on a short clip, every 0.5 s on a long one, first and last frame,
    and the frame of a --select time; the followed person first, then the others."""
    assert scan_interval_s(3.0) == pytest.approx(0.2)
    assert scan_interval_s(60.0) == 0.5
    clip = make_clip(tmp_path / "c.mp4", n_frames=90, fps=30.0)
    scanner = FakeEstimator(max_people=2)
    worker = ScanWorker(scanner, 0.5, extra_time_s=1.1)
    from analyzer.video.reader import VideoReader

    follower = FakeEstimator(max_people=1, people=lambda i: int(i % 2 == 0))
    with VideoReader(clip, color="rgb") as reader:
        for frame in reader:
            worker.offer(frame, follower.process(frame.image, frame.time_s))
    times, found = worker.finish()
    expected = [0.0, 0.5, 1.0, 1.1, 1.5, 2.0, 2.5, 89 / 30]
    assert times == pytest.approx(expected, abs=0.02)
    followed = [round(t * 30) % 2 == 0 for t in times]
    assert [f.n_people for f in found] == [1 + k for k in followed]
    assert np.allclose(found[0].image_xy[0], skeleton(10.0))  # the followed person first


def test_the_scan_does_not_see_the_followed_person() -> None:
    from analyzer.pose.follow import mask_people

    image = np.full((100, 200, 3), 200, np.uint8)
    one = FakeEstimator(max_people=1).process(image, 0.0)  # a person at x = 10
    two = FramePoses(image_xy=np.stack([skeleton(150.0)]), visibility=np.ones((1, 33), np.float32))
    masked = mask_people(image, one)
    assert masked is not image and (image == 200).all()  # a copy
    dark = np.argwhere(masked[..., 0] == 0)
    (y0, x0), (y1, x1) = dark.min(axis=0), dark.max(axis=0)
    assert x0 <= 6 and x1 >= 14 and y0 <= 18 and y1 >= 60 and x1 < 30  # the box and a margin
    assert mask_people(image, FramePoses.empty()) is image
    assert (mask_people(image, two)[:, :100] == 200).all()


class FakeModels:
    """Stands in for MediaPipe: makes fake estimators (people lying down if ``lying``) and
    keeps them by role."""

    def __init__(self) -> None:
        self.lying = False
        self.made: dict[str, FakeEstimator] = {}
        self.thread: dict[str, str] = {}

    def __call__(self, *, model_path=None, num_poses=2, tracking=True) -> FakeEstimator:
        est = FakeEstimator(max_people=num_poses, lying=self.lying)
        role = "follow" if tracking else "scan"
        self.made[role], self.thread[role] = est, threading.current_thread().name
        return est


@pytest.fixture
def fake_models(monkeypatch: pytest.MonkeyPatch) -> FakeModels:
    """MediaPipe replaced by fakes."""
    models = FakeModels()
    monkeypatch.setattr("analyzer.pose.mediapipe_backend.MediaPipePoseEstimator", models)
    return models


def _probe(clip: Path):
    from analyzer.video.probe import probe_video

    return probe_video(clip)


def test_follow_pass_keeps_lost_frames_as_empty_rows(tmp_path: Path, fake_models) -> None:
    from tests.pose.test_run import _noise_clip
    from tests.video.clips import damage_middle

    good = _noise_clip(tmp_path / "good.mp4", 90, gop=15)
    bad = damage_middle(good, tmp_path / "bad.mp4", n_bytes=3000)
    p = follow_clip(bad, video=_probe(bad))
    assert p.followed and p.people.n_frames == 90 and p.people.max_people == 1
    missing = np.flatnonzero(p.people.people_per_frame() == 0)
    assert 0 < missing.size < 45
    assert p.people.meta["lost_spans_s"] and "damaged" in p.people.meta["video_problems"][0]
    assert p.scan is not None and p.n_scans >= 12 and p.scan.max_people == 3  # 16 - lost
    lost = p.people.times_s[missing]
    assert not np.isin(np.round(p.scan.times_s, 4), np.round(lost, 4)).any()
    assert len(fake_models.made["scan"].times) == p.n_scans
    # the scan model is opened in the scan thread (overlapping the first frames), and closed
    assert fake_models.thread == {"follow": "MainThread", "scan": "pose-scan"}
    assert fake_models.made["scan"].closed and fake_models.made["follow"].closed


def test_follow_pass_refuses_a_sideways_picture_early(tmp_path: Path, fake_models) -> None:
    clip = make_clip(tmp_path / "c.mp4", n_frames=120, fps=30.0)
    fake_models.lying = True
    with pytest.raises(SidewaysVideoError, match="--rotate 90"):
        follow_clip(clip, video=_probe(clip))
    assert 55 <= len(fake_models.made["follow"].times) <= 70  # the first 2 s, not 120 frames


@pytest.mark.slow
def test_follow_equals_the_dense_athlete_on_a_one_person_clip(tmp_path: Path) -> None:
    """The rendered side-view sample: the verified follow and the dense pass find the same
    athlete in the same frames, landmarks within a few pixels."""
    pytest.importorskip("mediapipe")
    from analyzer.pipeline import AnalysisSettings, estimate_track

    clip = ROOT / "sample_videos" / "backpedal_side_left.mp4"
    follow, facts = estimate_track(clip, AnalysisSettings(), cache_dir=tmp_path)
    dense, _ = estimate_track(clip, AnalysisSettings(dense=True), cache_dir=tmp_path)
    assert facts.pose_pass["method"] == "follow" and facts.pose_pass["n_scans"] >= 16
    assert follow.detected().sum() >= dense.detected().sum() - 2
    assert median_gap_sizes(follow, dense) < 0.03
    both = follow.detected() & dense.detected()
    body = [11, 12, 23, 24, 25, 26, 27, 28]
    err = np.linalg.norm(follow.image_xy[both][:, body] - dense.image_xy[both][:, body], axis=-1)
    assert np.median(err) < 4.0
