"""``backpedal batch FOLDER --out DIR``: score a team's clips, resumable, locally or on Dask."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from analyzer.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``batch`` sub-command."""
    p = sub.add_parser(
        "batch",
        help="analyse every clip in a folder: one report per clip, summary.csv and team.html",
        description=(
            "Find the clips under FOLDER (mp4, mov, m4v, avi, mkv), analyse each in its own "
            "worker process and write DIR/<athlete>/<clip>/ (the same files as `analyze`), "
            "DIR/summary.csv and DIR/team.html. Interrupted, the same command resumes: "
            "finished clips are kept, half-done ones redone. Exit code 0 only when every "
            "clip was scored."
        ),
    )
    p.add_argument(
        "folder", metavar="FOLDER", type=Path, help="folder of clips (athlete = first sub-folder)"
    )
    p.add_argument("--out", "-o", metavar="DIR", type=Path, required=True, help="output folder")
    p.add_argument(
        "--workers",
        "-j",
        metavar="N",
        type=int,
        default=None,
        help="local worker processes (default: the number of CPU cores, at most the clips)",
    )
    p.add_argument(
        "--profile", default="db-backpedal", help="threshold profile (roster lines may override)"
    )
    p.add_argument(
        "--roster",
        type=Path,
        help="CSV with columns clip,athlete[,date,height_m,profile] (overrides sub-folders)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786 (needs the [cluster] extra)",
    )
    p.add_argument("--no-video", action="store_true", help="skip annotated.mp4 (much faster)")
    p.add_argument("--force", action="store_true", help="analyse every clip again")
    p.add_argument(
        "--retry-failed", action="store_true", help="try the clips that failed before again"
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the batch, print what happened; 0 when every clip was scored, else 1."""
    from analyzer.batch.coordinator import BatchConfig, run_batch

    if args.workers is not None and args.workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {args.workers}.", "Give 1 or more.")
    if args.scheduler and args.workers is not None:
        raise ConfigError(
            "--workers is for local workers; a Dask cluster has its own.",
            "Leave out --workers when you give --scheduler.",
        )
    if args.scheduler:
        _require_dask()
    if not args.folder.is_dir():
        raise ConfigError(f"{args.folder} is not a folder.", "Give the folder of clips.")
    config = BatchConfig(
        folder=args.folder,
        out_dir=args.out,
        workers=args.workers or max(1, os.cpu_count() or 1),
        profile=args.profile,
        roster=args.roster,
        scheduler=args.scheduler,
        with_video=not args.no_video,
        force=args.force,
        retry_failed=args.retry_failed,
    )
    with _ProgressBar(quiet=args.quiet) as bar:
        report = run_batch(config, progress=bar.update)
    _print_report(report)
    return 0 if report.ok else 1


def _require_dask() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            "--scheduler needs Dask distributed, which is not installed.",
            "Install the cluster extra: pip install 'backpedal-analyzer[cluster]'.",
        ) from exc


class _ProgressBar:
    """A tqdm bar over the clips to analyse, with done, failed and an ETA."""

    def __init__(self, *, quiet: bool) -> None:
        self._quiet = quiet
        self._bar: Any = None

    def __enter__(self) -> _ProgressBar:
        return self

    def update(self, state: Any) -> None:
        if self._quiet:
            return
        from tqdm import tqdm

        if self._bar is None:
            if not state.to_run:
                return
            self._bar = tqdm(total=state.to_run, desc="clips", unit="clip", file=sys.stderr)
        self._bar.set_postfix(done=state.done, failed=state.failed, retried=state.retried)
        self._bar.update(state.done + state.failed - self._bar.n)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()


def _print_report(report: Any) -> None:
    counts = report.counts
    print(
        f"{report.clips} clip(s): {counts.get('ok', 0)} scored ({report.reused} kept from "
        f"before, {report.analysed} analysed now), {counts.get('failed', 0)} failed, "
        f"{counts.get('pending', 0)} not analysed; {report.elapsed_s:.0f} s"
    )
    for r in report.records:
        if r.status == "failed":
            print(f"  failed: {r.clip}: {r.error}" + (f" ({r.hint})" if r.hint else ""))
    if report.other_files:
        print(f"Skipped {len(report.other_files)} file(s) that are not clips:")
        for name in report.other_files[:10]:
            print(f"  {name}")
        if len(report.other_files) > 10:
            print(f"  ... and {len(report.other_files) - 10} more (see summary.csv)")
    for clip in report.unmatched_roster:
        print(f"Roster line matches no clip: {clip}")
    print(f"Summary: {report.summary_csv}")
    print(f"Team page: {report.team_html}")
