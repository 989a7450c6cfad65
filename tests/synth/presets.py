"""Cached parametric motions shared by the synth tests (each preset is generated once)."""

from __future__ import annotations

from functools import lru_cache

from backpedal_dev.synth.parametric import BackpedalParams, generate_backpedal
from backpedal_dev.synth.truth import SyntheticMotion


def params_for(name: str) -> BackpedalParams:
    """``"clean"``, ``"break_forward"`` or a fault id."""
    if name == "clean":
        return BackpedalParams.clean()
    if name == "break_forward":
        return BackpedalParams.clean(transition="break_forward")
    return BackpedalParams.with_fault(name)


@lru_cache(maxsize=32)
def motion_for(name: str) -> SyntheticMotion:
    """The generated motion for ``params_for(name)`` (do not modify it)."""
    return generate_backpedal(params_for(name))
