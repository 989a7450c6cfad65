"""The ``backpedal`` command: the only place that sets up logging and presents errors.

Each sub-command lives in ``analyzer/commands/<name>.py`` with ``register(subparsers)``
(adds its parser and sets ``func``) so commands can be added without touching this file's
logic. Exit codes: 0 ok, 1 analysis error (bad clip, no person, ...), 2 usage error (bad
settings, unknown profile, unusable --out: refused before any work, in one line).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from analyzer import __version__
from analyzer.errors import AnalyzerError

COMMAND_MODULES = ("info", "pose", "analyze", "profiles", "batch", "serve")

EXIT_OK = 0
EXIT_ANALYSIS_ERROR = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="backpedal",
        description="Backpedal Analyzer: technique verdicts from video of a backpedal.",
    )
    parser.add_argument("--version", action="version", version=f"backpedal {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"analyzer.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"analyzer.commands.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help/--version
        return int(exc.code or 0)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s: %(message)s",
    )
    if not args.verbose:  # e.g. matplotlib's one-off "generated new fontManager" notice
        logging.getLogger("matplotlib").setLevel(logging.WARNING)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except AnalyzerError as exc:
        if exc.exit_code == EXIT_USAGE:  # a usage error: one line, what to do
            hint = f" (how to fix: {exc.hint})" if exc.hint else ""
            print(f"error: {exc.message}{hint}", file=sys.stderr)
            return EXIT_USAGE
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"how to fix: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`backpedal profiles show NAME | head`): end quietly; point
        # stdout at devnull so the interpreter's final flush raises nothing either
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
