"""Scene and view: ground line, camera roll, leg length and scale, facing, travel, body yaw,
camera view (side / front / rear / diagonal) and the camera-side of the athlete.

Implements METRICS.md §2 (conventions), §3.3 step 8 (ground line) and §4 (view and
direction). Everything is per frame first, then summarised over the frames asked for.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.ndimage import median_filter

from analyzer import skeleton as sk
from analyzer.events.ground import (
    STANCE_POINT_PERCENTILE,
    fit_ground_line,
    level_landmarks,
    lowest_foot_xy,
    stance_envelope_points,
)
from analyzer.events.scene import Scene
from analyzer.numeric import cap_cutoff, derivative, lowpass, midpoint, nanmedian, runs, sustained
from analyzer.pose.track import PoseTrack
from analyzer.processing.filtering import TRUNK_CUTOFF_HZ
from analyzer.results import Foot, ViewInfo, ViewKind

#: Leg length over stature, thigh 0.245 H + shank 0.246 H (Drillis & Contini, METRICS §2).
LEG_OVER_HEIGHT = 0.491
#: Standing hip height over leg length, L + ankle height 0.08 L (METRICS §2).
STAND_OVER_LEG = 1.08
#: Facing votes (METRICS §2): the nose-ahead-of-ear vote is normalised by 0.1 L (about the
#: nose's protrusion), the summed vote median-filtered over 0.3 s (about a step).
HEAD_VOTE_SCALE_LEG = 0.1
FACING_SMOOTH_S = 0.3
#: Travel (METRICS §4 steps 3-4): a direction must hold for 0.3 s; in front/rear views the
#: apparent size must change by more than 5 % per second.
TRAVEL_MIN_S = 0.3
RADIAL_MIN_RATE_PER_S = 0.05
#: Front/rear views: the relative size change d ln(size)/dt (1/s) is turned into a speed in
#: L/s with an assumed camera distance of 8 L (about 7 m, METRICS §3.1 capture table); a
#: coarse proxy (its metrics are marked degraded in those views).
RADIAL_DISTANCE_LEG = 8.0
#: View thresholds (METRICS §4 steps 1-2): side Q < 0.25, front/back Q > 0.60 without world
#: landmarks; with them front/back needs |cos psi| > 0.93 (|psi| < 22 deg, see
#: :func:`classify_view`); a square-on world Q of 0.05 or less is not a body (no estimate).
SIDE_MAX_Q = 0.25
FRONTAL_MIN_Q = 0.60
FRONTAL_MIN_COS = 0.93
MIN_SQUARE_ON_Q = 0.05
#: Fewest frames a view (or a world-yaw estimate of it) is summarised over.
MIN_VIEW_FRAMES = 3
#: Confidence of a front/rear call from the shoulder label order alone (no world nose depth
#: to confirm it): scaled by 0.6; when the two disagree the view is 'rear' at 0.3 ([EJ]).
ORDER_ONLY_CONFIDENCE = 0.6
AMBIGUOUS_FRONT_REAR_CONFIDENCE = 0.3
#: Scene defaults (METRICS §3.3): mid-hip low-pass 4 Hz for speed, ground-line inliers
#: within 0.05 L, camera roll corrected up to 10 deg, travel on the hip velocity low-passed
#: at 1.5 Hz (about a stride); a refit of the ground needs 5 stance points.
HIP_CUTOFF_HZ = 4.0
GROUND_TOL_LEG = 0.05
MAX_ROLL_DEG = 10.0
TRAVEL_CUTOFF_HZ = 1.5
MIN_GROUND_POINTS = 5
#: A one-frame track has no frame rate: 30 fps is assumed; with no leg found, the leg length
#: is taken as a quarter of the image height (an athlete filling the frame, METRICS §3.1).
DEFAULT_FPS = 30.0
FALLBACK_LEG_OVER_IMAGE_HEIGHT = 0.25


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
# orientation


def body_yaw_deg(
    world: np.ndarray, fs: float, *, cutoff_hz: float = TRUNK_CUTOFF_HZ, across: str = "both"
) -> np.ndarray:
    """(T,) body yaw from world landmarks, unwrapped, degrees (METRICS §4 step 5).

    Torso normal ``n = (H - S) x (P11 - P12)`` (world x right, y down, z away from the
    camera), yaw ``psi = atan2(n_x, -n_z)``: 0 = facing the camera, +90 = facing image-right.
    ``across`` picks the left-right vector: "shoulders" (the spec's), "hips" (pelvis yaw, for
    the hip turn) or "both" (their mean, less noisy).
    """
    s = midpoint(world, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER)
    h = midpoint(world, sk.LEFT_HIP, sk.RIGHT_HIP)
    sh = world[:, sk.LEFT_SHOULDER] - world[:, sk.RIGHT_SHOULDER]
    hp = world[:, sk.LEFT_HIP] - world[:, sk.RIGHT_HIP]
    if across == "both":  # either line alone where the other is missing
        vec = np.where(np.isfinite(sh) & np.isfinite(hp), 0.5 * (sh + hp),
                       np.where(np.isfinite(sh), sh, hp))  # fmt: skip
    else:
        vec = sh if across == "shoulders" else hp
    down = h - s
    # world y points down: the torso axis falls back to it where a mid-point is missing
    down = np.where(np.isfinite(down), down, np.array([0.0, 1.0, 0.0]))
    n = np.cross(down, vec)
    yaw = np.arctan2(n[:, 0], -n[:, 2])
    ok = np.isfinite(yaw)
    out = np.full(yaw.shape, np.nan)
    if ok.sum() >= 2:
        out[ok] = np.unwrap(yaw[ok])
        out = lowpass(np.degrees(out), fs, cap_cutoff(cutoff_hz, fs))
    return out


def facing_sign(
    p: np.ndarray,
    fs: float,
    leg_px: float,
    *,
    yaw_deg: np.ndarray | None = None,
    smooth_s: float = FACING_SMOOTH_S,
) -> np.ndarray:
    """(T,) facing sign f per frame (+1 image-right, -1 image-left; METRICS §2).

    Votes: toe-ahead-of-heel of both feet (normalised by foot length), nose-ahead-of-ear
    (normalised by 0.1 L) and, when world landmarks exist, twice ``sin`` of the body yaw
    (+1 facing image-right); median-filtered over ``smooth_s``. Recomputed every frame, so it
    flips during a hip flip.
    """
    feet = []
    for heel, toe in ((sk.LEFT_HEEL, sk.LEFT_TOE), (sk.RIGHT_HEEL, sk.RIGHT_TOE)):
        d = p[:, toe] - p[:, heel]
        with np.errstate(invalid="ignore", divide="ignore"):
            feet.append(d[:, 0] / np.linalg.norm(d, axis=1))
    foot_vote = np.nanmean(np.stack(feet, 1), axis=1) if feet else 0.0
    ear = midpoint(p, sk.LEFT_EAR, sk.RIGHT_EAR)
    head_vote = np.clip((p[:, sk.NOSE, 0] - ear[:, 0]) / (HEAD_VOTE_SCALE_LEG * leg_px), -1.0, 1.0)
    votes = [foot_vote, head_vote]
    if yaw_deg is not None:
        votes.append(2.0 * np.sin(np.radians(yaw_deg)))
    vote = np.nansum(np.stack(votes, 1), axis=1)
    w = max(1, round(smooth_s * fs) | 1)
    vote = median_filter(np.nan_to_num(vote), size=w, mode="nearest")
    return np.sign(vote).astype(int)


def travel_sign(
    hip_vx: np.ndarray,
    fs: float,
    leg_px: float,
    *,
    min_speed_leg_per_s: float = 0.5,
    min_duration_s: float = TRAVEL_MIN_S,
) -> np.ndarray:
    """(T,) travel sign e_t = sign(V_x(H)) where |V_x| > 0.5 L/s for >= 0.3 s, else 0 (§4.3)."""
    v = np.nan_to_num(hip_vx)
    n = max(1, round(min_duration_s * fs))
    out = np.zeros(v.shape, dtype=int)
    out[sustained(v > min_speed_leg_per_s * leg_px, n)] = 1
    out[sustained(v < -min_speed_leg_per_s * leg_px, n)] = -1
    return out


def radial_travel_sign(
    p: np.ndarray,
    times: np.ndarray,
    fs: float,
    *,
    min_rate_per_s: float = RADIAL_MIN_RATE_PER_S,
    min_duration_s: float = TRAVEL_MIN_S,
    cutoff_hz: float = 2.0,
) -> tuple[np.ndarray, np.ndarray]:
    """(T,) travel along the camera axis in a front/rear view: +1 approaching, -1 receding.

    METRICS §4 step 4: apparent scale ``sigma`` (torso plus leg length in pixels); moving
    away when ``d ln sigma / dt < -0.05 /s`` sustained for >= 0.3 s. In front and rear views
    the facing sign is +1 for facing the camera, so a backpedal is still ``e_t = -f``.
    Returns (travel sign, d ln sigma / dt in 1/s).
    """
    size = torso_length(p) + 0.5 * (leg_length_series(p, 0) + leg_length_series(p, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        log_s = lowpass(np.log(size), fs, cutoff_hz)
    rate = np.nan_to_num(derivative(log_s, times))
    n = max(1, round(min_duration_s * fs))
    out = np.zeros(rate.shape, dtype=int)
    out[sustained(rate > min_rate_per_s, n)] = 1
    out[sustained(rate < -min_rate_per_s, n)] = -1
    # distance grows as the size shrinks: radial speed ~ -D d ln(size)/dt with D ~ 1/size
    return out, rate * nanmedian(size) / size


def near_side_series(facing: np.ndarray, world: np.ndarray | None) -> np.ndarray:
    """(T,) 0 if the athlete's left side is nearer the camera, 1 if the right.

    Geometry: an athlete facing image-left shows the camera the left side (unmirrored
    video). World depth (smaller z = nearer) decides where the facing sign is 0.
    """
    side = np.where(facing < 0, 0, 1)
    if world is not None:
        dz = (world[:, sk.LEFT_SHOULDER, 2] + world[:, sk.LEFT_HIP, 2]) - (
            world[:, sk.RIGHT_SHOULDER, 2] + world[:, sk.RIGHT_HIP, 2]
        )
        by_depth = np.where(dz < 0, 0, 1)
        side = np.where((facing == 0) & np.isfinite(dz), by_depth, side)
    return side.astype(int)


# ---------------------------------------------------------------------------------------
# view


def classify_view(
    q: np.ndarray,
    p: np.ndarray,
    world: np.ndarray | None,
    yaw_deg: np.ndarray | None,
    frames: np.ndarray,
    *,
    side_max_q: float = SIDE_MAX_Q,
    frontal_min_q: float = FRONTAL_MIN_Q,
    side_max_cos: float = 0.5,
    frontal_min_cos: float = FRONTAL_MIN_COS,
) -> tuple[ViewKind, float, dict[str, float]]:
    """View and confidence from frontality, label order and nose depth (METRICS §4 1-2).

    Without world landmarks the spec's thresholds on Q apply (side < 0.25, front/back > 0.60).
    With them, two estimates of ``|cos psi|`` (psi = body yaw to the camera) are averaged:
    Q divided by the athlete's own square-on Q (the same widths over torso measured on the
    world landmarks, which do not depend on the view; joint-centre landmarks give a square-on
    Q of 0.4-0.65, not the 0.9 of bi-acromial breadth the spec's thresholds assume), and the
    world yaw. Side below ``side_max_cos`` (|psi| > 60 deg), front/back above
    ``frontal_min_cos`` (|psi| < 22 deg), diagonal between. The front limit follows the
    capture table (METRICS §3.1: a front camera stands on the backpedal line, a diagonal one
    30-60 deg off it) rather than §4's Q > 0.60 (|psi| < 50 deg), and allows for both
    estimates reading the body as more square-on than it is: a rendered 32-43 deg diagonal
    read |cos psi| = 0.88 (29 deg), square-on front clips 0.99-1.00. ``frames`` selects the
    frames to summarise (ready stance and backpedal). Front vs rear is decided only when the
    label order and the world nose depth agree; otherwise the view is 'rear' (the
    conservative choice) with a low confidence.
    """
    sel = np.asarray(frames, dtype=bool) & np.isfinite(q)
    if sel.sum() < MIN_VIEW_FRAMES:
        return "unknown", 0.0, {}
    q_med = float(np.median(q[sel]))
    det: dict[str, float] = {"frontality_q": q_med}
    c = _abs_cos_yaw(q_med, world, yaw_deg, sel, det)
    if c is None:
        lo, hi, x = side_max_q, frontal_min_q, q_med
    else:
        lo, hi, x = side_max_cos, frontal_min_cos, c
    conf = float(np.clip(0.5 + min(abs(x - lo), abs(x - hi)) / (hi - lo), 0.5, 1.0))
    if x < lo:
        return "side", conf, det
    if x <= hi:
        return "diagonal", conf, det
    order = nanmedian(p[sel, sk.LEFT_SHOULDER, 0] - p[sel, sk.RIGHT_SHOULDER, 0])
    front_by_order = order > 0
    det["label_order_front"] = float(front_by_order)
    if world is None:
        return ("front" if front_by_order else "rear"), ORDER_ONLY_CONFIDENCE * conf, det
    ear_z = 0.5 * (world[sel, sk.LEFT_EAR, 2] + world[sel, sk.RIGHT_EAR, 2])
    front_by_depth = nanmedian(world[sel, sk.NOSE, 2] - ear_z) < 0
    det["nose_depth_front"] = float(front_by_depth)
    if front_by_order == front_by_depth:
        return ("front" if front_by_order else "rear"), conf, det
    return "rear", AMBIGUOUS_FRONT_REAR_CONFIDENCE, det


def _abs_cos_yaw(
    q_med: float,
    world: np.ndarray | None,
    yaw_deg: np.ndarray | None,
    sel: np.ndarray,
    det: dict[str, float],
) -> float | None:
    """Median ``|cos psi|`` from Q over the athlete's world-landmark square-on Q, averaged with
    the world yaw's; None without world landmarks."""
    if world is None:
        return None
    q3 = frontality_3d(world[sel])
    if not np.isfinite(q3) or q3 <= MIN_SQUARE_ON_Q:
        return None
    est = [float(np.clip(q_med / q3, 0.0, 1.0))]
    det["square_on_q"] = q3
    if yaw_deg is not None and np.isfinite(yaw_deg[sel]).sum() >= MIN_VIEW_FRAMES:
        cw = nanmedian(np.abs(np.cos(np.radians(yaw_deg[sel]))))
        det["world_abs_cos_yaw"] = cw
        est.append(cw)
    c = float(np.mean(est))
    det["abs_cos_yaw"] = c
    return c


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


