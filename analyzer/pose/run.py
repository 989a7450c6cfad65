"""Stream a clip through a pose estimator into a :class:`MultiPoseTrack`.

Decoding and inference run in the same process, frame by frame: the clip is never held in
memory, only the landmarks (about 1.6 kB per person-slot and frame). Frames are decoded
straight to RGB and passed to the model without resizing (pre-resizing costs more than it
saves, see ../shared/design/POSE_STACK.md).

Frames lost to damage become empty rows at their real times (the track keeps one row per
frame of the clip). A picture turned sideways is refused from the people in its first
seconds when that is clear-cut, else at the end (:mod:`analyzer.video.orientation`).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.errors import (
    ClipTooShortError,
    CorruptVideoError,
    NoPersonError,
    SidewaysVideoError,
)
from analyzer.pose.estimator import FramePoses, PoseEstimator
from analyzer.pose.multi import MultiPoseTrack
from analyzer.progress import ProgressFn
from analyzer.skeleton import N_LANDMARKS
from analyzer.video.brightness import BrightnessStats
from analyzer.video.info import VideoInfo
from analyzer.video.orientation import OrientationParams, OrientationVerdict, OrientationVote
from analyzer.video.reader import Frame, VideoReader, lost_spans, prefetch_frames

logger = logging.getLogger(__name__)


@dataclass
class RunTimings:
    """Where the time went (seconds, wall clock)."""

    decode_s: float = 0.0
    inference_s: float = 0.0
    total_s: float = 0.0
    n_frames: int = 0


def _run_frames(
    frames: Iterator[Frame],
    estimator: PoseEstimator,
    timings: RunTimings,
    progress: ProgressFn | None,
    expected: int,
    vote: OrientationVote,
    sideways: Callable[[OrientationVerdict], SidewaysVideoError] | None,
    on_frame: Callable[[Frame, FramePoses], None] | None = None,
) -> tuple[list[int], list[float], list[FramePoses]]:
    """Run the model on every frame; refuse early when the first seconds are plainly sideways."""
    indices: list[int] = []
    times: list[float] = []
    results: list[FramePoses] = []
    first_t: float | None = None
    early_done = sideways is None
    while True:
        t0 = time.perf_counter()
        frame = next(frames, None)
        t1 = time.perf_counter()
        if frame is None:
            return indices, times, results
        poses = estimator.process(frame.image, frame.time_s)
        if on_frame is not None:
            on_frame(frame, poses)
        results.append(poses)
        times.append(frame.time_s)
        indices.append(frame.index)
        timings.decode_s += t1 - t0
        timings.inference_s += time.perf_counter() - t1
        vote.add(frame.time_s, poses.image_xy, poses.visibility)
        first_t = frame.time_s if first_t is None else first_t
        if not early_done and frame.time_s >= first_t + vote.params.early_window_s:
            early_done = True
            verdict = vote.early_verdict(first_t)
            if verdict is not None and sideways is not None:
                raise sideways(verdict)
        if progress is not None:
            progress("pose", len(times), expected)


def _with_lost(
    indices: list[int],
    times: list[float],
    results: list[FramePoses],
    lost: list[tuple[int, float]],
) -> tuple[list[float], list[FramePoses]]:
    """Insert an empty row for each lost frame at its real time, in frame order."""
    if not lost:
        return times, results
    rows = [(i, t, r) for i, t, r in zip(indices, times, results, strict=True)]
    rows += [(i, t, FramePoses.empty()) for i, t in lost]
    rows.sort(key=lambda row: (row[0], row[1]))
    kept: list[tuple[int, float, FramePoses]] = []
    for row in rows:  # times must rise strictly: a lost frame out of order is dropped
        if not kept or row[1] > kept[-1][1]:
            kept.append(row)
    return [t for _, t, _ in kept], [r for _, _, r in kept]


def stack_people(
    frames: list[FramePoses], slots: int, with_world: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Per-frame people as (T, slots, ...) arrays, NaN in empty slots."""
    t = len(frames)
    xy = np.full((t, slots, N_LANDMARKS, 2), np.nan, np.float32)
    vis = np.full((t, slots, N_LANDMARKS), np.nan, np.float32)
    world = np.full((t, slots, N_LANDMARKS, 3), np.nan, np.float32) if with_world else None
    for i, fp in enumerate(frames):
        n = min(fp.n_people, slots)
        if n:
            xy[i, :n] = fp.image_xy[:n]
            vis[i, :n] = fp.visibility[:n]
            if world is not None and fp.world_xyz is not None:
                world[i, :n] = fp.world_xyz[:n]
    return xy, vis, world


