"""Ground line and camera roll (METRICS.md §3.3 step 8, §2 "Vertical").

Foot points on the ground (lowest of heel and toe, while still) are fitted with a robust
straight line ``Y = a + b X``; ``atan b`` is the camera roll, and the landmarks are rotated so
the line is horizontal before any angle or height is measured.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.ndimage import maximum_filter1d

from analyzer import skeleton as sk
from analyzer.numeric import cap_cutoff, derivative, lowpass, rotate_xy, runs
from analyzer.processing.filtering import FEET_CUTOFF_HZ

#: The horizontal spread of the foot points is their 5th-95th percentile range (robust to a
#: stray point).
SPREAD_PERCENTILES = (5, 95)
#: Theil-Sen slope (Sen 1968) on at most 300 evenly spaced points (45k pairs), from pairs at
#: least a quarter of the spread apart (close pairs give wild slopes); the least-squares
#: refit needs 3 inliers.
THEIL_SEN_MAX_POINTS = 300
THEIL_SEN_MIN_DX_FRACTION = 0.25
MIN_INLIERS = 3
#: Numerical floors: a spread (px) and a roll (rad) below these are zero.
_MIN_SPREAD_PX = 1e-6
_NO_ROLL_RAD = 1e-9
#: Stance candidates (METRICS §5 steps 2-3): the lowest foot point within 0.08 L of the
#: lowest of either foot over a 0.6 s window (about a stride), the window at least 3 frames.
STANCE_WINDOW_S = 0.6
NEAR_GROUND_LEG = 0.08
MIN_WINDOW_FRAMES = 3
#: One ground point per stance run: the 80th percentile of its lowest-foot Y (image y down:
#: near the foot's lowest, flattest moment, §3.3 step 8).
STANCE_POINT_PERCENTILE = 80.0


@dataclass(frozen=True)
class GroundLine:
    """Ground line ``Y = a + b X`` in image pixels (METRICS §3.3 step 8).

    ``roll_deg`` is the camera roll ``atan b``; ``residual_px`` the median absolute
    residual of the inliers; ``n_points`` how many foot points supported the fit.
    """

    a: float
    b: float
    roll_deg: float
    residual_px: float
    n_points: int

    def y_at(self, x: np.ndarray) -> np.ndarray:
        """Ground Y at image X."""
        return self.a + self.b * np.asarray(x, float)


def fit_ground_line(
    xy: np.ndarray, *, inlier_tol_px: float, min_x_spread_px: float = 0.0
) -> GroundLine:
    """Robust straight-line fit ``Y = a + bX`` to foot points on the ground (§3.3 step 8).

    Theil-Sen slope (median of pairwise slopes on a deterministic subsample), then a least-
    squares refit on the inliers within ``inlier_tol_px``. When the points span less than
    ``min_x_spread_px`` horizontally the slope is not identifiable and is set to 0.
    """
    pts = np.asarray(xy, float)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if pts.shape[0] < 2:
        y0 = float(pts[0, 1]) if pts.shape[0] else float("nan")
        return GroundLine(y0, 0.0, 0.0, float("nan"), int(pts.shape[0]))
    x, y = pts[:, 0], pts[:, 1]
    lo_pct, hi_pct = SPREAD_PERCENTILES
    spread = float(np.percentile(x, hi_pct) - np.percentile(x, lo_pct))
    if spread < max(min_x_spread_px, _MIN_SPREAD_PX):
        b = 0.0
    else:
        idx = np.linspace(0, x.size - 1, min(x.size, THEIL_SEN_MAX_POINTS)).astype(int)
        xs, ys = x[idx], y[idx]
        dx = xs[:, None] - xs[None, :]
        dy = ys[:, None] - ys[None, :]
        sel = np.abs(dx) > THEIL_SEN_MIN_DX_FRACTION * spread
        b = float(np.median(dy[sel] / dx[sel])) if sel.any() else 0.0
    a = float(np.median(y - b * x))
    inl = np.abs(y - (a + b * x)) < inlier_tol_px
    if inl.sum() >= MIN_INLIERS:
        if spread >= max(min_x_spread_px, _MIN_SPREAD_PX):
            b, a = (float(v) for v in np.polyfit(x[inl], y[inl], 1))
        else:
            a = float(np.median(y[inl]))
    res = float(np.median(np.abs(y[inl] - (a + b * x[inl])))) if inl.any() else float("nan")
    return GroundLine(a, b, float(np.degrees(np.arctan(b))), res, int(inl.sum()))


def stance_candidates(
    p: np.ndarray,
    times_s: np.ndarray,
    fs: float,
    leg_px: float,
    *,
    window_s: float = STANCE_WINDOW_S,
    max_speed_leg_per_s: float = 0.5,
    near_ground_leg: float = NEAR_GROUND_LEG,
) -> np.ndarray:
    """(T, 2) bool: frames where each foot is probably on the ground, before contacts exist.

    A foot is a candidate when its lowest point (heel or toe) is within ``near_ground_leg``
    x L of the lowest foot point of either foot within ``window_s`` and moves vertically
    slower than ``max_speed_leg_per_s`` x L/s (METRICS §5 step 2/3 criteria).
    """
    low = np.stack([lowest_foot_y(p, side) for side in (0, 1)], axis=1)
    low_f = lowpass(low, fs, cap_cutoff(FEET_CUTOFF_HZ, fs))
    vy = np.abs(derivative(low_f, times_s))
    both = np.nanmax(np.where(np.isfinite(low_f), low_f, -np.inf), axis=1)
    w = max(MIN_WINDOW_FRAMES, round(window_s * fs) | 1)
    env = maximum_filter1d(np.where(np.isfinite(both), both, -np.inf), size=w, mode="nearest")
    near = (env[:, None] - low_f) < near_ground_leg * leg_px
    return near & (vy < max_speed_leg_per_s * leg_px) & np.isfinite(low_f)


def lowest_foot_y(p: np.ndarray, side: int) -> np.ndarray:
    """(T,) the lower (larger y) of heel and toe of one foot (0 left, 1 right)."""
    heel, toe = (sk.LEFT_HEEL, sk.LEFT_TOE) if side == 0 else (sk.RIGHT_HEEL, sk.RIGHT_TOE)
    y = np.stack([p[:, heel, 1], p[:, toe, 1]], axis=1)
    with np.errstate(all="ignore"):
        out = np.nanmax(np.where(np.isfinite(y), y, -np.inf), axis=1)
    out[~np.isfinite(out)] = np.nan
    return out


def lowest_foot_xy(p: np.ndarray, side: int) -> np.ndarray:
    """(T, 2) the lower of heel and toe of one foot."""
    heel, toe = (sk.LEFT_HEEL, sk.LEFT_TOE) if side == 0 else (sk.RIGHT_HEEL, sk.RIGHT_TOE)
    use_toe = np.nan_to_num(p[:, toe, 1], nan=-np.inf) > np.nan_to_num(p[:, heel, 1], nan=-np.inf)
    return np.where(use_toe[:, None], p[:, toe], p[:, heel])


def level_landmarks(
    p_raw: np.ndarray,
    times: np.ndarray,
    fs: float,
    leg: float,
    size: tuple[int, int],
    tol_leg: float,
    *,
    max_roll_deg: float,
) -> tuple[GroundLine, float, np.ndarray]:
    """Fit the ground line, rotate the landmarks so it is horizontal, refit (§2 Vertical)."""
    cand = stance_candidates(p_raw, times, fs, leg)
    pts = np.concatenate([lowest_foot_xy(p_raw, s)[cand[:, s]] for s in (0, 1)], axis=0)
    g0 = fit_ground_line(pts, inlier_tol_px=tol_leg * leg, min_x_spread_px=1.0 * leg)
    roll = float(np.arctan(g0.b)) if np.isfinite(g0.b) else 0.0
    if abs(np.degrees(roll)) > max_roll_deg:
        roll = 0.0
    origin = np.array([(size[0] - 1) / 2.0, (size[1] - 1) / 2.0])
    p = rotate_xy(p_raw, -roll, origin) if abs(roll) > _NO_ROLL_RAD else p_raw.copy()
    pts_l = np.concatenate([lowest_foot_xy(p, s)[cand[:, s]] for s in (0, 1)], axis=0)
    g = fit_ground_line(pts_l, inlier_tol_px=tol_leg * leg, min_x_spread_px=1.0 * leg)
    g = replace(g, roll_deg=float(np.degrees(roll)))
    return g, float(np.degrees(roll)), p


def stance_envelope_points(
    p: np.ndarray, stance: np.ndarray, fs: float, pct: float = STANCE_POINT_PERCENTILE
) -> np.ndarray:
    """(N, 2) one ground point per stance run (of at least 2 frames) of either foot.

    The point is the ``pct`` percentile of the run's lowest-foot Y (low-passed at 10 Hz, 6 Hz
    below 50 fps, so single-frame jitter does not set it) at the run's median X: the foot near
    its lowest, flattest moment. Every stance frame would also bring the partly lifted foot of
    touchdown and toe-off, which puts a fitted line above the ground (§3.3 step 8).
    """
    out = []
    for s in (0, 1):
        xy = lowest_foot_xy(p, s)
        y = lowpass(xy[:, 1], fs, cap_cutoff(FEET_CUTOFF_HZ, fs))
        for a, b in runs(stance[:, s]):
            seg, xs = y[a:b], xy[a:b, 0]
            ok = np.isfinite(seg) & np.isfinite(xs)
            if b - a < 2 or ok.sum() < 2:
                continue
            out.append((float(np.median(xs[ok])), float(np.percentile(seg[ok], pct))))
    return np.asarray(out, float).reshape(-1, 2)
