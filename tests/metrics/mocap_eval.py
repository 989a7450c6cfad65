"""Evaluate ``analyze_motion`` on projected motion capture against the 3D truth.

Used by ``test_mocap_validation.py``; run as a script to print the validation table:
``.venv/bin/python -m tests.metrics.mocap_eval``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from analyzer.motion import analyze_motion
from analyzer.results import ContactEvent, MotionAnalysis
from backpedal_dev.synth import truth as tr
from backpedal_dev.synth.clips import camera_for_view, resample_motion
from backpedal_dev.synth.landmarks import load_mocap_motion
from backpedal_dev.synth.noise import NoiseSpec, add_mediapipe_noise
from backpedal_dev.synth.projection import project_to_track

FPS = 30.0
#: (relative path, expected travel relative to facing)
TRIALS: tuple[tuple[str, str], ...] = (
    *((f"bandai_namco_ds1/dataset-1_walk-back_{s}_001.bvh", "backward") for s in (
        "active", "angry", "childish", "chimpira", "feminine", "happy", "masculinity",
        "musical", "normal", "not-confident")),
    ("cmu/06_06.bvh", "backward"),
    ("100style_geno_ai4animationpy/WalkingStickLeft_BR.npz", "backward"),
    ("bandai_namco_ds1/dataset-1_walk_normal_001.bvh", "forward"),
    ("bandai_namco_ds1/dataset-1_run_normal_001.bvh", "forward"),
    ("bandai_namco_ds1/dataset-1_dash_normal_001.bvh", "forward"),
    ("bandai_namco_ds2/dataset-2_run_normal_001.bvh", "forward"),
    ("cmu/08_01.bvh", "forward"),
    ("cmu/09_01.bvh", "forward"),
)  # fmt: skip
#: Window of the 100STYLE trial used (it is 91 s long; 20 s are plenty).
WINDOWS = {"100style_geno_ai4animationpy/WalkingStickLeft_BR.npz": (10.0, 30.0)}


@dataclass
class TrialResult:
    """Per-trial comparison of measured and true values."""

    name: str
    view: str
    expected: str
    direction: str
    n_true: int = 0
    n_found: int = 0
    n_true_all: int = 0
    n_found_all: int = 0
    timing_errors_frames: list[float] = field(default_factory=list)
    values: dict[str, tuple[float, float]] = field(default_factory=dict)  # key -> (meas, true)


#: Reorientation windows: the backpedal line is fitted to the hip path in this window.
LINE_WINDOWS = {"cmu/09_12.bvh": (7.6, 10.0)}


@lru_cache(maxsize=32)
def _motion(root: str, rel: str):
    motion = load_mocap_motion(Path(root) / rel, window_s=LINE_WINDOWS.get(rel))
    t, lm = resample_motion(motion, FPS)
    if rel in WINDOWS:
        a, b = WINDOWS[rel]
        m = (t >= a) & (t < b)
        t, lm = t[m] - t[m][0], lm[m]
    return t, lm, float(motion.metrics["height_m"])


def project(root: Path, rel: str, view: str, *, seed: int = 0, noise: bool = True):
    """Noisy side-view track of a trial, its landmarks, times and the athlete's height."""
    t, lm, height = _motion(str(root), rel)
    cam = camera_for_view(view, lm)
    track = project_to_track(lm, t, cam)
    if noise:
        track = add_mediapipe_noise(
            track, rng=np.random.default_rng(seed), spec=NoiseSpec.realistic()
        )
    return track, lm, t, height


def match_events(
    true: list[ContactEvent], found: list[ContactEvent], *, tol_frames: int = 3
) -> tuple[int, list[float]]:
    """Number of true events matched by a detected one (same foot and kind, within
    ``tol_frames``) and the signed timing errors in frames."""
    errs = []
    used: set[int] = set()
    for e in true:
        best, bi = None, -1
        for i, f in enumerate(found):
            if i in used or f.foot != e.foot or f.kind != e.kind:
                continue
            d = f.frame - e.frame
            if abs(d) <= tol_frames and (best is None or abs(d) < abs(best)):
                best, bi = d, i
        if best is not None:
            used.add(bi)
            errs.append(float(best))
    return len(errs), errs


def evaluate(root: Path, rel: str, expected: str, view: str, *, seed: int = 0) -> TrialResult:
    """Analyse one projected trial and compare with the truth over the detected backpedal."""
    track, lm, t, height = project(root, rel, view, seed=seed)
    ma = analyze_motion(track, athlete_height_m=height)
    res = TrialResult(rel, view, expected, ma.travel_direction)
    if expected != "backward":
        return res
    _compare(res, ma, lm, t)
    return res


