"""Filming situations of the parametric athlete (issue 12), each with its truth.

A *scenario* turns the parametric backpedal into what coaches film in practice:

``in_place``
    Backpedal steps on the spot (wall taps): the steps are planned with no length, so the
    feet land under the body every step and the hips do not travel.
``treadmill``
    A backpedal on a treadmill: the rep's motion with the pelvis' forward travel removed from
    every landmark (the belt carries the planted foot backwards under the body).
``leave_frame``
    A normal rep filmed by a camera framed on its first part only: the athlete backpedals out
    of the picture during the rep (see :func:`framing_landmarks`).
``walk_back_reps``
    Three reps in one take with a walk back to the line between them.

Truth: stepping without travel is labelled ``in_place`` in the truth phases (it is a
``backpedal`` in the plan); everything else comes from ``parametric.generate_backpedal``.

API
---
``SCENARIOS``                                    the scenario names.
``scenario_params(name, params)``                the knobs a scenario needs on top of ``params``.
``scenario_motion(name, params)``                the motion (``truth.SyntheticMotion``).
``framing_landmarks(name, motion)``              the landmarks a camera should frame.
``out_of_frame_spans(image_xy, width, height)``  truth: spans with the body not whole in frame.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from analyzer import skeleton as sk
from analyzer.results import Phase
from backpedal_dev.synth import truth
from backpedal_dev.synth.parametric import BackpedalParams, generate_backpedal

SCENARIOS: tuple[str, ...] = ("in_place", "treadmill", "leave_frame", "walk_back_reps")

#: Share of the rep's frames the ``leave_frame`` camera is framed on (the athlete leaves the
#: picture in the backpedal after this point).
LEAVE_FRAME_SHARE = 0.55


def scenario_params(name: str, params: BackpedalParams) -> BackpedalParams:
    """``params`` with the knobs the scenario needs (unknown names raise ``KeyError``)."""
    if name == "in_place":
        # no transition: stepping on the spot has no turn; steps of zero length
        return replace(params, transition="none", step_length_m=0.0, touchdown_reach_m=0.0)
    if name == "treadmill":
        return replace(params, transition="none")
    if name == "leave_frame":
        return params
    if name == "walk_back_reps":
        # three short reps, each stopping and walking back about as far as it went
        steps = min(params.backpedal_steps, 6)
        walk = max(2, round(steps * params.step_length_m / params.walk_back_step_length_m))
        return replace(params, transition="none", reps=3, backpedal_steps=steps,
                       walk_back_steps=walk)  # fmt: skip
    raise KeyError(f"Unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")


def scenario_motion(name: str, params: BackpedalParams) -> truth.SyntheticMotion:
    """The parametric motion of a scenario, with its truth (see the module docstring)."""
    p = scenario_params(name, params)
    motion = generate_backpedal(p)
    meta: dict[str, Any] = {**motion.meta, "scenario": name}
    if name in ("in_place", "treadmill"):
        lm = np.array(motion.landmarks_world, float)
        hip_x = truth.mid(lm, sk.LEFT_HIP, sk.RIGHT_HIP)[:, 0]
        lm[..., 0] -= (hip_x - hip_x[0])[:, None]
        phases = [_relabel(ph) for ph in motion.phases]
        meta["travel_removed"] = True
        return replace(motion, name=f"{motion.name}/{name}", landmarks_world=lm, phases=phases,
                       meta=meta)  # fmt: skip
    return replace(motion, name=f"{motion.name}/{name}", meta=meta)


def _relabel(ph: Phase) -> Phase:
    return replace(ph, kind="in_place") if ph.kind == "backpedal" else ph


def framing_landmarks(name: str, motion: truth.SyntheticMotion) -> np.ndarray:
    """The landmarks a camera set up for the scenario keeps in frame (all of them, except for
    ``leave_frame``: the first ``LEAVE_FRAME_SHARE`` of the frames)."""
    lm = np.asarray(motion.landmarks_world, float)
    if name == "leave_frame":
        return lm[: max(2, round(LEAVE_FRAME_SHARE * lm.shape[0]))]
    return lm


def out_of_frame_spans(
    image_xy: np.ndarray, times_s: np.ndarray, width: int, height: int
) -> list[tuple[float, float]]:
    """Truth of issue 12 item 3: (start_s, end_s) spans where a body landmark (17 body points)
    projects outside the picture."""
    xy = np.asarray(image_xy, float)[:, list(sk.BODY_LANDMARKS)]
    out = ~np.all((xy[..., 0] >= 0) & (xy[..., 0] < width) & (xy[..., 1] >= 0)
                  & (xy[..., 1] < height), axis=1)  # fmt: skip
    spans: list[tuple[float, float]] = []
    idx = np.flatnonzero(out)
    if not idx.size:
        return spans
    for run in np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1):
        spans.append((float(times_s[run[0]]), float(times_s[run[-1]])))
    return spans
