"""End to end on rendered athletes: clip -> MediaPipe -> select -> clean -> metrics -> faults.

Clips of the project's parametric backpedal are rendered once per test session (side from
the athlete's left and right, front; plus fault clips) and analysed with the real pipeline.
Tolerances are those that held in ../shared/design/SYNTHETIC.md ("Suggested test set and
tolerances"): detection >= 0.98 of frames; knee flexion bias <= 3 deg and SD <= 7 deg;
trunk lean bias <= 2 deg; step length within 4 cm; hip-turn time within 0.1 s; every fault
clip raises its fault and the clean clips raise none.

About 1.5-2 minutes on 2 cores (rendering ~0.1 s and pose ~0.1 s per frame).
"""

from __future__ import annotations

import pytest

from backpedal_dev.synth.accuracy import Case, CaseResult, evaluate_case

pytestmark = pytest.mark.slow

SIZE = {"width": 1280, "height": 720}
CLEAN = {
    "side_left": Case(view="side_left", seed=0, **SIZE),
    "side_right": Case(view="side_right", seed=1, **SIZE),
    "front": Case(view="front", seed=2, **SIZE),
}
FAULTS = {
    "leaning_back": Case(view="side_left", fault="leaning_back", seed=11, **SIZE),
    "narrow_base": Case(view="front", fault="narrow_base", seed=15, **SIZE),
}
SIDE = ("side_left", "side_right")


@pytest.fixture(scope="session")
def results(synth_cache) -> dict[str, CaseResult]:
    """Every clip rendered and analysed once per session."""
    out = {name: evaluate_case(case, synth_cache) for name, case in {**CLEAN, **FAULTS}.items()}
    for name, res in out.items():
        assert not res.error, f"{name}: the pipeline failed: {res.error}"
    return out


@pytest.mark.parametrize("name", [*CLEAN, *FAULTS])
def test_athlete_is_detected_in_almost_every_frame(results, name):
    assert results[name].detection >= 0.98


@pytest.mark.parametrize("name", SIDE)
def test_side_view_is_recognised(results, name):
    assert results[name].view_found == f"side/{name.split('_')[1]}"


@pytest.mark.parametrize("name", SIDE)
def test_knee_flexion_per_frame(results, name):
    r = results[name]
    assert abs(r.knee_bias_deg) <= 3.0, f"bias {r.knee_bias_deg:+.1f} deg"
    assert r.knee_sd_deg <= 7.0, f"SD {r.knee_sd_deg:.1f} deg"


@pytest.mark.parametrize("name", SIDE)
def test_trunk_lean_per_frame(results, name):
    r = results[name]
    assert abs(r.trunk_bias_deg) <= 2.0, f"bias {r.trunk_bias_deg:+.1f} deg"


@pytest.mark.parametrize("name", SIDE)
def test_step_length(results, name):
    err = results[name].metric_errors.get("step_length_m")
    assert err is not None, "step length not assessed in a side view"
    assert abs(err) <= 0.04, f"step length off by {err * 100:+.1f} cm"


@pytest.mark.parametrize("name", SIDE)
def test_hip_turn_time(results, name):
    err = results[name].metric_errors.get("turn_onset_s")
    assert err is not None, "hip turn not found"
    assert abs(err) <= 0.1 + 1e-9, f"hip turn off by {err:+.3f} s"


@pytest.mark.parametrize("name", list(CLEAN))
def test_clean_technique_raises_no_fault(results, name):
    assert results[name].faults_raised == ()


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_clip_raises_its_fault(results, name):
    assert name in results[name].faults_raised
