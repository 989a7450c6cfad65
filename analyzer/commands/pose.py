"""``backpedal pose CLIP --out track.npz``: estimate the pose, save the athlete's track."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from analyzer.errors import ConfigError
from analyzer.progress import ProgressFn


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
    p.add_argument("--out", type=Path, required=True, help="track file to write (.npz)")
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
        help="most people looked for per frame by the scan and the two-person pass (default 2, "
        "so the athlete can be chosen; 1: follow one person, no scan)",
    )
    p.add_argument("--select", help="pick the athlete nearest pixel X,Y at time T s: 'X,Y[@T]'")
    add_dense_argument(p)
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


def add_dense_argument(p: argparse.ArgumentParser) -> None:
    """``--dense``: every person on every frame instead of the follow pass."""
    p.add_argument(
        "--dense",
        action="store_true",
        help="look for every person on every frame (slower) instead of following one person "
        "and scanning for the others every half second (the follow falls back to this "
        "by itself when it lost the athlete)",
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


def run(args: argparse.Namespace) -> int:
    """Estimate, select the athlete (:func:`analyzer.pipeline.estimate_track`, which also
    uses the pose cache), save; print where the track went."""
    from analyzer.pipeline import estimate_track
    from analyzer.pose.native_log import silence_native_stderr
    from analyzer.pose.track import save_track
    from analyzer.settings import AnalysisSettings, check_settings
    from analyzer.video import probe_video

    if args.out.suffix.lower() != ".npz":
        raise ConfigError(
            f"the track file must end in .npz, got {args.out}.", "Use --out NAME.npz."
        )
    if args.out.is_dir():
        raise ConfigError(f"--out {args.out} is a folder.", "Give a file name ending in .npz.")
    point, at = parse_select(args.select)
    settings = AnalysisSettings(
        capture_fps=args.capture_fps,
        select_point_xy=point,
        select_time_s=at,
        model_path=None if args.model is None else str(args.model),
        num_poses=args.num_poses,
        rotate_deg=args.rotate,
        dense=args.dense,
    )
    check_settings(settings)
    t0 = time.perf_counter()
    with (
        silence_native_stderr(enabled=not getattr(args, "verbose", False)),
        progress_bar(quiet=args.quiet) as progress,
    ):
        video = probe_video(args.clip, capture_fps=args.capture_fps, rotate_deg=args.rotate)
        track, facts = estimate_track(args.clip, settings, progress=progress, video=video)
    save_track(track, args.out)
    elapsed = time.perf_counter() - t0
    how = "from the pose cache" if facts.cache_hit else f"{track.n_frames / elapsed:.1f} frames/s"
    followed = track.meta.get("pose_pass", {}).get("method", "")
    print(
        f"{args.out}: {track.n_frames} frames, {track.duration_s:.2f} s, athlete found in "
        f"{int(track.detected().sum())} frames ({how}, model {track.model}"
        + (f", {followed} pass)" if followed else ")")
    )
    for problem in track.meta.get("video_problems", []):
        print(f"Warning: {problem}")
    return 0


@contextlib.contextmanager
def progress_bar(*, quiet: bool) -> Iterator[ProgressFn | None]:
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


