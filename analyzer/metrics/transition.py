"""Transition (M13a-e, g), backpedal speed and distance (M14) and ready-stance bounce (M15)
— METRICS.md §7. Computed per rep from the rep's key frames; pooled values are medians over
reps.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from analyzer import skeleton as sk
from analyzer.events.phases import RepTiming
from analyzer.metrics.common import MetricContext, lower, metric
from analyzer.numeric import derivative, lowpass, nanmedian
from analyzer.results import MetricValue

_HIP_LM = (sk.LEFT_HIP, sk.RIGHT_HIP)


@dataclass(frozen=True)
class TransitionParams:
    """Parameters of the transition, speed and bounce metrics (METRICS §7 M13-M15).

    Attributes
    ----------
    leg_cv_limit
        Variation of the pixel leg length above which speed and distance are degraded
        (METRICS §2: the athlete is not moving parallel to the image plane; 5 %).
    bounce_window_s, bounce_cutoff_hz, min_ready_frames
        M15 reads the last 0.5 s of the ready stance (METRICS M15), on the mid-hip height
        low-passed at the trunk cut-off (6 Hz, §3.3 step 6); a ready stance of fewer than 3
        frames is not measured.
    distance_cutoff_hz
        M14 distance: hip x low-passed at 4 Hz (below the step rate, so the distance is the
        hips' travel, not the sway within a step [EJ]).
    high_confidence_fps
        M13a transition time is "high" confidence from 60 fps (59 allows 59.94 fps NTSC
        footage; at 30 fps one frame is 33 ms of a ~0.3-0.6 s transition, METRICS §1.4).
    yaw_rate_margin_s
        The peak body-yaw rate (M13e) is searched from 0.2 s before T0 to 0.2 s after T1
        (the 2 Hz yaw smears the turn by about that much).
    default_step_s, min_step_s, max_step_s, min_step_touchdowns
        Backpedal step time for the speed-retention average: the median touchdown interval
        (needs 3 touchdowns), clipped to 0.15-0.5 s; 0.26 s (3.8 steps/s, the middle of the
        M7 good band) otherwise.
    """

    leg_cv_limit: float = 0.05
    bounce_window_s: float = 0.5
    bounce_cutoff_hz: float = 6.0
    min_ready_frames: int = 3
    distance_cutoff_hz: float = 4.0
    high_confidence_fps: float = 59.0
    yaw_rate_margin_s: float = 0.2
    default_step_s: float = 0.26
    min_step_s: float = 0.15
    max_step_s: float = 0.5
    min_step_touchdowns: int = 3


def transition_metrics(
    ctx: MetricContext, *, params: TransitionParams | None = None
) -> dict[str, MetricValue]:
    """M13, M14 and M15 for the selected rep (or pooled over reps), with the parameters of
    ``params`` (:class:`TransitionParams`; its defaults when None)."""
    prm = params or TransitionParams()
    reps = [t for t in ctx.timings if ctx.rep is None or t.rep == ctx.rep]
    per_rep = [_one_rep(ctx, t, prm) for t in reps]
    keys = (
        "transition_time_s",
        "transition_contacts",
        "speed_retention",
        "break_time_s",
        "hip_rise",
        "body_yaw_rate_deg_per_s",
        "turn_onset_s",
        "backpedal_speed_m_per_s",
        "backpedal_speed_leg_lengths_per_s",
        "backpedal_distance_m",
        "backpedal_distance_leg_lengths",
    )
    out: dict[str, MetricValue] = {}
    for k in keys:
        vals = [r[k] for r in per_rep if k in r]
        if k == "turn_onset_s":  # a time stamp: the first rep's, not a median over reps
            vals = vals[:1]
        out[k] = _pool(vals) if vals else _missing(ctx, k)
    if ctx.scene.leg_length_cv > prm.leg_cv_limit:
        for k in ("backpedal_speed_m_per_s", "backpedal_distance_m", "step_length_m"):
            if k in out and out[k].assessable:
                out[k] = replace(
                    out[k],
                    support="degraded",
                    confidence=lower(out[k].confidence),
                    reason="the athlete's size in the image varies by "
                    f"{100 * ctx.scene.leg_length_cv:.0f}%: film square to the path",
                )
    out["ready_bounce_leg_lengths_per_s"] = _bounce(ctx, prm)
    return out


_UNITS = {
    "transition_time_s": ("s", "transition_time"),
    "transition_contacts": ("count", "transition_time"),
    "speed_retention": ("ratio", "speed_retention"),
    "break_time_s": ("s", "speed_retention"),
    "hip_rise": ("ratio", "hip_rise"),
    "body_yaw_rate_deg_per_s": ("deg/s", "descriptive"),
    "turn_onset_s": ("s", "transition_time"),
    "backpedal_speed_m_per_s": ("m/s", "speed"),
    "backpedal_speed_leg_lengths_per_s": ("leg lengths/s", "speed"),
    "backpedal_distance_m": ("m", "speed"),
    "backpedal_distance_leg_lengths": ("leg lengths", "speed"),
}


def _phase_of(key: str) -> str:
    return "backpedal" if key.startswith("backpedal") else "transition"


def _missing(ctx: MetricContext, key: str) -> MetricValue:
    unit, fam = _UNITS[key]
    why = (
        "no backpedal found in the clip"
        if key.startswith("backpedal")
        else "no transition (turn or break) found after the backpedal: include the turn and "
        "3 sprint steps in the clip"
    )
    return metric(key, None, unit, _phase_of(key), family=fam, view=ctx.view, reason=why)


def _pool(vals: list[MetricValue]) -> MetricValue:
    """Median over reps of assessable values; the first rep's evidence frames."""
    ok = [v for v in vals if v.assessable and v.value is not None]
    if not ok:
        return vals[0]
    if len(ok) == 1:
        return ok[0]
    med = float(np.median([v.value for v in ok]))
    frames = tuple(f for v in ok for f in v.frames)
    per_step = tuple(float(v.value) for v in ok if v.value is not None)
    return replace(ok[0], value=med, per_step=per_step, frames=frames)


def _m(
    ctx: MetricContext,
    key: str,
    value: float | None,
    *,
    frames=(),
    conf="medium",
    reason: str = "",
    details: dict | None = None,
    qc: float = 1.0,
) -> MetricValue:
    unit, fam = _UNITS[key]
    return metric(
        key,
        value,
        unit,
        _phase_of(key),
        family=fam,
        view=ctx.view,
        confidence=conf,
        frames=frames,
        reason=reason,
        details=details,
        qc=qc,
    )


def _one_rep(ctx: MetricContext, tm: RepTiming, prm: TransitionParams) -> dict[str, MetricValue]:
    """M13/M14 values of one rep."""
    out, vb, v_bp = _backpedal_speed(ctx, tm, prm)
    if tm.t0 is not None:
        out.update(_transition(ctx, tm, vb, v_bp, prm))
    return out


def _backpedal_speed(
    ctx: MetricContext, tm: RepTiming, prm: TransitionParams
) -> tuple[dict[str, MetricValue], np.ndarray, float]:
    """M14: backpedal speed (median |V_x(H)|) and distance, in L and (with a scale) metres."""
    sc = ctx.scene
    bp_end = tm.t0 if tm.t0 is not None else tm.end
    travel0 = -sc.facing[tm.backpedal_start] or -1
    vb = travel0 * np.nan_to_num(sc.speed_leg_per_s)  # speed along the backpedal, L/s
    bp = slice(tm.backpedal_start, max(tm.backpedal_start + 1, bp_end))
    v_bp = float(np.median(np.abs(vb[bp])))
    hip_x = lowpass(sc.hip()[:, 0], sc.fs, prm.distance_cutoff_hz)
    dist_leg = abs(hip_x[bp][-1] - hip_x[bp][0]) / sc.leg_length_px
    s_leg = sc.scale_m_per_px * sc.leg_length_px if sc.scale_m_per_px else None
    why = "" if s_leg else "enter the athlete's height (athlete_height_m) for metres"
    if ctx.view in ("front", "rear"):
        # the radial speed of a front/back view needs the camera distance: not measured here
        v_bp = dist_leg = float("nan")
        why = "film from the side to measure backpedal speed and distance"
    mask = np.zeros(sc.n_frames, bool)
    mask[bp] = True
    kw: dict[str, Any] = {"frames": (tm.backpedal_start, bp_end), "qc": ctx.qc(_HIP_LM, mask)}
    out = {
        "backpedal_speed_leg_lengths_per_s": _m(ctx, "backpedal_speed_leg_lengths_per_s",
                                                v_bp, **kw),
        "backpedal_distance_leg_lengths": _m(ctx, "backpedal_distance_leg_lengths", dist_leg, **kw),
        "backpedal_speed_m_per_s": _m(ctx, "backpedal_speed_m_per_s",
                                      v_bp * s_leg if s_leg else None, reason=why, **kw),
        "backpedal_distance_m": _m(ctx, "backpedal_distance_m",
                                   dist_leg * s_leg if s_leg else None, reason=why, **kw),
    }  # fmt: skip
    return out, vb, v_bp


def _transition(
    ctx: MetricContext, tm: RepTiming, vb: np.ndarray, v_bp: float, prm: TransitionParams
) -> dict[str, MetricValue]:
    """M13a-e for a rep with a transition (T0 known; T1 may be missing)."""
    sc, fs, t = ctx.scene, ctx.scene.fs, ctx.scene.times_s
    assert tm.t0 is not None
    t0 = tm.t0
    t1 = tm.t1 if tm.t1 is not None else tm.end
    out: dict[str, MetricValue] = {}
    if tm.t1 is not None:
        # M13b counts the touchdowns in [T0, T1], both ends included (METRICS §7)
        n_td = sum(1 for e in ctx.events if e.kind == "touchdown" and t0 <= e.frame <= t1)
        # a T0 / T1 standing in for a missed touchdown is a contact too
        n_td += int(tm.t0_inferred) + int(tm.t1_inferred)
        conf = "high" if fs >= prm.high_confidence_fps else "medium"
        det = {"t0_s": t[t0], "t1_s": t[t1]}
        out["transition_time_s"] = _m(
            ctx, "transition_time_s", float(t[t1] - t[t0]), frames=(t0, t1), conf=conf, details=det
        )
        out["transition_contacts"] = _m(ctx, "transition_contacts", float(n_td), frames=(t0, t1))
    if tm.turn_onset is not None:
        out["turn_onset_s"] = _m(
            ctx,
            "turn_onset_s",
            float(t[tm.turn_onset]),
            frames=(tm.turn_onset,),
            conf="medium" if sc.yaw_deg is not None else "low",
        )
    out.update(_speed_kept(ctx, tm, vb, v_bp, t1, prm))
    hhr = ctx.series["hip_height_ratio"]
    seg = hhr[t0 : t1 + 1]
    ok = t1 > t0 and np.isfinite(seg).any()
    rise = float(np.nanmax(seg) - nanmedian(hhr[tm.backpedal_start : t0])) if ok else None
    out["hip_rise"] = _m(ctx, "hip_rise", rise, frames=(t0 + int(np.nanargmax(seg)),) if ok else ())
    if sc.yaw_deg is not None:
        rate = np.abs(derivative(sc.yaw_deg, t))
        margin = int(prm.yaw_rate_margin_s * fs)
        lo, hi = max(0, t0 - margin), min(sc.n_frames, t1 + margin + 1)
        seg = rate[lo:hi]
        pk = float(np.nanmax(seg)) if np.isfinite(seg).any() else None
        out["body_yaw_rate_deg_per_s"] = _m(
            ctx,
            "body_yaw_rate_deg_per_s",
            pk,
            conf="low",
            frames=(lo + int(np.nanargmax(seg)),) if pk else (),
        )
    return out  # fmt: skip


def _speed_kept(
    ctx: MetricContext,
    tm: RepTiming,
    vb: np.ndarray,
    v_bp: float,
    t1: int,
    prm: TransitionParams,
) -> dict[str, MetricValue]:
    """M13c: speed retention (turn-and-run) or break time (break forward).

    Speed retention is the lowest *step-averaged* hip speed in P2 (a centred moving average
    over one backpedal step time) over the median speed of the last second of P1. The spec's
    ``min |v_H|`` on the 4 Hz hip speed reads the within-step surges and the apparent shift of
    the 2D mid-hip while the pelvis rotates through the flip (landmarks sit on the body's
    outline, not the joint centres) as lost speed: on rendered clips it read 0.16-0.54 for a
    true 0.85. Averaging over a step keeps a real slowdown (a slow flip loses speed over
    several steps) and drops the within-step artefacts.
    """
    _sc, fs, t = ctx.scene, ctx.scene.fs, ctx.scene.times_s
    assert tm.t0 is not None  # only called from _transition, for a rep with T0 known
    out: dict[str, MetricValue] = {}
    if tm.kind == "turn_and_run" and t1 > tm.t0:
        last = slice(max(tm.backpedal_start, tm.t0 - int(1.0 * fs)), tm.t0 + 1)
        ref = float(np.median(np.abs(vb[last])))
        step_s = _step_time_s(ctx, tm, prm)
        # untracked frames stay NaN (``vb`` has them as 0, which would read as a stop)
        speed = np.abs(np.asarray(ctx.scene.speed_leg_per_s, float))
        seg = _moving_average(speed, max(1, round(step_s * fs)))[tm.t0 : t1 + 1]
        ok = np.isfinite(seg).any() and ref > 0
        val = float(np.nanmin(seg) / ref) if ok else None
        out["speed_retention"] = _m(
            ctx,
            "speed_retention",
            val,
            frames=(tm.t0 + int(np.nanargmin(seg)),) if ok else (),
            details={"step_time_s": step_s},
        )
    elif tm.kind == "break_forward":
        i0 = np.flatnonzero(vb[: t1 + 1] >= 0.5 * v_bp)
        after = np.flatnonzero(vb[tm.t0 :] <= -0.5 * v_bp)
        if i0.size and after.size:
            a = (
                int(i0[i0 <= tm.t0 + after[0]][-1])
                if (i0 <= tm.t0 + after[0]).any()
                else int(i0[-1])
            )
            b = tm.t0 + int(after[0])
            out["break_time_s"] = _m(ctx, "break_time_s", float(t[b] - t[a]), frames=(a, b))
    return out


def _step_time_s(ctx: MetricContext, tm: RepTiming, prm: TransitionParams) -> float:
    """Median backpedal step time (touchdown to touchdown) of the rep, clipped to
    [``min_step_s``, ``max_step_s``]; ``default_step_s`` when fewer than
    ``min_step_touchdowns`` touchdowns were found."""
    end = tm.t0 if tm.t0 is not None else tm.end
    tds = sorted(e.frame for e in ctx.events
                 if e.kind == "touchdown" and tm.backpedal_start <= e.frame <= end)  # fmt: skip
    if len(tds) < prm.min_step_touchdowns:
        return prm.default_step_s
    dt = np.diff(ctx.scene.times_s[np.asarray(tds)])
    return float(np.clip(np.median(dt), prm.min_step_s, prm.max_step_s))


def _moving_average(x: np.ndarray, n: int) -> np.ndarray:
    """Centred moving average over ``n`` frames (shorter at the ends; NaN-aware)."""
    if n <= 1:
        return x.astype(float)
    ok = np.isfinite(x)
    k = np.ones(n)
    num = np.convolve(np.where(ok, x, 0.0), k, mode="same")
    den = np.convolve(ok.astype(float), k, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _bounce(ctx: MetricContext, prm: TransitionParams) -> MetricValue:
    """M15: RMS of hip vertical velocity over the last ``bounce_window_s`` of the ready
    stance, in L/s."""
    rd = ctx.frames("ready")
    idx = np.flatnonzero(rd)
    sc = ctx.scene
    if idx.size < prm.min_ready_frames:
        return metric(
            "ready_bounce_leg_lengths_per_s",
            None,
            "leg lengths/s",
            "ready",
            family="descriptive",
            view=ctx.view,
            reason="no ready stance found",
        )
    idx = idx[sc.times_s[idx] >= sc.times_s[idx[-1]] - prm.bounce_window_s]
    hip_y = 0.5 * (sc.p[:, sk.LEFT_HIP, 1] + sc.p[:, sk.RIGHT_HIP, 1])
    y = lowpass(hip_y, sc.fs, prm.bounce_cutoff_hz)
    vy = derivative(y, sc.times_s)[idx] / sc.leg_length_px
    val = float(np.sqrt(np.nanmean(vy**2))) if np.isfinite(vy).any() else None
    return metric(
        "ready_bounce_leg_lengths_per_s",
        val,
        "leg lengths/s",
        "ready",
        family="descriptive",
        view=ctx.view,
        confidence="low",
        frames=(int(idx[0]), int(idx[-1])),
    )
