"""Quality mask: which landmark samples to reject (METRICS.md §3.3 steps 3 and 5).

Every function returns a (T, 33) bool mask, True where a sample should be set to NaN; the
caller removes them and fills short gaps afterwards (:mod:`analyzer.processing.gaps`).
"""

from __future__ import annotations

import numpy as np

from analyzer.processing.geometry import nanmedian, segment_length
from analyzer.skeleton import (
    LEFT_ANKLE,
    LEFT_ELBOW,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    LEFT_WRIST,
    MIRROR,
    N_LANDMARKS,
)

#: Limb chains (proximal, middle, distal) whose two segments are length-checked.
_CHAINS: tuple[tuple[int, int, int], ...] = tuple(
    (MIRROR[p] if right else p, MIRROR[m] if right else m, MIRROR[d] if right else d)
    for p, m, d in ((LEFT_HIP, LEFT_KNEE, LEFT_ANKLE), (LEFT_SHOULDER, LEFT_ELBOW, LEFT_WRIST))
    for right in (False, True)
)
#: Head and trunk landmarks (face, shoulders, hips): the slow group of the speed check.
TRUNK_SPEED_LANDMARKS: tuple[int, ...] = (*range(0, 13), 23, 24)

MIN_VISIBILITY = 0.5
SEGMENT_TOLERANCE = 0.15
TRUNK_MAX_SPEED_L_S = 15.0
EXTREMITY_MAX_SPEED_L_S = 40.0
MIN_JUMP_L = 0.1
SPIKE_WINDOW = 5
SPIKE_N_MAD = 4.0
SPIKE_MIN_DEV_L = 0.05


def low_visibility(
    visibility: np.ndarray, *, min_visibility: float | None = MIN_VISIBILITY
) -> np.ndarray:
    """(T, 33) True where ``visibility < min_visibility`` (METRICS.md §3.3 step 3).

    BlazePose's visibility is unreliable (high for hidden face points, issue #5197 [S:29]),
    so this is only one of the checks; ``min_visibility=None`` turns it off.
    """
    if min_visibility is None:
        return np.zeros(visibility.shape, dtype=bool)
    return np.asarray(visibility) < min_visibility


def segment_length_outliers(
    xy: np.ndarray, *, tolerance: float | None = SEGMENT_TOLERANCE
) -> np.ndarray:
    """(T, 33) True where a thigh, shank, upper arm or forearm is off its median by > tolerance.

    METRICS.md §3.3 step 3 ([EJ] ±15 %). For a chain proximal–middle–distal (hip–knee–ankle,
    shoulder–elbow–wrist): both segments wrong → the middle joint is rejected; only the
    proximal segment → the proximal point; only the distal segment → the distal point.
    """
    bad = np.zeros(xy.shape[:2], dtype=bool)
    if tolerance is None:
        return bad
    for p, m, d in _CHAINS:
        fails = []
        for a, b in ((p, m), (m, d)):
            length = segment_length(xy, a, b)
            ref = nanmedian(length)
            with np.errstate(invalid="ignore"):
                fails.append(np.abs(length / ref - 1.0) > tolerance)
        both = fails[0] & fails[1]
        bad[:, m] |= both
        bad[:, p] |= fails[0] & ~both
        bad[:, d] |= fails[1] & ~both
    return bad


def speed_outliers(
    xy: np.ndarray,
    times_s: np.ndarray,
    *,
    scale_px: float,
    trunk_max_speed_l_s: float = TRUNK_MAX_SPEED_L_S,
    extremity_max_speed_l_s: float = EXTREMITY_MAX_SPEED_L_S,
    min_jump_l: float = MIN_JUMP_L,
) -> np.ndarray:
    """(T, 33) True for samples that jump away and back at an implausible speed.

    METRICS.md §3.3 step 3 ([EJ]): > 15 L/s for head/shoulders/hips, > 40 L/s for limbs and
    feet, ``L`` = leg length (``scale_px``). A sample is rejected when the displacement
    both from the previous and to the next valid sample exceeds ``max(v_max Δt, min_jump_l L)``
    (the floor keeps pixel noise at 120-240 fps from counting as speed). At the first or last
    sample of a run (no neighbour within 2.5 frame intervals on one side) one implausible
    step suffices if the run continues consistently behind it. A single jump inside a run
    (step change) is not rejected: it is ambiguous which side is wrong.
    """
    t = np.asarray(times_s, dtype=float)
    vmax = np.full(N_LANDMARKS, extremity_max_speed_l_s)
    vmax[list(TRUNK_SPEED_LANDMARKS)] = trunk_max_speed_l_s
    bad = np.zeros(xy.shape[:2], dtype=bool)
    frame_dt = float(np.median(np.diff(t))) if t.size > 1 else 1.0
    for j in range(N_LANDMARKS):
        idx = np.flatnonzero(np.all(np.isfinite(xy[:, j]), axis=-1))
        if idx.size < 3:
            continue
        dt = np.diff(t[idx])
        step = np.linalg.norm(np.diff(xy[idx, j], axis=0), axis=-1)
        fast = step > np.maximum(vmax[j] * dt, min_jump_l) * scale_px  # step i -> i+1
        gap = dt > 2.5 * frame_dt
        # fast_in[i]: step into sample i; fast_out[i]: step out of it (False where absent)
        fast_in = np.concatenate([[False], fast])
        fast_out = np.concatenate([fast, [False]])
        starts = np.concatenate([[True], gap])  # no close neighbour before
        ends = np.concatenate([gap, [True]])  # no close neighbour after
        calm_next = np.concatenate([~fast[1:], [True, True]])  # step i+1 -> i+2 plausible
        calm_prev = np.concatenate([[True, True], ~fast[:-1]])  # step i-2 -> i-1 plausible
        spike = fast_in & fast_out & ~starts & ~ends
        edge = (starts & ~ends & fast_out & calm_next) | (ends & ~starts & fast_in & calm_prev)
        bad[idx, j] = spike | edge
    return bad