def estimate_poses(
    path: str | Path,
    estimator: PoseEstimator,
    *,
    capture_fps: float | None = None,
    min_duration_s: float = 1.0,
    min_person_fraction: float = 0.1,
    max_torso_tilt_deg: float = 65.0,
    max_frames: int | None = None,
    progress: ProgressFn | None = None,
    timings: RunTimings | None = None,
    prefetch: int = 2,
    video: VideoInfo | None = None,
    rotate_deg: int | None = None,
    orientation: OrientationParams | None = None,
    judge_people: bool = True,
    on_frame: Callable[[Frame, FramePoses], None] | None = None,
) -> MultiPoseTrack:
    """Run ``estimator`` on every frame of a clip.

    Parameters
    ----------
    path
        The clip.
    estimator
        An open :class:`PoseEstimator` (the caller closes it).
    capture_fps
        Real capture rate of a slow-motion clip (overrides the container's metadata).
    min_duration_s
        Shorter clips raise :class:`ClipTooShortError` before any inference, and so do clips
        of which less than this could be decoded (damage).
    min_person_fraction
        If an upright person is found in fewer than this fraction of frames (or in none),
        :class:`NoPersonError` is raised (:class:`SidewaysVideoError` if people were found
        lying on their side in most frames).
    max_torso_tilt_deg
        A detection counts as an upright person when its trunk is at most this far from
        vertical (a backpedal or sprint start leans at most ~45-60 deg).
    max_frames
        Process at most this many frames (None = all).
    progress
        Called as ``progress("pose", done, expected)`` after each frame.
    timings
        If given, filled with wall time spent waiting for frames and in inference.
    prefetch
        Frames decoded ahead in a background thread, overlapping decoding with inference
        (0 = decode in the calling thread).
    video
        The clip's probe when the caller has it (the clip is then not probed again, and
        ``capture_fps`` and ``rotate_deg`` are taken from it).
    rotate_deg
        Clockwise rotation turning the stored frames upright, replacing the clip's rotation
        tag (None = follow the tag).
    orientation
        Thresholds of the sideways check.
    judge_people
        False returns the raw detections without the sideways and no-person checks (for
        tools that judge them later with :func:`check_people`).
    on_frame
        Called with each decoded frame and the people found in it, in the calling thread
        (e.g. to hand some frames to a second model, :class:`analyzer.pose.follow.ScanWorker`).

    Returns
    -------
    MultiPoseTrack
        Times in seconds of real time; slots = ``estimator.max_people``; ``meta`` holds the
        clip's name, size, rates, rotation, any reading problems, the spans lost to
        damage (``lost_spans_s``; lost frames are rows with nobody in them) and
        ``brightness`` (the frames' luma statistics, for the capture verdict).

    Raises
    ------
    ClipTooShortError, NoPersonError, SidewaysVideoError, and the video errors of
    :func:`analyzer.video.probe_video`.
    """
    timings = timings if timings is not None else RunTimings()
    t_start = time.perf_counter()
    brightness = BrightnessStats(color="rgb")
    vote = OrientationVote(orientation or OrientationParams())
    with VideoReader(
        path,
        capture_fps=capture_fps,
        rotate_deg=rotate_deg,
        color="rgb",
        max_frames=max_frames,
        info=video,
    ) as reader:
        info = reader.info
        if max_frames is None and info.duration_s < min_duration_s:
            raise ClipTooShortError(
                f"{info.path.name} lasts {info.duration_s:.2f} s; at least "
                f"{min_duration_s:.1f} s is needed."
            )
        expected = min(info.frame_count, max_frames or info.frame_count)
        # brightness is measured where frames are decoded: with prefetching, in the decoding
        # thread, overlapping inference
        measured = _measured(iter(reader), brightness)
        frames = prefetch_frames(measured, depth=prefetch) if prefetch else measured
        with contextlib.closing(frames):
            indices, times, results = _run_frames(
                frames, estimator, timings, progress, expected, vote,
                (lambda v: sideways_error(v, info)) if judge_people else None,
                on_frame,
            )  # fmt: skip
        problems = list(reader.problems)
        lost = list(reader.lost)
    timings.n_frames = len(times)
    timings.total_s = time.perf_counter() - t_start
    _check_decoded(info, len(times), len(lost), min_duration_s, max_frames)
    times, results = _with_lost(indices, times, results, lost)
    with_world = all(r.world_xyz is not None for r in results)
    xy, vis, world = stack_people(results, estimator.max_people, with_world)
    track = MultiPoseTrack(
        times_s=np.asarray(times, np.float64),
        image_xy=xy,
        visibility=vis,
        world_xyz=world,
        image_size=(info.width, info.height),
        model=estimator.model,
        meta=_provenance(info, problems, lost, brightness),
    )
    if not judge_people:
        return track
    final = vote.final_verdict()
    if final is not None:
        raise sideways_error(final, info)
    check_people(track, info.path.name, min_person_fraction, max_torso_tilt_deg)
    return track


