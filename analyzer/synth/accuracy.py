"""End-to-end accuracy on rendered clips: render known motion, run the whole pipeline, compare.

The pipeline under test is the one a user runs (``analyzer.pipeline``): MediaPipe pose on
the decoded clip → athlete selection → cleaning → ``analyze_motion`` → faults. The truth is
the parametric motion the clip was rendered from (``analyzer.synth.parametric``).

Per-frame comparisons (knee flexion, trunk lean) use the truth *projected* through the clip's
camera, on the camera-side leg, over the true backpedal phase: that is what the metric
definitions in METRICS.md (§7 M2, M4) measure in a side view, so the error is the pose
estimator's plus the processing's. Tolerances of the CI check follow
``../shared/design/SYNTHETIC.md`` ("Suggested test set and tolerances").

API
---
``Case``                        one clip: view, fault (None = clean), seed, size, knobs.
``default_cases(quick=...)``    the benchmark set (quick: the CI set of 3 clean clips).
``render_case(case, cache_dir)``  the clip (rendered once, cached by content hash).
``evaluate_case(case, cache_dir, ...)``  run the pipeline on it -> ``CaseResult``.
``summary_tables(results)``     per-case, per-metric and per-fault tables as text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from analyzer import skeleton as sk

#: Metric keys compared with the truth: pipeline key -> truth key.
METRIC_PAIRS: dict[str, str] = {
    "hip_height_ratio": "hip_height_ratio",
    "knee_flexion_deg": "knee_flexion_deg",
    "trunk_lean_deg": "trunk_lean_deg",
    "sprint_trunk_lean_deg": "sprint_trunk_lean_deg",
    "step_length_m": "step_length_m",
    "step_length_leg_lengths": "step_length_leg_lengths",
    "reach_at_touchdown_leg_lengths": "reach_leg_lengths",
    "cadence_steps_per_s": "cadence_steps_per_s",
    "step_width_shoulder_widths": "step_width_ratio",
    "base_width_shoulder_widths": "stance_width_ratio",
    "forefoot_stance_fraction": "forefoot_stance_fraction",
    "swing_clearance_leg_lengths": "swing_clearance_leg_lengths",
    "arm_swing_deg": "arm_swing_deg",
    "hands_at_chest_fraction": "hands_at_chest_fraction",
    "arm_crossing_fraction": "arm_crossing_fraction",
    "head_pitch_deg": "head_pitch_deg",
    "transition_time_s": "transition_time_s",
    "transition_contacts": "transition_contacts",
    "speed_retention": "speed_retention",
    "hip_rise": "hip_rise",
    "turn_onset_s": "hip_turn_onset_s",
    "backpedal_distance_m": "backpedal_distance_m",
    "backpedal_speed_m_per_s": "backpedal_speed_m_s",
}

#: Faults whose rules need the front view (METRICS §8.1); the others are filmed from the side.
FRONT_FAULTS = ("narrow_base", "arms_crossing", "eyes_off_target")


@dataclass(frozen=True)
class Case:
    """One synthetic clip of the benchmark.

    ``params`` are :class:`analyzer.synth.parametric.BackpedalParams` knobs (changes from the
    clean or fault preset), as (name, value) pairs so the case stays hashable.
    """

    view: str
    fault: str | None = None
    seed: int = 0
    fps: float = 30.0
    width: int = 1280
    height: int = 720
    params: tuple[tuple[str, Any], ...] = (("backpedal_steps", 6), ("sprint_steps", 3))

    @property
    def name(self) -> str:
        """Readable id, e.g. ``clean-side_left-s0``."""
        return f"{self.fault or 'clean'}-{self.view}-s{self.seed}"


def default_cases(*, quick: bool = False) -> list[Case]:
    """The benchmark set: clean clips from every view, and every fault in a view showing it.

    ``quick``: only clean side-left, side-right and front (the CI end-to-end set).
    """
    from analyzer.synth.parametric import FAULT_IDS

    views = ("side_left", "side_right", "front") if quick else (
        "side_left", "side_right", "front", "diagonal")  # fmt: skip
    cases = [Case(view=v, seed=i) for i, v in enumerate(views)]
    if quick:
        return cases
    for i, fault in enumerate(FAULT_IDS):
        view = "front" if fault in FRONT_FAULTS else ("side_left", "side_right")[i % 2]
        cases.append(Case(view=view, fault=fault, seed=10 + i))
    return cases


def _source_digest() -> str:
    """Hash of the code that decides what a clip looks like (renderer, body, motion)."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in ("render.py", "body.py", "scene.py", "clips.py", "camera.py", "parametric.py",
                 "truth.py", "truth_metrics.py", "landmarks.py"):  # fmt: skip
        p = here / name
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def case_motion(case: Case) -> Any:
    """The parametric motion of a case (``SyntheticMotion``)."""
    from analyzer.synth.parametric import BackpedalParams, generate_backpedal

    knobs = dict(case.params)
    if case.fault:
        p = BackpedalParams.with_fault(case.fault, fps=case.fps, **knobs)
    else:
        p = BackpedalParams.clean(fps=case.fps, **knobs)
    return generate_backpedal(p)


