"""The turn of a transition: its onset and when it faces the new direction (METRICS §6).

World-landmark yaw is too noisy to threshold frame by frame, so a raised-cosine rotation is
fitted to it (robust least squares on a grid, :func:`fit_turn`); the hip line's yaw is
first freed of a constant offset between the hip landmarks (:func:`pelvis_yaw_deg`, a
robust circle fit). Used by :mod:`analyzer.events.phases` to time T0 and T1.
"""

from __future__ import annotations

import numpy as np

from analyzer import skeleton as sk
from analyzer.events.phase_params import PhaseParams
from analyzer.events.scene import Scene
from analyzer.events.view import body_yaw_deg

#: Fewest yaw samples a raised-cosine turn is fitted to (4 unknowns, twice over).
MIN_FIT_SAMPLES = 8
#: Coarse grid of the turn fit: start times x durations, then a fine grid around the best
#: cell (``fit_turn``); 41 x 39 cells keep the coarse steps below 1/40 of the window.
TURN_GRID_STARTS = 41
TURN_GRID_DURATIONS = 39
TURN_FINE_GRID = 21
#: Soft-L1 scale (deg), IRLS iterations and amplitude bound of the turn fit (a turn of more
#: than 400 deg is not a transition).
TURN_LOSS_SCALE_DEG = 10.0
TURN_IRLS_ITERATIONS = 4
MAX_TURN_AMP_DEG = 400.0
#: Reweighting passes of the robust circle fit and the MAD-to-sigma factor of a normal
#: distribution (Rousseeuw & Croux 1993).
CIRCLE_IRLS_ITERATIONS = 3
MAD_TO_SIGMA = 1.4826
#: Numerical floors of the circle fit (squared radius; residual scale).
_RADIUS2_FLOOR = 1e-12
_SCALE_FLOOR = 1e-9


def find_turn_onset(
    scene: Scene, start: int, anchor: int, prm: PhaseParams
) -> tuple[int, float | None, tuple[float, float, float] | None]:
    """Frame where the body starts to turn into the turn confirmed at ``anchor``, and the
    (fractional) frame where the fitted turn comes within ``facing_tolerance_deg`` of its
    final heading, and the fit (start s, duration s, amplitude deg); None without a fit.

    World-landmark yaw is too noisy to threshold its rate frame by frame, so a raised-cosine
    rotation ``b + A S((t - t_s) / T)`` is fitted (robust least squares) to the body yaw from
    ``turn_fit_before_s`` before the anchor to ``turn_fit_after_s`` after it; the onset is
    where the fitted profile's rate first exceeds ``onset_rate_deg_per_s`` (the definition of
    ``backpedal_dev.synth.truth.turn_onset_s``). The mean of the shoulder and hip lines is used:
    the hip line alone is short and its yaw unwraps wrongly under depth noise. The facing
    time is read off the same fit (§6 T1: "world yaw within 30 deg of the travel
    direction"): the frame-by-frame world yaw swings wildly while the body passes through the
    frontal orientation (left/right labels flip), the fitted turn does not.
    The hip line's yaw comes from :func:`pelvis_yaw_deg` (constant landmark offsets removed).
    """
    if scene.yaw_deg is None:
        return anchor, None, None
    fs, t = scene.fs, scene.times_s
    a = max(start, anchor - round(prm.turn_fit_before_s * fs))
    b = min(scene.n_frames, anchor + round(prm.turn_fit_after_s * fs))
    yaw = scene.yaw_deg
    pelvis = pelvis_yaw_deg(scene, prm) if prm.onset_from_pelvis else None
    if pelvis is not None:
        # the hip line's yaw, unwrapped around the body yaw (its own unwrap fails on noise)
        yaw = yaw + (pelvis - yaw + 180.0) % 360.0 - 180.0
    tt, yy = t[a:b], yaw[a:b]
    ok = np.isfinite(yy)
    if ok.sum() < MIN_FIT_SAMPLES:
        return anchor, None, None
    fit = fit_turn(tt[ok], yy[ok], float(t[anchor]), prm)
    if fit is None:
        return anchor, None, None
    t_s, dur, amp = fit
    peak = np.pi * abs(amp) / (2.0 * dur)
    t_face = None
    if abs(amp) > prm.facing_tolerance_deg:
        u = np.arccos(1.0 - 2.0 * (1.0 - prm.facing_tolerance_deg / abs(amp))) / np.pi
        t_face = float(np.interp(t_s + u * dur, t, np.arange(t.size)))
    if peak <= prm.onset_rate_deg_per_s:
        return anchor, t_face, fit
    t_on = t_s + dur / np.pi * np.arcsin(prm.onset_rate_deg_per_s / peak)
    return int(np.clip(np.searchsorted(t, t_on), start, anchor)), t_face, fit


