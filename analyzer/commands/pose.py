"""``backpedal pose CLIP -o track.npz``: estimate the pose in a clip, save the athlete's track."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from analyzer.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``pose`` sub-command."""
    p = sub.add_parser(
        "pose",
        help="estimate the athlete's pose in a clip and save it as a track file (.npz)",
        description=(
            "Run MediaPipe BlazePose (offline, the model shipped with mediapipe) on every "
            "frame of CLIP, pick the athlete and write the track file (see README, "
            "'The track file')."
        ),
    )
    p.add_argument("clip", type=Path, help="video clip (.mp4, .mov, .avi, .mkv)")
    p.add_argument("-o", "--out", type=Path, required=True, help="track file to write (.npz)")
    p.add_argument(
        "--capture-fps",
        type=float,
        help="real capture rate of a slow-motion clip (e.g. 240), if the file does not say it",
    )
    p.add_argument("--model", type=Path, help="a BlazePose .task model file (default: shipped)")
    p.add_argument(
        "--num-poses",
        type=int,
        default=2,
        help="most people found per frame (default 2, so the athlete can be chosen)",
    )
    p.add_argument("--select", help="pick the athlete nearest pixel X,Y at time T s: 'X,Y[@T]'")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def parse_select(text: str | None) -> tuple[tuple[float, float] | None, float | None]:
    """Parse ``'X,Y[@T]'`` into a pixel point and a time in seconds."""
    if not text:
        return None, None
    try:
        point, _, at = text.partition("@")
        x, y = (float(v) for v in point.split(","))
        return (x, y), (float(at) if at else None)
    except ValueError as exc:
        raise ConfigError(
            f"--select {text!r} is not of the form X,Y or X,Y@T.",
            "Example: --select 640,360@1.5 (pixel x, y of the upright frame; time in seconds).",
        ) from exc


def _usage_error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Estimate, select the athlete, save; print where the track went."""
    from analyzer.pose.run import RunTimings, estimate_clip
    from analyzer.pose.track import save_track
    from analyzer.processing.selection import select_athlete
    from analyzer.video.reader import CorruptVideoWarning

    if args.num_poses < 1:
        return _usage_error(f"--num-poses must be at least 1, got {args.num_poses}.")
    if args.capture_fps is not None and not args.capture_fps > 0:
        return _usage_error(f"--capture-fps must be a positive rate, got {args.capture_fps}.")
    if args.out.suffix.lower() != ".npz":
        return _usage_error(f"the track file must end in .npz, got {args.out}.")
    try:
        point, at = parse_select(args.select)
    except ConfigError as exc:
        return _usage_error(f"{exc.message} {exc.hint}")

    timings = RunTimings()
    with (
        silence_native_stderr(enabled=not getattr(args, "verbose", False)),
        _progress_bar(args.quiet) as progress,
        warnings.catch_warnings(),
    ):
        # damaged-clip problems are logged by the reader; its warnings would repeat them
        warnings.simplefilter("ignore", CorruptVideoWarning)
        multi = estimate_clip(
            args.clip,
            capture_fps=args.capture_fps,
            model_path=args.model,
            num_poses=args.num_poses,
            progress=progress,
            timings=timings,
        )
    track = select_athlete(multi, point_xy=point, at_time_s=at)
    meta = dict(track.meta)
    meta.setdefault("clip", args.clip.name)
    meta.setdefault("video_problems", multi.meta.get("video_problems", []))
    track = track.with_arrays(meta=meta)
    save_track(track, args.out)
    fps = timings.n_frames / timings.total_s if timings.total_s else float("nan")
    print(
        f"{args.out}: {track.n_frames} frames, {track.duration_s:.2f} s, athlete found in "
        f"{int(track.detected().sum())} frames ({fps:.1f} frames/s, model {track.model})"
    )
    return 0


class _progress_bar:  # noqa: N801 - used like a function in a with-statement
    """A tqdm bar on stderr driven by ``progress(stage, done, total)``; no-op when quiet."""

    def __init__(self, quiet: bool) -> None:
        self._quiet = quiet
        self._bar: Any = None

    def __enter__(self) -> Callable[[str, int, int | None], None] | None:
        if self._quiet:
            return None
        return self._update

    def _update(self, stage: str, done: int, total: int | None) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=stage, unit="frame", file=sys.stderr)
        self._bar.update(done - self._bar.n)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()


@contextlib.contextmanager
def silence_native_stderr(*, enabled: bool = True) -> Iterator[None]:
    """Send what C++ libraries (MediaPipe's glog/absl, TFLite) write to fd 2 to /dev/null.

    MediaPipe prints several INFO/WARNING lines on every start that no environment variable
    turns off. Python's own ``sys.stderr`` (progress bar, warnings, logging) is pointed at a
    duplicate of the real stderr meanwhile, so it stays visible.
    """
    if not enabled:
        yield
        return
    try:
        sys.stderr.flush()
        saved_fd = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real fd 2 (e.g. captured by a test)
        yield
        return
    saved_stream = sys.stderr
    python_stderr = os.fdopen(os.dup(saved_fd), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and h.stream is saved_stream
    ]
    try:
        os.dup2(devnull, 2)
        sys.stderr = python_stderr
        for h in handlers:
            h.setStream(python_stderr)
        yield
    finally:
        python_stderr.flush()
        for h in handlers:
            h.setStream(saved_stream)
        sys.stderr = saved_stream
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        os.close(devnull)
        python_stderr.close()