def _rolling(a: np.ndarray, window: int) -> np.ndarray:
    """(T, window, ...) centred windows of ``a`` (T, ...), NaN-padded at the ends."""
    t_n, half = a.shape[0], window // 2
    pad = np.full((t_n + 2 * half, *a.shape[1:]), np.nan)
    pad[half : half + t_n] = a
    return np.stack([pad[k : k + t_n] for k in range(window)], axis=1)


def spike_outliers(
    xy: np.ndarray,
    *,
    scale_px: float,
    window: int = SPIKE_WINDOW,
    n_mad: float = SPIKE_N_MAD,
    min_dev_l: float = SPIKE_MIN_DEV_L,
) -> np.ndarray:
    """(T, 33) True for single- or two-frame spikes (Hampel median filter, METRICS.md §3.3 step 5).

    Each sample's distance from the median of a centred ``window`` (3-5 frames, [EJ]; shrunk
    symmetrically near gaps and ends, no check without both neighbours) is
    compared with ``n_mad`` robust standard deviations of that same distance over a 4× longer
    window (for smooth motion the sample sits on its window's median, so this measures the
    noise, not the speed) and with ``min_dev_l`` leg lengths; above both, it is a spike.
    Unlike replacing every sample with the running median, smooth motion (peaks included) is
    left untouched; spikes become NaN and are refilled by gap interpolation.
    """
    if window < 3 or window % 2 == 0:
        raise ValueError(f"window must be odd and >= 3, got {window}.")
    med = np.full(xy.shape, np.nan)
    for w in range(3, window + 1, 2):  # largest complete symmetric window wins
        stack = _rolling(xy, w)  # (T, w, 33, 2)
        full = np.all(np.isfinite(stack), axis=(1, 3))  # (T, 33)
        med[full] = np.median(stack, axis=1)[full]
    dev = np.linalg.norm(xy - med, axis=-1)  # (T, 33), NaN without a complete window
    scale = 1.4826 * nanmedian(_rolling(dev, 4 * window + 1), axis=1)
    threshold = np.maximum(n_mad * np.nan_to_num(scale), min_dev_l * scale_px)
    with np.errstate(invalid="ignore"):
        candidates = dev > threshold
    # Confirm each candidate against a line fitted to its neighbours that are not candidates
    # themselves: next to a spike the window median is off by half a step of fast motion.
    ref = _line_reference(xy, candidates, half=window // 2 + 1)
    with np.errstate(invalid="ignore"):
        return candidates & ~(np.linalg.norm(xy - ref, axis=-1) <= threshold)


def _line_reference(xy: np.ndarray, exclude: np.ndarray, *, half: int) -> np.ndarray:
    """(T, 33, 2) value at each frame of a least-squares line through the valid, non-excluded
    samples within ``half`` frames on either side (the sample itself left out); NaN when
    there are fewer than two such samples."""
    use = np.isfinite(xy).all(axis=-1) & ~exclude  # (T, 33)
    vals = np.where(use[..., None], xy, 0.0)
    offsets = [k for k in range(-half, half + 1) if k != 0]
    s_w = np.zeros(use.shape)
    s_k = np.zeros(use.shape)
    s_kk = np.zeros(use.shape)
    s_y = np.zeros(xy.shape)
    s_ky = np.zeros(xy.shape)
    t_n = xy.shape[0]
    for k in offsets:
        if abs(k) >= t_n:
            continue
        src = slice(max(k, 0), t_n + min(k, 0))
        dst = slice(max(-k, 0), t_n + min(-k, 0))
        w = np.zeros(use.shape)
        w[dst] = use[src]
        y = np.zeros(xy.shape)
        y[dst] = vals[src]
        s_w += w
        s_k += k * w
        s_kk += k * k * w
        s_y += y
        s_ky += k * y
    det = s_w * s_kk - s_k**2
    with np.errstate(invalid="ignore", divide="ignore"):
        intercept = (s_kk[..., None] * s_y - s_k[..., None] * s_ky) / det[..., None]
    return np.where((s_w >= 2)[..., None] & (det > 0)[..., None], intercept, np.nan)
