"""``backpedal pose CLIP -o track.npz``: estimate the pose in a clip, save the athlete's track."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
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
    add_rotate_argument(p)
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


def add_rotate_argument(p: argparse.ArgumentParser) -> None:
    """``--rotate 0|90|180|270``: the clip's rotation, in place of its (wrong) rotation tag."""
    p.add_argument(
        "--rotate",
        type=int,
        choices=(0, 90, 180, 270),
        metavar="{0,90,180,270}",
        help="turn the stored picture this many degrees clockwise, in place of the file's "
        "rotation tag (for clips that show sideways; the error message says which)",
    )


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


def usage_error(message: str) -> int:
    """Print ``error: message`` on stderr and return the usage exit code (2)."""
    print(f"error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Estimate, select the athlete, save; print where the track went."""
    from analyzer.pose.run import RunTimings, estimate_clip
    from analyzer.pose.track import save_track
    from analyzer.processing.selection import select_athlete

    if args.num_poses < 1:
        return usage_error(f"--num-poses must be at least 1, got {args.num_poses}.")
    if args.capture_fps is not None and not args.capture_fps > 0:
        return usage_error(f"--capture-fps must be a positive rate, got {args.capture_fps}.")
    if args.out.suffix.lower() != ".npz":
        return usage_error(f"the track file must end in .npz, got {args.out}.")
    try:
        point, at = parse_select(args.select)
    except ConfigError as exc:
        return usage_error(f"{exc.message} {exc.hint}")

    timings = RunTimings()
    with (
        silence_native_stderr(enabled=not getattr(args, "verbose", False)),
        progress_bar(quiet=args.quiet) as progress,
    ):
        multi = estimate_clip(
            args.clip,
            capture_fps=args.capture_fps,
            model_path=args.model,
            num_poses=args.num_poses,
            rotate_deg=args.rotate,
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
    for problem in meta["video_problems"]:
        print(f"Warning: {problem}")
    return 0


@contextlib.contextmanager
def progress_bar(*, quiet: bool) -> Iterator[Callable[[str, int, int | None], None] | None]:
    """tqdm bars on stderr, one per stage, driven by ``progress(stage, done, total)``.

    Yields None when ``quiet``. A stage's bar closes when it reaches its total, and every bar
    closes when the block ends.
    """
    if quiet:
        yield None
        return
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def update(stage: str, done: int, total: int | None) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="frame", file=sys.stderr)
        bar.update(done - bar.n)
        if total is not None and done >= total:
            bar.close()

    try:
        yield update
    finally:
        for bar in bars.values():
            bar.close()


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