# ---------------------------------------------------------------------------------------
# scene


def build_scene(
    track: PoseTrack,
    *,
    athlete_height_m: float | None = None,
    hip_cutoff_hz: float = HIP_CUTOFF_HZ,
    ground_tol_leg: float = GROUND_TOL_LEG,
    max_roll_deg: float = MAX_ROLL_DEG,
    travel_cutoff_hz: float = TRAVEL_CUTOFF_HZ,
    max_bridge_s: float = 0.5,
) -> Scene:
    """Estimate the scene of a cleaned track (METRICS §2, §3.3 step 8, §4).

    Parameters
    ----------
    track
        Cleaned pose track (pixels, y down).
    athlete_height_m
        Stature in metres; gives the metric scale ``s = 0.491 H / L`` (METRICS §2).
    hip_cutoff_hz
        Cut-off of the mid-hip trajectory used for speed (METRICS §3.3: 4 Hz).
    ground_tol_leg
        Inlier tolerance of the ground-line fit in leg lengths.
    travel_cutoff_hz
        Low-pass of the mid-hip velocity for the travel direction (1.5 Hz, about a stride).
    max_bridge_s
        Gaps in the mid-hip trajectory up to this long are bridged linearly for speed and
        travel (cleaning leaves gaps longer than its 0.12 s fill, e.g. in a quick turn).
    max_roll_deg
        Largest camera roll corrected. The landmarks are levelled only in a side view (in a
        front or diagonal view the path recedes and the contact line is not the horizon).
    """
    times = np.asarray(track.times_s, float)
    fs = float(track.fps) if track.n_frames > 1 else DEFAULT_FPS
    p_raw = np.asarray(track.image_xy, float)
    world = None if track.world_xyz is None else np.asarray(track.world_xyz, float)
    legs = [nanmedian(leg_length_series(p_raw, s)) for s in (0, 1)]
    leg0 = float(np.nanmax(legs)) if np.isfinite(legs).any() else float("nan")
    if not np.isfinite(leg0) or leg0 <= 0:
        leg0 = FALLBACK_LEG_OVER_IMAGE_HEIGHT * float(track.image_size[1])
    view0, _, _ = classify_view(frontality(p_raw), p_raw, world, None, np.ones(times.size, bool))
    ground, roll, p = level_landmarks(
        p_raw, times, fs, leg0, track.image_size, ground_tol_leg,
        max_roll_deg=max_roll_deg if view0 == "side" else 0.0,
    )  # fmt: skip
    yaw = body_yaw_deg(world, fs) if world is not None else None
    facing = facing_sign(p, fs, leg0, yaw_deg=yaw)
    near = near_side_series(facing, world)
    leg_series = np.where(near == 0, leg_length_series(p, 0), leg_length_series(p, 1))
    leg = nanmedian(leg_series) if np.isfinite(leg_series).any() else leg0
    leg_cv = float(np.nanstd(leg_series) / leg) if np.isfinite(leg_series).sum() > 2 else 0.0
    hip_x = _bridge(midpoint(p, sk.LEFT_HIP, sk.RIGHT_HIP)[:, 0], fs, max_bridge_s)
    hip_vx = derivative(lowpass(hip_x, fs, hip_cutoff_hz), times)
    q = frontality(p)
    view, conf, det = classify_view(q, p, world, yaw, np.ones(times.size, bool))
    facing, travel, speed = _signs(p, times, fs, leg, view, facing, yaw, hip_vx, travel_cutoff_hz)
    scale = LEG_OVER_HEIGHT * athlete_height_m / leg if athlete_height_m else None
    return Scene(
        times, fs, p, np.asarray(track.visibility, float), world, ground, roll, leg,
        nanmedian(torso_length(p)), scale, leg_cv, facing, travel, hip_vx, near, yaw, q,
        ViewInfo(view, conf, camera_side(near, np.ones(times.size, bool), view)), det, speed,
        body_yaw_deg(world, fs, across="hips") if world is not None else None,
    )  # fmt: skip


