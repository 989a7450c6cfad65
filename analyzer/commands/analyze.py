"""``backpedal analyze``: the main job, from a clip (or a saved track) to a report folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from analyzer.commands.pose import add_dense_argument, add_rotate_argument
from analyzer.errors import ConfigError, VideoError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``analyze`` sub-command."""
    p = sub.add_parser(
        "analyze",
        help="analyse a clip (or a saved track) and write the report folder",
        description=(
            "Analyse a backpedal clip: pose, foot contacts, phases, metrics, faults, scores. "
            "Writes result.json, metrics.csv, steps.csv, track.npz, report.html, "
            "annotated.mp4 and a Kinovea .kva file into --out."
        ),
    )
    p.add_argument("clip", nargs="?", type=Path, help="video clip (.mp4, .mov, .avi)")
    p.add_argument("--track", type=Path, help="analyse a saved track.npz instead of a clip")
    p.add_argument("--out", "-o", type=Path, required=True, help="output folder")
    p.add_argument("--profile", default="db-backpedal", help="threshold profile name or TOML path")
    p.add_argument("--athlete-height-m", type=float, help="athlete height in metres")
    p.add_argument("--capture-fps", type=float, help="real capture rate of a slow-motion clip")
    add_rotate_argument(p)
    p.add_argument("--qb-side", choices=("left", "right"), help="quarterback side (front view)")
    p.add_argument("--select", help="pick the athlete nearest pixel X,Y at time T: 'X,Y[@T]'")
    p.add_argument("--model", help="a BlazePose .task model file to use instead of the default")
    add_dense_argument(p)
    p.add_argument(
        "--units",
        choices=("imperial", "metric"),
        help="units in the report: imperial (ft/in, yards) or metric (cm, metres); "
        "default: the profile's",
    )
    p.add_argument(
        "--embed-video",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="put the annotated video inside report.html so one file can be forwarded "
        "(default: yes when the video is under 20 MB)",
    )
    p.add_argument("--no-video", action="store_true", help="skip annotated.mp4 and key frames")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the settings, run the analysis, write the folder, print a one-screen summary."""
    from analyzer.commands.pose import parse_select, progress_bar
    from analyzer.outputs import check_out_dir, write_outputs
    from analyzer.pipeline import analyze_clip, analyze_track
    from analyzer.pose.native_log import silence_native_stderr
    from analyzer.pose.track import load_track
    from analyzer.settings import AnalysisSettings, check_settings

    if (args.clip is None) == (args.track is None):
        raise ConfigError("give exactly one of CLIP or --track.", "See `backpedal analyze -h`.")
    point, at = parse_select(args.select)
    settings = AnalysisSettings(
        profile=args.profile,
        athlete_height_m=args.athlete_height_m,
        capture_fps=args.capture_fps,
        select_point_xy=point,
        select_time_s=at,
        qb_side=args.qb_side,
        model_path=args.model,
        units=args.units,
        rotate_deg=args.rotate,
        dense=args.dense,
    )
    # every setting and the output folder are checked before the clip is opened
    check_settings(settings)
    check_out_dir(args.out)
    if args.clip is not None and not args.clip.exists():
        raise VideoError(f"{args.clip} does not exist.", "Check the path to the clip.")
    with progress_bar(quiet=args.quiet) as progress:
        if args.track is not None:
            result = analyze_track(load_track(args.track), settings)
            clip = None
        else:
            with silence_native_stderr(enabled=not getattr(args, "verbose", False)):
                result = analyze_clip(args.clip, settings, progress=progress)
            clip = args.clip
        written = write_outputs(
            result,
            args.out,
            clip=clip,
            with_video=not args.no_video,
            capture_fps=args.capture_fps,
            embed_video=args.embed_video,
            rotate_deg=args.rotate,
            progress=progress,
        )
    _print_summary(result, written)
    from analyzer.summary import not_analysable

    return 1 if not_analysable(result) else 0


def _print_summary(result, written: dict[str, Path]) -> None:
    from analyzer.summary import summary_lines

    for line in summary_lines(result, written):
        print(line)
