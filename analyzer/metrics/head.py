"""Head orientation (M12): pitch in the side view, yaw in the front view — METRICS.md §7.

Gaze cannot be measured from pose; these are head *orientation* proxies.
"""

from __future__ import annotations

import numpy as np

from analyzer import skeleton as sk
from analyzer.metrics.common import (
    MetricContext,
    metric,
    midpoint,
    nanmedian,
    pick_side,
    representative_frames,
    runs,
)
from analyzer.results import MetricValue

_HEAD_LM = (sk.NOSE, sk.LEFT_EYE, sk.RIGHT_EYE, sk.LEFT_EAR, sk.RIGHT_EAR)
#: Nose protrusion over ear-to-ear width of the cylinder head model (M12b, [EJ]).
NOSE_OVER_HEAD_WIDTH = 0.6


def head_pitch_series(p: np.ndarray, facing: np.ndarray, side: np.ndarray) -> np.ndarray:
    """(T,) ``atan2(Y_ear - Y_eye, f (X_eye - X_ear))``, + = chin up (M12a), camera side."""
    eye = pick_side(p, sk.LEFT_EYE, sk.RIGHT_EYE, side)
    ear = pick_side(p, sk.LEFT_EAR, sk.RIGHT_EAR, side)
    f = np.where(facing == 0, np.nan, facing)
    return np.degrees(np.arctan2(ear[:, 1] - eye[:, 1], f * (eye[:, 0] - ear[:, 0])))


def head_yaw_2d_series(p: np.ndarray) -> np.ndarray:
    """(T,) front-view head yaw ``atan(q / 0.6)``, q = (X_nose - X_ear,mid) / |X7 - X8|;
    + = turned to the athlete's left (M12b)."""
    ear = midpoint(p, sk.LEFT_EAR, sk.RIGHT_EAR)
    width = p[:, sk.LEFT_EAR, 0] - p[:, sk.RIGHT_EAR, 0]  # > 0 facing the camera
    with np.errstate(invalid="ignore", divide="ignore"):
        q = (p[:, sk.NOSE, 0] - ear[:, 0]) / np.abs(width)
    q = q * np.sign(width)
    return np.degrees(np.arctan(q / NOSE_OVER_HEAD_WIDTH))


def head_yaw_world_series(world: np.ndarray) -> np.ndarray:
    """(T,) yaw of the ear-mid -> nose vector from world landmarks, 0 = toward the camera,
    + = toward image-right (fallback of M12b)."""
    v = world[:, sk.NOSE] - midpoint(world, sk.LEFT_EAR, sk.RIGHT_EAR)
    return np.degrees(np.arctan2(v[:, 0], -v[:, 2]))


def head_metrics(
    ctx: MetricContext,
    *,
    phase: str = "backpedal",
    on_target_deg: float = 15.0,
    qb_turn_deg: float = 30.0,
) -> dict[str, MetricValue]:
    """M12a head pitch (side) and M12b head yaw on target / turned to the QB (front).

    Parameters
    ----------
    on_target_deg
        |yaw| below this counts as looking at the camera (= the receiver) (M12b: 15 deg).
    qb_turn_deg
        Yaw toward the configured QB side beyond this counts as watching the QB (30 deg).
    """
    m = ctx.frames(phase)
    qc = ctx.qc(_HEAD_LM, m)
    pitch = ctx.series["head_pitch_deg"]
    pv = nanmedian(pitch[m]) if m.any() else None
    rd = ctx.frames("ready")
    det = {
        "share_below_minus_25": float(np.mean(pitch[m] < -25.0)) if m.any() else None,
        "ready_deg": nanmedian(pitch[rd]) if rd.any() else None,
    }
    low_frames = np.flatnonzero(m & (pitch < -25.0))[:3].tolist()
    out = {
        "head_pitch_deg": metric(
            "head_pitch_deg",
            pv,
            "deg",
            phase,
            family="head_pitch",
            view=ctx.view,
            confidence="low",
            details=det,
            qc=qc,
            frames=low_frames or list(representative_frames(pitch, m, pv or np.nan)),
            reason="" if m.any() else "no backpedal found in the clip",
        )
    }
    yaw = ctx.series["head_yaw_deg"]
    on = np.abs(yaw) < on_target_deg
    val = float(np.mean(on[m])) if m.any() else None
    out["head_yaw_on_target_fraction"] = metric(
        "head_yaw_on_target_fraction",
        val,
        "fraction",
        phase,
        family="head_yaw",
        view=ctx.view,
        confidence="low",
        frames=np.flatnonzero(m & ~on)[:3].tolist(),
        qc=qc,
    )
    out["head_turned_to_qb_max_s"] = _qb(ctx, m, yaw, qb_turn_deg, qc)
    return out


def _qb(ctx: MetricContext, m: np.ndarray, yaw: np.ndarray, limit: float, qc: float) -> MetricValue:
    """Longest continuous time in the phase with the head turned > 30 deg toward the QB."""
    if ctx.qb_side not in ("left", "right"):
        return metric(
            "head_turned_to_qb_max_s",
            None,
            "s",
            "backpedal",
            family="head_yaw",
            view=ctx.view,
            reason="set the quarterback side (qb_side='left' or 'right') and film from the front",
        )
    sign = 1.0 if ctx.qb_side == "left" else -1.0
    turned = m & (sign * yaw > limit)
    best, frames = 0.0, []
    for a, b in runs(turned):
        d = float(ctx.scene.times_s[b - 1] - ctx.scene.times_s[a]) + 1.0 / ctx.scene.fs
        if d > best:
            best, frames = d, [a, (a + b) // 2, b - 1]
    return metric(
        "head_turned_to_qb_max_s",
        best if m.any() else None,
        "s",
        "backpedal",
        family="head_yaw",
        view=ctx.view,
        confidence="low",
        frames=frames,
        qc=qc,
    )
