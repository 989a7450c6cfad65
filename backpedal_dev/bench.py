"""Developer benchmark: measure the analyzer on clips with known answers.

``python -m backpedal_dev.bench accuracy`` (or ``benchmarks/bench_accuracy.py``) renders
synthetic athletes (``backpedal_dev.synth``) whose motion is known exactly, runs the whole
pipeline on each clip and prints the errors per clip, per metric and per fault (found when
present, raised when absent).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    """The benchmark's command line: ``accuracy`` and its options."""
    p = argparse.ArgumentParser(
        prog="python -m backpedal_dev.bench",
        description=(
            "accuracy: render synthetic athletes (clean technique from every view, and each "
            "fault), run the full pipeline on them and print error tables. Clips and pose "
            "tracks are cached, so a second run only re-analyses."
        ),
    )
    p.add_argument("what", choices=("accuracy",), help="what to measure")
    p.add_argument(
        "--quick", action="store_true", help="only clean side-left, side-right and front clips"
    )
    p.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="where rendered clips and pose tracks are kept (default: <backpedal cache>/synth)",
    )
    p.add_argument(
        "--only",
        nargs="*",
        default=None,
        help="case names or parts of them (e.g. clean, side_right, overstriding)",
    )
    p.add_argument(
        "--num-poses", type=int, default=1, help="people per frame for the pose model (default 1)"
    )
    p.add_argument("--profile", default="db-backpedal", help="fault profile")
    p.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    return p


def run(args: argparse.Namespace) -> int:
    """Render, analyse and print the accuracy tables."""
    from analyzer.pose.cache import default_cache_dir
    from backpedal_dev.synth.accuracy import (
        default_cases,
        evaluate_case,
        results_json,
        summary_tables,
    )

    cache = args.cache or default_cache_dir() / "synth"
    cases = default_cases(quick=args.quick)
    if args.only:
        cases = [c for c in cases if any(part in c.name for part in args.only)]
    results = []
    for i, case in enumerate(cases, 1):
        t0 = time.perf_counter()
        res = evaluate_case(case, cache, num_poses=args.num_poses, profile=args.profile)
        print(f"[{i}/{len(cases)}] {case.name}: detection {res.detection:.2f}, "
              f"{time.perf_counter() - t0:.0f} s", flush=True)  # fmt: skip
        results.append(res)
    print()
    print(summary_tables(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(results_json(results))
        print(f"\nwrote {args.json}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the benchmark."""
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    import sys

    sys.exit(main())
