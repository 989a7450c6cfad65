"""Faults: verdicts a coach can check — findings, scores and coaching text from a profile.

Public API::

    from analyzer.faults import evaluate_faults, load_profile, list_profiles
    report = evaluate_faults(motion, load_profile("db-backpedal"))

Thresholds live only in the profile files (``models/profiles/*.toml``); see
``analyzer.faults.profiles`` for the format.
"""

from __future__ import annotations

from analyzer.faults.evaluate import evaluate_faults
from analyzer.faults.profiles import (
    DEFAULT_PROFILE,
    Profile,
    ProfileInfo,
    list_profiles,
    load_profile,
    parse_profile,
)

__all__ = [
    "DEFAULT_PROFILE",
    "Profile",
    "ProfileInfo",
    "evaluate_faults",
    "list_profiles",
    "load_profile",
    "parse_profile",
]
