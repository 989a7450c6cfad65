"""Superposing two reps (``analyzer.web.review_overlay``) against known answers, and the
compare page's ``overlay.json``."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.urls import reverse

from analyzer.skeleton import LEFT_HIP, RIGHT_HIP
from analyzer.web.review_overlay import RepPose, facing_side, superpose, torso_px

T, N = 60, 33


def _athlete(seed: int = 0) -> np.ndarray:
    """(T, 33, 2) a body of random shape (torso about 100 px) walking right 3 px a frame."""
    rng = np.random.default_rng(seed)
    body = rng.uniform(-60, 60, size=(N, 2))
    body[LEFT_HIP], body[RIGHT_HIP] = (-10, 0), (10, 0)
    body[11], body[12] = (-15, -100), (15, -100)  # shoulders
    sway = np.sin(np.arange(T) / 5.0)[:, None, None] * rng.uniform(-8, 8, size=(1, N, 2))
    sway[:, [11, 12, LEFT_HIP, RIGHT_HIP]] = 0.0  # a torso of one length
    walk = np.stack([3.0 * np.arange(T), np.zeros(T)], axis=1)[:, None, :]
    return body[None] + sway + walk + np.array([200.0, 400.0])


def _rep(xy, *, align=20, facing=None, vis=None) -> RepPose:
    return RepPose(
        xy=xy,
        visibility=np.ones(xy.shape[:2]) if vis is None else vis,
        start_frame=0,
        end_frame=xy.shape[0] - 1,
        align_frame=align,
        facing=facing,
    )


@pytest.mark.parametrize("anchor", ["posture", "travel"])
def test_a_smaller_shifted_copy_lands_exactly_on_the_original(anchor):
    xy = _athlete()
    a, b = _rep(xy), _rep(0.5 * xy + np.array([37.0, -80.0]))
    assert torso_px(a) == pytest.approx(2 * torso_px(b))
    got = superpose(a, b, np.arange(T), anchor=anchor)
    np.testing.assert_allclose(got, xy, atol=1e-9)


def test_an_athlete_facing_the_other_way_is_mirrored_onto_the_first():
    xy = _athlete()
    flipped = xy.copy()
    flipped[..., 0] = 1000.0 - flipped[..., 0]
    a = _rep(xy, facing=np.ones(T))
    b = _rep(flipped, facing=-np.ones(T))
    assert facing_side(a) == 1 and facing_side(b) == -1
    np.testing.assert_allclose(superpose(a, b, np.arange(T), anchor="posture"), xy, atol=1e-9)
    # without a facing series, the hips' travel tells the two directions apart
    a2, b2 = _rep(xy), _rep(flipped)
    assert facing_side(a2) == -facing_side(b2) != 0
    np.testing.assert_allclose(superpose(a2, b2, np.arange(T), anchor="travel"), xy, atol=1e-9)


def test_posture_anchor_removes_travel_the_travel_anchor_keeps_it():
    xy = _athlete()
    drift = np.stack([2.0 * np.arange(T), np.zeros(T)], axis=1)[:, None, :]
    a, b = _rep(xy, align=20), _rep(xy + drift, align=20)
    np.testing.assert_allclose(superpose(a, b, np.arange(T), anchor="posture"), xy, atol=1e-9)
    travel = superpose(a, b, np.arange(T), anchor="travel")
    # together at the aligned frame, then B runs ahead by its extra 2 px a frame
    np.testing.assert_allclose(travel[20], xy[20], atol=1e-9)
    np.testing.assert_allclose(travel[50] - xy[50], [[60.0, 0.0]] * N, atol=1e-9)


def test_frames_follow_the_alignment_and_hidden_landmarks_are_left_out():
    xy = _athlete()
    late = np.concatenate([np.repeat(xy[:1], 10, axis=0), xy])[:T]  # B starts 10 frames later
    vis = np.ones((T, N))
    vis[30, LEFT_HIP] = 0.1
    a, b = _rep(xy, align=20), _rep(late, align=30, vis=vis)
    got = superpose(a, b, np.arange(T), anchor="posture")
    assert np.isnan(got[20, LEFT_HIP]).all()  # B's frame 30: left hip not seen
    got[20, LEFT_HIP] = xy[20, LEFT_HIP]
    np.testing.assert_allclose(got[: T - 10], xy[: T - 10], atol=1e-9)
    assert np.isnan(got[T - 10 :]).all()  # past B's last frame
    with pytest.raises(ValueError, match="anchor"):
        superpose(a, b, np.arange(T), anchor="feet")


@pytest.mark.django_db
def test_overlay_json_of_a_rep_with_itself_draws_one_skeleton(coach_client, add_clip):
    a, b = add_clip(), add_clip(recorded_on=dt.date(2026, 11, 9))
    r = coach_client.get(
        reverse("compare_overlay"), {"a": a.pk, "b": b.pk, "align": "first_contact"}
    )
    assert r.status_code == 200
    doc = r.json()
    assert doc["scale"] == 1.0 and doc["mirrored"] is False and doc["offset"] == 0
    assert doc["image_size"][0] > 0 and len(doc["edges"]) > 15
    assert len(doc["a"]) == len(doc["b_posture"]) == len(doc["b_travel"]) > 60
    drawn = [k for k, row in enumerate(doc["a"]) if row is not None]
    assert len(drawn) > 0.8 * len(doc["a"])
    for k in drawn[::10]:
        assert doc["b_posture"][k] == doc["a"][k] and doc["b_travel"][k] == doc["a"][k]
    page = coach_client.get(reverse("compare"), {"a": a.pk, "b": b.pk, "view": "overlay"})
    html = page.content.decode()
    assert 'data-view="overlay"' in html and 'id="overlay-canvas"' in html
    assert 'id="pair" hidden' in html


@pytest.mark.django_db
def test_overlay_json_needs_two_reps_of_the_team(coach_client, add_clip):
    mine, other = add_clip(), add_clip(team="Hawks", athlete="Kim")
    url = reverse("compare_overlay")
    assert coach_client.get(url, {"a": mine.pk}).status_code == 404
    assert coach_client.get(url, {"a": mine.pk, "b": other.pk}).status_code == 404


@pytest.mark.slow
def test_real_athletes_going_opposite_ways_are_mirrored_to_face_the_same_way(tmp_path):
    """Two rendered sample clips, one backpedalling left and one right: their facing
    sides differ, and once B is superposed its nose is on A's side of the hips."""
    from analyzer.pipeline import AnalysisSettings, analyze_clip
    from analyzer.render.timeline import review_timeline
    from analyzer.skeleton import NOSE
    from analyzer.web.review_data import rep_pose
    from analyzer.web.review_overlay import hip_centre
    from tests.web.fakes import PROJECT_ROOT

    reps = []
    for name in ("backpedal_side_left", "backpedal_side_right"):
        clip = PROJECT_ROOT / "sample_videos" / f"{name}.mp4"
        result = analyze_clip(clip, AnalysisSettings(), cache_dir=tmp_path / "cache")
        events = review_timeline(result)["reps"][0]
        reps.append(rep_pose(result, events, events["pedal_start"]))
    a, b = reps
    assert facing_side(a) == -facing_side(b) != 0
    assert torso_px(a) / torso_px(b) == pytest.approx(1.0, abs=0.15)  # same rendered size
    frames = np.arange(a.start_frame, a.end_frame + 1)
    got = superpose(a, b, frames, anchor="posture")
    side_a = np.sign(a.xy[frames, NOSE, 0] - hip_centre(a.xy[frames])[:, 0])
    side_b = np.sign(got[:, NOSE, 0] - hip_centre(got)[:, 0])
    seen = np.isfinite(side_b) & (side_a != 0)
    assert seen.sum() > 0.5 * len(frames)
    assert np.mean(side_a[seen] == side_b[seen]) > 0.9
