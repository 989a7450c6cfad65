"""A ready-stance metric on a clip with no ready stance says so, not "tracked in 0 %"."""

from __future__ import annotations

from dataclasses import replace

from analyzer.metrics.posture import posture_metrics
from analyzer.metrics.steps import step_metrics
from tests.metrics.stickfigure import Gait
from tests.metrics.test_metric_details import _ctx

READY_KEYS = ("ready_knee_flexion_deg", "com_over_base_index", "foot_pitch_deg")  # side view


def test_no_ready_stance_is_the_reason() -> None:
    ctx = _ctx(Gait(duration_s=4))
    assert any(p.kind == "ready" for p in ctx.phases)
    with_ready = {**posture_metrics(ctx), **step_metrics(ctx)}
    assert all(with_ready[k].assessable for k in READY_KEYS), with_ready
    no_ready = replace(ctx, phases=[p for p in ctx.phases if p.kind != "ready"])
    out = {**posture_metrics(no_ready), **step_metrics(no_ready)}
    for key in READY_KEYS:
        assert not out[key].assessable
        assert out[key].reason == "no ready stance found", (key, out[key].reason)
