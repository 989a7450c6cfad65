"""Measurements in a coach's words: units (imperial / metric) and plain comparisons.

Relative measures (leg lengths, thigh lengths, share of standing hip height) become lengths
a coach can see ("feet land 9 in behind the hips"). They need a body scale: the athlete's
height when given, else an assumed typical stature, said as an estimate. Segment lengths are
fixed shares of stature from Winter, *Biomechanics and Motor Control of Human Movement*
(4th ed., 2009, Table 4.1): hip (greater trochanter) height 0.530 H, knee height 0.285 H, so
thigh 0.245 H.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from analyzer.render.scene import band_limits
from analyzer.results import FindingBand

#: Stature assumed when the athlete's height is not given (m); said as an estimate.
ASSUMED_STATURE_M = 1.75
LEG_SHARE_OF_STATURE = 0.530
THIGH_SHARE_OF_STATURE = 0.245
M_PER_IN = 0.0254
M_PER_YD = 0.9144


@dataclass(frozen=True)
class Scale:
    """Units and body scale for the report's words."""

    units: str = "imperial"
    stature_m: float = ASSUMED_STATURE_M
    estimated: bool = True

    @property
    def leg_m(self) -> float:
        """Standing hip height (leg length) in metres."""
        return LEG_SHARE_OF_STATURE * self.stature_m

    @property
    def thigh_m(self) -> float:
        """Thigh length in metres."""
        return THIGH_SHARE_OF_STATURE * self.stature_m

    def length(self, metres: float) -> str:
        """A body-scale length: ``9 in`` / ``23 cm`` (about, when the scale is estimated)."""
        if self.units == "metric":
            text = f"{abs(metres) * 100:.0f} cm"
        else:
            text = f"{abs(metres) / M_PER_IN:.0f} in"
        return text

    def height(self, metres: float) -> str:
        """A stature: ``5 ft 9 in`` / ``1.75 m``."""
        if self.units == "metric":
            return f"{metres:.2f} m"
        inches = round(metres / M_PER_IN)
        return f"{inches // 12} ft {inches % 12} in"

    def speed(self, m_per_s: float) -> str:
        """A running speed: ``3.1 yd/s`` / ``2.8 m/s``."""
        if self.units == "metric":
            return f"{m_per_s:.1f} m/s"
        return f"{m_per_s / M_PER_YD:.1f} yd/s"

    def distance(self, metres: float) -> str:
        """A field distance: ``6.5 yd`` / ``6.0 m``."""
        if self.units == "metric":
            return f"{metres:.1f} m"
        return f"{metres / M_PER_YD:.1f} yd"

    def note(self) -> str:
        """How lengths were scaled, for the report (empty when the height was given)."""
        if not self.estimated:
            return f"Lengths use the athlete's height, {self.height(self.stature_m)}."
        return (
            "Lengths are estimates for a typical athlete of "
            f"{self.height(self.stature_m)}; give the athlete's height "
            "(--athlete-height-m) for exact numbers."
        )


def scale_for(units: str | None, athlete_height_m: float | None, default_units: str) -> Scale:
    """The report's scale: chosen units (else the profile's) and the height (else assumed)."""
    chosen = units if units in ("imperial", "metric") else default_units
    if athlete_height_m and math.isfinite(athlete_height_m) and athlete_height_m > 0:
        return Scale(str(chosen), float(athlete_height_m), estimated=False)
    return Scale(str(chosen))


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def _leg(word_pos: str, word_neg: str = "") -> Callable[[float, Scale], str]:
    def q(v: float, s: Scale) -> str:
        side = word_pos if v >= 0 or not word_neg else word_neg
        return f"{s.length(v * s.leg_m)}{(' ' + side) if side else ''}"

    return q


def _thigh(v: float, s: Scale) -> str:
    return f"{s.length(v * s.thigh_m)} {'ahead of' if v >= 0 else 'behind'}"


def _drop(v: float, s: Scale) -> str:
    return s.length((1 - v) * s.leg_m)


def _share(v: float, s: Scale) -> str:
    return _pct(v)


def _widths(v: float, s: Scale) -> str:
    return f"{v:.1f}"


