"""The accuracy benchmark's bookkeeping: true series from a truth file, and its tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from backpedal_dev.synth.accuracy import (
    Case,
    CaseResult,
    fault_table,
    metric_table,
    results_json,
    summary_tables,
    true_image_series,
)


def _result(fault: str | None, raised: tuple[str, ...], step_err: float) -> CaseResult:
    case = Case(view="side_left", fault=fault, seed=1)
    return CaseResult(
        case=case,
        clip=Path(f"{case.name}.mp4"),
        n_frames=100,
        detection=1.0,
        view_found="side/left",
        knee_bias_deg=-1.5,
        knee_sd_deg=4.0,
        metric_errors={"step_length_m": step_err},
        faults_expected=(fault,) if fault else (),
        faults_raised=raised,
    )


def test_fault_table_counts_found_and_false_alarms():
    results = [
        _result(None, (), 0.02),
        _result(None, ("slow_feet",), -0.04),
        _result("slow_feet", ("slow_feet",), 0.01),
        _result("leaning_back", (), 0.0),
    ]
    rows = {line.split()[0]: line.split()[1:] for line in fault_table(results).splitlines()[2:]}
    assert rows["slow_feet"] == ["1/1", "1/3"]
    assert rows["leaning_back"] == ["0/1", "0/3"]


def test_metric_table_reports_bias_and_mae():
    results = [_result(None, (), 0.02), _result(None, (), -0.04)]
    row = next(r for r in metric_table(results).splitlines() if r.startswith("step_length_m "))
    n, bias, mae, worst = row.split()[1:]
    assert (int(n), float(bias), float(mae), float(worst)) == (2, -0.01, 0.03, 0.04)
    text = summary_tables(results)
    assert "clean-side_left-s1" in text and "-1.5/4.0" in text
    assert '"name": "clean-side_left-s1"' in results_json(results)


def test_true_image_series_matches_the_3d_truth_in_a_side_view(tmp_path: Path):
    from backpedal_dev.synth import truth as tr
    from backpedal_dev.synth.clips import camera_for_view, load_truth, render_clip
    from backpedal_dev.synth.parametric import BackpedalParams, generate_backpedal

    motion = generate_backpedal(BackpedalParams.clean(fps=15.0, backpedal_steps=3))
    cam = camera_for_view("side_left", motion.landmarks_world, width=320, height=180)
    render_clip(motion, cam, tmp_path / "c.mp4", fps=15.0, seed=0)
    truth = load_truth(tmp_path / "c.mp4")
    series = true_image_series(truth)
    lm = truth["landmarks_world"]
    ready = slice(0, 5)  # standing still, facing +x: the left leg is the camera side
    assert series["near_left"][ready].all()
    knee3d = tr.knee_flexion_series(lm, "left")
    assert np.nanmedian(np.abs(series["knee_flexion_deg"] - knee3d)) < 4.0
    trunk3d = tr.trunk_lean_series(lm)
    np.testing.assert_allclose(series["trunk_lean_deg"][ready], trunk3d[ready], atol=2.0)
