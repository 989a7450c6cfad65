"""Athlete selection on synthetic multi-person tracks with shuffled slots."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analyzer.errors import NoPersonError
from analyzer.pose.multi import MultiPoseTrack
from analyzer.processing import select_athlete
from analyzer.processing.tracklets import drop_duplicates, link_tracklets
from tests.processing.synth import figure_xy, multi_track

T = np.arange(0, 6, 1 / 30)


def _people() -> dict[str, np.ndarray]:
    """A walker crossing right to left (present 1.0-5.3 s, hidden 0.23 s in the middle), a
    bigger person jumping in place closer to the camera, and a tiny far person walking the
    whole width of the frame (more of its own body sizes than the walker)."""
    walker = figure_xy(T, leg_px=200, start_xy=(1700, 600), speed_px_s=-250)
    walker[:30] = np.nan
    walker[-20:] = np.nan
    walker[90:97] = np.nan
    jumper = figure_xy(T, leg_px=230, start_xy=(900, 650), speed_px_s=0, jump_px=90, stride_hz=1e-4)
    jumper[:, :, 0] += 15 * np.sin(2 * np.pi * 0.8 * T)[:, None]  # some sway
    tiny = figure_xy(T, leg_px=35, start_xy=(1900, 300), speed_px_s=-310)
    return {"walker": walker, "jumper": jumper, "tiny": tiny}


def _max_err(track_xy: np.ndarray, truth: np.ndarray) -> float:
    both = np.isfinite(track_xy[..., 0]) & np.isfinite(truth[..., 0])
    return float(np.max(np.abs(track_xy[both] - truth[both])))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_walker_beats_jumper_and_tiny_person(seed: int) -> None:
    people = _people()
    rng = np.random.default_rng(seed)
    multi = multi_track(list(people.values()), T, rng=rng, n_slots=4, drop=0.03)
    track = select_athlete(multi)
    walker = people["walker"]
    assert _max_err(track.image_xy, walker) < 1e-3  # every frame is the walker's
    present = np.isfinite(walker[:, 0, 0])
    found = np.isfinite(track.image_xy[:, 0, 0])
    assert not np.any(found & ~present)
    assert found.sum() >= 0.93 * present.sum()  # only the 3 % dropped detections missing
    sel = track.meta["selection"]
    assert sel["method"] == "most_ground_travel"
    json.dumps(sel)  # serialisable into the track file
    chosen = next(c for c in sel["candidates"] if c["tracklet"] == sel["chosen"])
    assert chosen["travel_body_sizes"] > 2.5
    # the walker's 0.23 s disappearance was bridged: one tracklet
    assert chosen["first_time_s"] == pytest.approx(1.0) and chosen["last_time_s"] >= 5.2
    np.testing.assert_array_equal(track.times_s, T)
    assert track.world_xyz is not None and track.world_xyz.shape == (T.size, 33, 3)
    assert np.all(track.visibility[~found] == 0)


def test_point_override_picks_the_jumper() -> None:
    people = _people()
    multi = multi_track(list(people.values()), T, rng=np.random.default_rng(5), n_slots=3)
    hip = np.nanmean(people["jumper"][60, [23, 24]], axis=0)
    track = select_athlete(multi, point_xy=(float(hip[0]), float(hip[1])), at_time_s=2.0)
    assert _max_err(track.image_xy, people["jumper"]) < 1e-3
    assert track.meta["selection"]["method"] == "point"
    assert track.meta["selection"]["point_distance_px"] == 0.0
    # a point on the tiny person at 3 s picks the tiny person
    tiny_hip = np.nanmean(people["tiny"][90, [23, 24]], axis=0)
    tiny = select_athlete(multi, point_xy=tuple(tiny_hip.tolist()), at_time_s=3.0)
    assert _max_err(tiny.image_xy, people["tiny"]) < 1e-3


def test_jumper_alone_still_selected_and_no_person_raises() -> None:
    people = _people()
    only = multi_track([people["jumper"]], T, rng=np.random.default_rng(0), n_slots=2)
    assert _max_err(select_athlete(only).image_xy, people["jumper"]) < 1e-3
    empty = MultiPoseTrack(
        times_s=T,
        image_xy=np.full((T.size, 2, 33, 2), np.nan, np.float32),
        visibility=np.zeros((T.size, 2, 33), np.float32),
        image_size=(1920, 1080),
    )
    with pytest.raises(NoPersonError):
        select_athlete(empty)
    with pytest.raises(NoPersonError):  # pointed where nobody is, at a time nobody is there
        select_athlete(only, point_xy=(10.0, 10.0), at_time_s=60.0)
    with pytest.raises(ValueError, match="point_xy"):
        select_athlete(only, at_time_s=1.0)


def test_crossing_people_keep_their_identities() -> None:
    """Two walkers of equal size cross each other in opposite directions."""
    a = figure_xy(T, leg_px=200, start_xy=(1700, 600), speed_px_s=-250)
    b = figure_xy(T, leg_px=200, start_xy=(300, 620), speed_px_s=120, stride_hz=0.8)
    multi = multi_track([a, b], T, rng=np.random.default_rng(3), n_slots=2)
    track = select_athlete(multi)
    assert _max_err(track.image_xy, a) < 1e-3  # a travels 1500 px, b 720 px
    assert track.meta["selection"]["n_tracklets"] == 2


def test_duplicates_are_dropped_and_do_not_start_tracklets() -> None:
    a = figure_xy(T, leg_px=200, start_xy=(1700, 600), speed_px_s=-250)
    dup = a + 3.0  # the same person reported twice
    partial = a.copy()
    partial[:, :, 1] += 60  # an offset partial copy
    multi = multi_track([a, dup, partial], T, rng=np.random.default_rng(2), n_slots=3)
    keep = drop_duplicates(multi.image_xy.astype(float), multi.visibility)
    assert np.all(keep.sum(axis=1) == 2)  # the exact duplicate goes, the offset copy stays
    tracklets = link_tracklets(T, multi.image_xy.astype(float), multi.visibility)
    assert len(tracklets) == 1  # ... but the offset copy never starts a tracklet


def test_unite_pieces_that_take_turns_but_not_people_side_by_side() -> None:
    from analyzer.processing.tracklets import Tracklet, unite_overlapping

    a = figure_xy(T, leg_px=200, start_xy=(1700, 600), speed_px_s=-250)
    b = a.copy()
    b[:, :, 0] += 40  # a second person 0.12 body sizes behind, detected in every frame
    xy = np.stack([a, b], axis=1)
    n = T.size
    even, odd = list(range(0, n, 2)), list(range(1, n, 2))
    pieces = [Tracklet(even, [0] * len(even)), Tracklet(odd, [0] * len(odd))]
    assert len(unite_overlapping(pieces, T, xy)) == 1  # one person split in turns
    both = [Tracklet(list(range(n)), [0] * n), Tracklet(list(range(n)), [1] * n)]
    assert len(unite_overlapping(both, T, xy)) == 2  # two people, always both detected
