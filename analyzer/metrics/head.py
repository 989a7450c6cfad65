"""Head orientation (M12): pitch in the side view, yaw in the front view — METRICS.md §7.

Gaze cannot be measured from pose; these are head *orientation* proxies.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from analyzer import skeleton as sk
from analyzer.metrics.arms import square_frames
from analyzer.metrics.common import MetricContext, metric, representative_frames
from analyzer.numeric import midpoint, nanmedian, pick_side, runs
from analyzer.results import MetricValue

_HEAD_LM = (sk.NOSE, sk.LEFT_EYE, sk.RIGHT_EYE, sk.LEFT_EAR, sk.RIGHT_EAR)
#: Nose protrusion over ear-to-ear width of the cylinder head model (M12b, [EJ]).
NOSE_OVER_HEAD_WIDTH = 0.6


#: Sagittal eye-to-ear distance in leg lengths L (M12a reference length, [EJ]): 8.5 cm on a
#: 1.75 m athlete (exocanthion/pupil to tragus, adult anthropometry ~7.5-9 cm; the synthetic
#: head of ``backpedal_dev.synth.landmarks`` uses 8.5 cm), with L = 0.491 H (METRICS §2, [S:39]):
#: 0.085 / (0.491 * 1.75) = 0.099 L.
EYE_EAR_LEG_LENGTHS = 0.099


@dataclass(frozen=True)
class HeadParams:
    """Thresholds of the head metrics (M12, METRICS §7).

    Attributes
    ----------
    on_target_deg
        |yaw| below this counts as looking at the camera (= the receiver) (M12b: 15 deg).
    qb_turn_deg
        Yaw toward the configured QB side beyond this counts as watching the QB (M12b: 30 deg).
    max_body_yaw_deg
        M12b reads the head yaw against the camera, which stands for the target: that holds
        only while the athlete backpedals square to the camera. When the body is turned more
        than this from the camera axis (world-landmark yaw) in over half of the phase, the
        camera is not at the target (a diagonal view) and the yaw metrics are not
        assessable ([EJ]; the rendered 45 deg diagonal reads ~26 deg, a front view < 16 deg).
    pitch_down_deg
        Head pitch below this is "eyes on the ground" (M12a: "< -25 deg for > 30 % of P1");
        the share of such frames is a detail and they are the metric's evidence frames.
    """

    on_target_deg: float = 15.0
    qb_turn_deg: float = 30.0
    max_body_yaw_deg: float = 20.0
    pitch_down_deg: float = -25.0


def head_pitch_series(
    p: np.ndarray,
    facing: np.ndarray,
    side: np.ndarray,
    *,
    eye_ear_px: float | None = None,
) -> np.ndarray:
    """(T,) head pitch in degrees, + = chin up (M12a), from the eye-over-ear *rise*.

    METRICS M12a defines the pitch as the angle of the eye-ear line,
    ``atan2(Y_ear - Y_eye, f (X_eye - X_ear))``. The horizontal leg of that triangle is the
    weak part: in a side view the eye and ear are only ~0.1 L apart (12-15 px at 720p), and
    BlazePose places the ear point of a head it sees in profile a few pixels too far forward
    (on the rendered athletes the eye-ear run reads 2-7 px instead of 12-15), which inflates
    the angle of a level head to +25..+55 deg. The vertical rise is read well (within
    ~1 px). So the pitch is taken as ``asin(rise / d)``, with ``rise = Y_ear - Y_eye`` of the
    eye and ear mid-points (both sides averaged: less noise, and unchanged by a head turn) and
    ``d`` = the sagittal eye-ear distance, :data:`EYE_EAR_LEG_LENGTHS` x the camera-side leg
    length (segment sum, METRICS §2). A level head then reads the anatomical offset of the
    eye point above the tragus (~+7 deg, the "+5..10 deg" of M12a), the same convention as
    the spec's bands and as an ideal eye-ear line (rendered clips: bias +2.5 deg over 16
    side/diagonal clips, was +15 with the line).

    Why not the two corrections M12a allows: (1) subtracting the athlete's ready-stance (P0)
    value assumes the athlete looked straight ahead in P0, so a head held down from the
    start would cancel itself out and "eyes on the ground" would never be found, and many
    clips have no usable P0; with the line, P0 was also where it drifted most (+4..+58 deg
    while the tracker settled on the still athlete). (2) A constant offset calibrated on the
    rendered figure (+18 deg for the line) is a property of how BlazePose reads that
    drawn face, not of real faces, so it would bias real athletes toward "head down".
    :func:`head_metrics` reports the change from P0 and the line angle as details.

    Parameters
    ----------
    p
        (T, 33, 2) level image points (y down).
    facing
        (T,) facing sign; frames with 0 (unknown) give NaN.
    side
        (T,) camera side (0 = left, 1 = right) for the leg length.
    eye_ear_px
        Reference eye-ear distance in pixels. None: :data:`EYE_EAR_LEG_LENGTHS` x the median
        camera-side leg length of the track; when that is not available (no legs), the
        spec's eye-ear line angle is returned.
    """
    eye = midpoint(p, sk.LEFT_EYE, sk.RIGHT_EYE)
    ear = midpoint(p, sk.LEFT_EAR, sk.RIGHT_EAR)
    f = np.where(facing == 0, np.nan, facing)
    rise = ear[:, 1] - eye[:, 1]
    d = _eye_ear_reference_px(p, side) if eye_ear_px is None else float(eye_ear_px)
    if not (np.isfinite(d) and d > 0):
        near_eye = pick_side(p, sk.LEFT_EYE, sk.RIGHT_EYE, side)
        near_ear = pick_side(p, sk.LEFT_EAR, sk.RIGHT_EAR, side)
        run = f * (near_eye[:, 0] - near_ear[:, 0])
        return np.degrees(np.arctan2(near_ear[:, 1] - near_eye[:, 1], run))
    pitch = np.degrees(np.arcsin(np.clip(rise / d, -1.0, 1.0)))
    return np.where(np.isfinite(f), pitch, np.nan)


def eye_ear_line_series(p: np.ndarray, facing: np.ndarray, side: np.ndarray) -> np.ndarray:
    """(T,) the spec's eye-ear line angle ``atan2(Y_ear - Y_eye, f (X_eye - X_ear))`` on the
    camera side (M12a, reported as a detail; see :func:`head_pitch_series`)."""
    eye = pick_side(p, sk.LEFT_EYE, sk.RIGHT_EYE, side)
    ear = pick_side(p, sk.LEFT_EAR, sk.RIGHT_EAR, side)
    f = np.where(facing == 0, np.nan, facing)
    return np.degrees(np.arctan2(ear[:, 1] - eye[:, 1], f * (eye[:, 0] - ear[:, 0])))


def _eye_ear_reference_px(p: np.ndarray, side: np.ndarray) -> float:
    """:data:`EYE_EAR_LEG_LENGTHS` x median camera-side leg length (hip-knee + knee-ankle)."""
    hip = pick_side(p, sk.LEFT_HIP, sk.RIGHT_HIP, side)
    knee = pick_side(p, sk.LEFT_KNEE, sk.RIGHT_KNEE, side)
    ank = pick_side(p, sk.LEFT_ANKLE, sk.RIGHT_ANKLE, side)
    leg = np.linalg.norm(hip - knee, axis=1) + np.linalg.norm(knee - ank, axis=1)
    return EYE_EAR_LEG_LENGTHS * nanmedian(leg)


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
    params: HeadParams | None = None,
) -> dict[str, MetricValue]:
    """M12a head pitch (side) and M12b head yaw on target / turned to the QB (front), with
    the thresholds of ``params`` (:class:`HeadParams`; its defaults when None)."""
    prm = params or HeadParams()
    m = ctx.frames(phase)
    qc = ctx.qc(_HEAD_LM, m)
    pitch = ctx.series["head_pitch_deg"]
    pv = nanmedian(pitch[m]) if m.any() else None
    rd = ctx.frames("ready")
    ready = nanmedian(pitch[rd]) if rd.any() else None
    line = eye_ear_line_series(ctx.series["_p_angles"], ctx.scene.facing, ctx.scene.near_side)
    det = {
        "share_below_minus_25": float(np.mean(pitch[m] < prm.pitch_down_deg)) if m.any() else None,
        "ready_deg": ready,
        # the spec's P0 reference (M12a), as information: see head_pitch_series
        "change_from_ready_deg": pv - ready if pv is not None and ready is not None else None,
        "eye_ear_line_deg": nanmedian(line[m]) if m.any() else None,
    }
    low_frames = np.flatnonzero(m & (pitch < prm.pitch_down_deg))[:3].tolist()
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
            per_step=_per_step(ctx, phase, pitch),
            reason="" if m.any() else "no backpedal found in the clip",
        )
    }
    yaw = ctx.series["head_yaw_deg"]
    on = np.abs(yaw) < prm.on_target_deg
    square = m.any() and square_frames(ctx, m, prm.max_body_yaw_deg).sum() >= 0.5 * m.sum()
    val = float(np.mean(on[m])) if square else None
    turned = (
        "the athlete did not backpedal square to the camera: film from the front, "
        "from where the receiver would stand"
    )
    out["head_yaw_on_target_fraction"] = metric(
        "head_yaw_on_target_fraction",
        val,
        "fraction",
        phase,
        family="head_yaw",
        view=ctx.view,
        confidence="low",
        frames=np.flatnonzero(m & ~on)[:3].tolist(),
        reason="" if square or not m.any() else turned,
        qc=qc,
    )
    out["head_turned_to_qb_max_s"] = _qb(ctx, m, yaw, prm.qb_turn_deg, qc, "" if square else turned)
    return out


def _per_step(ctx: MetricContext, phase: str, x: np.ndarray) -> list[float]:
    """Median of ``x`` per step of the phase (touchdown to next touchdown), so a fault rule
    can ask for a share of the phase (M12a: "< -25 deg for > 30 % of P1")."""
    fr = [e.frame for e in ctx.touchdowns_in(phase)]
    return [nanmedian(x[a:b]) for a, b in itertools.pairwise(fr) if b > a]


def _qb(
    ctx: MetricContext, m: np.ndarray, yaw: np.ndarray, limit: float, qc: float, why: str
) -> MetricValue:
    """Longest continuous time in the phase with the head turned more than ``limit`` deg
    toward the QB (None with ``why`` when the yaw cannot be read against the camera)."""
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
        best if m.any() and not why else None,
        "s",
        "backpedal",
        family="head_yaw",
        view=ctx.view,
        confidence="low",
        reason=why,
        frames=frames,
        qc=qc,
    )
