"""Footwork metrics: step length and reach (M6), cadence and step-time variability (M7),
base and step width (M8), foot pitch and swing clearance (M9) — METRICS.md §7.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
from scipy import signal

from analyzer import skeleton as sk
from analyzer.dsp import default_padlen
from analyzer.events.rhythm import RhythmParams, rhythm_cv, timing_sigma_s, upright_mask
from analyzer.metrics.common import N_EVIDENCE_FRAMES, MetricContext, metric, ready_metric
from analyzer.numeric import nanmedian
from analyzer.results import Confidence, MetricValue

_FEET_LM = (sk.LEFT_ANKLE, sk.RIGHT_ANKLE, sk.LEFT_HEEL, sk.RIGHT_HEEL, sk.LEFT_TOE, sk.RIGHT_TOE)
#: Minimum contacts in P1 to score footwork (METRICS §6 and §10 iii).
MIN_CONTACTS = 4
#: Sprint cadence is read over the first 3 steps (METRICS §6 P3: "score the first 3 steps"),
#: so from 3 contacts on.
SPRINT_STEPS = 3
#: Quartiles of the step-length spread (details "iqr").
IQR_PERCENTILES = (75, 25)
#: Sort key of a step without a reach (after every real one).
_NO_REACH = -9.0
#: Overstride: reach at touchdown above 0.42 L (METRICS §7 M6b fault limit).
OVERSTRIDE_REACH_LEG = 0.42
#: Step-time CV fault limit, 10 % (METRICS §7 M7): above it timing noise alone is a fault.
STEP_CV_FAULT_PCT = 10.0
#: A uniform rounding error of one frame has variance dt^2 / 12 (METRICS §7 M7 pitfall).
UNIFORM_VARIANCE_DIVISOR = 12.0
#: Fewest steady steps for a CV, and for calling the contact rhythm regular.
MIN_STEADY_STEPS = 3
#: Cadence and step timing are "high" confidence from 60 fps (§7 M7; 59 admits 59.94 fps).
HIGH_CONFIDENCE_FPS = 59.0
MS_PER_S = 1000.0
#: A steady step lasts 0.5-1.5 x the step time 1 / cadence (else a contact was missed or
#: extra).
MAX_STEP_RATIO = 1.5
#: Contacts are irregular when the step-time SD exceeds 25 % of the mean, and count extra
#: steps when they exceed the spectral rhythm by 30 %; they disagree with it beyond 15 %
#: ([EJ], rendered front-view clips).
IRREGULAR_STEP_CV = 0.25
EXTRA_STEPS_RATIO = 1.3
SPECTRAL_TOLERANCE = 0.15
#: Spectral cadence (METRICS §7 M7 cross-check): the hip height is high-passed at 0.7 Hz
#: (below the slowest step rate), must bob by 0.006 L (SD), and its peak in 1-6 Hz must
#: stand 6 x above the band's median power with >= 3 cycles in the window; the periodogram
#: is zero-padded to 1024 points (0.03 Hz bins at 30 fps).
SPECTRAL_HIGHPASS_HZ = 0.7
MIN_BOB_LEG = 0.006
MIN_PEAK_PROMINENCE = 6.0
CADENCE_BAND_HZ = (1.0, 6.0)
MIN_CYCLES = 3.0
SPECTRAL_NFFT = 1024
_POWER_FLOOR = 1e-12
#: Forefoot stance: foot pitch (toe below heel) above 5 deg (METRICS §7 M9a, "ρ > 5°"), read
#: on at least 3 stance frames.
FOREFOOT_PITCH_DEG = 5.0
MIN_STANCE_FRAMES = 3


def step_metrics(ctx: MetricContext, *, phase: str = "backpedal") -> dict[str, MetricValue]:
    """M6a/M6b/M7/M8/M9 over the backpedal."""
    out: dict[str, MetricValue] = {}
    out.update(_step_length(ctx, phase))
    out.update(_cadence(ctx, phase))
    out.update(_widths(ctx, phase))
    out.update(_foot(ctx, phase))
    out["sprint_cadence_steps_per_s"] = _cadence(ctx, "sprint", first_steps=SPRINT_STEPS)[
        "sprint_cadence_steps_per_s"
    ]
    return out


def _few(ctx: MetricContext, phase: str) -> str:
    n = len(ctx.touchdowns_in(phase))
    if n >= MIN_CONTACTS:
        return ""
    return (
        f"only {n} foot contacts found in the {phase} (need {MIN_CONTACTS}): film the whole "
        "backpedal with the feet in frame"
    )


def _step_length(ctx: MetricContext, phase: str) -> dict[str, MetricValue]:
    """M6a step length (L and m) and M6b reach at touchdown (L), per-step medians."""
    steps = ctx.steps_in(phase)
    m = ctx.frames(phase)
    qc = ctx.qc(_FEET_LM, m)
    why = _few(ctx, phase)
    sl, fr, pairs = _landed_step_lengths(ctx, m)
    out = {
        "step_length_leg_lengths": metric(
            "step_length_leg_lengths",
            None if why else nanmedian(pairs if pairs else sl),
            "leg lengths",
            phase,
            family="step_length",
            view=ctx.view,
            per_step=sl,
            frames=fr,
            qc=qc,
            reason=why,
            details={
                "mean": float(np.mean(sl)) if sl else None,
                "iqr": float(np.subtract(*np.percentile(sl, IQR_PERCENTILES))) if sl else None,
                "median_single_steps": nanmedian(sl) if sl else None,
                "n_step_pairs": float(len(pairs)),
            },
        )
    }
    to_m = ctx.scene.leg_length_px * (ctx.scene.scale_m_per_px or np.nan)
    slm = [x * to_m for x in sl] if ctx.scene.scale_m_per_px else []
    pairs_m = [x * to_m for x in pairs] if ctx.scene.scale_m_per_px else []
    scale_why = (
        ""
        if ctx.scene.scale_m_per_px
        else ("needs the athlete's height for a metric scale: enter it (athlete_height_m)")
    )
    out["step_length_m"] = metric(
        "step_length_m",
        None if (why or scale_why) else nanmedian(pairs_m if pairs_m else slm),
        "m",
        phase,
        family="step_length",
        view=ctx.view,
        per_step=slm,
        frames=fr,
        qc=qc,
        reason=why or scale_why,
    )
    reach = [s.reach_leg_lengths for s in steps if s.reach_leg_lengths is not None]
    by_reach = sorted(steps, key=lambda s: -(s.reach_leg_lengths or _NO_REACH))
    worst = [s.touchdown_frame for s in by_reach][:N_EVIDENCE_FRAMES]
    out["reach_at_touchdown_leg_lengths"] = metric(
        "reach_at_touchdown_leg_lengths",
        None if why else nanmedian(reach),
        "leg lengths",
        phase,
        family="step_length",
        view=ctx.view,
        per_step=reach,
        frames=sorted(worst),
        qc=qc,
        reason=why,
        details={
            "share_over_0_42": float(np.mean(np.asarray(reach) > OVERSTRIDE_REACH_LEG))
            if reach
            else None
        },
    )
    return out


def _landed_step_lengths(
    ctx: MetricContext, m: np.ndarray
) -> tuple[list[float], list[int], list[float]]:
    """Step lengths (L) of the steps that *land* in the phase frames ``m``, their landing
    frames, and the means of consecutive pairs of them (METRICS §7 M6a).

    A step is counted in the phase its landing touchdown lies in (the step into the
    transition plant is the last backpedal step; the step out of it is not), as in the
    synthetic truth's step table.

    Pairs: in a side view the two feet are at different depths, so perspective shifts the
    far foot's image x against the near foot's by a parallax that adds to one step and
    subtracts from the next (near->far, far->near; METRICS M6 pitfall "perspective"). The
    mean of two consecutive steps (half the same-foot stride, measured at one depth) cancels
    it; the metric is the median of these pair means, the single steps are kept per step.
    """
    steps = sorted(ctx.steps, key=lambda s: s.touchdown_frame)
    sl: list[float] = []
    fr: list[int] = []
    idx: list[int] = []
    for i, (a, b) in enumerate(itertools.pairwise(steps)):
        if a.length_leg_lengths is None or not m[b.touchdown_frame]:
            continue
        sl.append(float(a.length_leg_lengths))
        fr.append(b.touchdown_frame)
        idx.append(i)
    pairs = [0.5 * (sl[k] + sl[k + 1]) for k in range(len(sl) - 1) if idx[k + 1] == idx[k] + 1]
    return sl, fr, pairs


def _cadence(
    ctx: MetricContext, phase: str, *, first_steps: int | None = None
) -> dict[str, MetricValue]:
    """M7 cadence and step-time CV, with a spectral cross-check.

    The value is ``2 / median(same-foot stride time)``, which equals the spec's
    ``(N_TD - 1) / (t_last - t_first)`` (kept in ``details``) for a clean series of contacts
    but is not halved by one missed contact. Step times are taken inside each phase
    instance only (never across a gap between reps)."""
    tds = ctx.touchdowns_in(phase)
    if first_steps is not None:
        tds = tds[: first_steps + 1]
    key = "cadence_steps_per_s" if phase == "backpedal" else f"{phase}_cadence_steps_per_s"
    need = MIN_CONTACTS if first_steps is None else SPRINT_STEPS
    why = "" if len(tds) >= need else f"only {len(tds)} foot contacts in the {phase} (need {need})"
    t = np.array([e.time_s for e in tds])
    dt = _step_times(ctx, phase, tds)
    cad, conf, det = _cadence_value(ctx, phase, tds, t, dt)
    out = {
        key: metric(
            key,
            None if why else cad,
            "steps/s",
            phase,
            family="cadence",
            view=ctx.view,
            confidence=conf,
            frames=[e.frame for e in tds],
            per_step=dt.tolist(),
            details=det,
            reason=why,
        )
    }
    if first_steps is None:
        kw = {"family": "cadence", "view": ctx.view, "confidence": conf,
              "per_step": dt.tolist(), "reason": why}  # fmt: skip
        out["step_time_cv_pct"] = _step_time_cv(ctx, phase, tds, cad, why)
        out["step_time_cv_low_pct"] = _cv_low(out["step_time_cv_pct"])
        med = float(np.median(dt)) if dt.size else None
        out["step_time_s"] = metric("step_time_s", None if why else med, "s", phase, **kw)
    return out  # fmt: skip


def _step_time_cv(
    ctx: MetricContext,
    phase: str,
    tds: list,
    cad: float | None,
    why: str,
    *,
    max_noise_cv_pct: float = STEP_CV_FAULT_PCT,
) -> MetricValue:
    """M7 step-time CV of the steady pedal, with the event-timing noise removed.

    * Steps: consecutive touchdowns of opposite feet inside one phase instance, leaving out
      the first step of each instance (the acceleration step out of the stance; gait
      variability is measured on steady-state steps, e.g. Lindemann et al. 2008, Hausdorff
      2005), the step landing on the phase's end (the plant at T0, which belongs to the
      transition, METRICS §6), intervals outside 0.5-1.5 x the step time ``1 / cadence``
      (a missed or extra contact, not a rhythm: the stride-based cadence is robust to
      both), steps whose touchdowns open no stance (:func:`_has_stance`) and steps taken
      while the athlete is not upright (``events.rhythm.upright_mask``: seated, fallen).
    * Timing noise: each touchdown time carries an error of about one frame's rounding,
      ``sigma_t = dt_frame / sqrt(12)`` (METRICS §7 M7 pitfall; the sub-frame touchdown times
      of ``events.contacts`` leave a residual of this size against the synthetic truth), so
      an interval carries ``2 sigma_t^2`` of variance that is not rhythm. It is subtracted:
      ``CV = sqrt(max(0, var(dt) - 2 sigma_t^2)) / mean(dt)``; the raw CV is in ``details``.
      Front/rear-view touchdowns (whole frames of the foot-height method, §5 step 3) are
      given ``sigma_t`` = one frame, their scatter against the synthetic truth. When the
      step times themselves show a larger timing error (``events.rhythm.timing_sigma_s``),
      that is used; ``details`` also hold the one-sided 90 % bounds (``cv_lower_pct``,
      ``cv_upper_pct``; ``events.rhythm.rhythm_cv``), the lower one being the metric
      ``step_time_cv_low_pct`` that the uneven-rhythm fault tests.
    * Not assessable when that noise alone would give a CV above ``max_noise_cv_pct`` (the
      §7 M7 fault limit, 10 %): the clip cannot tell a fault from timing noise (front view
      at 30 fps).
    * Needs >= 3 steady steps; confidence "low" below 60 fps (§7 M7 confidence).
    """
    dt, frames = _steady_step_times(ctx, phase, tds, cad)
    fps = ctx.capture_fps or ctx.scene.fs
    # front/rear: touchdowns are whole frames of the foot-height method, scattered by about
    # one frame against the synthetic truth (SD 0.9 frame); side: sub-frame, ~1/sqrt(12)
    frames_sd = 1.0 if ctx.view in ("front", "rear") else 1.0 / np.sqrt(UNIFORM_VARIANCE_DIVISOR)
    noise_var = 2.0 * (frames_sd / fps) ** 2
    cv = raw = None
    det: dict[str, float | None] = {"n_steps": float(dt.size)}
    if dt.size >= MIN_STEADY_STEPS:
        # timing error: the frame-rate floor or what the step times show (events.rhythm)
        rc = rhythm_cv(dt, timing_sigma_s(dt, fps, frames_sd))
        cv, raw = rc.cv_pct, rc.raw_pct
        det.update(raw_cv_pct=raw, cv_lower_pct=rc.lower_pct, cv_upper_pct=rc.upper_pct,
                   timing_noise_ms=MS_PER_S * rc.sigma_t_s)  # fmt: skip
        floor = 100.0 * np.sqrt(noise_var) / float(np.mean(dt))
        if floor > max_noise_cv_pct and not why:
            why = (
                f"step times are too coarse at {fps:.0f} fps in this view (timing noise alone "
                f"gives a {floor:.0f} % CV): film at 60 fps or more, or from the side"
            )
    elif not why:
        why = (
            f"only {dt.size} steady steps in the {phase} (need {MIN_STEADY_STEPS}): "
            "film a longer backpedal"
        )
    worst: list[int] = np.argsort(-np.abs(dt - np.median(dt)))[:2].tolist() if dt.size else []
    return metric(
        "step_time_cv_pct", None if why else cv, "%", phase, family="cadence", view=ctx.view,
        confidence="low" if fps < HIGH_CONFIDENCE_FPS else "high", per_step=dt.tolist(),
        frames=sorted(frames[int(i)] for i in worst), reason=why, details=det,
    )  # fmt: skip


def _cv_low(cv: MetricValue, prm: RhythmParams | None = None) -> MetricValue:
    """The lower confidence bound of the step-time CV (``events.rhythm``): what the uneven
    rhythm fault tests, so that it is raised only when the rhythm is uneven beyond the
    timing and sampling error of the clip, and only over ``min_verdict_steps`` steady
    steps or more."""
    prm = prm or RhythmParams()
    n = int(cv.details.get("n_steps", 0))
    low = cv.details.get("cv_lower_pct") if cv.assessable else None
    reason = cv.reason
    if low is not None and n < prm.min_verdict_steps:
        low = None
        reason = (f"only {n} steady steps (a rhythm verdict needs {prm.min_verdict_steps}): "
                  "film a longer backpedal")  # fmt: skip
    return replace(cv, key="step_time_cv_low_pct", value=low, per_step=(),
                   assessable=low is not None, reason=reason)  # fmt: skip


def _has_stance(ctx: MetricContext, e) -> bool:
    """The touchdown opens a stance (a toe-off of that foot follows before its next
    touchdown) and kept its foot label. One that does not is a missed toe-off or a label
    repaired after a left/right landmark swap (``events.contacts.relabel_swapped``): the
    foot trajectories around it are mixed, so its time is not trusted for the rhythm."""
    if getattr(e, "label_repaired", False):
        return False
    return bool(ctx.stance[e.frame, 0 if e.foot == "left" else 1])


def _steady_step_times(
    ctx: MetricContext, phase: str, tds: list, cad: float | None
) -> tuple[np.ndarray, list[int]]:
    """Steady opposite-foot step times (s) and the frames of the touchdowns ending them (see
    :func:`_step_time_cv`)."""
    out: list[float] = []
    frames: list[int] = []
    ref = 1.0 / cad if cad else None
    # steps count only while the athlete is upright (not seated or fallen, events.rhythm)
    up = upright_mask(ctx.scene.p, ctx.scene.leg_length_px)
    for ph in ctx.phase_list(phase):
        evs = [e for e in tds if ph.start_frame <= e.frame <= ph.end_frame]
        last = len(evs) - 2
        for k, (a, b) in enumerate(itertools.pairwise(evs)):
            d = b.time_s - a.time_s
            # the first step accelerates out of the stance; a last step landing on the phase's
            # end is the plant of the transition (T0, METRICS §6), not part of the rhythm
            ends_phase = k == last and b.frame >= ph.end_frame - 1
            if k == 0 or ends_phase or a.foot == b.foot:
                continue
            if not (_has_stance(ctx, a) and _has_stance(ctx, b)):
                continue
            if not up[a.frame : b.frame + 1].all():
                continue
            if ref is not None and not 0.5 * ref <= d <= MAX_STEP_RATIO * ref:
                continue
            out.append(d)
            frames.append(b.frame)
    return np.asarray(out, float), frames


def _cadence_value(
    ctx: MetricContext, phase: str, tds: list, t: np.ndarray, dt: np.ndarray
) -> tuple[float | None, Confidence, dict[str, float | None]]:
    """Cadence, its confidence and details (count-over-time and spectral cross-checks)."""
    cad_spec = (len(t) - 1) / (t[-1] - t[0]) if len(t) >= 2 and t[-1] > t[0] else None
    strides = _stride_times(ctx, phase, tds)
    cad = 2.0 / float(np.median(strides)) if strides.size >= 2 else cad_spec
    fps = ctx.capture_fps or ctx.scene.fs
    conf: Confidence = "high" if fps >= HIGH_CONFIDENCE_FPS else "medium"
    spectral = _spectral_cadence(ctx, phase)
    det: dict[str, float | None] = {"spectral_steps_per_s": spectral,
                                    "n_contacts": float(len(t)),
                                    "count_over_time_steps_per_s": cad_spec}  # fmt: skip
    irregular = dt.size < MIN_STEADY_STEPS or np.std(dt) > IRREGULAR_STEP_CV * np.mean(dt)
    # front/back/diagonal contacts are read from small image motions; when they are irregular
    # (or count extra steps) and disagree with the hip's vertical rhythm (one bob per step),
    # use the rhythm
    frontal = ctx.view in ("front", "rear", "diagonal")
    if (
        frontal
        and cad is not None
        and np.isfinite(spectral)
        and (irregular or cad > EXTRA_STEPS_RATIO * spectral)
        and _disagree(cad, spectral)
    ):
        cad, conf = spectral, "low"
        det["from_spectrum"] = 1.0
    return cad, conf, det


def _step_times(ctx: MetricContext, phase: str, tds: list) -> np.ndarray:
    """Touchdown-to-touchdown times inside each phase instance."""
    out: list[float] = []
    for ph in ctx.phase_list(phase):
        t = [e.time_s for e in tds if ph.start_frame <= e.frame <= ph.end_frame]
        out.extend(np.diff(t).tolist())
    return np.asarray(out, float)


def _disagree(cad: float, spectral: float, *, tol: float = SPECTRAL_TOLERANCE) -> bool:
    """Contact cadence differs from the spectral rhythm (one hip bob per step) by more than
    ``tol``."""
    return abs(cad / spectral - 1.0) > tol


def _stride_times(ctx: MetricContext, phase: str, tds: list) -> np.ndarray:
    """Same-foot touchdown intervals inside each phase instance (not across phase gaps)."""
    out = []
    for ph in ctx.phase_list(phase):
        for foot in ("left", "right"):
            t = [
                e.time_s
                for e in tds
                if e.foot == foot and ph.start_frame <= e.frame <= ph.end_frame
            ]
            out.extend(np.diff(t).tolist())
    return np.asarray(out, float)


def _spectral_cadence(
    ctx: MetricContext,
    phase: str,
    *,
    min_prominence: float = MIN_PEAK_PROMINENCE,
    min_bob_leg: float = MIN_BOB_LEG,
) -> float:
    """Cadence cross-check: spectral peak of mid-hip vertical motion in 1-6 Hz (METRICS §7 M7),
    and above 3 cycles per analysed window (a shorter rhythm is not resolved).

    NaN unless the hip bobs (SD of the high-passed height >= ``min_bob_leg`` L) and the peak
    stands out (power >= ``min_prominence`` times the band's median)."""
    m = ctx.frames(phase)
    y = 0.5 * (ctx.scene.p[m, sk.LEFT_HIP, 1] + ctx.scene.p[m, sk.RIGHT_HIP, 1])
    y = y[np.isfinite(y)]
    if y.size < int(1.0 * ctx.scene.fs):
        return float("nan")
    # high-pass: the hip drifts up the image as the athlete recedes (front view)
    sos = signal.butter(2, SPECTRAL_HIGHPASS_HZ, btype="high", fs=ctx.scene.fs, output="sos")
    y = signal.detrend(y)
    if y.size > default_padlen(sos):
        y = signal.sosfiltfilt(sos, y)
    if np.std(y) < min_bob_leg * ctx.scene.leg_length_px:
        return float("nan")
    f, pw = signal.periodogram(y, fs=ctx.scene.fs, nfft=max(SPECTRAL_NFFT, y.size))
    # a peak is only resolved with >= 3 cycles in the window (resolution 1 / duration)
    lo_hz, hi_hz = CADENCE_BAND_HZ
    band = (f >= max(lo_hz, MIN_CYCLES * ctx.scene.fs / y.size)) & (f <= hi_hz)
    if not band.any():
        return float("nan")
    k = int(np.argmax(pw[band]))
    if pw[band][k] < min_prominence * max(float(np.median(pw[band])), _POWER_FLOOR):
        return float("nan")
    return float(f[band][k])


def _widths(ctx: MetricContext, phase: str) -> dict[str, MetricValue]:
    """M8a stance width (P0) and M8b step width (P1), over shoulder width (front view)."""
    p = ctx.scene.p
    wsh = np.abs(p[:, sk.LEFT_SHOULDER, 0] - p[:, sk.RIGHT_SHOULDER, 0])
    bw = np.abs(p[:, sk.LEFT_ANKLE, 0] - p[:, sk.RIGHT_ANKLE, 0]) / wsh
    lm = (sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER, sk.LEFT_ANKLE, sk.RIGHT_ANKLE)
    out = {
        "base_width_shoulder_widths": ready_metric(
            ctx, "base_width_shoulder_widths", bw, "shoulder widths",
            family="width", landmarks=lm, confidence="low",
        )
    }  # fmt: skip
    tds = ctx.touchdowns_in(phase)
    sw, fr = [], []
    for a, b in itertools.pairwise(tds):
        if a.foot == b.foot:
            continue
        ia, ib = (
            sk.LEFT_ANKLE if a.foot == "left" else sk.RIGHT_ANKLE,
            sk.LEFT_ANKLE if b.foot == "left" else sk.RIGHT_ANKLE,
        )
        w = nanmedian(wsh[a.frame : b.frame + 1])
        sw.append(abs(p[b.frame, ib, 0] - p[a.frame, ia, 0]) / w)
        fr.append(b.frame)
    why = _few(ctx, phase)
    out["step_width_shoulder_widths"] = metric(
        "step_width_shoulder_widths",
        None if why else nanmedian(sw),
        "shoulder widths",
        phase,
        family="width",
        view=ctx.view,
        confidence="low",
        per_step=sw,
        frames=fr,
        qc=ctx.qc(lm, ctx.frames(phase)),
        reason=why,
    )
    return out


def _foot(ctx: MetricContext, phase: str) -> dict[str, MetricValue]:
    """M9a foot pitch (P0 median; P1 forefoot-stance fraction) and M9b swing clearance."""
    p = ctx.scene.p
    near = ctx.scene.near_side
    heel = np.where(near[:, None] == 0, p[:, sk.LEFT_HEEL], p[:, sk.RIGHT_HEEL])
    toe = np.where(near[:, None] == 0, p[:, sk.LEFT_TOE], p[:, sk.RIGHT_TOE])
    pitch = np.degrees(np.arctan2(toe[:, 1] - heel[:, 1], np.abs(toe[:, 0] - heel[:, 0])))
    out = {
        "foot_pitch_deg": ready_metric(
            ctx, "foot_pitch_deg", pitch, "deg", family="heel", landmarks=_FEET_LM,
            confidence="low",
        )
    }  # fmt: skip
    m = ctx.frames(phase)
    st = m & ctx.stance[np.arange(m.size), near]
    enough = st.sum() >= MIN_STANCE_FRAMES
    frac = float(np.mean(pitch[st] > FOREFOOT_PITCH_DEG)) if enough else None
    flat = np.flatnonzero(st & (pitch <= FOREFOOT_PITCH_DEG))
    out["forefoot_stance_fraction"] = metric(
        "forefoot_stance_fraction",
        frac,
        "fraction",
        phase,
        family="heel",
        view=ctx.view,
        confidence="low",
        frames=flat[:: max(1, flat.size // N_EVIDENCE_FRAMES)][:N_EVIDENCE_FRAMES].tolist(),
        qc=ctx.qc(_FEET_LM, m),
        reason=_few(ctx, phase),
    )
    out["swing_clearance_leg_lengths"] = _clearance(ctx, phase, heel)
    return out


def _clearance(ctx: MetricContext, phase: str, heel: np.ndarray) -> MetricValue:
    """M9b: max over each camera-side swing of ``(Y_g - Y_heel) / L``, median over swings."""
    near = ctx.scene.near_side
    m = ctx.frames(phase)
    h = (ctx.scene.ground_y(heel[:, 0]) - heel[:, 1]) / ctx.scene.leg_length_px
    swing = m & ~ctx.stance[np.arange(m.size), near]
    vals, frames = [], []
    idx = np.flatnonzero(swing)
    if idx.size:
        splits = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
        for seg in splits:
            if seg.size >= 2 and np.isfinite(h[seg]).any():
                vals.append(float(np.nanmax(h[seg])))
                frames.append(int(seg[np.nanargmax(h[seg])]))
    why = _few(ctx, phase)
    return metric(
        "swing_clearance_leg_lengths",
        None if why else nanmedian(vals),
        "leg lengths",
        phase,
        family="heel",
        view=ctx.view,
        per_step=vals,
        frames=frames,
        qc=ctx.qc(_FEET_LM, m),
        reason=why,
    )