def _bridge(x: np.ndarray, fs: float, max_gap_s: float) -> np.ndarray:
    """Linear interpolation over interior NaN gaps up to ``max_gap_s``."""
    out = x.copy()
    ok = np.isfinite(x)
    if ok.sum() < 2:
        return out
    idx = np.arange(x.size)
    filled = np.interp(idx, idx[ok], x[ok])
    for a, b in runs(~ok):
        if a > 0 and b < x.size and (b - a) <= max_gap_s * fs:
            out[a:b] = filled[a:b]
    return out


def _signs(
    p: np.ndarray,
    times: np.ndarray,
    fs: float,
    leg: float,
    view: ViewKind,
    facing: np.ndarray,
    yaw: np.ndarray | None,
    hip_vx: np.ndarray,
    travel_cutoff_hz: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Facing, travel and signed speed (L/s) for the view: image x in side/diagonal views
    (travel on the stride-averaged velocity, so a slow walker's dips within each step do not
    break it), the camera axis in front/rear views (§4 step 4)."""
    if view not in ("front", "rear"):
        travel = travel_sign(lowpass(hip_vx, fs, travel_cutoff_hz), fs, leg)
        return facing, travel, hip_vx / leg
    facing = np.full(times.size, 1 if view == "front" else -1, dtype=int)
    if yaw is not None:
        cos_yaw = np.cos(np.radians(yaw))
        facing = np.where(np.isfinite(cos_yaw), np.where(cos_yaw >= 0, 1, -1), facing)
    travel, rate = radial_travel_sign(p, times, fs)
    return facing, travel, RADIAL_DISTANCE_LEG * rate


def with_view(scene: Scene, frames: np.ndarray) -> Scene:
    """The scene with its view re-summarised over ``frames`` (ready stance + backpedal)."""
    if np.asarray(frames, bool).sum() < MIN_VIEW_FRAMES:
        return scene
    view, conf, det = classify_view(scene.frontality, scene.p, scene.world, scene.yaw_deg, frames)
    info = ViewInfo(view, conf, camera_side(scene.near_side, frames, view))
    return replace(scene, view=info, view_details=det)


def refit_ground(
    scene: Scene,
    stance: np.ndarray,
    *,
    tol_leg: float = GROUND_TOL_LEG,
    envelope_pct: float = STANCE_POINT_PERCENTILE,
) -> Scene:
    """Refit the ground line on the lowest foot points during detected stances (§3.3 step 8).

    ``stance`` is (T, 2) bool (left, right). Each stance contributes one point: the
    ``envelope_pct`` percentile of its (lightly low-passed) lowest-foot Y, i.e. the foot near
    its lowest, flattest moment. Averaging every stance frame instead puts the line on the
    partly lifted foot of early and late stance (touchdown and toe-off frames), above the
    ground. Only the level-frame offset is refitted; the roll of the first pass is kept.
    """
    pts = stance_envelope_points(scene.p, stance, scene.fs, envelope_pct)
    if pts.shape[0] < MIN_GROUND_POINTS:
        pts = np.concatenate([lowest_foot_xy(scene.p, s)[stance[:, s]] for s in (0, 1)], axis=0)
    if pts.shape[0] < MIN_GROUND_POINTS:
        return scene
    g = fit_ground_line(
        pts, inlier_tol_px=tol_leg * scene.leg_length_px, min_x_spread_px=1.0 * scene.leg_length_px
    )
    return replace(scene, ground=replace(g, roll_deg=scene.roll_deg))

