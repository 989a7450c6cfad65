"""The stance mask and the step table built from the contacts (METRICS §6 M6a, M6b, M7).

Each foot stands from a touchdown to its next toe-off; step i runs from touchdown i to
touchdown i+1, with its length, reach and time.
"""

from __future__ import annotations

import numpy as np

from analyzer import skeleton as sk
from analyzer.events.contact_labels import FEET
from analyzer.events.scene import Scene
from analyzer.numeric import com_x_series, nanmedian
from analyzer.results import ContactEvent, Step

#: Reach is read over the stance, or 0.1 s after a touchdown without a toe-off (METRICS M6b).
REACH_WINDOW_S = 0.1


def stance_mask(
    events: list[ContactEvent], n_frames: int, *, max_stance_frames: int | None = None
) -> np.ndarray:
    """(T, 2) bool: each foot on the ground from a touchdown to its next toe-off."""
    mask = np.zeros((n_frames, 2), dtype=bool)
    for s, foot in enumerate(FEET):
        evs = [e for e in events if e.foot == foot]
        for i, e in enumerate(evs):
            if e.kind != "touchdown":
                continue
            nxt = next((x for x in evs[i + 1 :] if x.kind == "toe_off"), None)
            nxt_td = next((x for x in evs[i + 1 :] if x.kind == "touchdown"), None)
            if nxt is None or (nxt_td is not None and nxt_td.frame < nxt.frame):
                continue
            end = nxt.frame + 1
            if max_stance_frames is not None:
                end = min(end, e.frame + max_stance_frames)
            mask[e.frame : end, s] = True
    return mask


def build_steps(scene: Scene, events: list[ContactEvent], stance: np.ndarray) -> list[Step]:
    """Step table from touchdowns in time order (METRICS §6 M6a, M6b, M7).

    Step i runs from touchdown i to touchdown i+1. Its length is the horizontal distance
    between the feet's median stance positions (mean of heel and toe), ``|X_c(i+1) - X_c(i)|``,
    over L (and x s in metres when the scale is known); reach is
    ``e_t (X_foot,TD - X_COM,TD) / L`` with the foot at the mean of heel and toe and the
    whole-body COM from de Leva's segment parameters (§7 M6b).
    """
    tds = [e for e in events if e.kind == "touchdown"]
    tos = [e for e in events if e.kind == "toe_off"]
    leg, n = scene.leg_length_px, scene.n_frames
    com_x = com_x_series(scene.p)
    xc = []
    for e in tds:
        s = FEET.index(e.foot)
        to = next((t.frame for t in tos if t.foot == e.foot and t.frame > e.frame), None)
        late = e.frame + max(2, int(REACH_WINDOW_S * scene.fs))
        end = min(n, (to + 1) if to is not None else late)
        heel, toe = (sk.LEFT_HEEL, sk.LEFT_TOE) if s == 0 else (sk.RIGHT_HEEL, sk.RIGHT_TOE)
        x = 0.5 * (scene.p[e.frame : end, heel, 0] + scene.p[e.frame : end, toe, 0])
        xc.append((nanmedian(x), to))
    steps: list[Step] = []
    for i, e in enumerate(tds):
        s = FEET.index(e.foot)
        e_t = scene.travel[e.frame] or (-scene.facing[e.frame]) or 1
        heel, toe = (sk.LEFT_HEEL, sk.LEFT_TOE) if s == 0 else (sk.RIGHT_HEEL, sk.RIGHT_TOE)
        foot_x = 0.5 * (scene.p[e.frame, heel, 0] + scene.p[e.frame, toe, 0])
        reach = e_t * (foot_x - com_x[e.frame]) / leg
        length = dt = None
        if i + 1 < len(tds) and tds[i + 1].foot != e.foot:
            d = abs(xc[i + 1][0] - xc[i][0])
            length = float(d / leg) if np.isfinite(d) else None
            dt = tds[i + 1].time_s - e.time_s
        steps.append(
            Step(
                index=i, foot=e.foot, touchdown_frame=e.frame, touchdown_time_s=e.time_s,
                toe_off_frame=xc[i][1], length_leg_lengths=length,
                length_m=(length * leg * scene.scale_m_per_px)
                if (length is not None and scene.scale_m_per_px) else None,
                reach_leg_lengths=float(reach) if np.isfinite(reach) else None, step_time_s=dt,
            )
        )  # fmt: skip
    return steps
