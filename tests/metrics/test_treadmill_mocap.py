"""Stepping without travel on motion capture: the 100STYLE backward run on a treadmill.

20 s of the 100STYLE backward run (``mocap_eval.WINDOWS``) with the body's travel removed
from every landmark (a treadmill: the pelvis stays, the belt carries the planted foot
backwards), filmed from the athlete's left and right at 30 fps with MediaPipe-like noise
(realistic preset, seeds 0 and 1). Issue 12: contacts and cadence without travel, cadence
within 3 % of the motion capture's (its contacts come from the original, travelling motion:
the treadmill moves no event in time).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("backpedal_dev.synth.landmarks")

from analyzer import skeleton as sk
from analyzer.motion import analyze_motion
from backpedal_dev.synth import truth as tr
from backpedal_dev.synth.clips import camera_for_view
from backpedal_dev.synth.noise import NoiseSpec, add_mediapipe_noise
from backpedal_dev.synth.projection import project_to_track
from tests.metrics import mocap_eval as ev

pytestmark = pytest.mark.shared_data

TRIAL = "100style_geno_ai4animationpy/WalkingStickLeft_BR.npz"


def _on_treadmill(lm: np.ndarray) -> np.ndarray:
    """The landmarks with the pelvis' horizontal travel removed (x and z)."""
    out = np.array(lm, float)
    hip = tr.mid(out, sk.LEFT_HIP, sk.RIGHT_HIP)
    for axis in (0, 2):
        out[..., axis] -= (hip[:, axis] - hip[0, axis])[:, None]
    return out


@pytest.mark.parametrize("view", ["side_left", "side_right"])
@pytest.mark.parametrize("seed", [0, 1])
def test_treadmill_backward_run_cadence_within_3_pct(
    shared_data: Path, view: str, seed: int
) -> None:
    t, lm, height = ev._motion(str(shared_data / "mocap"), TRIAL)
    contacts = tr.true_contacts(np.asarray(lm, float), t)
    tds = [e for e in contacts if e.kind == "touchdown"]
    true_cad = tr.cadence_steps_per_s(contacts, tds[0].time_s, tds[-1].time_s)
    still = _on_treadmill(lm)
    track = project_to_track(still, t, camera_for_view(view, still))
    track = add_mediapipe_noise(track, rng=np.random.default_rng(seed),
                                spec=NoiseSpec.realistic())  # fmt: skip
    ma = analyze_motion(track, athlete_height_m=height)
    kinds = {p.kind for p in ma.phases}
    assert "in_place" in kinds and "backpedal" not in kinds, kinds
    cad = ma.metrics["cadence_steps_per_s"]
    assert cad.assessable and cad.phase == "in_place", cad.reason
    assert abs(cad.value / true_cad - 1.0) <= 0.03, f"{cad.value:.3f} vs {true_cad:.3f}"
    # travel metrics are not assessable on a treadmill
    assert not ma.metrics["step_length_m"].assessable
    assert not ma.metrics["reach_at_touchdown_leg_lengths"].assessable
