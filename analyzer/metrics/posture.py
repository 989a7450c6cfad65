"""Posture metrics: hip height ratio (M1), knee flexion (M2), hip flexion (M3), trunk lean
(M4) and balance (M5a shoulder-over-knee index, M5b COM-over-base) — METRICS.md §7.

All side-view, 2D, in level pixel coordinates; single-leg values use the camera-side leg.
"""

from __future__ import annotations

import numpy as np

from analyzer import skeleton as sk
from analyzer.events.scene import Scene
from analyzer.events.view import STAND_OVER_LEG
from analyzer.metrics.common import (
    MetricContext,
    extreme_frames,
    metric,
    ready_metric,
    representative_frames,
)
from analyzer.numeric import (
    cap_cutoff,
    com_x_series,
    inner_angle_deg,
    lowpass,
    midpoint,
    nanmedian,
    pick_side,
)
from analyzer.processing.filtering import LIMB_CUTOFF_HZ
from analyzer.results import MetricValue

#: The sprint's trunk lean is read over its first 3 steps (METRICS §6 P3: "score the first
#: 3 steps").
SPRINT_STEPS = 3

_LEG_LM = (sk.LEFT_HIP, sk.RIGHT_HIP, sk.LEFT_KNEE, sk.RIGHT_KNEE, sk.LEFT_ANKLE, sk.RIGHT_ANKLE)
_TRUNK_LM = (sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER, sk.LEFT_HIP, sk.RIGHT_HIP)

# ---------------------------------------------------------------------------------------
# per-frame series


def angle_series(scene: Scene, *, cutoff_hz: float = LIMB_CUTOFF_HZ) -> np.ndarray:
    """Landmarks low-passed for joint angles (METRICS §3.3: 8 Hz, 6 Hz below 50 fps)."""
    return lowpass(scene.p, scene.fs, cap_cutoff(cutoff_hz, scene.fs))


def knee_flexion_series(p: np.ndarray, side: np.ndarray | int) -> np.ndarray:
    """(T,) knee flexion ``180 - angle(hip, knee, ankle)`` in degrees (M2); ``side`` 0/1 or
    per-frame array (camera-side leg)."""
    sd = np.broadcast_to(np.asarray(side), (p.shape[0],))
    hip = pick_side(p, sk.LEFT_HIP, sk.RIGHT_HIP, sd)
    knee = pick_side(p, sk.LEFT_KNEE, sk.RIGHT_KNEE, sd)
    ank = pick_side(p, sk.LEFT_ANKLE, sk.RIGHT_ANKLE, sd)
    return 180.0 - inner_angle_deg(hip, knee, ank)


def hip_flexion_series(p: np.ndarray, side: np.ndarray) -> np.ndarray:
    """(T,) hip flexion ``180 - angle(S, hip, knee)`` (M3)."""
    s = midpoint(p, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER)
    hip = pick_side(p, sk.LEFT_HIP, sk.RIGHT_HIP, side)
    knee = pick_side(p, sk.LEFT_KNEE, sk.RIGHT_KNEE, side)
    return 180.0 - inner_angle_deg(s, hip, knee)


def trunk_lean_series(p: np.ndarray, facing: np.ndarray) -> np.ndarray:
    """(T,) trunk lean ``atan2(f (X_S - X_H), Y_H - Y_S)`` in degrees, + = forward (M4)."""
    s = midpoint(p, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER)
    h = midpoint(p, sk.LEFT_HIP, sk.RIGHT_HIP)
    f = np.where(facing == 0, np.nan, facing)
    return np.degrees(np.arctan2(f * (s[:, 0] - h[:, 0]), h[:, 1] - s[:, 1]))


def hip_height_ratio_series(
    scene: Scene, p: np.ndarray, *, h_stand_px: float | None = None
) -> np.ndarray:
    """(T,) ``(Y_g(X_H) - Y_H) / h_stand`` with ``h_stand = 1.08 L`` (M1, METRICS §2)."""
    h = midpoint(p, sk.LEFT_HIP, sk.RIGHT_HIP)
    ref = h_stand_px or STAND_OVER_LEG * scene.leg_length_px
    return (scene.ground_y(h[:, 0]) - h[:, 1]) / ref


