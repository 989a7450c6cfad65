"""The sideways check from the people in the picture (no video, no model)."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer import skeleton as sk
from analyzer.video.orientation import (
    OrientationParams,
    OrientationVote,
    body_axis_deg,
    turn_class,
)


def person(angle_deg: float, *, lean_deg: float = 0.0) -> np.ndarray:
    """(33, 2) pixels: ankles at (200, 300), shoulders 150 px away along ``angle_deg`` from
    the picture's up (+ towards image-right), trunk leaning a further ``lean_deg``."""
    xy = np.full((sk.N_LANDMARKS, 2), np.nan)
    a = np.radians(angle_deg)
    up = np.array([np.sin(a), -np.cos(a)])
    feet = np.array([200.0, 300.0])
    hips = feet + 80.0 * up
    b = np.radians(angle_deg + lean_deg)
    shoulders = hips + 70.0 * np.array([np.sin(b), -np.cos(b)])
    side = np.array([up[1], -up[0]]) * 10.0
    for (left, right), centre in (
        ((sk.LEFT_ANKLE, sk.RIGHT_ANKLE), feet),
        ((sk.LEFT_HIP, sk.RIGHT_HIP), hips),
        ((sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER), shoulders),
    ):
        xy[left], xy[right] = centre + side, centre - side
    return xy


@pytest.mark.parametrize("angle", [0.0, 30.0, -45.0, 90.0, -90.0, 180.0, 135.0])
def test_body_axis_angle(angle: float) -> None:
    got = float(body_axis_deg(person(angle)))
    assert (got - angle + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=1e-6)


def test_axis_falls_back_to_hips_without_ankles() -> None:
    xy = person(90.0)
    xy[[sk.LEFT_ANKLE, sk.RIGHT_ANKLE]] = np.nan
    assert float(body_axis_deg(xy)) == pytest.approx(90.0)


def test_classes() -> None:
    angles = np.array([0.0, 55.0, 65.0, 90.0, 175.0, -179.0, -100.0, np.nan])
    assert turn_class(angles, 60.0).tolist() == [0, 0, 3, 3, 2, 2, 1, -1]


def test_sprint_lean_is_upright() -> None:
    """A sprint start: body axis 30 deg, trunk 60 deg forward: still upright."""
    assert int(turn_class(body_axis_deg(person(30.0, lean_deg=30.0)), 60.0)) == 0


def _vote(angles: list[float], vis: float = 0.99, fps: float = 30.0) -> OrientationVote:
    vote = OrientationVote(OrientationParams())
    for i, a in enumerate(angles):
        xy = person(a)[None]
        vote.add(i / fps, xy, np.full((1, sk.N_LANDMARKS), vis))
    return vote


def test_vote_head_left_needs_a_clockwise_quarter_turn() -> None:
    vote = _vote([-90.0] * 90)
    early = vote.early_verdict(0.0)
    assert early is not None and early.turn_cw_deg == 90 and early.head_towards == "left"
    final = vote.final_verdict()
    assert final is not None and final.turn_cw_deg == 90 and final.fraction == 1.0


def test_vote_upright_and_unconfident_people_pass() -> None:
    assert _vote([5.0] * 90).final_verdict() is None
    assert _vote([90.0] * 90, vis=0.7).final_verdict() is None  # clutter "people"
    assert _vote([90.0] * 90, vis=0.7).verdict().n_votes == 0


def test_a_drill_that_starts_on_the_ground_is_not_refused() -> None:
    """Lying for the first second, then up for three: no early refusal, no final one."""
    vote = _vote([90.0] * 30 + [0.0] * 90)
    assert vote.early_verdict(0.0) is None
    assert vote.final_verdict() is None


def test_empty_frames_do_not_vote() -> None:
    vote = OrientationVote()
    vote.add(0.0, np.zeros((0, sk.N_LANDMARKS, 2)), np.zeros((0, sk.N_LANDMARKS)))
    assert vote.verdict().n_votes == 0 and vote.final_verdict() is None