def pelvis_yaw_deg(scene: Scene, prm: PhaseParams) -> np.ndarray | None:
    """Pelvis yaw (deg) with a constant offset between the hip landmarks removed.

    The left-minus-right hip vector of a rigid pelvis turning about the vertical traces, in
    the camera-aligned world frame, a horizontal circle centred on the origin. A constant
    per-landmark error of the pose model (SYNTHETIC.md: ~0.05 torso lengths, depth weakest
    [S:23]) moves that centre, and the yaw read from the vector is then distorted by up to
    ``asin(|offset| / radius)``, periodically in yaw: a turn is stretched or compressed and
    its rate, hence the onset threshold crossing, shifts. The centre is estimated by a robust
    algebraic circle fit (Kasa 1976; soft-L1 reweighting on the radial residual) to the hip
    vectors of the whole clip and subtracted, when they span at least
    ``offset_min_arc_deg`` of the circle (a turn; otherwise the centre is not determined)
    and the centre lies well inside the circle (< 0.8 radius); otherwise (and without world
    landmarks) ``scene.pelvis_yaw_deg``.
    """
    world = scene.world
    if world is None:
        return scene.pelvis_yaw_deg
    hp = world[:, sk.LEFT_HIP] - world[:, sk.RIGHT_HIP]
    ok = np.isfinite(hp).all(axis=1)
    if ok.sum() < prm.circle_min_samples:
        return scene.pelvis_yaw_deg
    x, z = hp[ok, 0].astype(float), hp[ok, 2].astype(float)
    w = np.ones_like(x)
    for _ in range(CIRCLE_IRLS_ITERATIONS):
        a = np.column_stack([x, z, np.ones_like(x)]) * w[:, None]
        d, e, f = np.linalg.lstsq(a, -(x * x + z * z) * w, rcond=None)[0]
        cx, cz = -0.5 * d, -0.5 * e
        radius = float(np.sqrt(max(cx * cx + cz * cz - f, _RADIUS2_FLOOR)))
        res = np.hypot(x - cx, z - cz) - radius
        scale = 2.0 * MAD_TO_SIGMA * np.median(np.abs(res)) + _SCALE_FLOOR
        w = 1.0 / np.sqrt(1.0 + (res / scale) ** 2)
    ang = np.sort(np.degrees(np.arctan2(z - cz, x - cx)))
    gaps = np.diff(np.concatenate([ang, [ang[0] + 360.0]]))
    far = np.hypot(cx, cz) > prm.circle_max_centre_radius * radius
    if 360.0 - gaps.max() < prm.offset_min_arc_deg or far:
        return scene.pelvis_yaw_deg
    shifted = world.copy()
    shifted[:, sk.LEFT_HIP, 0] -= 0.5 * cx
    shifted[:, sk.RIGHT_HIP, 0] += 0.5 * cx
    shifted[:, sk.LEFT_HIP, 2] -= 0.5 * cz
    shifted[:, sk.RIGHT_HIP, 2] += 0.5 * cz
    return body_yaw_deg(shifted, scene.fs, across="hips")