def render_case(case: Case, cache_dir: str | Path) -> Path:
    """Render ``case`` into ``cache_dir`` (or reuse the clip rendered by the same code)."""
    from analyzer.synth.clips import camera_for_view, render_clip, truth_path_for

    key = hashlib.sha256(
        json.dumps([asdict(case), _source_digest()], sort_keys=True, default=str).encode()
    ).hexdigest()[:12]
    out = Path(cache_dir) / f"{case.name}-{key}.mp4"
    if out.is_file() and truth_path_for(out).is_file():
        return out
    motion = case_motion(case)
    cam = camera_for_view(case.view, motion.landmarks_world, width=case.width,
                          height=case.height)  # fmt: skip
    tmp = out.with_name("tmp-" + out.name)
    render_clip(motion, cam, tmp, fps=case.fps, seed=case.seed, view=case.view)
    for suffix in (".truth.npz", ".truth.json"):
        src = tmp.with_name(tmp.stem + suffix)
        src.replace(out.with_name(out.stem + suffix))
    tmp.replace(out)
    return out


@dataclass
class CaseResult:
    """What the pipeline found on one clip, next to the truth."""

    case: Case
    clip: Path
    n_frames: int
    detection: float
    view_found: str
    knee_bias_deg: float = float("nan")
    knee_sd_deg: float = float("nan")
    trunk_bias_deg: float = float("nan")
    trunk_sd_deg: float = float("nan")
    metric_errors: dict[str, float] = field(default_factory=dict)
    metric_values: dict[str, tuple[float, float]] = field(default_factory=dict)
    faults_expected: tuple[str, ...] = ()
    faults_raised: tuple[str, ...] = ()
    not_assessable: tuple[str, ...] = ()
    landmark_error_torso: dict[str, float] = field(default_factory=dict)
    error: str = ""


def _angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    u, v = a - b, c - b
    cos = np.sum(u * v, -1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def true_image_series(truth: dict[str, Any]) -> dict[str, np.ndarray]:
    """Knee flexion (camera-side leg) and trunk lean per frame from the projected truth.

    Same definitions as METRICS §7 M2/M4 on image points; the camera side is the leg whose
    hip is nearer the camera, the facing sign the image-x direction of the chest.
    """
    xy, depth, lm = truth["image_xy"], truth["depth_m"], truth["landmarks_world"]
    near_left = depth[:, sk.LEFT_HIP] <= depth[:, sk.RIGHT_HIP]
    knee = np.where(
        near_left,
        180 - _angle_deg(xy[:, sk.LEFT_HIP], xy[:, sk.LEFT_KNEE], xy[:, sk.LEFT_ANKLE]),
        180 - _angle_deg(xy[:, sk.RIGHT_HIP], xy[:, sk.RIGHT_KNEE], xy[:, sk.RIGHT_ANKLE]),
    )
    s = (xy[:, sk.LEFT_SHOULDER] + xy[:, sk.RIGHT_SHOULDER]) / 2
    h = (xy[:, sk.LEFT_HIP] + xy[:, sk.RIGHT_HIP]) / 2
    right = (lm[:, sk.RIGHT_HIP] - lm[:, sk.LEFT_HIP]) + (lm[:, sk.RIGHT_SHOULDER]
                                                         - lm[:, sk.LEFT_SHOULDER])  # fmt: skip
    fwd = np.cross([0.0, 1.0, 0.0], right)
    chest_img = truth["camera_R"][0] @ fwd.T  # camera x component of the facing direction
    f = np.sign(chest_img)
    trunk = np.degrees(np.arctan2(f * (s[:, 0] - h[:, 0]), h[:, 1] - s[:, 1]))
    return {"knee_flexion_deg": knee, "trunk_lean_deg": trunk, "near_left": near_left}


def _phase_mask(truth_json: dict[str, Any], n: int, kind: str) -> np.ndarray:
    mask = np.zeros(n, bool)
    for ph in truth_json["phases"]:
        if ph["kind"] == kind:
            mask[ph["start_frame"] : ph["end_frame"] + 1] = True
    return mask


def _bias_sd(est: np.ndarray, true: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    e = (np.asarray(est, float) - true)[mask]
    e = e[np.isfinite(e)]
    if e.size < 3:
        return float("nan"), float("nan")
    return float(np.mean(e)), float(np.std(e))
