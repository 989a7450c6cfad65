"""``backpedal info``: versions and the pose model in use."""

from __future__ import annotations

import argparse
import platform


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``info`` sub-command."""
    p = sub.add_parser("info", help="show versions and the pose model in use")
    p.set_defaults(func=run)


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def run(args: argparse.Namespace) -> int:
    """Print versions of the analyzer, Python and the libraries, and the model files."""
    from analyzer import __version__

    print(f"backpedal-analyzer {__version__}")
    print(f"python {platform.python_version()} ({platform.machine()})")
    for dist in ("mediapipe", "numpy", "opencv-python-headless", "av"):
        print(f"{dist} {_version(dist)}")
    try:
        from analyzer.pose.mediapipe_backend import describe_default_model
    except ImportError:
        print("pose model: backend not available")
        return 0
    for line in describe_default_model():
        print(line)
    return 0
