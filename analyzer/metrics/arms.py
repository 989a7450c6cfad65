"""Arm action (M10a-d) and arm-leg coordination (M11) — METRICS.md §7.

Side-view signals use the camera-side arm and leg, whose landmarks are about half as noisy as
the far side's.
"""

from __future__ import annotations

import itertools

import numpy as np

from analyzer import dsp
from analyzer import skeleton as sk
from analyzer.metrics.common import (
    MetricContext,
    inner_angle_deg,
    metric,
    midpoint,
    nanmedian,
    nanpercentile,
    pick_side,
    representative_frames,
)
from analyzer.results import MetricValue

_ARM_LM = (sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER, sk.LEFT_ELBOW, sk.RIGHT_ELBOW, sk.LEFT_WRIST,
           sk.RIGHT_WRIST)  # fmt: skip


def arm_angle_series(
    p: np.ndarray, facing: np.ndarray, side: np.ndarray, trunk_lean_deg: np.ndarray
) -> np.ndarray:
    """(T,) upper-arm angle to the trunk line, + = elbow in front (M10a):
    ``atan2(f (X_elbow - X_sh), Y_elbow - Y_sh) + phi_T``."""
    sh = pick_side(p, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER, side)
    el = pick_side(p, sk.LEFT_ELBOW, sk.RIGHT_ELBOW, side)
    f = np.where(facing == 0, np.nan, facing)
    return np.degrees(np.arctan2(f * (el[:, 0] - sh[:, 0]), el[:, 1] - sh[:, 1])) + trunk_lean_deg


def thigh_angle_series(p: np.ndarray, facing: np.ndarray, side: np.ndarray) -> np.ndarray:
    """(T,) thigh angle from vertical, + = knee in front (M11):
    ``atan2(f (X_knee - X_hip), Y_knee - Y_hip)``."""
    hip = pick_side(p, sk.LEFT_HIP, sk.RIGHT_HIP, side)
    knee = pick_side(p, sk.LEFT_KNEE, sk.RIGHT_KNEE, side)
    f = np.where(facing == 0, np.nan, facing)
    return np.degrees(np.arctan2(f * (knee[:, 0] - hip[:, 0]), knee[:, 1] - hip[:, 1]))


def _strides(ctx: MetricContext, phase: str) -> list[tuple[int, int]]:
    """Stride windows between consecutive touchdowns of the same (camera-side) foot."""
    tds = ctx.touchdowns_in(phase)
    near = "left" if ctx.scene.view.camera_side in (None, "left") else "right"
    fr = [e.frame for e in tds if e.foot == near]
    if len(fr) < 2:
        fr = [e.frame for e in tds][::2]
    return list(itertools.pairwise(fr))


def arm_metrics(
    ctx: MetricContext,
    *,
    phase: str = "backpedal",
    near_chest_fraction: float = 0.45,
    passive_amplitude_deg: float = 30.0,
) -> dict[str, MetricValue]:
    """M10a amplitude, M10b elbow angle, M10c hands at chest, M10d crossing, M11 coordination.

    Parameters
    ----------
    near_chest_fraction
        Wrist within this fraction of (upper arm + forearm) of the shoulder mid-point counts
        as "at the chest" (M10c: 0.45).
    passive_amplitude_deg
        Stride amplitude below which the arms count as passive (M10c: 30 deg).
    """
    alpha = ctx.series["arm_angle_deg"]
    m = ctx.frames(phase)
    strides = _strides(ctx, phase)
    amps = [nanpercentile(alpha[a:b], 95) - nanpercentile(alpha[a:b], 5) for a, b in strides]
    if not amps and m.sum() > 3:
        amps = [nanpercentile(alpha[m], 95) - nanpercentile(alpha[m], 5)]
    qc = ctx.qc(_ARM_LM, m)
    amp = nanmedian(amps) if amps else None
    out = {
        "arm_swing_deg": metric(
            "arm_swing_deg",
            amp,
            "deg",
            phase,
            family="arm_swing",
            view=ctx.view,
            per_step=amps,
            frames=[a for a, _ in strides][:3],
            qc=qc,
            reason="" if m.any() else "no backpedal found in the clip",
        )
    }
    p, side = ctx.series["_p_angles"], ctx.scene.near_side
    sh = pick_side(p, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER, side)
    el = pick_side(p, sk.LEFT_ELBOW, sk.RIGHT_ELBOW, side)
    wr = pick_side(p, sk.LEFT_WRIST, sk.RIGHT_WRIST, side)
    elbow = 180.0 - inner_angle_deg(sh, el, wr)
    ev = nanmedian(elbow[m]) if m.any() else None
    out["elbow_flexion_deg"] = metric(
        "elbow_flexion_deg",
        ev,
        "deg",
        phase,
        family="arm_swing",
        view=ctx.view,
        confidence="low",
        frames=representative_frames(elbow, m, ev or np.nan),
        qc=qc,
    )
    out["hands_at_chest_fraction"] = _hands_at_chest(
        ctx, m, strides, amps, sh, el, wr, near_chest_fraction, passive_amplitude_deg
    )
    out["arm_crossing_fraction"] = _crossing(ctx, phase, strides)
    out.update(_coordination(ctx, phase, amp, passive_amplitude_deg))
    return out