def _measured(frames: Iterator[Frame], brightness: BrightnessStats) -> Generator[Frame, None, None]:
    """Pass frames through, adding each one's luma statistics to ``brightness``."""
    for frame in frames:
        brightness.add(frame.image)
        yield frame


def _check_decoded(
    info: VideoInfo, n_read: int, n_lost: int, min_duration_s: float, max_frames: int | None
) -> None:
    """Refuse a damaged clip of which less than ``min_duration_s`` could be decoded."""
    if max_frames is not None:
        return
    decoded_s = n_read / info.fps
    if decoded_s < min_duration_s:
        raise ClipTooShortError(
            f"only {decoded_s:.2f} s of {info.path.name} ({n_read} frames"
            + (f", {n_lost} more lost to damage" if n_lost else "")
            + f") could be decoded; at least {min_duration_s:.1f} s is needed.",
            CorruptVideoError.default_hint,
        )


def sideways_error(verdict: OrientationVerdict, info: VideoInfo) -> SidewaysVideoError:
    """The refusal of a turned picture, with the ``--rotate`` value that makes it upright."""
    fix = (info.rotation_deg + verdict.turn_cw_deg) % 360
    lying = "upside down" if verdict.turn_cw_deg == 180 else "lying on their side"
    where = "" if verdict.turn_cw_deg == 180 else f", heads towards the {verdict.head_towards}"
    if info.rotation_source == "user":
        source = f"--rotate {info.rotation_deg} turns it wrongly"
    elif info.tagged_rotation_deg:
        source = f"the file's rotation tag ({info.tagged_rotation_deg} deg) is wrong"
    else:
        source = "the file has no rotation tag"
    turn = (
        "shows the stored picture as it is"
        if fix == 0
        else f"turns the stored picture {fix} deg clockwise"
    )
    return SidewaysVideoError(
        f"the people in {info.path.name} appear {lying}{where} in "
        f"{round(100 * verdict.fraction)} % of {verdict.n_votes} frames where someone was "
        f"clearly seen: the picture is rotated wrongly ({source}).",
        f"Run again with --rotate {fix} (it {turn}, in place of the file's rotation tag), "
        "or rotate the clip upright before uploading.",
        rotate_deg=fix,
    )


