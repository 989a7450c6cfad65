"""Scene, view, contacts and phases on a stick figure with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.events.contacts import detect_contacts
from analyzer.events.ground import fit_ground_line
from analyzer.events.phases import segment_phases
from analyzer.events.view import build_scene
from tests.metrics.stickfigure import Gait, camera_for, generate, to_track


def _scene(gait: Gait, view: str = "left"):
    t, w, truth = generate(gait)
    return build_scene(to_track(t, w, camera_for(w, view)), athlete_height_m=truth.height_m), truth


@pytest.mark.parametrize(
    ("view", "expected"),
    [("left", "side"), ("right", "side"), ("front", "front"), ("diagonal", "diagonal")],
)
def test_view_classified(view: str, expected: str) -> None:
    sc, _ = _scene(Gait(), view)
    assert sc.view.view == expected
    if expected == "side":
        assert sc.view.camera_side == view


def test_facing_and_travel_opposite_in_backpedal() -> None:
    sc, _ = _scene(Gait(), "left")
    moving = sc.travel != 0
    assert np.all(sc.travel[moving] == -sc.facing[moving])
    assert np.all(sc.facing == -1)  # camera on the left: athlete faces image-left


def test_scale_from_height() -> None:
    sc, truth = _scene(Gait(), "left")
    leg_m = sc.leg_length_px * sc.scale_m_per_px
    assert leg_m == pytest.approx(truth.leg_m, rel=0.03)


def test_ground_line_recovers_roll() -> None:
    x = np.linspace(0, 1000, 200)
    y = 600 + np.tan(np.radians(4.0)) * x
    g = fit_ground_line(np.c_[x, y + np.r_[np.zeros(190), -80 * np.ones(10)]], inlier_tol_px=5)
    assert g.roll_deg == pytest.approx(4.0, abs=0.05)


@pytest.mark.parametrize("view", ["left", "right"])
def test_contacts_within_one_frame(view: str) -> None:
    sc, truth = _scene(Gait(fps=60.0), view)
    cr = detect_contacts(sc)
    for foot in ("left", "right"):
        det = np.array([e.time_s for e in cr.events if e.foot == foot and e.kind == "touchdown"])
        for td in truth.touchdowns[foot][1:-1]:
            assert np.min(np.abs(det - td)) <= 1.5 / 60


def test_front_view_contacts_give_cadence() -> None:
    sc, _ = _scene(Gait(), "front")
    cr = detect_contacts(sc)
    tds = sorted(e.time_s for e in cr.events if e.kind == "touchdown" and e.foot == "left")
    assert 2.0 / np.median(np.diff(tds)) == pytest.approx(3.5, rel=0.05)


@pytest.mark.parametrize(
    ("gait", "kind"),
    [
        (Gait(duration_s=5, turn_at_s=3.0, speed_after_turn_m_per_s=3.0), "turn_and_run"),
        (Gait(duration_s=5, reverse_at_s=3.0), "break_forward"),
    ],
)
def test_phases_and_transition_kind(gait: Gait, kind: str) -> None:
    sc, _ = _scene(gait, "left")
    phases, _timings = segment_phases(sc, detect_contacts(sc).events)
    kinds = [p.kind for p in phases]
    assert kinds == ["ready", "backpedal", "transition", "sprint"]
    assert phases[2].transition_kind == kind
    assert phases[1].end_s == pytest.approx(3.0, abs=0.35)  # T0: last touchdown before the turn
    assert phases[0].end_s == pytest.approx(gait.ready_s, abs=0.1)


def test_turn_onset_from_world_yaw() -> None:
    sc, _ = _scene(Gait(duration_s=5, turn_at_s=3.0, turn_s=0.6, speed_after_turn_m_per_s=3.0))
    _, timings = segment_phases(sc, detect_contacts(sc).events)
    onset = sc.times_s[timings[0].turn_onset]
    # raised-cosine turn of 180 deg in 0.6 s passes 60 deg/s at 3.0 + 0.6 asin(0.2 pi/... )
    t60 = 3.0 + 0.6 / np.pi * np.arcsin(60.0 / (np.pi * 180.0 / (2 * 0.6)))
    assert onset == pytest.approx(t60, abs=0.05)


def test_two_reps() -> None:
    g = Gait(duration_s=9, turn_at_s=2.5, speed_after_turn_m_per_s=2.0)
    _t, w, _ = generate(g)
    _t2, w2, _ = generate(Gait(duration_s=4.5))
    w2 = w2 + (w[-1, 23] - w2[0, 23]) * np.array([1.0, 0, 1.0])
    world = np.concatenate([w[: int(4.5 * 60)], w2])
    times = np.arange(world.shape[0]) / 60.0
    sc = build_scene(to_track(times, world, camera_for(world, "left")), athlete_height_m=1.63)
    phases, _ = segment_phases(sc, detect_contacts(sc).events)
    assert {p.rep for p in phases if p.kind == "backpedal"} == {0, 1}


def test_camera_roll_is_levelled() -> None:
    t, w, _truth = generate(Gait())
    track = to_track(t, w, camera_for(w, "left"))
    ang = np.radians(4.0)
    c = np.array([(track.image_size[0] - 1) / 2, (track.image_size[1] - 1) / 2])
    q = track.image_xy.astype(float) - c
    rolled = np.stack([np.cos(ang) * q[..., 0] - np.sin(ang) * q[..., 1],
                       np.sin(ang) * q[..., 0] + np.cos(ang) * q[..., 1]], -1) + c  # fmt: skip
    sc0 = build_scene(track)
    sc = build_scene(track.with_arrays(image_xy=rolled.astype(np.float32)))
    assert sc.roll_deg == pytest.approx(4.0 + sc0.roll_deg, abs=0.3)
    assert np.nanmax(np.abs(sc.p - sc0.p)) < 3.0  # levelled back onto the unrolled landmarks
