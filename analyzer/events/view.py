"""Scene and view: ground line, camera roll, leg length and scale, facing, travel, body yaw,
camera view (side / front / rear / diagonal) and the camera-side of the athlete.

The body lengths and the view decision live in :mod:`analyzer.events.view_kind`; their
public names are importable from here too.

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
from analyzer.events.view_kind import (
    LEG_OVER_HEIGHT,
    MIN_VIEW_FRAMES,
    STAND_OVER_LEG,
    ViewParams,
    camera_side,
    classify_view,
    frontality,
    frontality_2d,
    frontality_3d,
    leg_length_series,
    torso_length,
)
from analyzer.numeric import cap_cutoff, derivative, lowpass, midpoint, nanmedian, runs, sustained
from analyzer.pose.track import PoseTrack
from analyzer.processing.filtering import TRUNK_CUTOFF_HZ
from analyzer.results import ViewInfo, ViewKind

__all__ = [
    "LEG_OVER_HEIGHT",
    "STAND_OVER_LEG",
    "Scene",
    "ViewParams",
    "body_yaw_deg",
    "build_scene",
    "camera_side",
    "classify_view",
    "facing_sign",
    "frontality",
    "frontality_2d",
    "frontality_3d",
    "leg_length_series",
    "near_side_series",
    "radial_travel_sign",
    "refit_ground",
    "torso_length",
    "travel_sign",
    "with_view",
]

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
#: Front/rear views: a run of size change is travel only when the lowest foot point moves
#: down (approaching) or up (receding) the image by at least 0.2 sigma |change of ln sigma|
#: (about 0.5 for a camera at hip to chest height, see :func:`radial_travel_sign`).
RADIAL_MIN_FOOT_SHARE = 0.2
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
    min_foot_share: float = RADIAL_MIN_FOOT_SHARE,
) -> tuple[np.ndarray, np.ndarray]:
    """(T,) travel along the camera axis in a front/rear view: +1 approaching, -1 receding.

    METRICS §4 step 4: apparent scale ``sigma`` (torso plus leg length in pixels); moving
    away when ``d ln sigma / dt < -0.05 /s`` sustained for >= 0.3 s. In front and rear views
    the facing sign is +1 for facing the camera, so a backpedal is still ``e_t = -f``.
    The feet must agree: for a camera above the ground the lowest foot point sits
    ``f h_cam / D`` below the horizon, so it moves down the image as the athlete approaches,
    by ``(y_foot - y_horizon) * change of ln sigma`` (~0.5 sigma * change of ln sigma for a
    camera at hip to chest height). A run of size change (runs of one sign less than
    ``min_duration_s`` apart taken as one: the body leans back before the first step) over
    which the feet do not move by at least ``min_foot_share`` sigma |change of ln sigma| is
    the body folding (sitting down, a leg raised, a crouch), not travel: seen on the real
    bodypose3d (sit-stand) and pose2sim (balance) clips. Returns (travel sign,
    d ln sigma / dt in 1/s).
    """
    size = torso_length(p) + 0.5 * (leg_length_series(p, 0) + leg_length_series(p, 1))
    feet = (sk.LEFT_ANKLE, sk.RIGHT_ANKLE, sk.LEFT_HEEL, sk.RIGHT_HEEL, sk.LEFT_TOE, sk.RIGHT_TOE)
    with np.errstate(invalid="ignore", divide="ignore"):
        log_s = lowpass(np.log(size), fs, cutoff_hz)
        foot_y = lowpass(np.nanmax(p[:, feet, 1], axis=1), fs, cutoff_hz)
    rate = np.nan_to_num(derivative(log_s, times))
    n = max(1, round(min_duration_s * fs))
    out = np.zeros(rate.shape, dtype=int)
    for sign in (1, -1):
        for a, b in _merged_runs(sustained(sign * rate > min_rate_per_s, n), n):
            ok = np.isfinite(foot_y[a:b]) & np.isfinite(log_s[a:b])
            if ok.sum() < 2:
                continue
            i, j = a + int(np.argmax(ok)), b - 1 - int(np.argmax(ok[::-1]))
            grown = abs(log_s[j] - log_s[i])  # |change of ln sigma| over the run
            moved = sign * (foot_y[j] - foot_y[i])  # feet down the image when approaching
            if moved >= min_foot_share * nanmedian(size[a:b]) * grown:
                out[a:b] = sign
    # distance grows as the size shrinks: radial speed ~ -D d ln(size)/dt with D ~ 1/size
    return out, rate * nanmedian(size) / size


def _merged_runs(mask: np.ndarray, max_gap: int) -> list[tuple[int, int]]:
    """Runs of ``mask`` with gaps shorter than ``max_gap`` samples closed."""
    merged: list[tuple[int, int]] = []
    for a, b in runs(mask):
        if merged and a - merged[-1][1] < max_gap:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


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