def _compare(res: TrialResult, ma: MotionAnalysis, lm: np.ndarray, t: np.ndarray) -> None:
    bp = [p for p in ma.phases if p.kind == "backpedal"]
    if not bp:
        return
    contacts = tr.true_contacts(lm, t)
    a, b = bp[0].start_frame, bp[-1].end_frame
    # contacts: every true event while the 3D truth travels backward (> 0.3 m/s, the
    # threshold of truth.direction_switches), away from the clip's first/last 3 frames
    v = tr.travel_along_facing(lm, t)
    n = len(t)
    true_in = [e for e in contacts if v[e.frame] < -0.3 and 3 <= e.frame < n - 3]
    res.n_true = len(true_in)
    res.n_found, res.timing_errors_frames = match_events(true_in, ma.events)
    all_in = [e for e in contacts if 3 <= e.frame < n - 3]
    res.n_true_all = len(all_in)
    res.n_found_all = match_events(all_in, ma.events)[0]
    ta, tb = t[a], t[b]
    tds = tr.touchdowns(contacts, ta, tb)
    if len(tds) >= 2:
        res.values["cadence_steps_per_s"] = (
            _val(ma, "cadence_steps_per_s"),
            tr.cadence_steps_per_s(contacts, tds[0].time_s, tds[-1].time_s),
        )
    leg = tr.leg_length_m(lm)
    rows = [r for r in tr.step_table(lm, t, contacts) if ta <= r["time_s"] <= tb]
    sl = [r["length_m"] / leg for r in rows if np.isfinite(r["length_m"])]
    if sl:
        res.values["step_length_leg_lengths"] = (
            _val(ma, "step_length_leg_lengths"),
            float(np.median(sl)),
        )
    m = slice(a, b + 1)
    res.values["trunk_lean_deg"] = (
        _val(ma, "trunk_lean_deg"),
        float(np.median(tr.trunk_lean_series(lm)[m])),
    )
    res.values["hip_height_ratio"] = (
        _val(ma, "hip_height_ratio"),
        float(np.median(tr.hip_height_ratio_series(lm, leg_m=leg)[m])),
    )
    side = ma.view.camera_side or "left"
    near_contacts = [c for c in contacts if c.foot == side]
    peaks = tr.stance_peak_knee_flexion(lm, near_contacts, ta, tb)
    if peaks:
        res.values["knee_flexion_deg"] = (_val(ma, "knee_flexion_deg"), float(np.median(peaks)))


def _val(ma: MotionAnalysis, key: str) -> float:
    v = ma.metrics[key].value
    return float("nan") if v is None else float(v)


def run_all(
    root: Path, views: tuple[str, ...] = ("side_left", "side_right"), seeds: tuple[int, ...] = (0,)
) -> list[TrialResult]:
    """Every trial in every view, once per noise seed."""
    return [
        evaluate(root, rel, exp, v, seed=s) for s in seeds for rel, exp in TRIALS for v in views
    ]


def summarise(results: list[TrialResult]) -> dict[str, float]:
    """Aggregate figures for the validation table."""
    back = [r for r in results if r.expected == "backward"]
    errs = [e for r in back for e in r.timing_errors_frames]
    out = {
        "direction_correct": float(np.mean([r.direction == r.expected for r in results])),
        "contacts_found": sum(r.n_found for r in back) / max(1, sum(r.n_true for r in back)),
        "contacts_found_whole_clip": sum(r.n_found_all for r in back)
        / max(1, sum(r.n_true_all for r in back)),
        "n_true_contacts": float(sum(r.n_true for r in back)),
        "contact_median_abs_error_frames": float(np.median(np.abs(errs))) if errs else float("nan"),
        "contact_within_1_frame": float(np.mean(np.abs(errs) <= 1)) if errs else float("nan"),
    }
    for key in (
        "cadence_steps_per_s",
        "step_length_leg_lengths",
        "trunk_lean_deg",
        "hip_height_ratio",
        "knee_flexion_deg",
    ):
        pairs = np.array([r.values[key] for r in back if key in r.values])
        pairs = pairs[np.all(np.isfinite(pairs), axis=1)]
        out[key + "_n_trials"] = float(len(pairs))
        if key == "cadence_steps_per_s":
            out[key + "_max_rel_error_pct"] = float(
                np.max(np.abs(pairs[:, 0] / pairs[:, 1] - 1)) * 100
            )
            out[key + "_mean_rel_error_pct"] = float(
                np.mean(np.abs(pairs[:, 0] / pairs[:, 1] - 1)) * 100
            )
        else:
            out[key + "_mean_abs_error"] = float(np.mean(np.abs(pairs[:, 0] - pairs[:, 1])))
            out[key + "_max_abs_error"] = float(np.max(np.abs(pairs[:, 0] - pairs[:, 1])))
    return out


if __name__ == "__main__":  # pragma: no cover - manual report
    import sys

    root = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mocap"
    results = run_all(root, seeds=tuple(int(a) for a in sys.argv[1:]) or (0, 1))
    for r in results:
        vals = " ".join(f"{k[:10]}={m:.3f}/{t:.3f}" for k, (m, t) in r.values.items())
        err = np.median(np.abs(r.timing_errors_frames)) if r.timing_errors_frames else float("nan")
        sys.stdout.write(
            f"{r.name[-40:]:40s} {r.view:10s} {r.direction:9s} "
            f"{r.n_found}/{r.n_true} med|err|={err:.1f} {vals}\n"
        )
    for k, v in summarise(results).items():
        sys.stdout.write(f"{k:45s} {v:.4f}\n")