def shoulder_over_knee_series(p: np.ndarray, facing: np.ndarray, side: np.ndarray) -> np.ndarray:
    """(T,) ``SKI = f (X_S - X_Kmid) / |thigh|`` (M5a), thigh of the camera-side leg."""
    s = midpoint(p, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER)
    kmid = midpoint(p, sk.LEFT_KNEE, sk.RIGHT_KNEE)
    thigh = np.linalg.norm(
        pick_side(p, sk.LEFT_HIP, sk.RIGHT_HIP, side)
        - pick_side(p, sk.LEFT_KNEE, sk.RIGHT_KNEE, side),
        axis=1,
    )
    f = np.where(facing == 0, np.nan, facing)
    return f * (s[:, 0] - kmid[:, 0]) / nanmedian(thigh)


# ---------------------------------------------------------------------------------------
# metrics


def posture_metrics(ctx: MetricContext) -> dict[str, MetricValue]:
    """M1-M5 for the ready stance, the backpedal and the sprint (METRICS §7)."""
    out: dict[str, MetricValue] = {}
    out.update(_hip_height(ctx))
    out.update(_knee(ctx))
    out.update(_trunk(ctx))
    out.update(_balance(ctx))
    return out


def _median_metric(
    ctx: MetricContext,
    key: str,
    series: str,
    unit: str,
    phase: str,
    family: str,
    conf: str,
    landmarks: tuple[int, ...],
) -> MetricValue:
    """Median of a per-frame series over a phase, with representative frames as evidence."""
    v = ctx.series[series]
    m = ctx.frames(phase)
    if not m.any():
        return metric(
            key,
            None,
            unit,
            phase,
            family=family,
            view=ctx.view,
            reason=f"no {phase} phase found in the clip",
        )
    val = nanmedian(v[m])
    return metric(
        key,
        val,
        unit,
        phase,
        family=family,
        view=ctx.view,
        confidence=conf,  # type: ignore[arg-type]
        frames=representative_frames(v, m, val),
        details=extreme_frames(v, m),
        qc=ctx.qc(landmarks, m),
    )


def _hip_height(ctx: MetricContext) -> dict[str, MetricValue]:
    lm = (*_TRUNK_LM[2:], sk.LEFT_HEEL, sk.RIGHT_HEEL, sk.LEFT_TOE, sk.RIGHT_TOE)
    return {
        "hip_height_ratio": _median_metric(
            ctx,
            "hip_height_ratio",
            "hip_height_ratio",
            "ratio",
            "backpedal",
            "hip_height",
            "high",
            lm,
        ),
        "ready_hip_height_ratio": _median_metric(
            ctx,
            "ready_hip_height_ratio",
            "hip_height_ratio",
            "ratio",
            "ready",
            "hip_height",
            "high",
            lm,
        ),
    }


def _knee(ctx: MetricContext) -> dict[str, MetricValue]:
    """M2: P1 peak knee flexion per camera-side stance (median over steps); P0 median."""
    knee = ctx.series["knee_flexion_deg"]
    near = ctx.scene.near_side
    bp = ctx.frames("backpedal")
    peaks, frames = [], []
    for s, foot in enumerate(("left", "right")):
        for e in ctx.events:
            if e.kind != "touchdown" or e.foot != foot or not bp[e.frame] or near[e.frame] != s:
                continue
            end = e.frame
            while end + 1 < ctx.stance.shape[0] and ctx.stance[end + 1, s]:
                end += 1
            seg = knee[e.frame : end + 1]
            if np.isfinite(seg).any() and end > e.frame:
                peaks.append(float(np.nanmax(seg)))
                frames.append(e.frame + int(np.nanargmax(seg)))
    qc = ctx.qc(_LEG_LM, bp)
    val = nanmedian(peaks) if peaks else None
    det = {
        "cycle_mean_deg": float(np.nanmean(knee[bp])) if bp.any() else float("nan"),
        "n_stances": float(len(peaks)),
    }
    out = {
        "knee_flexion_deg": metric(
            "knee_flexion_deg",
            val,
            "deg",
            "backpedal",
            family="knee",
            view=ctx.view,
            per_step=peaks,
            frames=frames,
            details=det,
            qc=qc,
            reason="" if bp.any() else "no backpedal with camera-side stances found",
        )
    }
    both = 0.5 * (
        knee_flexion_series(ctx.series["_p_angles"], 0)
        + knee_flexion_series(ctx.series["_p_angles"], 1)
    )
    out["ready_knee_flexion_deg"] = ready_metric(
        ctx, "ready_knee_flexion_deg", both, "deg", family="knee", landmarks=_LEG_LM
    )
    out["hip_flexion_deg"] = _median_metric(
        ctx, "hip_flexion_deg", "hip_flexion_deg", "deg", "backpedal", "knee", "medium", _LEG_LM
    )
    return out


