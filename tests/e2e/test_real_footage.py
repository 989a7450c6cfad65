"""Real footage regression: every clip in ../shared/data/videos with what it shows.

For each clip: the camera view, the travel, the athlete chosen and the verdict (none of these
clips holds a backpedal, so the verdict is "no backpedal"; the iPhone clips hold no person).
A change that breaks real footage fails here.

The pose pass runs once per clip, the pipeline's default
(:func:`analyzer.pose.follow.run_pose_pass`: the followed person on every frame and a scan
of everybody, the dense pass when the follow does not hold): it is cached in pytest's cache
folder (``.pytest_cache/d/real_footage``), keyed by the clip's SHA-256, the mediapipe
version, the pose settings and the cache format, so selection, cleaning and analysis are
re-run on every test run. A fresh clone computes them once (about 1,700 frames, ~1-2 min on
one core).

What the clips show (looked at frame by frame, and for pose2sim with its calibration): the
pose2sim subject balances on a force plate (no travel); by the cameras' positions in
Calib.qca.txt his facing is ~6-25 deg off cam02 (front) and cam04 (rear), 30-50 deg off
cam01 (front-oblique) and cam03 (rear-oblique). pose2sim_multi is the same footage with a
computer-generated woman added. bodypose3d: a man walks in, steps back onto a chair, sits
and stands in place facing the camera, and walks out towards it. tfjs squats: a woman
squatting in place, turned ~35 deg from the camera.
Sports2D: a woman walks right to left in side view (frames ~59-201) while a man jumps.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from analyzer.errors import NoPersonError
from analyzer.pose.follow import PosePass
from analyzer.pose.multi import MultiPoseTrack
from analyzer.results import AnalysisResult
from analyzer.skeleton import LEFT_HIP, RIGHT_HIP

pytestmark = [pytest.mark.slow, pytest.mark.shared_data]

NUM_POSES = 2  # the pipeline's default


@dataclass(frozen=True)
class Expect:
    """What a clip shows. ``view`` None: no person in it."""

    path: str
    view: str | None
    travel: str | None = "stationary"
    known: tuple[str, ...] = ()  # checks the engine is known to fail today (issue 12)


CLIPS = (
    Expect("sports2d/demo.mp4", "side", "forward"),
    # the balancing subject reaches a leg out and shifts onto it (one plant): no travel
    Expect("pose2sim_single/cam01.mp4", "diagonal"),
    Expect("pose2sim_single/cam02.mp4", "front"),
    # with the follow pass's one-pose landmarks two plants are read (right 1.08 s, left
    # 1.25 s, the left foot never lifted): 0.17 s apart, quicker than any step, one plant
    Expect("pose2sim_single/cam03.mp4", "diagonal"),
    Expect("pose2sim_single/cam04.mp4", "rear"),
    Expect("pose2sim_multi/cam01.mp4", "diagonal"),
    # the subject puts a leg down towards the camera: one plant, no backpedal
    Expect("pose2sim_multi/cam02.mp4", "front"),
    # the added woman overlaps the subject: his yaw reads 27-28 deg, at the front/rear limit
    Expect("pose2sim_multi/cam03.mp4", "diagonal", known=("view",)),
    Expect("pose2sim_multi/cam04.mp4", "rear"),
    # he walks in, turns to face the camera and takes two steps back onto the chair (two
    # plants receding while facing the camera: by its steps, the same as a 1-s backward walk;
    # the hips then settle low and stay: a sit, not a backpedal) and walks out towards the
    # camera at the end (8.8-9.3 s). Travel is not "stationary": he walks forward in (0-0.6 s,
    # side-on, away from the camera) and out (8.8-9.3 s), two steps back between: by moving
    # time, "forward". The engine's "forward" comes mostly from 1.35-3.8 s, sitting down (the
    # image size grows, read as approaching, foot shuffles as plants; the walk out has one
    # plant found): right answer, weak evidence
    Expect("bodypose3d_temugeb/cam0_test.mp4", "front", "forward"),
    Expect("tfjs_pose_detection/pose_squats.mp4", "diagonal"),
    Expect("opencap_local_iphone/received_file_cam0.mov", None, None),
    Expect("opencap_local_iphone/received_file_cam1.mov", None, None),
)
IDS = [c.path for c in CLIPS]


def _key(clip: Path) -> str:
    import mediapipe

    from analyzer.pose.cache import CACHE_FORMAT

    digest = hashlib.sha256(clip.read_bytes()).hexdigest()[:24]
    return f"{digest}-mp{mediapipe.__version__}-p{NUM_POSES}-c{CACHE_FORMAT}"


@pytest.fixture(scope="module")
def passes(shared_data: Path, request: pytest.FixtureRequest) -> dict[str, tuple[Path, PosePass]]:
    """Every clip's pose pass, the pipeline's default (from the test cache, or the model once)."""
    pytest.importorskip("mediapipe")
    from analyzer.pose.follow import read_pass, run_pose_pass, write_pass

    cache = Path(request.config.cache.mkdir("real_footage"))
    out: dict[str, tuple[Path, PosePass]] = {}
    for expect in CLIPS:
        clip = shared_data / "videos" / expect.path
        if not clip.is_file():
            pytest.skip(f"{clip} is missing")
        cached = cache / f"{_key(clip)}.npz"
        if cached.is_file():
            out[expect.path] = (cached, read_pass(cached))
            continue
        entry = run_pose_pass(clip, num_poses=NUM_POSES, judge_people=False)
        with cached.open("wb") as fh:
            write_pass(entry, fh)
        out[expect.path] = (cached, entry)
    return out


@pytest.fixture(scope="module")
def raw_poses(passes: dict[str, tuple[Path, PosePass]]) -> dict[str, MultiPoseTrack]:
    """Every clip's people on every frame (the followed one, or all after the dense pass)."""
    return {path: entry.people for path, (_, entry) in passes.items()}


