"""steps.csv and metrics.csv: one row per step / metric, values as in the analysis."""

from __future__ import annotations

import csv
import dataclasses

import pytest

from analyzer.export_csv import METRIC_COLUMNS, STEP_COLUMNS, export_csv
from tests.render.factories import make_result


@pytest.fixture(scope="module")
def result():
    return make_result()


def _read(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_steps_csv(tmp_path, result):
    paths = export_csv(result, tmp_path)
    rows = _read(paths["steps.csv"])
    assert tuple(rows[0].keys()) == STEP_COLUMNS
    assert len(rows) == len(result.motion.steps)
    for row, step in zip(rows, result.motion.steps, strict=True):
        assert int(row["touchdown_frame"]) == step.touchdown_frame
        assert row["foot"] == step.foot
        assert float(row["length_leg_lengths"]) == pytest.approx(step.length_leg_lengths)
        assert row["length_m"] == ""  # no metric scale given


def test_metrics_csv(tmp_path, result):
    rows = _read(export_csv(result, tmp_path)["metrics.csv"])
    assert tuple(rows[0].keys()) == METRIC_COLUMNS
    by_key = {r["key"]: r for r in rows}
    assert set(by_key) == set(result.motion.metrics)
    hhr = result.motion.metrics["hip_height_ratio"]
    assert float(by_key["hip_height_ratio"]["value"]) == pytest.approx(hhr.value, rel=1e-5)
    assert by_key["hip_height_ratio"]["score"] == "40"
    assert by_key["transition_time_s"]["assessable"] == "false"
    assert by_key["transition_time_s"]["value"] == ""
    assert "film" in by_key["transition_time_s"]["reason"]
    assert by_key["step_length_leg_lengths"]["n_steps"] == str(len(result.motion.steps))


def test_rep_metrics_get_their_own_rows(tmp_path):
    base = make_result()
    reps = [dict(base.motion.metrics), dict(base.motion.metrics)]
    r = dataclasses.replace(base, motion=dataclasses.replace(base.motion, rep_metrics=reps))
    rows = _read(export_csv(r, tmp_path)["metrics.csv"])
    keys = [row["key"] for row in rows]
    assert "hip_height_ratio@rep2" in keys and len(rows) == 3 * len(r.motion.metrics)