def _trunk(ctx: MetricContext) -> dict[str, MetricValue]:
    out = {
        "trunk_lean_deg": _median_metric(
            ctx, "trunk_lean_deg", "trunk_lean_deg", "deg", "backpedal", "trunk", "high", _TRUNK_LM
        ),
        "ready_trunk_lean_deg": _median_metric(
            ctx,
            "ready_trunk_lean_deg",
            "trunk_lean_deg",
            "deg",
            "ready",
            "trunk",
            "high",
            _TRUNK_LM,
        ),
    }
    # P3: median over the first 3 sprint steps (from T1 to the 4th sprint touchdown)
    lean = ctx.series["trunk_lean_deg"]
    sp = ctx.frames("sprint")
    tds = [e.frame for e in ctx.touchdowns_in("sprint")]
    m = sp.copy()
    if len(tds) >= SPRINT_STEPS + 1:
        m[tds[3] + 1 :] = False
    val = nanmedian(lean[m]) if m.any() else None
    out["sprint_trunk_lean_deg"] = metric(
        "sprint_trunk_lean_deg",
        val,
        "deg",
        "sprint",
        family="trunk",
        view=ctx.view,
        confidence="high",
        frames=representative_frames(lean, m, val if val else np.nan),
        qc=ctx.qc(_TRUNK_LM, m),
        reason="" if m.any() else "no sprint after a transition found",
    )
    return out


def _balance(ctx: MetricContext) -> dict[str, MetricValue]:
    """M5a SKI (P1 stance mean; P0 median) and M5b COM-over-base index (P0)."""
    ski = ctx.series["shoulder_over_knee_index"]
    bp = ctx.frames("backpedal") & ctx.stance.any(axis=1)
    lm = (*_TRUNK_LM, sk.LEFT_KNEE, sk.RIGHT_KNEE)
    val = float(np.nanmean(ski[bp])) if bp.any() and np.isfinite(ski[bp]).any() else None
    out = {
        "shoulder_over_knee_index": metric(
            "shoulder_over_knee_index",
            val,
            "thigh lengths",
            "backpedal",
            family="balance",
            view=ctx.view,
            frames=representative_frames(ski, bp, val if val is not None else np.nan),
            details=extreme_frames(ski, bp),
            qc=ctx.qc(lm, bp),
        )
    }
    out["ready_shoulder_over_knee_index"] = _median_metric(
        ctx,
        "ready_shoulder_over_knee_index",
        "shoulder_over_knee_index",
        "thigh lengths",
        "ready",
        "balance",
        "medium",
        lm,
    )
    p = ctx.series["_p_angles"]
    f = ctx.scene.facing.astype(float)
    heel = 0.5 * (p[:, sk.LEFT_HEEL, 0] + p[:, sk.RIGHT_HEEL, 0])
    toe = 0.5 * (p[:, sk.LEFT_TOE, 0] + p[:, sk.RIGHT_TOE, 0])
    with np.errstate(all="ignore"):
        bi = f * (com_x_series(p) - heel) / (f * (toe - heel))
    out["com_over_base_index"] = ready_metric(
        ctx, "com_over_base_index", bi, "heel-to-toe fraction", family="balance", landmarks=lm,
        confidence="low",
    )  # fmt: skip
    return out