def time_to_face(fit: tuple[float, float, float], prm: PhaseParams) -> float:
    """Seconds the fitted raised-cosine turn takes from 90 deg turned to within
    ``facing_tolerance_deg`` of its end (0 for turns smaller than 90 + tolerance)."""
    _, dur, amp = fit
    a = abs(amp)
    if a <= 90.0 + prm.facing_tolerance_deg:
        return 0.0

    def u(done: float) -> float:  # fraction of the duration at which ``done`` deg are turned
        return float(np.arccos(1.0 - 2.0 * done / a) / np.pi)

    return max(0.0, (u(a - prm.facing_tolerance_deg) - u(90.0)) * min(dur, 1.0))


def fit_turn(
    t: np.ndarray, y: np.ndarray, t_anchor: float, prm: PhaseParams
) -> tuple[float, float, float] | None:
    """Robust fit of a raised-cosine step to yaw samples: (start time, duration, amplitude).

    The model ``base + amp * (1 - cos(pi * clip((t - t_s) / dur, 0, 1))) / 2`` is linear in
    (base, amp), so for every (t_s, dur) on a grid the best (base, amp) has a closed form;
    the robust (soft-L1, scale 10 deg) loss is handled by iteratively reweighted least
    squares, and the best grid cell is refined on a finer grid around it.
    """
    if t.size < MIN_FIT_SAMPLES:
        return None
    t_lo, dur_lo, dur_hi = float(t[0]), prm.turn_min_dur_s, prm.turn_max_dur_s
    if t_anchor <= t_lo:
        return None
    best = _turn_grid(t, y, np.linspace(t_lo, t_anchor, TURN_GRID_STARTS),
                      np.linspace(dur_lo, dur_hi, TURN_GRID_DURATIONS))  # fmt: skip
    if best is None:
        return None
    ts0, dur0 = best[0], best[1]
    step_t = (t_anchor - t_lo) / float(TURN_GRID_STARTS - 1)
    step_d = (dur_hi - dur_lo) / float(TURN_GRID_DURATIONS - 1)
    fine = _turn_grid(
        t,
        y,
        np.linspace(max(t_lo, ts0 - step_t), min(t_anchor, ts0 + step_t), TURN_FINE_GRID),
        np.linspace(max(dur_lo, dur0 - step_d), min(dur_hi, dur0 + step_d), TURN_FINE_GRID),
    )
    if fine is None:
        return None
    return fine


def _turn_grid(
    t: np.ndarray,
    y: np.ndarray,
    starts: np.ndarray,
    durations: np.ndarray,
    *,
    f_scale: float = TURN_LOSS_SCALE_DEG,
    iterations: int = TURN_IRLS_ITERATIONS,
    max_amp_deg: float = MAX_TURN_AMP_DEG,
) -> tuple[float, float, float] | None:
    """Best (t_s, dur, amp) of the raised-cosine step over a grid (IRLS soft-L1 loss)."""
    ts, du = np.meshgrid(starts, durations, indexing="ij")
    ts, du = ts.ravel()[:, None], du.ravel()[:, None]
    u = np.clip((t[None, :] - ts) / du, 0.0, 1.0)
    g = 0.5 * (1.0 - np.cos(np.pi * u))  # (G, n) basis for amp; base has basis 1
    w = np.ones_like(g)
    for _ in range(iterations):
        sw, sg, sgg = w.sum(1), (w * g).sum(1), (w * g * g).sum(1)
        sy, sgy = (w * y).sum(1), (w * g * y).sum(1)
        det = sw * sgg - sg**2
        with np.errstate(divide="ignore", invalid="ignore"):
            amp = np.clip((sw * sgy - sg * sy) / det, -max_amp_deg, max_amp_deg)
            base = (sy - amp * sg) / sw
        r = y[None, :] - base[:, None] - amp[:, None] * g
        w = 1.0 / np.sqrt(1.0 + (r / f_scale) ** 2)
    loss = np.where(np.isfinite(amp), (2.0 * (np.sqrt(1.0 + (r / f_scale) ** 2) - 1.0)).sum(1),
                    np.inf)  # fmt: skip
    k = int(np.argmin(loss))
    if not np.isfinite(loss[k]):
        return None
    return float(ts[k, 0]), float(du[k, 0]), float(amp[k])
