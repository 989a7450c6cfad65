"""Left/right swap repair: whole-skeleton flips and leg swaps (METRICS.md §3.3 step 4).

BlazePose sometimes labels a whole skeleton mirrored on isolated frames (POSE_STACK.md) and,
in side views, swaps the legs in 4-7 % of frames (SYNTHETIC.md). METRICS.md §3.3 step 4
compares, frame by frame, the cost of keeping vs swapping the labels against a
constant-velocity prediction from the two previous frames (swap if ``C_swap < 0.7 C_keep``).
That greedy rule breaks down where the legs cross at mid-stance (both labellings predict
equally well there, and one wrong choice then propagates). Here the same cost is minimised
*globally*: every frame gets one of K labellings (identity, mirrored skeleton, mirrored legs,
...) and a Viterbi pass over pairs of consecutive labels picks the sequence with the least
total constant-velocity residual (i.e. least total acceleration)::

    r_t = P_t − P_{t−1} − (Δt_t / Δt_{t−1}) (P_{t−1} − P_{t−2})     (labels applied)

summed over the evidence landmarks, each term in leg lengths ``L`` and capped at
``max_term_l`` (a single bad landmark cannot force a swap), plus a small per-frame penalty for
every non-identity labelling so that ambiguous frames (legs exactly crossed) keep the
estimator's labels. A residual that cannot be computed (a landmark missing in one of the
three frames) costs the median residual of the estimator's own labelling, so relabelling
cannot "hide" a large residual behind a missing landmark, and moving a gap from one side to
the other back and forth (which breaks more triples) is not free.

Measured: on synthetic side-view gait (2 % L noise, 5.5 % leg swaps, half of them starting at
a leg crossing; 3300 frames at 30/60/120 fps) the greedy rule left 570 frames with a leg point
more than 0.1 L off (194 before any repair), this global choice 0. On projected motion capture
with the synthetic team's MediaPipe-like errors (tests/processing/test_mocap_swaps.py, 5508
frames) it restored 298/298 swapped and 24/24 flipped frames with no false swap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analyzer.processing.geometry import nanmedian
from analyzer.skeleton import (
    LEFT_ANKLE,
    LEFT_EAR,
    LEFT_ELBOW,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_LEG,
    LEFT_SHOULDER,
    LEFT_TOE,
    LEFT_WRIST,
    MIRROR,
    N_LANDMARKS,
    RIGHT_LEG,
)

#: Landmarks whose left/right labels are used as evidence for a whole-skeleton flip.
BODY_EVIDENCE: tuple[int, ...] = tuple(
    j
    for i in (LEFT_EAR, LEFT_SHOULDER, LEFT_ELBOW, LEFT_WRIST, LEFT_HIP, LEFT_KNEE,
              LEFT_ANKLE, LEFT_HEEL, LEFT_TOE)
    for j in (i, MIRROR[i])
)  # fmt: skip
#: Leg landmarks (hip, knee, ankle, heel, toe) on both sides, METRICS.md §3.3 step 4.
LEG_EVIDENCE: tuple[int, ...] = (*LEFT_LEG, *RIGHT_LEG)

#: Default per-frame penalties (in leg lengths) for labelling a frame as mirrored, and the cap
#: on one landmark's residual; [EJ], chosen on synthetic side-view gait (2-4 % L noise, 6 %
#: leg swaps half of them at leg crossings, 2 % flips, 1 % one-frame foot glitches) and
#: checked on the Sports2D walker: a lower cap keeps one glitching foot from dragging a
#: whole run of frames into the swapped labelling.
FLIP_PENALTY_L = 0.3
LEG_SWAP_PENALTY_L = 0.2
MAX_TERM_L = 0.3


def _identity() -> np.ndarray:
    return np.arange(N_LANDMARKS)


def mirror_all() -> np.ndarray:
    """(33,) permutation that swaps every left/right pair (a whole-skeleton flip)."""
    return np.asarray(MIRROR)


def mirror_legs() -> np.ndarray:
    """(33,) permutation that swaps only the legs (hip, knee, ankle, heel, toe)."""
    perm = _identity()
    perm[list(LEFT_LEG)] = RIGHT_LEG
    perm[list(RIGHT_LEG)] = LEFT_LEG
    return perm


@dataclass(frozen=True)
class SwapRepair:
    """Result of :func:`repair_left_right`.

    Attributes
    ----------
    image_xy, visibility, world_xyz
        Arrays with the chosen labelling applied (world_xyz None if not given).
    skeleton_flipped
        (T,) bool: frames whose whole skeleton was mirrored back.
    legs_swapped
        (T,) bool: frames whose legs (only) were swapped back.
    """

    image_xy: np.ndarray
    visibility: np.ndarray | None
    world_xyz: np.ndarray | None
    skeleton_flipped: np.ndarray
    legs_swapped: np.ndarray


def _frame_costs(
    xy: np.ndarray,
    times_s: np.ndarray,
    perms: np.ndarray,
    evidence: np.ndarray,
    scale: float,
    max_term: float,
) -> np.ndarray:
    """(T, K, K, K) residual cost of labels (i at t−2, j at t−1, k at t); zero for t < 2."""
    t_n, k_n = xy.shape[0], perms.shape[0]
    cost = np.zeros((t_n, k_n, k_n, k_n))
    if t_n < 3:
        return cost
    q = np.stack([xy[:, p[evidence]] for p in perms], axis=1) / scale  # (T, K, E, 2)
    dt = np.diff(times_s)
    rho = (dt[1:] / dt[:-1])[:, None, None]
    missing: float | None = None
    for i in range(k_n):
        for j in range(k_n):
            pred = q[1:-1, j] + rho * (q[1:-1, j] - q[:-2, i])
            for k in range(k_n):
                term = np.minimum(np.linalg.norm(q[2:, k] - pred, axis=-1), max_term)
                if missing is None:  # i = j = k = 0: the estimator's own labels
                    typical = nanmedian(term)
                    missing = float(typical) if np.isfinite(typical) else 0.0
                n_missing = np.sum(~np.isfinite(term), axis=1)
                cost[2:, i, j, k] = np.nansum(term, axis=1) + missing * n_missing
    return cost


def _viterbi_pairs(cost: np.ndarray, priors: np.ndarray) -> np.ndarray:
    """Minimum-cost label sequence for a second-order chain; states are (label_{t−1}, label_t)."""
    t_n, k_n = cost.shape[0], priors.shape[0]
    if t_n == 1:
        return np.zeros(1, dtype=int)
    d = priors[:, None] + priors[None, :]  # D_1[j, k]
    back = np.zeros((t_n, k_n, k_n), dtype=int)
    for t in range(2, t_n):
        total = d[:, :, None] + cost[t]  # [i, j, k]
        back[t] = np.argmin(total, axis=0)  # best i for (j, k)
        d = np.min(total, axis=0) + priors[None, :]
    labels = np.zeros(t_n, dtype=int)
    j, k = np.unravel_index(int(np.argmin(d)), d.shape)
    labels[-2], labels[-1] = j, k
    for t in range(t_n - 1, 1, -1):
        labels[t - 2] = back[t, labels[t - 1], labels[t]]
    return labels


def best_labelling(
    xy: np.ndarray,
    times_s: np.ndarray,
    perms: np.ndarray,
    priors: np.ndarray,
    *,
    evidence: tuple[int, ...],
    scale_px: float,
    max_term_l: float = MAX_TERM_L,
) -> np.ndarray:
    """Index into ``perms`` for every frame, minimising total constant-velocity residual.

    Parameters
    ----------
    xy
        (T, 33, D) landmarks (pixels or metres), NaN where missing.
    times_s
        (T,) frame times in seconds (non-uniform steps are handled).
    perms
        (K, 33) candidate relabellings; ``perms[0]`` should be the identity.
    priors
        (K,) per-frame cost of choosing each labelling, in units of ``scale_px``.
    evidence
        Landmarks whose residuals are compared (must be closed under the permutations).
    scale_px
        Length unit of the residuals (leg length ``L``).
    max_term_l
        Cap on one landmark's residual, in ``scale_px`` units.
    """
    xy = np.asarray(xy, dtype=float)
    ev = np.asarray(evidence)
    cost = _frame_costs(xy, np.asarray(times_s, float), perms, ev, scale_px, max_term_l)
    return _viterbi_pairs(cost, np.asarray(priors, dtype=float))


def _apply(arr: np.ndarray, perms: np.ndarray, labels: np.ndarray) -> np.ndarray:
    out = np.array(arr, copy=True)
    for k in range(1, perms.shape[0]):
        frames = labels == k
        out[frames] = arr[frames][:, perms[k]]
    return out


def repair_left_right(
    image_xy: np.ndarray,
    times_s: np.ndarray,
    *,
    scale_px: float,
    visibility: np.ndarray | None = None,
    world_xyz: np.ndarray | None = None,
    fix_skeleton_flips: bool = True,
    fix_leg_swaps: bool = True,
    flip_penalty_l: float = FLIP_PENALTY_L,
    leg_swap_penalty_l: float = LEG_SWAP_PENALTY_L,
    max_term_l: float = MAX_TERM_L,
) -> SwapRepair:
    """Undo whole-skeleton flips and leg swaps jointly (METRICS.md §3.3 step 4, global form).

    Each frame gets one of four labellings: as estimated, whole skeleton mirrored, legs
    mirrored, or upper body mirrored (= skeleton flip plus leg swap). The choice minimises the
    total constant-velocity residual of the body landmarks (module docstring) plus
    ``flip_penalty_l`` per flipped frame and ``leg_swap_penalty_l`` per leg-swapped frame.
    The evidence comes from the image landmarks only; the same relabelling is applied to
    ``visibility`` and ``world_xyz``.

    Parameters
    ----------
    image_xy
        (T, 33, 2) pixels, NaN where missing.
    times_s
        (T,) seconds of real time.
    scale_px
        Leg length ``L`` in pixels (METRICS.md §2); residuals and penalties are in ``L``.
    fix_skeleton_flips, fix_leg_swaps
        Turn either repair off.
    """
    ident, flip, legs = _identity(), mirror_all(), mirror_legs()
    cand = [(ident, 0.0, False, False)]
    if fix_skeleton_flips:
        cand.append((flip, flip_penalty_l, True, False))
    if fix_leg_swaps:
        cand.append((legs, leg_swap_penalty_l, False, True))
    if fix_skeleton_flips and fix_leg_swaps:
        cand.append((flip[legs], flip_penalty_l + leg_swap_penalty_l, True, True))
    perms = np.stack([c[0] for c in cand])
    priors = np.array([c[1] for c in cand])
    evidence = BODY_EVIDENCE if fix_skeleton_flips else LEG_EVIDENCE
    labels = best_labelling(
        image_xy,
        times_s,
        perms,
        priors,
        evidence=evidence,
        scale_px=scale_px,
        max_term_l=max_term_l,
    )
    flipped = np.array([c[2] for c in cand])[labels]
    swapped = np.array([c[3] for c in cand])[labels]
    return SwapRepair(
        image_xy=_apply(image_xy, perms, labels),
        visibility=None if visibility is None else _apply(visibility, perms, labels),
        world_xyz=None if world_xyz is None else _apply(world_xyz, perms, labels),
        skeleton_flipped=flipped,
        legs_swapped=swapped,
    )
