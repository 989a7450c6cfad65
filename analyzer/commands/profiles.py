"""``backpedal profiles``: list, show and check the fault-threshold profiles."""

from __future__ import annotations

import argparse
import math
import sys

from analyzer.errors import ProfileError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``profiles`` sub-command (``list`` by default, ``show NAME``, ``check PATH``)."""
    p = sub.add_parser(
        "profiles",
        help="list the fault-threshold profiles (show one, check your own)",
        description=(
            "Profiles hold every threshold, weight and rule the verdicts use. Copy one "
            "(backpedal profiles show NAME --toml > mine.toml), tune it, check it with "
            "`backpedal profiles check mine.toml` and use it with --profile mine.toml."
        ),
    )
    p.add_argument("action", nargs="?", default="list", choices=("list", "show", "check"))
    p.add_argument("name", nargs="?", help="profile name (show) or TOML path (show, check)")
    p.add_argument("--toml", action="store_true", help="show: print the profile file itself")
    p.set_defaults(func=run)


def _interval(lo: float, hi: float) -> str:
    if not math.isfinite(lo):
        return f"<= {hi:g}"
    if not math.isfinite(hi):
        return f">= {lo:g}"
    return f"{lo:g} to {hi:g}"


def _show(name: str, *, raw: bool) -> int:
    from analyzer.faults.profiles import load_profile, resolve_profile_path

    if raw:
        print(resolve_profile_path(name).read_text(encoding="utf-8"), end="")
        return 0
    prof = load_profile(name)
    print(f"{prof.name}: {prof.description}")
    print(f"file: {prof.path}" + (f" (extends {prof.extends})" if prof.extends else ""))
    print("\nMetrics (good / ok; outside ok is a fault):")
    for key, m in prof.metrics.items():
        if not m.scored or m.band is None:
            state = "descriptive" if m.band is None else "not scored in this profile"
            print(f"  {key:34s} {state}")
            continue
        unit = f" {m.unit}" if m.unit else ""
        print(
            f"  {key:34s} {m.category:10s} w={m.weight:<4g} good {_interval(*m.band.good)}, "
            f"ok {_interval(*m.band.ok)}{unit}"
        )
        print(f"  {'':34s} source: {m.source}")
    v = prof.verdict
    print(
        f"\nScores: {v.good_from:g}+ good, {v.fair_from:g}+ fair, below needs work; a major "
        f"finding caps its area and the overall at {v.cap_major:g}, a moderate one at "
        f"{v.cap_moderate:g}. Report units: {prof.units}."
    )
    print("\nFaults (any one rule triggers):")
    for fid, f in prof.faults.items():
        if not f.enabled:
            print(f"  {fid:22s} off in this profile")
            continue
        rules = []
        for c in f.any_of:
            parts = c.all_of or (c,)
            rules.append(" and ".join(f"{p.metric} {p.zone or 'limit'}" for p in parts))
        print(f"  {fid:22s} {' | '.join(rules)}")
    return 0


def run(args: argparse.Namespace) -> int:
    """List profiles, show one, or check a user's profile file."""
    from analyzer.faults.profiles import list_profiles, load_profile

    if args.action == "list":
        infos = list_profiles()
        if not infos:
            print("no profiles found (models/profiles is missing from this install)")
            return 1
        width = max(len(i.name) for i in infos)
        for info in infos:
            print(f"{info.name:{width}s}  {info.description}")
        print("\n`backpedal profiles show NAME`: thresholds; `--profile NAME|FILE`: use one.")
        return 0
    if not args.name:
        print(f"error: `backpedal profiles {args.action}` needs a profile name or file")
        return 2
    if args.action == "show":
        return _show(args.name, raw=args.toml)
    try:
        prof = load_profile(args.name)
    except ProfileError as exc:  # the checked file is invalid: a failed check, not bad usage
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"how to fix: {exc.hint}", file=sys.stderr)
        return 1
    scored = sum(m.scored for m in prof.metrics.values())
    faults = sum(f.enabled for f in prof.faults.values())
    print(f"{args.name}: valid ({scored} scored metrics, {faults} faults on)")
    return 0
