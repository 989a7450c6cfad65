"""Stream a clip through a pose estimator into a :class:`MultiPoseTrack`.

Decoding and inference run in the same process, frame by frame: the clip is never held in
memory, only the landmarks (about 1.6 kB per person-slot and frame). Frames are decoded
straight to RGB and passed to the model without resizing (pre-resizing costs more than it
saves, see ../shared/design/POSE_STACK.md).
"""

from __future__ import annotations

import contextlib
import logging
import time
import warnings
from collections.abc import Generator, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.errors import ClipTooShortError, NoPersonError, SidewaysVideoError
from analyzer.pose.estimator import FramePoses, PoseEstimator
from analyzer.pose.multi import MultiPoseTrack
from analyzer.progress import ProgressFn
from analyzer.skeleton import N_LANDMARKS
from analyzer.video.brightness import BrightnessStats
from analyzer.video.info import VideoInfo
from analyzer.video.reader import Frame, VideoReader, prefetch_frames

logger = logging.getLogger(__name__)

#: Median landmark visibility above which a lying detection is taken for a real person (the
#: false detections on the no-person iPhone clips: 0.57-0.90; real people: 0.98-1.0).
_SIDEWAYS_MIN_VISIBILITY = 0.95


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
) -> tuple[list[float], list[FramePoses]]:
    times: list[float] = []
    results: list[FramePoses] = []
    while True:
        t0 = time.perf_counter()
        frame = next(frames, None)
        t1 = time.perf_counter()
        if frame is None:
            return times, results
        results.append(estimator.process(frame.image, frame.time_s))
        times.append(frame.time_s)
        timings.decode_s += t1 - t0
        timings.inference_s += time.perf_counter() - t1
        if progress is not None:
            progress("pose", len(times), expected)


def _stack(
    frames: list[FramePoses], slots: int, with_world: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
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
        Shorter clips raise :class:`ClipTooShortError` before any inference.
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
        The clip's probe when the caller has it (the clip is then not probed again).

    Returns
    -------
    MultiPoseTrack
        Times in seconds of real time; slots = ``estimator.max_people``; ``meta`` holds the
        clip's name, size, rates, rotation, any reading problems and ``brightness`` (the
        frames' luma statistics, for the capture verdict).

    Raises
    ------
    ClipTooShortError, NoPersonError, SidewaysVideoError, and the video errors of
    :func:`analyzer.video.probe_video`.
    """
    timings = timings if timings is not None else RunTimings()
    t_start = time.perf_counter()
    brightness = BrightnessStats(color="rgb")
    with VideoReader(
        path, capture_fps=capture_fps, color="rgb", max_frames=max_frames, info=video
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
            times, results = _run_frames(frames, estimator, timings, progress, expected)
        problems = list(reader.problems)
    timings.n_frames = len(times)
    timings.total_s = time.perf_counter() - t_start
    with_world = all(r.world_xyz is not None for r in results)
    xy, vis, world = _stack(results, estimator.max_people, with_world)
    track = MultiPoseTrack(
        times_s=np.asarray(times, np.float64),
        image_xy=xy,
        visibility=vis,
        world_xyz=world,
        image_size=(info.width, info.height),
        model=estimator.model,
        meta=_provenance(info, problems, brightness),
    )
    _check_people(track, info.path.name, min_person_fraction, max_torso_tilt_deg)
    return track


def _measured(frames: Iterator[Frame], brightness: BrightnessStats) -> Generator[Frame, None, None]:
    """Pass frames through, adding each one's luma statistics to ``brightness``."""
    for frame in frames:
        brightness.add(frame.image)
        yield frame


def _provenance(info: Any, problems: list[str], brightness: BrightnessStats) -> dict[str, Any]:
    summary = brightness.summary()
    return {
        "brightness": None if summary is None else asdict(summary),
        "clip": info.path.name,
        "codec": info.codec,
        "rotation_deg": info.rotation_deg,
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


def _check_people(
    track: MultiPoseTrack, name: str, min_fraction: float, max_tilt_deg: float
) -> None:
    """Raise NoPersonError / SidewaysVideoError when too few frames hold an upright person.

    A detection counts as a person only when its trunk is within ``max_tilt_deg`` of
    vertical: BlazePose also "finds" people lying across cluttered still scenes (measured on
    the no-person iPhone clips: trunk 86-96 deg from vertical in every false detection,
    real athletes 5-60 deg). If most frames instead hold a confidently detected person lying
    on their side, the clip is probably rotated wrongly.
    """
    t = track.n_frames
    tilt = torso_tilt_deg(track.image_xy)
    upright = np.any(tilt <= max_tilt_deg, axis=1)
    n = int(upright.sum())
    if t and n >= max(1.0, min_fraction * t):
        return
    with warnings.catch_warnings():  # empty slots are all-NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        confident = np.nanmedian(track.visibility, axis=2) >= _SIDEWAYS_MIN_VISIBILITY
    lying = np.any((tilt > max_tilt_deg) & (tilt < 180 - max_tilt_deg) & confident, axis=1)
    if t and lying.sum() >= 0.5 * t:
        raise SidewaysVideoError(
            f"the person in {name} appears lying on their side in {int(lying.sum())} of "
            f"{t} frames: the clip is probably rotated wrongly."
        )
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
    progress: ProgressFn | None = None,
    timings: RunTimings | None = None,
    video: VideoInfo | None = None,
    **kwargs: Any,
) -> MultiPoseTrack:
    """Run MediaPipe BlazePose (VIDEO mode) on a clip: the default pose step of the pipeline.

    Parameters
    ----------
    path
        The clip.
    capture_fps
        Real capture rate of a slow-motion clip.
    model_path
        A BlazePose ``.task`` file; None = the model shipped inside mediapipe.
    num_poses
        Most people per frame (2 by default so the athlete can be chosen).
    video
        The clip's probe when the caller has it (else the clip is probed here, to fail on a
        bad clip before the model loads).
    progress, timings, **kwargs
        Passed to :func:`estimate_poses`.
    """
    from analyzer.pose.mediapipe_backend import MediaPipePoseEstimator
    from analyzer.video.probe import probe_video

    if video is None:  # fail on a bad clip before loading the model
        video = probe_video(path, capture_fps=capture_fps)
    with MediaPipePoseEstimator(model_path=model_path, num_poses=num_poses) as estimator:
        return estimate_poses(
            path,
            estimator,
            capture_fps=capture_fps,
            progress=progress,
            timings=timings,
            video=video,
            **kwargs,
        )
