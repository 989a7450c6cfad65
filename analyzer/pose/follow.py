"""The default pose pass: one person per frame, plus a sparse scan of everybody.

Asking BlazePose for two people on every frame costs ~44 % more than for one (issue 10).
So the pass runs two landmarkers at once:

* the *follow* landmarker (VIDEO mode, one pose) on every frame, in the calling thread,
  exactly the model cost of a plain one-person loop (frames are decoded ahead in the
  prefetch thread of :func:`analyzer.pose.run.estimate_poses`);
* the *scan* landmarker (IMAGE mode, ``num_poses`` people, each frame searched afresh) on
  one frame every ``scan_every_s`` (at least ``min_scans`` over the clip, plus the first
  and the last frame and the frame of a ``--select`` time), in a worker thread.

MediaPipe's ``detect``/``detect_for_video`` release the GIL (two one-pose landmarkers in two
threads ran 1.94x faster than one after the other on this project's 2-core machine), so the
scan runs on the second core while the follow pass keeps the first.

The athlete is then chosen on the scan and the followed person checked against it
(:mod:`analyzer.processing.following`); when the follow did not stay on the athlete, the
pipeline runs the dense pass (``num_poses`` people on every frame) instead
(:func:`analyzer.pipeline.estimate_track`). :class:`PosePass` holds what a pass produced and
is what the pose cache stores.
"""

from __future__ import annotations

import json
import queue
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from analyzer.errors import TrackFormatError
from analyzer.pose.estimator import FramePoses, PoseEstimator
from analyzer.pose.multi import MultiPoseTrack, multi_from_arrays
from analyzer.pose.track import track_arrays
from analyzer.progress import ProgressFn
from analyzer.video.info import VideoInfo
from analyzer.video.reader import Frame

#: Seconds between scan frames, and the fewest scans on a short clip.
SCAN_EVERY_S = 0.5
MIN_SCANS = 16
#: Version of the ``.npz`` layout written by :func:`write_pass`.
PASS_FORMAT_VERSION = 1
_SCAN = "scan__"


@dataclass(frozen=True)
class PosePass:
    """What one pose pass over a clip produced.

    Attributes
    ----------
    people
        Every frame: the one person the follow landmarker tracked (``followed``), or every
        person found (up to ``num_poses``, the dense pass).
    scan
        Sparse frames with every person found (None for a dense pass run on its own).
    followed
        True when ``people`` holds the follow landmarker's one person per frame.
    """

    people: MultiPoseTrack
    scan: MultiPoseTrack | None = None
    followed: bool = False
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n_scans(self) -> int:
        """Number of scan frames (0 without a scan)."""
        return 0 if self.scan is None else self.scan.n_frames


def scan_interval_s(
    duration_s: float, *, every_s: float = SCAN_EVERY_S, min_scans: int = MIN_SCANS
) -> float:
    """Seconds between scan frames: ``every_s``, shorter on a clip too short for ``min_scans``."""
    if duration_s <= 0:
        return every_s
    return min(every_s, duration_s / max(1, min_scans - 1))


class ScanWorker:
    """Run a multi-person estimator on some frames, in a worker thread.

    :meth:`offer` is called with every frame (in the decoding order); it queues the frames
    that are due (one per ``interval_s``, and the first frame at or after ``extra_time_s``)
    and returns at once. :meth:`finish` scans the last frame offered if it was not scanned,
    waits for the worker and returns what it found.

    Parameters
    ----------
    estimator
        An open estimator used only by the worker thread (IMAGE mode: no tracking).
    interval_s
        Seconds of real time between scanned frames.
    extra_time_s
        Also scan the first frame at or after this time (a ``--select`` time).
    """

    def __init__(
        self, estimator: PoseEstimator, interval_s: float, *, extra_time_s: float | None = None
    ) -> None:
        self.estimator = estimator
        self.interval_s = float(interval_s)
        self._extra = extra_time_s
        self._next_s: float | None = None
        self._last: Frame | None = None
        self._last_scanned = False
        self._queue: queue.Queue[Frame | None] = queue.Queue(maxsize=8)
        self._found: list[tuple[float, FramePoses]] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="pose-scan", daemon=True)
        self._thread.start()

    def offer(self, frame: Frame) -> None:
        """Queue ``frame`` for the scan if one is due at its time."""
        t = frame.time_s
        due = self._next_s is None or t >= self._next_s - 1e-6
        if self._extra is not None and t >= self._extra:
            due, self._extra = True, None
        self._last, self._last_scanned = frame, due
        if due:
            start = t if self._next_s is None else self._next_s
            while start <= t + 1e-6:
                start += self.interval_s
            self._next_s = start
            self._put(frame)

    def _put(self, item: Frame | None) -> None:
        while self._thread.is_alive():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _work(self) -> None:
        try:
            while (frame := self._queue.get()) is not None:
                self._found.append(
                    (frame.time_s, self.estimator.process(frame.image, frame.time_s))
                )
        except BaseException as exc:  # re-raised by finish()
            self._error = exc

    def finish(self, *, scan_last: bool = True) -> tuple[list[float], list[FramePoses]]:
        """Scan the last frame if due, stop the worker; the scanned times and people."""
        if scan_last and self._last is not None and not self._last_scanned:
            self._put(self._last)
        self._put(None)
        self._thread.join()
        self._last = None
        if self._error is not None:
            raise self._error
        found = sorted(self._found, key=lambda row: row[0])
        return [t for t, _ in found], [p for _, p in found]