@pytest.fixture(scope="module")
def analyses(
    shared_data: Path, passes: dict[str, tuple[Path, PosePass]]
) -> dict[str, AnalysisResult]:
    """Athlete selection as the pipeline does it (on the scan, the follow checked, the dense
    pass when needed, then cached here too) and the whole analysis of every clip with a
    person."""
    from analyzer.pipeline import AnalysisSettings, analyze_track, resolve_athlete
    from analyzer.pose.follow import write_pass
    from analyzer.pose.run import check_people

    out: dict[str, AnalysisResult] = {}
    for expect in CLIPS:
        if expect.view is None:
            continue
        cached, entry = passes[expect.path]
        check_people(entry.people, expect.path)
        clip = shared_data / "videos" / expect.path
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames
            track, final, _ = resolve_athlete(clip, entry, AnalysisSettings(), judge_people=False)
            out[expect.path] = analyze_track(track, AnalysisSettings())
        if final is not entry:
            with cached.open("wb") as fh:
                write_pass(final, fh)
    return out


def _check(expect: Expect, check: str, ok: bool, detail: object) -> None:
    """Assert ``ok``; a check listed in ``expect.known`` must still fail (xfail), so fixing
    it makes this test fail until the list is updated."""
    if check in expect.known:
        assert not ok, f"{expect.path}: {check} is right now: remove it from `known`"
        pytest.xfail(f"{expect.path}: {check} is known to be wrong today (issue 12): {detail}")
    assert ok, detail


@pytest.mark.parametrize("expect", CLIPS, ids=IDS)
def test_no_picture_is_taken_for_sideways(
    expect: Expect, raw_poses: dict[str, MultiPoseTrack]
) -> None:
    from analyzer.video.orientation import OrientationVote

    multi = raw_poses[expect.path]
    vote = OrientationVote()
    for i in range(multi.n_frames):
        found = ~np.all(np.isnan(multi.image_xy[i, :, :, 0]), axis=1)
        vote.add(multi.times_s[i], multi.image_xy[i, found], multi.visibility[i, found])
    assert vote.early_verdict(float(multi.times_s[0])) is None
    assert vote.final_verdict() is None


@pytest.mark.parametrize("expect", [c for c in CLIPS if c.view is None], ids=str)
def test_clips_without_a_person_are_refused(
    expect: Expect, raw_poses: dict[str, MultiPoseTrack]
) -> None:
    from analyzer.pose.run import check_people

    with pytest.raises(NoPersonError, match="no person"):
        check_people(raw_poses[expect.path], expect.path)


PEOPLE = [c for c in CLIPS if c.view is not None]
PEOPLE_IDS = [c.path for c in PEOPLE]


@pytest.mark.parametrize("expect", PEOPLE, ids=PEOPLE_IDS)
def test_view(expect: Expect, analyses: dict[str, AnalysisResult]) -> None:
    view = analyses[expect.path].motion.view
    least = 0.6 if expect.view != "diagonal" else 0.5
    _check(expect, "view", view.view == expect.view and view.confidence >= least, view)


@pytest.mark.parametrize("expect", PEOPLE, ids=PEOPLE_IDS)
def test_travel(expect: Expect, analyses: dict[str, AnalysisResult]) -> None:
    travel = analyses[expect.path].motion.travel_direction
    _check(expect, "travel", travel == expect.travel, travel)


@pytest.mark.parametrize("expect", PEOPLE, ids=PEOPLE_IDS)
def test_verdict_no_backpedal(expect: Expect, analyses: dict[str, AnalysisResult]) -> None:
    """None of these clips holds a backpedal: no backpedal phase, no rep, no step scored,
    and the result says so."""
    result = analyses[expect.path]
    motion = result.motion
    moving = [p.kind for p in motion.phases if p.kind in ("backpedal", "transition", "sprint")]
    said = any("no backpedal" in w for w in motion.warnings)
    findings = [] if result.faults is None else [f.id for f in result.faults.findings]
    _check(expect, "verdict", not moving and said and not findings, (moving, findings))


def _hips(xy: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(xy[:, [LEFT_HIP, RIGHT_HIP]].astype(float), axis=1)


@pytest.mark.parametrize("expect", PEOPLE, ids=PEOPLE_IDS)
def test_athlete_chosen(expect: Expect, analyses: dict[str, AnalysisResult]) -> None:
    track = analyses[expect.path].motion.track
    found = np.flatnonzero(track.detected())
    height = track.image_size[1]
    if expect.path.startswith("sports2d"):  # the walker, not the jumper on the box
        inside = (found >= 56) & (found <= 204)
        assert found.size >= 0.85 * (201 - 59 + 1) and inside.mean() >= 0.95
        assert np.nanmedian(_hips(track.image_xy[found])[:, 1]) > 0.6 * height
    elif expect.path.startswith("pose2sim_multi"):  # the real subject, not the added woman
        single = analyses[expect.path.replace("multi", "single")].motion.track
        both = track.detected() & single.detected()
        assert both.sum() >= 0.8 * track.n_frames
        gap = np.linalg.norm(_hips(track.image_xy[both]) - _hips(single.image_xy[both]), axis=1)
        assert np.median(gap) < 0.03 * height
    else:  # one person: found in (nearly) every frame
        assert found.size >= 0.9 * track.n_frames
