"""Metrics of stepping without travel (wall taps, treadmill, sled held back; issue 12).

A clip with ``in_place`` phases and no backpedal is judged on what stepping on the spot
shows: cadence and rhythm (M7), posture (M1-M5), arms (M10-M11), head (M12), computed by the
ordinary metric families over the in-place frames. Metrics that need the body to travel
(step length and reach, M6; backpedal speed and distance, M14) are not assessable there: the
feet's displacement on a belt or on the spot says nothing about the ground covered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from analyzer.events.inplace import InPlaceParams, stride_cadence_steps_per_s
from analyzer.metrics.common import MetricContext
from analyzer.results import MetricValue, Phase

#: Metrics that need travel (METRICS M6a/M6b step length and reach, M14 speed and distance).
TRAVEL_KEYS: tuple[str, ...] = (
    "step_length_leg_lengths",
    "step_length_m",
    "reach_at_touchdown_leg_lengths",
    "backpedal_speed_m_per_s",
    "backpedal_speed_leg_lengths_per_s",
    "backpedal_distance_m",
    "backpedal_distance_leg_lengths",
)
IN_PLACE_REASON = (
    "the athlete stepped in place (no travel): step length, reach and speed need a "
    "backpedal over the ground; film one to assess them"
)


def has_in_place_only(phases: list[Phase]) -> bool:
    """True when the clip has stepping in place and no backpedal."""
    kinds = {p.kind for p in phases}
    return "in_place" in kinds and "backpedal" not in kinds


def in_place_metrics(
    ctx: MetricContext,
    compute: Callable[[MetricContext], dict[str, MetricValue]],
    prm: InPlaceParams | None = None,
) -> dict[str, MetricValue]:
    """``compute`` (all metric families) over the in-place frames, labelled ``in_place``,
    with the travel metrics (:data:`TRAVEL_KEYS`) not assessable.

    Cadence: from the stride period of the feet's vertical motion over the longest in-place
    phase (:func:`analyzer.events.inplace.stride_cadence_steps_per_s`), the contact-based
    value kept in ``details["contacts_steps_per_s"]``: a foot lifted a few centimetres
    lands without a sharp mark, and one missed or extra landing moves the contact-based
    value while the period of the whole trajectory hardly changes."""
    alias = [replace(p, kind="backpedal") if p.kind == "in_place" else p for p in ctx.phases]
    out: dict[str, MetricValue] = {}
    for key, mv in compute(replace(ctx, phases=alias)).items():
        if mv.phase == "backpedal":
            mv = replace(mv, phase="in_place")
        if key in TRAVEL_KEYS:
            mv = MetricValue(key, None, mv.unit, "in_place", False, IN_PLACE_REASON, "low",
                             mv.support)  # fmt: skip
        out[key] = mv
    cad = out.get("cadence_steps_per_s")
    longest = max((p for p in ctx.phases if p.kind == "in_place"),
                  key=lambda p: p.end_frame - p.start_frame, default=None)  # fmt: skip
    if cad is not None and cad.assessable and longest is not None:
        value = stride_cadence_steps_per_s(ctx.scene, longest.start_frame, longest.end_frame, prm)
        if value is not None:
            det = {**cad.details, "contacts_steps_per_s": float(cad.value or 0.0)}
            out["cadence_steps_per_s"] = replace(cad, value=value, details=det)
    return out


def in_place_warning(phases: list[Phase]) -> str:
    """The note that replaces "no backpedal found" on a clip of stepping in place."""
    spans = ", ".join(f"{p.start_s:.1f}-{p.end_s:.1f} s" for p in phases if p.kind == "in_place")
    return (
        f"stepping in place (no travel) at {spans}: cadence, rhythm, posture and arms are "
        "judged; step length, reach and speed are not assessable"
    )