def follow_clip(
    path: str | Path,
    *,
    video: VideoInfo,
    model_path: str | Path | None = None,
    num_poses: int = 2,
    select_time_s: float | None = None,
    progress: ProgressFn | None = None,
    **kwargs: Any,
) -> PosePass:
    """The follow pass: one person per frame, and a sparse scan of everybody (module doc).

    Parameters
    ----------
    path
        The clip.
    video
        Its probe (duration, rotation, capture rate).
    model_path
        A BlazePose ``.task`` file; None = the model shipped inside mediapipe.
    num_poses
        Most people per scan frame.
    select_time_s
        A ``--select`` time: that frame is scanned too.
    progress, **kwargs
        Passed to :func:`analyzer.pose.run.estimate_poses` (``timings``, ``judge_people``...).
    """
    from analyzer.pose.mediapipe_backend import MediaPipePoseEstimator
    from analyzer.pose.run import estimate_poses

    interval = scan_interval_s(video.duration_s)
    with (
        MediaPipePoseEstimator(model_path=model_path, num_poses=1) as follower,
        MediaPipePoseEstimator(
            model_path=model_path, num_poses=num_poses, tracking=False
        ) as scanner,
    ):
        worker = ScanWorker(scanner, interval, extra_time_s=select_time_s)
        try:
            people = estimate_poses(
                path, follower, video=video, progress=progress, on_frame=worker.offer, **kwargs
            )
        except BaseException:
            worker.finish(scan_last=False)
            raise
        times, found = worker.finish()
    scan = scan_track(times, found, people, num_poses)
    meta = {"scan_every_s": round(interval, 4)}
    return PosePass(people=people, scan=scan, followed=True, meta=meta)


def scan_track(
    times: list[float], found: list[FramePoses], like: MultiPoseTrack, slots: int
) -> MultiPoseTrack:
    """The scan's people as a :class:`MultiPoseTrack` on the scanned frames."""
    from analyzer.pose.run import stack_people

    xy, vis, world = stack_people(found, slots, with_world=like.world_xyz is not None)
    return MultiPoseTrack(
        times_s=np.asarray(times, np.float64),
        image_xy=xy,
        visibility=vis,
        world_xyz=world,
        image_size=like.image_size,
        model=like.model,
        meta={"scan": True},
    )


def write_pass(result: PosePass, fh: IO[bytes]) -> None:
    """Write a pass as one compressed ``.npz`` (the people's arrays, the scan's prefixed)."""
    arrays = track_arrays(result.people, PASS_FORMAT_VERSION)
    arrays["pass_json"] = np.str_(json.dumps({"followed": result.followed, **result.meta}))
    if result.scan is not None:
        for k, v in track_arrays(result.scan, PASS_FORMAT_VERSION).items():
            arrays[_SCAN + k] = v
    np.savez_compressed(fh, **arrays)


def read_pass(path: str | Path) -> PosePass:
    """Read a file written by :func:`write_pass`.

    Raises
    ------
    TrackFormatError
        If the file is missing, truncated, not an ``.npz`` or has the wrong layout.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            contents = {k: data[k] for k in data.files}
        version = int(contents["format_version"])
        if version != PASS_FORMAT_VERSION:
            raise TrackFormatError(f"{path} is pose-pass format {version}.")
        scan_arrays = {k[len(_SCAN) :]: v for k, v in contents.items() if k.startswith(_SCAN)}
        meta = json.loads(str(contents["pass_json"]))
        return PosePass(
            people=multi_from_arrays(contents),
            scan=multi_from_arrays(scan_arrays) if scan_arrays else None,
            followed=bool(meta.pop("followed")),
            meta=meta,
        )
    except (OSError, ValueError, EOFError, KeyError, IndexError, zipfile.BadZipFile) as exc:
        raise TrackFormatError(f"{path} is not a readable pose-pass file ({exc}).") from exc


def run_pose_pass(
    path: str | Path,
    *,
    dense: bool = False,
    num_poses: int = 2,
    model_path: str | Path | None = None,
    capture_fps: float | None = None,
    rotate_deg: int | None = None,
    select_time_s: float | None = None,
    video: VideoInfo | None = None,
    **kwargs: Any,
) -> PosePass:
    """The pipeline's pose pass: the follow pass (default), or the dense pass.

    ``dense`` (or ``num_poses`` 1, where there is nobody else to scan for) runs
    :func:`analyzer.pose.run.estimate_clip` for ``num_poses`` people on every frame;
    otherwise :func:`follow_clip`. ``video`` is probed here when not given (to fail on a
    bad clip before the models load); ``**kwargs`` go to
    :func:`analyzer.pose.run.estimate_poses` (``progress``, ``timings``, ``judge_people``).
    """
    from analyzer.pose.run import estimate_clip
    from analyzer.video.probe import probe_video

    if video is None:
        video = probe_video(path, capture_fps=capture_fps, rotate_deg=rotate_deg)
    if dense or num_poses == 1:
        people = estimate_clip(
            path, model_path=model_path, num_poses=num_poses, capture_fps=capture_fps,
            rotate_deg=rotate_deg, video=video, **kwargs,
        )  # fmt: skip
        return PosePass(people=people, meta={"dense_reason": "asked" if dense else "one pose"})
    return follow_clip(
        path, video=video, model_path=model_path, num_poses=num_poses,
        select_time_s=select_time_s, capture_fps=capture_fps, rotate_deg=rotate_deg, **kwargs,
    )  # fmt: skip
