"""Each fault preset crosses its METRICS §9 limit with a safe margin; clean crosses none.

The limits below are copied from ../shared/design/METRICS.md §7-9 (test-only copies: the
analyzer reads its thresholds from profile files). Margins are about one MediaPipe error SD
(SYNTHETIC.md) so the faults still fire after rendering and pose estimation.
"""

from __future__ import annotations

import pytest

from analyzer.faults.profiles import load_profile
from backpedal_dev.synth.parametric import FAULT_IDS, FAULT_PRESETS
from tests.synth.presets import motion_for

# fault -> list of (metric, ">" or "<", limit, margin); any one rule firing raises the fault
RULES: dict[str, list[tuple[str, str, float, float]]] = {
    "standing_tall": [
        ("hip_height_ratio", ">", 0.95, 0.03),
        ("ready_hip_height_ratio", ">", 0.95, 0.03),
        ("knee_flexion_deg", "<", 35.0, 0.0),
        ("hip_rise", ">", 0.08, 0.02),
    ],
    "leaning_back": [
        ("trunk_lean_deg", "<", 8.0, 6.0),
        ("shoulder_over_knee_index", "<", -0.5, 0.0),
    ],
    "bent_over": [("trunk_lean_deg", ">", 50.0, 6.0)],
    "overstriding": [("reach_at_touchdown_leg_lengths", ">", 0.42, 0.08)],
    "slow_feet": [("cadence_steps_per_s", "<", 3.0, 0.3)],
    "narrow_base": [
        ("base_width_shoulder_widths", "<", 0.6, 0.1),
        ("step_width_shoulder_widths", "<", 0.10, 0.05),
    ],
    "on_heels": [
        ("foot_pitch_deg", "<", 3.0, 3.0),
        ("forefoot_stance_fraction", "<", 0.40, 0.2),
    ],
    "passive_arms": [
        ("arm_swing_deg", "<", 30.0, 10.0),
        ("hands_at_chest_fraction", ">", 0.7, 0.2),
    ],
    "arms_crossing": [("arm_crossing_fraction", ">", 0.3, 0.3)],
    "arm_leg_out_of_sync": [("arm_leg_coordination_r", ">", -0.2, 0.5)],
    "eyes_off_target": [("head_turned_to_qb_max_s", ">", 0.5, 0.3)],
    "slow_hip_flip": [
        ("transition_time_s", ">", 0.50, 0.15),
        ("transition_contacts", ">", 3.5, 0.0),
        ("speed_retention", "<", 0.50, 0.1),
    ],
    "sitting_too_low": [
        ("hip_height_ratio", "<", 0.70, 0.03),
        ("knee_flexion_deg", ">", 90.0, 5.0),
    ],
    "uneven_rhythm": [("step_time_cv_pct", ">", 10.0, 3.0)],
    "wide_base": [
        ("base_width_shoulder_widths", ">", 1.7, 0.2),
        ("step_width_shoulder_widths", ">", 1.10, 0.15),
    ],
    "heels_kicking_up": [("swing_clearance_leg_lengths", ">", 0.40, 0.04)],
    "popping_up": [("hip_rise", ">", 0.08, 0.03), ("sprint_trunk_lean_deg", "<", 15.0, 5.0)],
}


def _fires(metrics: dict[str, float], rule: tuple[str, str, float, float], *, margin: bool) -> bool:
    key, op, limit, m = rule
    value = metrics[key]
    pad = m if margin else 0.0
    return value > limit + pad if op == ">" else value < limit - pad


def test_every_fault_has_rules() -> None:
    assert set(RULES) == set(FAULT_IDS)


def test_fault_ids_match_presets_and_profile() -> None:
    # FAULT_IDS is kept as an explicit list (its order numbers the benchmark's clips); it must
    # name exactly the faults that have a preset and that the default profile defines
    assert len(set(FAULT_IDS)) == len(FAULT_IDS)
    assert set(FAULT_IDS) == set(FAULT_PRESETS)
    assert set(FAULT_IDS) == set(load_profile("db-backpedal").faults)


@pytest.fixture(scope="module")
def clean_metrics():
    return motion_for("clean").metrics


def test_clean_raises_no_fault(clean_metrics) -> None:
    fired = [
        (fault, rule[0])
        for fault, rules in RULES.items()
        for rule in rules
        if _fires(clean_metrics, rule, margin=False)
    ]
    assert not fired


@pytest.mark.parametrize("fault", FAULT_IDS)
def test_fault_preset_fires_with_margin(fault: str) -> None:
    motion = motion_for(fault)
    assert motion.faults == (fault,)
    assert any(_fires(motion.metrics, rule, margin=True) for rule in RULES[fault]), {
        rule[0]: motion.metrics[rule[0]] for rule in RULES[fault]
    }
    if fault == "arm_leg_out_of_sync":
        assert motion.metrics["arm_swing_deg"] >= 30  # M11 is only scored with active arms


@pytest.mark.parametrize("fault", FAULT_IDS)
def test_fault_preset_raises_only_its_fault(fault: str) -> None:
    metrics = motion_for(fault).metrics
    others = {
        other
        for other, rules in RULES.items()
        if other != fault and any(_fires(metrics, r, margin=False) for r in rules)
    }
    # METRICS §9 lists M13d > 0.08 under both "standing too tall" and "popping up"
    overlap = {"popping_up": {"standing_tall"}}.get(fault, set())
    assert not others - overlap
