"""The ``[verdict]`` table of a profile: score bands, caps and when a clip cannot be judged.

Kept apart from :mod:`analyzer.faults.validation` (which parses the rest of the profile) so the
rules that turn scores and findings into one verdict sit in one small place. Every number is
in the profile file with its source; this module only checks that the numbers make sense.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

VERDICT_KEYS = {
    "good_from",
    "fair_from",
    "cap_major",
    "cap_moderate",
    "min_assessed_weight_share",
    "min_backpedal_steps",
    "min_plausible_cadence_steps_per_s",
    "source",
}
UNITS = ("imperial", "metric")


@dataclass(frozen=True)
class VerdictSpec:
    """Score bands, finding caps and the evidence a verdict needs.

    Attributes
    ----------
    good_from, fair_from
        A score of ``good_from`` or more is "good", ``fair_from`` or more "fair", below it
        "needs work".
    cap_major, cap_moderate
        The highest score a category (and the overall) may show while it holds a major /
        moderate finding: in the "needs work" / "fair" band.
    min_assessed_weight_share
        Share of the profile's total scoring weight that must be assessable for a verdict.
    min_backpedal_steps
        Foot contacts in the backpedal needed before footwork is judged at all.
    min_plausible_cadence_steps_per_s
        A step rate below this is not a backpedal at real speed: most often a slow-motion clip
        whose capture rate the container does not record.
    """

    good_from: float
    fair_from: float
    cap_major: float
    cap_moderate: float
    min_assessed_weight_share: float
    min_backpedal_steps: int
    min_plausible_cadence_steps_per_s: float
    source: str

    def band(self, score: float) -> str:
        """``"good"``, ``"fair"`` or ``"needs work"`` for a 0-100 score."""
        if score >= self.good_from:
            return "good"
        if score >= self.fair_from:
            return "fair"
        return "needs work"


def parse_verdict(
    table: dict[str, Any],
    number: Callable[[Any, str], float],
    fail: Callable[[str, str], Exception],
) -> VerdictSpec:
    """Build a :class:`VerdictSpec` from the (key-checked) ``[verdict]`` table.

    ``number`` converts a value or raises; ``fail(where, what)`` builds the profile error.
    Every key is required (the built-in profiles inherit them from db-backpedal).
    """
    for key in sorted(VERDICT_KEYS):
        if key not in table:
            raise fail("verdict", f"missing '{key}'")
    values = {k: number(table[k], f"verdict.{k}") for k in VERDICT_KEYS - {"source"}}
    spec = VerdictSpec(
        good_from=values["good_from"],
        fair_from=values["fair_from"],
        cap_major=values["cap_major"],
        cap_moderate=values["cap_moderate"],
        min_assessed_weight_share=values["min_assessed_weight_share"],
        min_backpedal_steps=int(values["min_backpedal_steps"]),
        min_plausible_cadence_steps_per_s=values["min_plausible_cadence_steps_per_s"],
        source=str(table["source"]),
    )
    if not 0 < spec.fair_from < spec.good_from <= 100:
        raise fail("verdict", "need 0 < fair_from < good_from <= 100")
    if not spec.cap_major < spec.fair_from <= spec.cap_moderate < spec.good_from:
        raise fail(
            "verdict",
            "cap_major must be in the 'needs work' band (below fair_from) and cap_moderate "
            "in the 'fair' band (from fair_from, below good_from)",
        )
    if not 0 <= spec.min_assessed_weight_share <= 1:
        raise fail("verdict.min_assessed_weight_share", "must be a share between 0 and 1")
    return spec
