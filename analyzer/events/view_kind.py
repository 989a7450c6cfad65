"""Body lengths and the camera view: leg and torso lengths, frontality, the view (side /
front / rear / diagonal) with its confidence, and the athlete's side nearer the camera.

Implements METRICS.md §2 (lengths) and §4 steps 1-2 (view). A module of its own, next to
:mod:`analyzer.events.view` (scene, facing, travel), which re-exports its public names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analyzer import skeleton as sk
from analyzer.numeric import midpoint, nanmedian
from analyzer.results import Foot, ViewKind

#: Leg length over stature, thigh 0.245 H + shank 0.246 H (Drillis & Contini, METRICS §2).
LEG_OVER_HEIGHT = 0.491
#: Standing hip height over leg length, L + ankle height 0.08 L (METRICS §2).
STAND_OVER_LEG = 1.08
#: View thresholds (METRICS §4 steps 1-2) without world landmarks: side Q < 0.25, front/back
#: Q > 0.60 (with them the limits are in degrees of yaw, :class:`ViewParams`); a square-on
#: world Q of 0.05 or less is not a body (no estimate).
SIDE_MAX_Q = 0.25
FRONTAL_MIN_Q = 0.60
MIN_SQUARE_ON_Q = 0.05
#: Fewest frames a view (or a world-yaw estimate of it) is summarised over.
MIN_VIEW_FRAMES = 3
#: Confidence of a front/rear call when the shoulder label order and the world nose depth
#: disagree: the view is 'rear' at 0.3 ([EJ]).
AMBIGUOUS_FRONT_REAR_CONFIDENCE = 0.3


# ---------------------------------------------------------------------------------------
# lengths


def leg_length_series(p: np.ndarray, side: int) -> np.ndarray:
    """(T,) segment-sum leg length |hip-knee| + |knee-ankle| in px (METRICS §2)."""
    hip, knee, ank = (
        (sk.LEFT_HIP, sk.LEFT_KNEE, sk.LEFT_ANKLE)
        if side == 0
        else (sk.RIGHT_HIP, sk.RIGHT_KNEE, sk.RIGHT_ANKLE)
    )
    return np.linalg.norm(p[:, hip] - p[:, knee], axis=1) + np.linalg.norm(
        p[:, knee] - p[:, ank], axis=1
    )


def torso_length(p: np.ndarray) -> np.ndarray:
    """(T,) torso length |S - H| in px (METRICS §2)."""
    s = midpoint(p, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER)
    h = midpoint(p, sk.LEFT_HIP, sk.RIGHT_HIP)
    return np.linalg.norm(s - h, axis=1)


def frontality(p: np.ndarray) -> np.ndarray:
    """(T,) Q = mean of 2D shoulder and hip width over torso length (METRICS §4 step 1)."""
    t = torso_length(p)
    with np.errstate(invalid="ignore", divide="ignore"):
        q_sh = np.abs(p[:, sk.LEFT_SHOULDER, 0] - p[:, sk.RIGHT_SHOULDER, 0]) / t
        q_hip = np.abs(p[:, sk.LEFT_HIP, 0] - p[:, sk.RIGHT_HIP, 0]) / t
    return 0.5 * (q_sh + q_hip)


# ---------------------------------------------------------------------------------------
# view


@dataclass(frozen=True)
class ViewParams:
    """Limits and uncertainty of the view decision, in degrees of body yaw to the camera.

    Attributes
    ----------
    side_min_deg
        Side view beyond this yaw: the capture table (METRICS §3.1) puts a diagonal camera
        30-60 deg off the backpedal line, so beyond 60 deg is side.
    frontal_max_deg
        Front or rear view within this yaw. Measured: square-on front clips (rendered) read
        0-8 deg, the real pose2sim front and rear cameras (cam02, cam04; 6-25 deg off the
        subject's facing by their calibration) 9-27 deg, bodypose3d's front camera 18 deg;
        a rendered 32-43 deg diagonal reads 29 deg and the real 30-50 deg cameras (cam01,
        cam03) 30-35 deg: the limit sits between them.
    max_disagreement_deg
        When the two estimates (2D widths, world yaw) differ by more, the widths are taken
        to be broken and the world yaw alone decides: a camera looking down foreshortens the
        torso and inflates the widths ratio (pose2sim's cameras, ~60 deg down: ratios above
        the square-on value), and a second person overlapping the athlete garbles the 2D
        widths (pose2sim_multi cam03: 0 deg from the widths, 34 from the world yaw).
    sigma_floor_deg
        Least uncertainty of the yaw estimate (MediaPipe world yaw of a still body scatters
        by ~5 deg frame to frame, and its median by less; the estimates' own disagreement
        adds to it).
    no_world_confidence
        Confidence scale of a front/rear verdict without world landmarks (label order alone
        tells front from rear, METRICS §4 step 2).
    """

    side_min_deg: float = 60.0
    frontal_max_deg: float = 28.0
    max_disagreement_deg: float = 20.0
    sigma_floor_deg: float = 5.0
    no_world_confidence: float = 0.6


def classify_view(
    q: np.ndarray,
    p: np.ndarray,
    world: np.ndarray | None,
    yaw_deg: np.ndarray | None,
    frames: np.ndarray,
    *,
    side_max_q: float = SIDE_MAX_Q,
    frontal_min_q: float = FRONTAL_MIN_Q,
    params: ViewParams | None = None,
) -> tuple[ViewKind, float, dict[str, float]]:
    """View and confidence from frontality, label order and nose depth (METRICS §4 1-2).

    Without world landmarks the spec's thresholds on Q apply (side < 0.25, front/back > 0.60).
    With them, the body yaw to the camera ``psi`` is estimated twice and the estimates are
    averaged in degrees: from the 2D shoulder and hip widths over torso length (Euclidean
    image distances, so a raised arm, a side bend or a rolled camera does not read as a
    turn) divided by the athlete's own square-on value (the same ratio on the world
    landmarks, which do not depend on the view; joint-centre landmarks give 0.4-0.65, not the
    0.9 of bi-acromial breadth the spec's thresholds assume), and from the world yaw. The
    confidence is the probability that the true yaw lies on the same side of the nearest
    limit, for a normal error whose spread is the floor plus the estimates' disagreement:
    ``Phi(margin / sigma)``. ``frames`` selects the frames to summarise (ready stance and
    backpedal). Front vs rear is decided only when the label order and the world nose depth
    agree; otherwise the view is 'rear' (the conservative choice) with a low confidence.
    """
    prm = params or ViewParams()
    sel = np.asarray(frames, dtype=bool) & np.isfinite(q)
    if sel.sum() < MIN_VIEW_FRAMES:
        return "unknown", 0.0, {}
    q_med = float(np.median(q[sel]))
    det: dict[str, float] = {"frontality_q": q_med}
    est = _yaw_estimate(p, world, yaw_deg, sel, det, prm)
    order = nanmedian(p[sel, sk.LEFT_SHOULDER, 0] - p[sel, sk.RIGHT_SHOULDER, 0])
    front_by_order = order > 0
    if est is None:
        lo, hi = side_max_q, frontal_min_q
        conf = float(np.clip(0.5 + min(abs(q_med - lo), abs(q_med - hi)) / (hi - lo), 0.5, 1.0))
        if q_med < lo:
            return "side", conf, det
        if q_med <= hi:
            return "diagonal", conf, det
        det["label_order_front"] = float(front_by_order)
        return ("front" if front_by_order else "rear"), prm.no_world_confidence * conf, det
    psi, sigma = est
    margin = min(abs(psi - prm.side_min_deg), abs(psi - prm.frontal_max_deg))
    conf = 0.5 * (1.0 + math.erf(margin / (sigma * math.sqrt(2.0))))
    if psi > prm.side_min_deg:
        return "side", conf, det
    if psi > prm.frontal_max_deg:
        return "diagonal", conf, det
    det["label_order_front"] = float(front_by_order)
    assert world is not None  # a yaw estimate needs the world landmarks
    ear_z = 0.5 * (world[sel, sk.LEFT_EAR, 2] + world[sel, sk.RIGHT_EAR, 2])
    front_by_depth = nanmedian(world[sel, sk.NOSE, 2] - ear_z) < 0
    det["nose_depth_front"] = float(front_by_depth)
    if front_by_order == front_by_depth:
        return ("front" if front_by_order else "rear"), conf, det
    return "rear", AMBIGUOUS_FRONT_REAR_CONFIDENCE, det


def frontality_2d(p: np.ndarray) -> np.ndarray:
    """(T,) mean of the 2D (Euclidean) shoulder and hip widths over torso length."""
    t = torso_length(p)
    with np.errstate(invalid="ignore", divide="ignore"):
        w_sh = np.linalg.norm(p[:, sk.LEFT_SHOULDER] - p[:, sk.RIGHT_SHOULDER], axis=1)
        w_hip = np.linalg.norm(p[:, sk.LEFT_HIP] - p[:, sk.RIGHT_HIP], axis=1)
        return 0.5 * (w_sh + w_hip) / t


def _yaw_estimate(
    p: np.ndarray,
    world: np.ndarray | None,
    yaw_deg: np.ndarray | None,
    sel: np.ndarray,
    det: dict[str, float],
    prm: ViewParams,
) -> tuple[float, float] | None:
    """Body yaw to the camera (deg, 0-90) and its uncertainty; None without world landmarks.

    From the 2D widths over the athlete's square-on widths, and (when given) the world yaw
    folded to 0-90; their mean, or the world yaw alone when they disagree by more than
    ``max_disagreement_deg``.
    """
    if world is None:
        return None
    q3 = frontality_3d(world[sel])
    q2 = nanmedian(frontality_2d(p[sel]))
    if not (np.isfinite(q3) and q3 > MIN_SQUARE_ON_Q and np.isfinite(q2)):
        return None
    det["square_on_q"] = q3
    det["frontality_2d"] = q2
    estimates = [math.degrees(math.acos(float(np.clip(q2 / q3, 0.0, 1.0))))]
    det["yaw_from_widths_deg"] = estimates[0]
    if yaw_deg is not None and np.isfinite(yaw_deg[sel]).sum() >= MIN_VIEW_FRAMES:
        folded = np.degrees(np.arccos(np.abs(np.cos(np.radians(yaw_deg[sel])))))
        estimates.append(nanmedian(folded))
        det["yaw_from_world_deg"] = estimates[1]
    spread = max(estimates) - min(estimates)
    psi = estimates[-1] if spread > prm.max_disagreement_deg else float(np.mean(estimates))
    sigma = math.hypot(prm.sigma_floor_deg, 0.5 * spread)
    det["yaw_deg"] = psi
    det["yaw_sigma_deg"] = sigma
    return psi, sigma


def frontality_3d(world: np.ndarray) -> float:
    """The athlete's square-on Q: median over frames of the 3D shoulder and hip widths over
    the 3D torso length (world landmarks; independent of the view)."""
    t = torso_length(world)
    with np.errstate(invalid="ignore", divide="ignore"):
        w_sh = np.linalg.norm(world[:, sk.LEFT_SHOULDER] - world[:, sk.RIGHT_SHOULDER], axis=1)
        w_hip = np.linalg.norm(world[:, sk.LEFT_HIP] - world[:, sk.RIGHT_HIP], axis=1)
        return nanmedian(0.5 * (w_sh + w_hip) / t)


def camera_side(near_side: np.ndarray, frames: np.ndarray, view: ViewKind) -> Foot | None:
    """The athlete's side nearer the camera over ``frames`` (side and diagonal views)."""
    if view not in ("side", "diagonal"):
        return None
    sel = np.asarray(frames, bool)
    if not sel.any():
        return None
    return "left" if np.mean(near_side[sel] == 0) >= 0.5 else "right"
