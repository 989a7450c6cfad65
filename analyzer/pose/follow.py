"""The default pose pass: one person per frame, plus a sparse scan of everybody.

Asking BlazePose for two people on every frame costs ~44 % more than for one (issue 10).
So the pass runs two landmarkers at once:

* the *follow* landmarker (VIDEO mode, one pose) on every frame, in the calling thread,
  exactly the model cost of a plain one-person loop (frames are decoded ahead in the
  prefetch thread of :func:`analyzer.pose.run.estimate_poses`);
* the *scan* landmarker (IMAGE mode, ``num_poses`` people, each frame searched afresh) on
  one frame every ``scan_every_s`` (at least ``min_scans`` over the clip, plus the first
  and the last frame and the frame of a ``--select`` time), in a worker thread, with the
  followed person hidden: it finds the others (:class:`ScanWorker`).

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

import contextlib
import json
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from analyzer.pose.estimator import FramePoses, PoseEstimator
from analyzer.pose.multi import MultiPoseTrack, multi_from_arrays, read_versioned_npz
from analyzer.pose.track import track_arrays
from analyzer.progress import ProgressFn
from analyzer.video.info import VideoInfo
from analyzer.video.reader import Frame

#: Seconds between scan frames, and the fewest scans on a short clip.
SCAN_EVERY_S = 0.5
MIN_SCANS = 16
#: Margin around the followed person's landmark box hidden from the scan (of the box size):
#: landmarks sit inside the body outline, hands and feet by a few percent of its height.
MASK_MARGIN = 0.1
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
        Sparse frames with every person found: the followed one in slot 0, the others
        after (None for a dense pass run on its own).
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
    """Look for the people other than the followed one on some frames, in a worker thread.

    :meth:`offer` is called with every frame and the person the follow landmarker found in
    it; it queues the frames that are due (one per ``interval_s``, and the first frame at or
    after ``extra_time_s``) and returns at once. The worker hides the followed person
    (:func:`mask_people`) and runs the scan estimator on the rest of the picture, so on a
    one-person clip a scan costs only the person detector (~8 ms, against ~23 ms for the
    detector and a landmark run on the whole frame). A scan frame's people are the followed
    person (slot 0) and those the scan found. :meth:`finish` scans the last frame offered if
    it was not scanned, waits for the worker and returns what it found.

    Parameters
    ----------
    estimator
        An open estimator used only by the worker thread (IMAGE mode: no tracking), or a
        function opening one: it is then called in the worker thread (so loading the second
        model overlaps the first frames of the follow pass) and the worker closes it.
    interval_s
        Seconds of real time between scanned frames.
    extra_time_s
        Also scan the first frame at or after this time (a ``--select`` time).
    """

    def __init__(
        self,
        estimator: PoseEstimator | Callable[[], PoseEstimator],
        interval_s: float,
        *,
        extra_time_s: float | None = None,
    ) -> None:
        self._estimator = estimator
        self.interval_s = float(interval_s)
        self._extra = extra_time_s
        self._next_s: float | None = None
        self._last: tuple[Frame, FramePoses] | None = None
        self._last_scanned = False
        self._queue: queue.Queue[tuple[Frame, FramePoses] | None] = queue.Queue(maxsize=8)
        self._found: list[tuple[float, FramePoses]] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="pose-scan", daemon=True)
        self._thread.start()

    def offer(self, frame: Frame, followed: FramePoses) -> None:
        """Queue ``frame`` for the scan if one is due at its time."""
        t = frame.time_s
        due = self._next_s is None or t >= self._next_s - 1e-6
        if self._extra is not None and t >= self._extra:
            due, self._extra = True, None
        self._last, self._last_scanned = (frame, followed), due
        if due:
            start = t if self._next_s is None else self._next_s
            while start <= t + 1e-6:
                start += self.interval_s
            self._next_s = start
            self._put((frame, followed))

    def _put(self, item: tuple[Frame, FramePoses] | None) -> None:
        while self._thread.is_alive():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _work(self) -> None:
        try:
            with contextlib.ExitStack() as stack:
                estimator = self._estimator
                if not isinstance(estimator, PoseEstimator):  # a factory: open, close when done
                    estimator = stack.enter_context(contextlib.closing(estimator()))
                while (item := self._queue.get()) is not None:
                    frame, followed = item
                    others = estimator.process(mask_people(frame.image, followed), frame.time_s)
                    self._found.append((frame.time_s, join_people(followed, others)))
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


def mask_people(image: np.ndarray, poses: FramePoses, *, margin: float = MASK_MARGIN) -> np.ndarray:
    """A copy of ``image`` with each person's landmark box (grown by ``margin`` of its size
    on every side) painted black, so a detector finds only the others; ``image`` itself
    when nobody is to be hidden."""
    if poses.n_people == 0:
        return image
    out = image.copy()
    h, w = image.shape[:2]
    for xy in poses.image_xy:
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        if xy.shape[0] == 0:
            continue
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        pad = margin * (hi - lo)
        x0, y0 = np.floor(np.maximum(lo - pad, 0)).astype(int)
        x1, y1 = np.ceil(np.minimum(hi + pad, [w, h])).astype(int)
        out[y0:y1, x0:x1] = 0
    return out


def join_people(first: FramePoses, rest: FramePoses) -> FramePoses:
    """The people of ``first`` then those of ``rest``, as one frame's people."""
    world = None
    if first.world_xyz is not None and rest.world_xyz is not None:
        world = np.concatenate([first.world_xyz, rest.world_xyz])
    return FramePoses(
        image_xy=np.concatenate([first.image_xy, rest.image_xy]),
        visibility=np.concatenate([first.visibility, rest.visibility]),
        world_xyz=world,
    )


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

    def open_scanner() -> PoseEstimator:  # called in the scan thread: overlaps the first frames
        return MediaPipePoseEstimator(model_path=model_path, num_poses=num_poses, tracking=False)

    with MediaPipePoseEstimator(model_path=model_path, num_poses=1) as follower:
        worker = ScanWorker(open_scanner, interval, extra_time_s=select_time_s)
        try:
            people = estimate_poses(
                path, follower, video=video, progress=progress, on_frame=worker.offer, **kwargs
            )
        except BaseException:
            worker.finish(scan_last=False)
            raise
        times, found = worker.finish()
    scan = scan_track(times, found, people, 1 + num_poses)
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
    return read_versioned_npz(path, PASS_FORMAT_VERSION, "pose-pass", _pass_from_arrays)


def _pass_from_arrays(contents: dict[str, Any]) -> PosePass:
    scan_arrays = {k[len(_SCAN) :]: v for k, v in contents.items() if k.startswith(_SCAN)}
    meta = json.loads(str(contents["pass_json"]))
    return PosePass(
        people=multi_from_arrays(contents),
        scan=multi_from_arrays(scan_arrays) if scan_arrays else None,
        followed=bool(meta.pop("followed")),
        meta=meta,
    )


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