def _provenance(
    info: VideoInfo,
    problems: list[str],
    lost: list[tuple[int, float]],
    brightness: BrightnessStats,
) -> dict[str, Any]:
    summary = brightness.summary()
    return {
        "brightness": None if summary is None else asdict(summary),
        "clip": info.path.name,
        "codec": info.codec,
        "rotation_deg": info.rotation_deg,
        "rotation_source": info.rotation_source,
        "lost_spans_s": [[s.start_s, s.end_s] for s in lost_spans(lost)],
        "playback_fps": info.playback_fps,
        "capture_fps": info.capture_fps,
        "fps": info.fps,
        "frame_count_header": info.frame_count,
        "video_problems": problems,
    }


def torso_tilt_deg(image_xy: np.ndarray) -> np.ndarray:
    """Angle (degrees) of the hip-to-shoulder line from the image's vertical, per person slot.

    Parameters
    ----------
    image_xy
        (..., 33, 2) pixels (y down). BlazePose indices: shoulders 11/12, hips 23/24.

    Returns
    -------
    np.ndarray
        (...) degrees in [0, 180]: 0 = upright, 90 = lying on the side, 180 = upside down;
        NaN where the slot is empty.
    """
    shoulders = 0.5 * (image_xy[..., 11, :] + image_xy[..., 12, :])
    hips = 0.5 * (image_xy[..., 23, :] + image_xy[..., 24, :])
    up = hips - shoulders  # points up the trunk when y grows downwards
    return np.degrees(np.arctan2(np.abs(up[..., 0]), up[..., 1]))


def check_people(
    track: MultiPoseTrack, name: str, min_fraction: float = 0.1, max_tilt_deg: float = 65.0
) -> None:
    """Raise NoPersonError when too few frames hold an upright person.

    A detection counts as a person only when its trunk is within ``max_tilt_deg`` of
    vertical: BlazePose also "finds" people lying across cluttered still scenes (measured on
    the no-person iPhone clips: trunk 86-96 deg from vertical in every false detection,
    real athletes 5-60 deg). A picture turned sideways was refused before this check.
    """
    t = track.n_frames
    tilt = torso_tilt_deg(track.image_xy)
    upright = np.any(tilt <= max_tilt_deg, axis=1)
    n = int(upright.sum())
    if t and n >= max(1.0, min_fraction * t):
        return
    raise NoPersonError(
        f"no person was found in {name}"
        + (f" (upright person in only {n} of {t} frames)." if n else f" ({t} frames searched).")
    )


def estimate_clip(
    path: str | Path,
    *,
    capture_fps: float | None = None,
    model_path: str | Path | None = None,
    num_poses: int = 2,
    rotate_deg: int | None = None,
    progress: ProgressFn | None = None,
    timings: RunTimings | None = None,
    video: VideoInfo | None = None,
    **kwargs: Any,
) -> MultiPoseTrack:
    """Run MediaPipe BlazePose (VIDEO mode) on every frame of a clip: the dense pass
    (:func:`analyzer.pose.follow.run_pose_pass` runs it, or the follow pass by default).

    Parameters
    ----------
    path
        The clip.
    capture_fps
        Real capture rate of a slow-motion clip.
    model_path
        A BlazePose ``.task`` file; None = the model shipped inside mediapipe.
    num_poses
        Most people per frame (2 by default so the athlete can be chosen from everybody).
    rotate_deg
        Clockwise rotation turning the stored frames upright, in place of the rotation tag.
    video
        The clip's probe when the caller has it (else the clip is probed here, to fail on a
        bad clip before the model loads); it carries ``capture_fps`` and ``rotate_deg``.
    progress, timings, **kwargs
        Passed to :func:`estimate_poses`.
    """
    from analyzer.pose.mediapipe_backend import MediaPipePoseEstimator
    from analyzer.video.probe import probe_video

    if video is None:  # fail on a bad clip before loading the model
        video = probe_video(path, capture_fps=capture_fps, rotate_deg=rotate_deg)
    with MediaPipePoseEstimator(model_path=model_path, num_poses=num_poses) as estimator:
        return estimate_poses(
            path,
            estimator,
            capture_fps=capture_fps,
            rotate_deg=rotate_deg,
            progress=progress,
            timings=timings,
            video=video,
            **kwargs,
        )
