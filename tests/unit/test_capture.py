"""Capture-quality verdict: known answers for each check."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from analyzer.capture import assess_capture, body_height_px
from analyzer.results import CaptureAssessment, ViewInfo
from analyzer.video.brightness import BrightnessStats, frame_brightness
from tests.render.factories import make_track


@pytest.fixture(scope="module")
def track():
    return make_track()


def _check(a: CaptureAssessment, key: str):
    return next(c for c in a.checks if c.key == key)


@pytest.mark.parametrize(
    ("fps", "status"), [(120.0, "good"), (60.0, "good"), (30.0, "fair"), (15.0, "poor")]
)
def test_frame_rate(track, fps, status):
    a = assess_capture(
        track, SimpleNamespace(fps=fps, capture_fps=None), view=ViewInfo("side", 0.9)
    )
    assert _check(a, "frame_rate").status == status


def test_slow_motion_capture_rate_counts(track):
    a = assess_capture(track, SimpleNamespace(fps=30.0, capture_fps=240.0))
    assert _check(a, "frame_rate").value == "240 fps"


def test_frame_rate_from_track_timestamps(track):
    assert _check(assess_capture(track), "frame_rate").value == "30 fps"


def test_body_height_known_answer(track):
    y = track.image_xy[:, :, 1]
    top = np.nanmin(y[:, [0, 7, 8, 11, 12]], axis=1)
    bottom = np.nanmax(y[:, [27, 28, 29, 30, 31, 32]], axis=1)
    assert body_height_px(track) == pytest.approx(float(np.median((bottom - top) * 1.08)))
    # the stick figure is ~190 px tall: fair (150-300 px)
    assert _check(assess_capture(track), "athlete_size").status == "fair"
    big = track.with_arrays(image_xy=track.image_xy * 2.0, image_size=(1280, 720))
    assert _check(assess_capture(big), "athlete_size").status == "good"


def test_detection_rate(track):
    xy = track.image_xy.copy()
    xy[:9] = np.nan  # 9 of 60 frames lost: 85 %
    a = assess_capture(track.with_arrays(image_xy=xy))
    c = _check(a, "detection_rate")
    assert c.status == "fair" and "85%" in c.value and c.advice


def test_body_leaving_the_frame(track):
    xy = track.image_xy.copy()
    xy[:30, :, 0] -= 500  # half the clip runs off the left edge
    c = _check(assess_capture(track.with_arrays(image_xy=xy)), "in_frame")
    assert c.status == "poor"


@pytest.mark.parametrize(
    ("level", "status"), [(15, "poor"), (50, "fair"), (128, "good"), (215, "fair"), (250, "poor")]
)
def test_lighting(track, level, status):
    rng = np.random.default_rng(0)
    grey = np.clip(rng.normal(level, 30, (90, 160, 1)), 0, 255).astype(np.uint8)
    frame = np.repeat(grey, 3, axis=2)
    stats = BrightnessStats()
    stats.add(frame)
    assert _check(assess_capture(track, brightness=stats), "lighting").status == status


def test_flat_picture_is_flagged(track):
    stats = BrightnessStats()
    stats.add(np.full((90, 160, 3), 128, np.uint8))
    c = _check(assess_capture(track, brightness=stats.summary()), "lighting")
    assert c.status == "poor" and "light" in c.advice


def test_frame_brightness_known_answer():
    frame = np.zeros((8, 8, 3), np.uint8)
    frame[..., 2] = 100  # red channel only
    mean, std = frame_brightness(frame, step=1)
    assert mean == pytest.approx(29.9, abs=0.01) and std == pytest.approx(0.0, abs=1e-4)
    # the same picture decoded as RGB (the pose pass) has red in channel 0
    mean_rgb, _ = frame_brightness(frame[..., ::-1], step=1, color="rgb")
    assert mean_rgb == pytest.approx(mean)


def test_views_and_overall_verdict(track):
    side = assess_capture(track, SimpleNamespace(fps=60.0), view=ViewInfo("side", 0.9))
    assert _check(side, "view").status == "good"
    rear = assess_capture(track, SimpleNamespace(fps=60.0), view=ViewInfo("rear", 0.9))
    assert _check(rear, "view").status == "poor" and rear.verdict == "poor"
    front = assess_capture(track, SimpleNamespace(fps=60.0), view=ViewInfo("front", 0.9))
    assert "side" in _check(front, "view").advice
    assert _check(assess_capture(track), "view").status == "poor"  # view unknown
    assert _check(assess_capture(track), "lighting").status == "unknown"


def test_advice(track):
    a = assess_capture(track, SimpleNamespace(fps=30.0), view=ViewInfo("side", 0.9))
    assert a.advice and all(isinstance(s, str) for s in a.advice)
