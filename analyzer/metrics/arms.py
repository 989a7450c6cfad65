"""Arm action (M10a-d) and arm-leg coordination (M11) — METRICS.md §7.

Side-view signals use the camera-side arm and leg, whose landmarks are about half as noisy as
the far side's; the QC gate (METRICS §10 ii) of the side-view metrics counts only those
landmarks (:func:`near_qc`), since BlazePose reports the far elbow and wrist at visibility
0.1-0.3 in a side view and cleaning removes them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import signal

from analyzer import skeleton as sk
from analyzer.dsp import default_padlen
from analyzer.metrics.common import MetricContext, metric, representative_frames
from analyzer.numeric import inner_angle_deg, midpoint, nanmedian, nanpercentile, pick_side, runs
from analyzer.results import MetricValue

_ARM_LM = (sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER, sk.LEFT_ELBOW, sk.RIGHT_ELBOW, sk.LEFT_WRIST,
           sk.RIGHT_WRIST)  # fmt: skip
#: (left, right) landmark pairs read on the camera side only.
_NEAR_ARM = ((sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER), (sk.LEFT_ELBOW, sk.RIGHT_ELBOW))
_NEAR_HAND = (*_NEAR_ARM, (sk.LEFT_WRIST, sk.RIGHT_WRIST))
_NEAR_LEG = ((sk.LEFT_HIP, sk.RIGHT_HIP), (sk.LEFT_KNEE, sk.RIGHT_KNEE))
#: The swing amplitude of a stride is the 5th-95th percentile range of the arm angle (robust
#: to single-frame spikes, METRICS §7 M10a).
AMPLITUDE_PERCENTILES = (5, 95)


@dataclass(frozen=True)
class ArmParams:
    """Parameters of the arm metrics (METRICS §7 M10-M11).

    Attributes
    ----------
    near_chest_fraction
        Wrist within this fraction of (upper arm + forearm) of the shoulder mid-point counts
        as "at the chest" (M10c: 0.45).
    passive_amplitude_deg
        Stride amplitude below which the arms count as passive (M10c: 30 deg); M11 is
        scored only above it (M11 pitfalls).
    min_phase_frames
        Without complete strides, the amplitude is read over the whole phase when it has
        more than 3 frames.
    crossing_max_body_yaw_deg, crossing_min_tracked, swing_window_s
        M10d counts frames with the body within 20 deg of square to the camera, judges a
        swing when both wrists were tracked in 0.6 of its frames, and without touchdowns
        cuts the phase into 0.6 s swings (about one step at 3.8 steps/s with margin) [EJ].
    coordination_max_gap_s, coordination_min_tracked, coordination_min_touchdowns
        M11 bridges gaps of the arm and thigh angles up to 0.07 s (an eighth of a stride)
        when at least 0.9 of the frames were tracked, and needs 4 touchdowns (3 strides).
    band_hz, band_max_fraction_fs
        M11's band-pass (1-6 Hz, METRICS §7 M11), its upper edge capped at 0.45 x fs (below
        Nyquist).
    """

    near_chest_fraction: float = 0.45
    passive_amplitude_deg: float = 30.0
    min_phase_frames: int = 3
    crossing_max_body_yaw_deg: float = 20.0
    crossing_min_tracked: float = 0.6
    swing_window_s: float = 0.6
    coordination_max_gap_s: float = 0.07
    coordination_min_tracked: float = 0.9
    coordination_min_touchdowns: int = 4
    band_hz: tuple[float, float] = (1.0, 6.0)
    band_max_fraction_fs: float = 0.45


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


def near_qc(ctx: MetricContext, pairs: tuple[tuple[int, int], ...], frames: np.ndarray) -> float:
    """QC share (METRICS §10 ii) of the camera-side landmarks of ``pairs`` in ``frames``.

    Side-view arm metrics read the camera-side arm only (METRICS §7 M10: "the far arm is
    often occluded -> camera-side arm only"), so the far arm's visibility must not gate them.
    In front and rear views every landmark of the pairs counts.
    """
    flat = [i for pair in pairs for i in pair]
    if ctx.view in ("front", "rear"):
        return ctx.qc(flat, frames)
    sel = np.asarray(frames, bool)
    if not sel.any():
        return 0.0
    side = ctx.scene.near_side[sel]
    ok = []
    for li, ri in pairs:
        xy = pick_side(ctx.scene.p[sel], li, ri, side)[:, 0]
        vis = np.where(side == 0, ctx.scene.visibility[sel][:, li],
                       ctx.scene.visibility[sel][:, ri])  # fmt: skip
        ok.append(np.isfinite(xy) & (vis >= 0.5))
    return float(np.mean(ok))


def _strides(ctx: MetricContext, phase: str) -> list[tuple[int, int]]:
    """Stride windows ``[a, b)`` from a touchdown of the (camera-side) foot up to and
    including its next touchdown.

    Including the closing touchdown gives a whole cycle of samples (17 at 30 fps and
    3.8 steps/s instead of 16), so P95-P5 of a stride loses less of the swing's peaks.
    """
    tds = ctx.touchdowns_in(phase)
    near = "left" if ctx.scene.view.camera_side in (None, "left") else "right"
    fr = [e.frame for e in tds if e.foot == near]
    if len(fr) < 2:
        fr = [e.frame for e in tds][::2]
    return [(a, min(b + 1, ctx.scene.n_frames)) for a, b in itertools.pairwise(fr)]


def arm_metrics(
    ctx: MetricContext,
    *,
    phase: str = "backpedal",
    params: ArmParams | None = None,
) -> dict[str, MetricValue]:
    """M10a amplitude, M10b elbow angle, M10c hands at chest, M10d crossing, M11 coordination,
    with the parameters of ``params`` (:class:`ArmParams`; its defaults when None)."""
    prm = params or ArmParams()
    alpha = ctx.series["arm_angle_deg"]
    m = ctx.frames(phase)
    strides = _strides(ctx, phase)
    amps = [_amplitude(alpha[a:b]) for a, b in strides]
    if not amps and m.sum() > prm.min_phase_frames:
        amps = [_amplitude(alpha[m])]
    qc = near_qc(ctx, _NEAR_ARM, m)
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
        qc=near_qc(ctx, _NEAR_HAND, m),
    )
    out["hands_at_chest_fraction"] = _hands_at_chest(
        ctx, m, strides, amps, sh, el, wr, prm.near_chest_fraction, prm.passive_amplitude_deg
    )
    out["arm_crossing_fraction"] = _crossing(ctx, phase, prm)
    # M11 is scored only on an assessed M10a >= 30 deg (METRICS §7 M11 pitfalls)
    swing = out["arm_swing_deg"]
    out.update(_coordination(ctx, phase, swing.value if swing.assessable else None, prm))
    return out


def _amplitude(alpha: np.ndarray) -> float:
    """Swing amplitude of an arm-angle stretch (:data:`AMPLITUDE_PERCENTILES` range)."""
    lo, hi = AMPLITUDE_PERCENTILES
    return nanpercentile(alpha, hi) - nanpercentile(alpha, lo)


def _hands_at_chest(
    ctx: MetricContext,
    m: np.ndarray,
    strides: list[tuple[int, int]],
    amps: list[float],
    sh: np.ndarray,
    el: np.ndarray,
    wr: np.ndarray,
    frac: float,
    passive: float,
) -> MetricValue:
    """M10c: share of the phase frames with the (camera-side) wrist near the chest in a
    stride of small amplitude.

    The share is taken over the frames in which the wrist and both shoulders were tracked:
    a wrist held against the chest is often reported with low visibility (and removed by
    cleaning), and an untracked frame is unknown, not "away from the chest".
    """
    p = ctx.series["_p_angles"]
    s_mid = midpoint(p, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER)
    arm_len = nanmedian(np.linalg.norm(el - sh, axis=1) + np.linalg.norm(wr - el, axis=1))
    dist = np.linalg.norm(wr - s_mid, axis=1)
    seen = m & np.isfinite(dist)
    near = seen & (dist < frac * arm_len)
    # frames outside a complete stride (before the first, after the last) follow the median
    small = np.full(m.size, bool(amps) and nanmedian(amps) < passive)
    for (a, b), amp in zip(strides, amps, strict=False):
        small[a:b] = amp < passive
    sel = near & small
    val = float(sel.sum() / seen.sum()) if seen.sum() else None
    return metric(
        "hands_at_chest_fraction",
        val,
        "fraction",
        "backpedal",
        family="hands",
        view=ctx.view,
        frames=np.flatnonzero(sel)[:3].tolist(),
        details={"frames_tracked": float(seen.sum()), "frames_in_phase": float(m.sum())},
        qc=near_qc(ctx, _NEAR_HAND, m),
    )


def square_frames(ctx: MetricContext, m: np.ndarray, max_yaw_deg: float) -> np.ndarray:
    """Frames of ``m`` with the body turned at most ``max_yaw_deg`` from the camera axis
    (world-landmark body yaw, METRICS §4 step 5); all of ``m`` without world landmarks."""
    yaw = ctx.scene.yaw_deg
    if yaw is None or not np.isfinite(yaw[m]).any():
        return m
    wrapped = (np.asarray(yaw, float) + 180.0) % 360.0 - 180.0
    facing_away = np.abs(wrapped) > 90.0  # rear view: measure from the back
    off = np.where(facing_away, 180.0 - np.abs(wrapped), np.abs(wrapped))
    return m & (off <= max_yaw_deg)


def _crossing(
    ctx: MetricContext,
    phase: str,
    prm: ArmParams,
) -> MetricValue:
    """M10d (front view): share of swings in which a wrist crosses the body mid-line.

    A swing is one step (touchdown to the next touchdown of either foot, both included):
    each step carries one forward swing of each arm.

    Two guards keep the 2D test honest:

    * only frames with the body square to the camera count
      (``|yaw| <= crossing_max_body_yaw_deg``,
      [EJ]). Turned by 30-45 deg (a diagonal view), the forward swing of the arm projects
      across the image mid-line by ~0.3-0.6 shoulder widths although the wrist stays on its
      own side (seen on the rendered diagonal clip, truth and estimate alike);
    * a swing is judged only when both wrists were tracked in ``crossing_min_tracked`` of
      its square frames. A hand in front of the torso is where BlazePose loses the wrist
      (visibility < 0.5, removed by cleaning): counting such a stride as "no crossing" would
      report clean arms exactly when the crossing happens.

    Fewer than 2 judged swings, or fewer than half of them (or of square frames) -> not
    assessable, with the reason.
    """
    p = ctx.scene.p
    m = ctx.frames(phase)
    sq = square_frames(ctx, m, prm.crossing_max_body_yaw_deg)
    s_mid = midpoint(p, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER)[:, 0]
    # the athlete's left is on the side of the left shoulder
    left_dir = np.sign(p[:, sk.LEFT_SHOULDER, 0] - p[:, sk.RIGHT_SHOULDER, 0])
    lat_l = left_dir * (p[:, sk.LEFT_WRIST, 0] - s_mid)
    lat_r = left_dir * (p[:, sk.RIGHT_WRIST, 0] - s_mid)
    tracked = np.isfinite(lat_l) & np.isfinite(lat_r)
    cross = ((lat_l < 0) | (lat_r > 0)) & sq & tracked
    fr = [e.frame for e in ctx.touchdowns_in(phase)]
    strides = [(a, min(b + 1, ctx.scene.n_frames)) for a, b in itertools.pairwise(fr)]
    if not strides:
        w = max(2, int(prm.swing_window_s * ctx.scene.fs))
        idx = np.flatnonzero(m)
        strides = [(int(i), int(i) + w) for i in idx[::w]] if idx.size else []
    hits = []
    for a, b in strides:
        n_sq = int(sq[a:b].sum())
        if n_sq >= 0.5 * (b - a) and tracked[a:b][sq[a:b]].mean() >= prm.crossing_min_tracked:
            hits.append(bool(cross[a:b].any()))
    val = float(np.mean(hits)) if len(hits) >= max(2, len(strides) // 2) else None
    why = ""
    if m.any() and sq.sum() < 0.5 * m.sum():
        why = "the body was turned away from the camera: film square from the front"
    elif val is None and m.any():
        why = "the wrists were lost in front of the body in most swings: film from the front"
    return metric(
        "arm_crossing_fraction",
        val,
        "fraction of swings",
        phase,
        family="arm_crossing",
        view=ctx.view,
        confidence="low",
        frames=np.flatnonzero(cross)[:3].tolist(),
        details={"swings_judged": float(len(hits)), "swings": float(len(strides))},
        reason=why,
        qc=ctx.qc(_ARM_LM, m),
    )


def _coordination(
    ctx: MetricContext,
    phase: str,
    amp: float | None,
    prm: ArmParams,
) -> dict[str, MetricValue]:
    """M11: zero-lag correlation of camera-side arm and thigh angles, and relative phase.

    The phase is the lag of the arm ahead of the thigh, ``360 deg tau / T_stride``, taken from
    the phases of the stride-frequency components of both (least-squares sine fits). For
    periodic signals that is the lag maximising their cross-correlation (METRICS M11), but
    continuous: the integer-lag search steps by 360/16 = 22.5 deg at 30 fps, and its
    shrinking overlap pulls the maximum to longer lags (205 deg instead of 180 on exact
    rendered-clip truth).

    Missing samples of the camera-side arm or thigh angle (up to 10 %, no gap longer than
    ``coordination_max_gap_s``, about an eighth of a stride at 3.8 steps/s, [EJ]) are
    bridged linearly before the 1-6 Hz band-pass; with longer gaps the bridge distorts the
    phase (a 0.13 s gap moved it from 180 to 232 deg on a rendered clip), so M11 is not
    assessed.
    """
    m = ctx.frames(phase)
    qc = near_qc(ctx, _NEAR_ARM + _NEAR_LEG, m)
    idx = np.flatnonzero(m)
    a = ctx.series["arm_angle_deg"][idx]
    b = ctx.series["thigh_angle_deg"][idx]
    ok = np.isfinite(a) & np.isfinite(b)
    fs = ctx.scene.fs
    tds = [e.time_s for e in ctx.touchdowns_in(phase)]
    why = ""
    # gaps are bridged linearly: allow 10 % missing, none longer than ~1/8 stride
    gap = max((e - s for s, e in runs(~ok)), default=0) / fs
    passive = prm.passive_amplitude_deg
    short = idx.size < 1.0 * fs or ok.mean() < prm.coordination_min_tracked
    if short or gap > prm.coordination_max_gap_s or len(tds) < prm.coordination_min_touchdowns:
        why = "needs at least 3 strides of backpedal with the near arm and leg visible"
    elif amp is None:
        why = "needs the side-view arm swing (M10a): film from the side with the near arm visible"
    elif amp < passive:
        why = f"arm swing below {passive:.0f} deg: the arms are too passive to read coordination"
    r = phi = None
    if not why:
        a, b = (
            _band(np.interp(np.arange(idx.size), np.flatnonzero(ok), x[ok]), fs, prm)
            for x in (a, b)
        )
        r = float(np.corrcoef(a, b)[0, 1])
        t_stride = 2.0 * float(np.median(np.diff(tds)))
        phi = _lead_deg(a, b, 2.0 * np.pi / t_stride, np.arange(idx.size) / fs)
    out = {}
    for key, val, unit in (("arm_leg_coordination_r", r, "r"), ("arm_leg_phase_deg", phi, "deg")):
        out[key] = metric(
            key, val, unit, phase, family="coordination", view=ctx.view, reason=why, qc=qc
        )
    return out


def _lead_deg(a: np.ndarray, b: np.ndarray, omega: float, t: np.ndarray) -> float:
    """Phase lead of ``a`` over ``b`` at angular frequency ``omega``, in [0, 360) deg."""
    basis = np.column_stack([np.cos(omega * t), np.sin(omega * t), np.ones_like(t)])
    ca = np.linalg.lstsq(basis, a, rcond=None)[0]
    cb = np.linalg.lstsq(basis, b, rcond=None)[0]
    # x ~ c cos(wt) + s sin(wt) = R cos(wt - theta), theta = atan2(s, c):
    # a leads b by theta_b - theta_a
    lead = np.arctan2(cb[1], cb[0]) - np.arctan2(ca[1], ca[0])
    return float(np.degrees(lead) % 360.0)


def _band(x: np.ndarray, fs: float, prm: ArmParams) -> np.ndarray:
    """Detrend and band-pass (``band_hz``, 1-6 Hz: METRICS §7 M11), zero lag; a series too
    short for the filter's padding is only detrended."""
    x = signal.detrend(x)
    lo_hz, hi_hz = prm.band_hz
    hi = min(hi_hz, prm.band_max_fraction_fs * fs)
    sos = signal.butter(2, (lo_hz, hi), btype="band", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, x) if x.size > default_padlen(sos) else x