#: key -> (sentence with a {q} slot, the quantity in words): "feet land {q} the hips".
_PHRASES: dict[str, tuple[str, Callable[[float, Scale], str]]] = {
    "reach_at_touchdown_leg_lengths": ("feet land {q} the hips", _leg("behind", "in front of")),
    "step_length_leg_lengths": ("steps of {q}", _leg("")),
    "swing_clearance_leg_lengths": ("feet swing up to {q} off the ground", _leg("")),
    "shoulder_over_knee_index": ("shoulders {q} the knees", _thigh),
    "hip_height_ratio": ("hips {q} lower than standing", _drop),
    "ready_hip_height_ratio": ("hips {q} lower than standing", _drop),
    "hip_rise": ("hips rise {q} in the turn", _leg("")),
    "speed_retention": ("keeps {q} of the pedal speed", _share),
    "hands_at_chest_fraction": ("hands parked at the chest {q} of the pedal", _share),
    "forefoot_stance_fraction": ("{q} of landings on the balls of the feet", _share),
    "arm_crossing_fraction": ("{q} of arm swings cross the body", _share),
    "head_yaw_on_target_fraction": ("head toward the receiver {q} of the pedal", _share),
    "base_width_shoulder_widths": ("feet {q} shoulder-widths apart", _widths),
    "step_width_shoulder_widths": ("feet land {q} shoulder-widths apart", _widths),
    "arm_leg_coordination_r": (
        "arm-leg timing {q} (-1: each arm swings exactly against its leg)",
        lambda v, s: f"{v:+.2f}",
    ),
    "backpedal_speed_m_per_s": ("{q}", lambda v, s: s.speed(v)),
    "backpedal_speed_leg_lengths_per_s": ("{q}", lambda v, s: s.speed(v * s.leg_m)),
    "backpedal_distance_leg_lengths": ("{q}", lambda v, s: s.distance(v * s.leg_m)),
    "transition_contacts": ("{q}", lambda v, s: f"{v:.0f} foot contacts"),
    "backpedal_distance_m": ("{q}", lambda v, s: s.distance(v)),
    "step_length_m": ("{q}", lambda v, s: s.length(v)),
}

_UNIT_TEXT = {
    "deg": "°", "deg/s": "°/s", "s": " s", "steps/s": " steps/s", "%": "%", "contacts": " steps",
}  # fmt: skip

#: Names for the report where the shared label carries a unit the words now say.
COACH_LABELS: dict[str, str] = {
    "hip_height_ratio": "Hip height in the pedal",
    "ready_hip_height_ratio": "Hip height in the ready stance",
    "step_length_leg_lengths": "Step length",
    "reach_at_touchdown_leg_lengths": "Where the feet land",
    "swing_clearance_leg_lengths": "Foot height in the swing",
    "base_width_shoulder_widths": "Stance width",
    "step_width_shoulder_widths": "Step width",
    "backpedal_speed_leg_lengths_per_s": "Backpedal speed",
    "backpedal_distance_leg_lengths": "Backpedal distance",
    "shoulder_over_knee_index": "Shoulders over knees",
    "arm_leg_coordination_r": "Arm-leg timing",
}


def say_value(key: str, unit: str, value: float | None, scale: Scale) -> str:
    """A measured value in plain words (``feet land 9 in behind the hips``, ``-4°``)."""
    if value is None or not math.isfinite(float(value)):
        return "not measured"
    v = float(value)
    if key in _PHRASES:
        template, q = _PHRASES[key]
        return template.format(q=q(v, scale))
    u = _UNIT_TEXT.get(unit, f" {unit}" if unit else "")
    digits = 0 if unit in ("deg", "deg/s", "%", "contacts") else (1 if unit == "steps/s" else 2)
    return f"{v:.{digits}f}{u}"


def _quantity(key: str, unit: str, x: float, scale: Scale) -> str:
    if key in _PHRASES:
        return _PHRASES[key][1](x, scale)
    return say_value(key, unit, x, scale)


def say_band(key: str, unit: str, band: FindingBand | None, scale: Scale) -> str:
    """The target and the fault limits in one sentence, in the value's own words.

    ``Target: feet land at most 5 in behind the hips (flagged past 9 in behind).``
    """
    if band is None:
        return ""
    g_lo, g_hi = band_limits(band)
    o_lo, o_hi = (_num(x) for x in (band.ok or (None, None)))

    def q(x: float) -> str:
        return _quantity(key, unit, x, scale)

    if g_lo is not None and g_hi is not None:
        target = f"between {q(g_lo)} and {q(g_hi)}"
    elif g_hi is not None:
        target = f"at most {q(g_hi)}"
    elif g_lo is not None:
        target = f"at least {q(g_lo)}"
    else:
        return ""
    template = _PHRASES[key][0] if key in _PHRASES else "{q}"
    low, high = ("past", "past") if key in _PHRASES else ("under", "over")
    limits = [f"{low} {q(o_lo)}"] if o_lo is not None else []
    limits += [f"{high} {q(o_hi)}"] if o_hi is not None else []
    flagged = f" (flagged {' or '.join(limits)})" if limits else ""
    return f"Target: {template.format(q=target)}{flagged}."


def say_drill(text: str, scale: Scale) -> str:
    """A drill line with its field distances in the report's units (yards or metres)."""
    if scale.units != "metric":
        return text

    def metres(match: re.Match[str]) -> str:
        return f"{round(float(match.group(1)) * M_PER_YD):.0f}"

    text = re.sub(r"(\d+(?:\.\d+)?)(?= to \d+(?:\.\d+)? yards?)", metres, text)
    return re.sub(
        r"(\d+(?:\.\d+)?) yards?\b",
        lambda m: f"{round(float(m.group(1)) * M_PER_YD):.0f} metres",
        text,
    )


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None
