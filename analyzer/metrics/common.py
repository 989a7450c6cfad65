"""Shared metric-value builders: view support (METRICS §8.1), confidence, MetricValue.

Everything here is pure (arrays in, arrays out). Conventions follow METRICS.md §2: image
pixels with y down, angles in degrees, leg length ``L`` as the length unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.numeric import nanmedian
from analyzer.results import (
    Confidence,
    ContactEvent,
    MetricValue,
    Phase,
    Step,
    Support,
    ViewKind,
)

if TYPE_CHECKING:
    from analyzer.events.scene import Scene

_CONF_ORDER: tuple[Confidence, ...] = ("low", "medium", "high")
#: A metric needs its landmarks tracked in at least 70 % of the phase's frames, else it is
#: not assessable (METRICS §10: "≥ 70 % of the needed landmark-frames passed QC").
MIN_QC = 0.7
#: Evidence frames a metric points the coach to.
N_EVIDENCE_FRAMES = 3


# ---------------------------------------------------------------------------------------
# validity (METRICS §8.1) and MetricValue builders

_V: Support = "valid"
_D: Support = "degraded"
_I: Support = "invalid"

#: Support per metric family and view, METRICS §8.1 (side, front, diagonal, rear).
VIEW_SUPPORT: dict[str, dict[str, Support]] = {
    # METRICS §8.1 has M1 degraded in a diagonal view, but its ground line (§3.3 step 8) is a
    # side-view construct: on the rendered 30-45 deg diagonal clip it read 1.01 for a true
    # 0.89 (a false "standing tall"), so hip height is not assessed there.
    "hip_height": {"side": _V, "front": _I, "diagonal": _I, "rear": _I},
    "knee": {"side": _V, "front": _I, "diagonal": _D, "rear": _I},
    "trunk": {"side": _V, "front": _I, "diagonal": _D, "rear": _I},
    "balance": {"side": _V, "front": _I, "diagonal": _D, "rear": _I},
    "step_length": {"side": _V, "front": _I, "diagonal": _D, "rear": _I},
    "cadence": {"side": _V, "front": _V, "diagonal": _V, "rear": _D},
    "width": {"side": _I, "front": _V, "diagonal": _D, "rear": _D},
    "heel": {"side": _V, "front": _I, "diagonal": _D, "rear": _I},
    "arm_swing": {"side": _V, "front": _I, "diagonal": _D, "rear": _I},
    "hands": {"side": _V, "front": _D, "diagonal": _D, "rear": _I},
    "arm_crossing": {"side": _I, "front": _V, "diagonal": _D, "rear": _I},
    "coordination": {"side": _V, "front": _D, "diagonal": _D, "rear": _I},
    "head_pitch": {"side": _V, "front": _I, "diagonal": _D, "rear": _I},
    "head_yaw": {"side": _I, "front": _V, "diagonal": _D, "rear": _I},
    "transition_time": {"side": _V, "front": _V, "diagonal": _V, "rear": _D},
    # METRICS §8.1 allows the front view as degraded (radial speed, Low); the radial-speed
    # proxy (scale change of the athlete) swings while the body turns, so it is not used here.
    "speed_retention": {"side": _V, "front": _I, "diagonal": _D, "rear": _I},
    "hip_rise": {"side": _V, "front": _I, "diagonal": _D, "rear": _I},
    "speed": {"side": _V, "front": _D, "diagonal": _I, "rear": _I},
    "descriptive": {"side": _V, "front": _V, "diagonal": _V, "rear": _D},
}

#: How to film so that a metric family becomes assessable.
FILM_HINT: dict[str, str] = {
    "hip_height": "film from the side (camera square to the backpedal line, lens at hip height)",
    "knee": "film from the side so the knee bends in the image plane",
    "trunk": "film from the side to see the forward lean of the trunk",
    "balance": "film from the side to see shoulders over knees",
    "step_length": "film from the side with a static camera parallel to the backpedal line",
    "cadence": "keep the feet in frame for at least 4 steps",
    "width": "film from the front (camera where the quarterback or receiver stands)",
    "heel": "film from the side at ground level with the feet clearly visible",
    "arm_swing": "film from the side with the near arm visible",
    "hands": "film from the side or front with the hands visible",
    "arm_crossing": "film from the front to see the arms cross the body",
    "coordination": "film from the side with the near arm and leg visible",
    "head_pitch": "film from the side with the face visible",
    "head_yaw": "film from the front (camera at the receiver / quarterback) with the face visible",
    "transition_time": "include the turn or break and 3 sprint steps in the clip",
    "speed_retention": "film from the side and include the turn and the sprint",
    "hip_rise": "film from the side and include the turn",
    "speed": "film from the side with a static camera and enter the athlete's height",
    "descriptive": "film from the side",
}


def support_for(family: str, view: ViewKind) -> Support:
    """Support of a metric family in a view (METRICS §8.1); 'unknown' views count as rear."""
    table = VIEW_SUPPORT[family]
    return table.get(view, table["rear"])


def lower(conf: Confidence, steps: int = 1) -> Confidence:
    """Confidence lowered by ``steps`` levels (METRICS §8.1: degraded = one level lower)."""
    i = max(0, _CONF_ORDER.index(conf) - steps)
    return _CONF_ORDER[i]


def metric(
    key: str,
    value: float | None,
    unit: str,
    phase: str,
    *,
    family: str,
    view: ViewKind,
    confidence: Confidence = "medium",
    frames: Sequence[int] = (),
    per_step: Sequence[float] = (),
    details: dict[str, Any] | None = None,
    reason: str = "",
    qc: float = 1.0,
    min_qc: float = MIN_QC,
) -> MetricValue:
    """Build a MetricValue, applying the view validity gate (METRICS §8.1, §10).

    The value is dropped (not assessable) when the view does not support the family, when
    it is None or not finite; ``reason`` then says why and how to film. A degraded view
    lowers the confidence by one level.
    """
    support = support_for(family, view)
    det = {k: float(v) for k, v in (details or {}).items() if v is not None and np.isfinite(v)}
    if support == "invalid":
        why = f"not valid in a {view} view: {FILM_HINT[family]}"
        return MetricValue(key, None, unit, phase, False, why, "low", support, (), (), det)
    if qc < min_qc:
        why = (
            f"the landmarks it needs were tracked in only {100 * qc:.0f}% of the frames: "
            f"{FILM_HINT[family]}, well lit and unobstructed"
        )
        return MetricValue(key, None, unit, phase, False, why, "low", support, (), (), det)
    if value is None or not np.isfinite(value):
        why = reason or f"could not be measured in this clip: {FILM_HINT[family]}"
        return MetricValue(key, None, unit, phase, False, why, "low", support, (), (), det)
    conf = lower(confidence) if support == "degraded" else confidence
    steps = tuple(float(v) for v in per_step if v is not None and np.isfinite(v))
    return MetricValue(
        key, float(value), unit, phase, True, reason, conf, support, steps,
        tuple(int(f) for f in frames), det,
    )  # fmt: skip


def ready_metric(
    ctx: MetricContext,
    key: str,
    values: np.ndarray,
    unit: str,
    *,
    family: str,
    landmarks: Sequence[int],
    confidence: Confidence = "medium",
) -> MetricValue:
    """Median of a per-frame series over the ready stance (P0, METRICS §6), with the frames
    closest to it as evidence; not assessable when no ready stance was found."""
    rd = ctx.frames("ready")
    if not rd.any():  # before the tracking check: no frames are not "tracked in 0 %"
        reason = "no ready stance found"
        return metric(key, None, unit, "ready", family=family, view=ctx.view, reason=reason)
    val = nanmedian(values[rd])
    return metric(
        key,
        val,
        unit,
        "ready",
        family=family,
        view=ctx.view,
        confidence=confidence,
        frames=representative_frames(values, rd, val),
        qc=ctx.qc(landmarks, rd),
    )


# ---------------------------------------------------------------------------------------
# the context every metric family reads


@dataclass(frozen=True)
class MetricContext:
    """What the metric families read: scene, contacts, steps, phases, per-frame series.

    ``rep`` selects one rep (None pools every rep of the clip). ``series`` holds per-frame
    arrays computed once (knee flexion, trunk lean, hip height ratio, ...).
    """

    scene: Scene
    events: list[ContactEvent]
    stance: np.ndarray
    steps: list[Step]
    phases: list[Phase]
    series: dict[str, np.ndarray]
    rep: int | None = None
    qb_side: str | None = None
    capture_fps: float | None = None
    timings: tuple[Any, ...] = ()

    @property
    def view(self) -> ViewKind:
        """The camera view of the clip."""
        return self.scene.view.view

    def phase_list(self, kind: str) -> list[Phase]:
        """Phases of ``kind`` in the selected rep(s)."""
        return [
            p for p in self.phases if p.kind == kind and (self.rep is None or p.rep == self.rep)
        ]

    def frames(self, kind: str) -> np.ndarray:
        """(T,) bool: frames inside phases of ``kind`` (inclusive bounds)."""
        m = np.zeros(self.scene.n_frames, dtype=bool)
        for p in self.phase_list(kind):
            m[p.start_frame : p.end_frame + 1] = True
        return m

    def steps_in(self, kind: str) -> list[Step]:
        """Steps whose touchdown lies in a phase of ``kind``."""
        m = self.frames(kind)
        return [s for s in self.steps if m[s.touchdown_frame]]

    def touchdowns_in(self, kind: str) -> list[ContactEvent]:
        """Touchdowns inside phases of ``kind``."""
        m = self.frames(kind)
        return [e for e in self.events if e.kind == "touchdown" and m[e.frame]]

    def qc(
        self, landmarks: Sequence[int], frames: np.ndarray, *, min_visibility: float = 0.5
    ) -> float:
        """Share of landmark-frames that pass QC (finite, visibility >= 0.5; METRICS §10 ii)."""
        sel = np.asarray(frames, bool)
        if not sel.any():
            return 0.0
        xy = self.scene.p[sel][:, list(landmarks), 0]
        vis = self.scene.visibility[sel][:, list(landmarks)]
        return float(np.mean(np.isfinite(xy) & (vis >= min_visibility)))


def representative_frames(
    values: np.ndarray, frames_mask: np.ndarray, target: float, *, n: int = N_EVIDENCE_FRAMES
) -> tuple[int, ...]:
    """The ``n`` frames in ``frames_mask`` whose value is closest to ``target``."""
    idx = np.flatnonzero(np.asarray(frames_mask, bool) & np.isfinite(values))
    if not idx.size or not np.isfinite(target):
        return ()
    order = np.argsort(np.abs(values[idx] - target))[:n]
    return tuple(sorted(int(i) for i in idx[order]))


def extreme_frames(values: np.ndarray, frames_mask: np.ndarray) -> dict[str, float]:
    """Frames of the smallest and largest value in ``frames_mask`` (for ``details``)."""
    idx = np.flatnonzero(np.asarray(frames_mask, bool) & np.isfinite(values))
    if not idx.size:
        return {}
    return {
        "min_frame": float(idx[np.argmin(values[idx])]),
        "max_frame": float(idx[np.argmax(values[idx])]),
        "min": float(np.min(values[idx])),
        "max": float(np.max(values[idx])),
    }