def _hands_at_chest(ctx, m, strides, amps, sh, el, wr, frac, passive):
    """M10c: share of frames with the wrist near the chest in a stride of small amplitude."""
    p = ctx.series["_p_angles"]
    s_mid = midpoint(p, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER)
    arm_len = nanmedian(np.linalg.norm(el - sh, axis=1) + np.linalg.norm(wr - el, axis=1))
    near = np.linalg.norm(wr - s_mid, axis=1) < frac * arm_len
    small = np.zeros(m.size, dtype=bool)
    for (a, b), amp in zip(strides, amps, strict=False):
        small[a:b] = amp < passive
    if not strides and amps:
        small[m] = amps[0] < passive
    sel = m & small & near
    val = float(sel.sum() / m.sum()) if m.sum() else None
    return metric(
        "hands_at_chest_fraction",
        val,
        "fraction",
        "backpedal",
        family="hands",
        view=ctx.view,
        frames=np.flatnonzero(sel)[:3].tolist(),
        qc=ctx.qc(_ARM_LM, m),
    )


def _crossing(ctx: MetricContext, phase: str, strides: list[tuple[int, int]]) -> MetricValue:
    """M10d (front view): share of strides in which a wrist crosses the body mid-line."""
    p = ctx.scene.p
    m = ctx.frames(phase)
    s_mid = midpoint(p, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER)[:, 0]
    # the athlete's left is on the side of the left shoulder
    left_dir = np.sign(p[:, sk.LEFT_SHOULDER, 0] - p[:, sk.RIGHT_SHOULDER, 0])
    cross_l = left_dir * (p[:, sk.LEFT_WRIST, 0] - s_mid) < 0
    cross_r = left_dir * (p[:, sk.RIGHT_WRIST, 0] - s_mid) > 0
    cross = (cross_l | cross_r) & m
    if not strides:
        w = max(2, int(0.6 * ctx.scene.fs))
        idx = np.flatnonzero(m)
        strides = [(int(i), int(i) + w) for i in idx[::w]] if idx.size else []
    hits = [bool(cross[a:b].any()) for a, b in strides]
    val = float(np.mean(hits)) if hits else None
    return metric(
        "arm_crossing_fraction",
        val,
        "fraction of swings",
        phase,
        family="arm_crossing",
        view=ctx.view,
        confidence="low",
        frames=np.flatnonzero(cross)[:3].tolist(),
        qc=ctx.qc(_ARM_LM, m),
    )


def _coordination(
    ctx: MetricContext, phase: str, amp: float | None, passive: float
) -> dict[str, MetricValue]:
    """M11: zero-lag correlation of camera-side arm and thigh angles, and relative phase."""
    m = ctx.frames(phase)
    idx = np.flatnonzero(m)
    a = ctx.series["arm_angle_deg"][idx]
    b = ctx.series["thigh_angle_deg"][idx]
    ok = np.isfinite(a) & np.isfinite(b)
    fs = ctx.scene.fs
    tds = [e.time_s for e in ctx.touchdowns_in(phase)]
    why = ""
    if idx.size < 1.0 * fs or ok.mean() < 0.9 or len(tds) < 4:
        why = "needs at least 3 strides of backpedal with the near arm and leg visible"
    elif amp is None or amp < passive:
        why = f"arm swing below {passive:.0f} deg: the arms are too passive to read coordination"
    r = phi = None
    if not why:
        a, b = (
            _band(np.interp(np.arange(idx.size), np.flatnonzero(ok), x[ok]), fs) for x in (a, b)
        )
        r = float(np.corrcoef(a, b)[0, 1])
        t_stride = 2.0 * float(np.median(np.diff(tds)))
        lags = np.arange(round(t_stride * fs))
        cc = [
            np.corrcoef(a[: a.size - k], b[k:])[0, 1] if k else np.corrcoef(a, b)[0, 1]
            for k in lags
            if a.size - k > 3
        ]
        # arm leads the thigh by tau: corr(alpha(t), beta(t + tau)) is maximal
        phi = float(360.0 * lags[int(np.nanargmax(cc))] / (t_stride * fs)) if cc else None
    return {
        "arm_leg_coordination_r": metric(
            "arm_leg_coordination_r",
            r,
            "r",
            phase,
            family="coordination",
            view=ctx.view,
            reason=why,
            qc=ctx.qc(_ARM_LM, m),
        ),
        "arm_leg_phase_deg": metric(
            "arm_leg_phase_deg",
            phi,
            "deg",
            phase,
            family="coordination",
            view=ctx.view,
            reason=why,
            qc=ctx.qc(_ARM_LM, m),
        ),
    }


def _band(x: np.ndarray, fs: float, lo_hz: float = 1.0, hi_hz: float = 6.0) -> np.ndarray:
    """Detrend and 1-6 Hz band-pass (METRICS §7 M11)."""
    x = dsp.detrend(x)
    hi = min(hi_hz, 0.45 * fs)
    b, a = dsp.butter(2, (lo_hz / (fs / 2), hi / (fs / 2)), btype="band")
    return dsp.filtfilt(b, a, x) if x.size > 15 else x
