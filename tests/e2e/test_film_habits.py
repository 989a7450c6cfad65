"""Issue 12 on rendered athletes: how coaches really film.

Clips of the parametric athlete (``backpedal_dev.synth.scenarios``) through the whole
pipeline: stepping in place and on a treadmill at 30 and 60 fps (cadence within 3 %, no
fault raised: the 60 fps treadmill clip once read half its cadence and "slow feet"), three reps with
walk-backs (three reps, nothing raised), the athlete leaving the frame (the times left out
match the truth, no rhythm alarm), and the rhythm verdict: never raised on a clean clip
(side, front and diagonal views, re-encoded at two qualities, leaving the frame), found on
the uneven clip at 60 fps. The clean side and front clips are the ones of
``test_end_to_end`` (same cases, rendered once per session).

About 2 minutes on 2 cores (rendering and pose ~0.05-0.07 s per frame, ~2000 frames).
"""

from __future__ import annotations

import pytest

from backpedal_dev.synth.accuracy import Case, CaseResult, evaluate_case
from tests.e2e.test_end_to_end import CLEAN

pytestmark = pytest.mark.slow

TEN = (("backpedal_steps", 10), ("sprint_steps", 3))
IN_PLACE = {
    "in_place_30": Case(view="side_left", scenario="in_place", seed=40, params=TEN),
    "in_place_60": Case(view="side_left", scenario="in_place", seed=40, fps=60.0, params=TEN),
    "treadmill_30": Case(view="side_right", scenario="treadmill", seed=41, params=TEN),
    "treadmill_60": Case(view="side_right", scenario="treadmill", seed=41, fps=60.0, params=TEN),
}
NO_ALARM = {
    "side": CLEAN["side_left"],
    "front": CLEAN["front"],
    "diagonal": Case(view="diagonal", seed=3),
    "side_crf30": Case(view="side_left", seed=0, crf=30),
    "side_crf38": Case(view="side_left", seed=0, crf=38),
    "leave_frame": Case(view="side_left", scenario="leave_frame", seed=42, params=TEN),
    "three_reps": Case(view="side_left", scenario="walk_back_reps", seed=43),
}
UNEVEN = Case(view="side_left", fault="uneven_rhythm", seed=44, fps=60.0,
              params=(("sprint_steps", 3),))  # fmt: skip


@pytest.fixture(scope="module")
def results(synth_cache) -> dict[str, CaseResult]:
    """Every clip rendered (or reused) and analysed once."""
    cases = {**IN_PLACE, **NO_ALARM, "uneven_60": UNEVEN}
    out = {name: evaluate_case(case, synth_cache) for name, case in cases.items()}
    for name, res in out.items():
        assert not res.error, f"{name}: the pipeline failed: {res.error}"
    return out


@pytest.mark.parametrize("name", list(IN_PLACE))
def test_stepping_in_place_gives_cadence_within_3_percent(results, name):
    r = results[name]
    assert "in_place" in r.phase_kinds and "backpedal" not in r.phase_kinds, r.phase_kinds
    got, true = r.metric_values["cadence_steps_per_s"]
    assert abs(got / true - 1.0) <= 0.03, f"cadence {got:.3f} vs true {true:.3f} steps/s"
    assert "step_length_m" in r.not_assessable or "overstriding" in r.not_assessable
    assert not r.faults_raised, r.faults_raised


@pytest.mark.parametrize("name", list(NO_ALARM))
def test_no_rhythm_alarm_on_a_clean_clip(results, name):
    assert "uneven_rhythm" not in results[name].faults_raised


def test_uneven_rhythm_is_found_at_60_fps(results):
    r = results["uneven_60"]
    assert "uneven_rhythm" in r.faults_raised, r.metric_values.get("step_time_cv_pct")


def test_three_reps_with_walk_backs(results):
    r = results["three_reps"]
    assert r.reps_true == 3
    assert r.reps_found == 3
    assert "transition" not in r.phase_kinds, "a walk-back was taken for a break and sprint"
    assert r.faults_raised == ()


def test_leaving_the_frame_is_reported_and_left_out(results):
    r = results["leave_frame"]
    assert r.out_of_frame_true_s, "the clip must show the athlete leaving the frame"
    assert r.excluded_spans_s, "no time was left out"
    first_true = r.out_of_frame_true_s[0][0]
    first_left = r.excluded_spans_s[0][0]
    # left out from when the body is cut by the edge (within ~6 frames at 30 fps)
    assert abs(first_left - first_true) <= 0.2, (first_left, first_true)
    assert r.excluded_spans_s[-1][1] >= r.out_of_frame_true_s[-1][1] - 0.1
