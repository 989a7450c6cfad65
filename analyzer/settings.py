"""What the user chooses for one analysis, and the check that runs before any work.

:func:`check_settings` refuses bad settings (unknown profile, non-finite or absurd numbers,
a missing model file) in milliseconds, with a :class:`~analyzer.errors.ConfigError` or
:class:`~analyzer.errors.ProfileError` saying what to do, so nothing fails after the pose
pass. Front ends call it first (the CLI does, and so does ``analyze_clip``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from analyzer.errors import ConfigError
from analyzer.faults.schema import Profile
from analyzer.video.probe import check_rotation

#: Plausible athlete heights (metres): well below and above any football player.
HEIGHT_RANGE_M = (1.0, 2.3)
#: Capture rates a camera can have (frames per second); phones reach 960 fps slow motion.
CAPTURE_FPS_RANGE = (1.0, 10_000.0)
#: People per frame the pose model may look for.
NUM_POSES_RANGE = (1, 10)
#: Largest pixel coordinate / time accepted for ``--select`` (beyond any real clip).
MAX_SELECT_PX = 100_000.0
MAX_SELECT_TIME_S = 24 * 3600.0


@dataclass(frozen=True)
class AnalysisSettings:
    """What the user can choose for one analysis.

    Attributes
    ----------
    profile
        Fault-threshold profile: a built-in name (``backpedal profiles``), a path to a TOML
        file, or an already loaded :class:`~analyzer.faults.schema.Profile` (e.g. a team's
        profile in the web app).
    athlete_height_m
        Athlete's standing height, for metres and m/s (else lengths are in leg lengths).
    capture_fps
        The real capture rate of a slow-motion clip when the container does not say it.
    select_point_xy, select_time_s
        Pick the athlete as the person nearest this pixel at this time (default: the one
        who moves most across the ground).
    qb_side
        Which side the quarterback is on, seen from the athlete ("left"/"right"), for the
        eyes-off-target check in the front view.
    model_path
        A BlazePose ``.task`` file to use instead of the model shipped with mediapipe.
    num_poses
        How many people the estimator may find per frame (to choose the athlete from).
    units
        "imperial" or "metric" for the report; None: the profile's default.
    rotate_deg
        Clockwise rotation (0/90/180/270) turning the clip's stored frames upright, in place
        of its rotation tag (for clips stored sideways); None follows the tag. Part of the
        pose cache's key.
    dense
        Run the model for ``num_poses`` people on every frame (the slower pass of old)
        instead of following one person and scanning for everybody every ~0.5 s; the
        follow pass falls back to it by itself when the athlete was not followed.
    """

    profile: str | Path | Profile = "db-backpedal"
    athlete_height_m: float | None = None
    capture_fps: float | None = None
    select_point_xy: tuple[float, float] | None = None
    select_time_s: float | None = None
    qb_side: str | None = None
    model_path: str | None = None
    num_poses: int = 2
    units: str | None = None
    rotate_deg: int | None = None
    dense: bool = False

    def profile_name(self) -> str:
        """The profile's name (or path) as recorded in provenance."""
        return self.profile.name if isinstance(self.profile, Profile) else str(self.profile)

    def record(self) -> dict[str, Any]:
        """The settings as JSON-ready data (the profile by name), for the result's provenance."""
        out = asdict(replace(self, profile=""))
        out["profile"] = self.profile_name()
        if self.select_point_xy is not None:
            out["select_point_xy"] = [float(v) for v in self.select_point_xy]
        return out


def _finite_in(name: str, value: float | None, lo: float, hi: float, hint: str) -> None:
    if value is None:
        return
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, got {value!r}.", hint) from None
    if not (math.isfinite(x) and lo <= x <= hi):
        raise ConfigError(f"{name} {value} is outside {lo:g}-{hi:g}.", hint)


def check_settings(settings: AnalysisSettings) -> Profile:
    """Check every setting before any work; return the loaded profile.

    Raises
    ------
    ConfigError
        A number that is not finite or not plausible, an unknown ``qb_side``, a rotation
        other than 0/90/180/270, a missing model file (each message says what to give
        instead).
    ProfileError
        The profile does not exist (with the closest names) or fails validation.
    """
    from analyzer.faults.profiles import load_profile

    _finite_in(
        "athlete height (m)",
        settings.athlete_height_m,
        *HEIGHT_RANGE_M,
        "Give the height in metres, e.g. --athlete-height-m 1.80.",
    )
    _finite_in(
        "capture rate (fps)",
        settings.capture_fps,
        *CAPTURE_FPS_RANGE,
        "Give the rate the camera recorded at, e.g. --capture-fps 240 for slow motion.",
    )
    select_hint = "Give the athlete's pixel X,Y in the upright frame and a time in seconds, e.g. "
    select_hint += "--select 640,360@1.5."
    if settings.select_point_xy is not None:
        if len(settings.select_point_xy) != 2:
            raise ConfigError(f"select point {settings.select_point_xy} is not X,Y.", select_hint)
        for v in settings.select_point_xy:
            _finite_in("select point (px)", v, 0.0, MAX_SELECT_PX, select_hint)
    _finite_in("select time (s)", settings.select_time_s, 0.0, MAX_SELECT_TIME_S, select_hint)
    if settings.qb_side not in (None, "left", "right"):
        raise ConfigError(
            f"qb_side must be 'left' or 'right', got {settings.qb_side!r}.",
            "Say on which side the quarterback stands, seen from the athlete.",
        )
    if not (
        isinstance(settings.num_poses, int)
        and NUM_POSES_RANGE[0] <= settings.num_poses <= NUM_POSES_RANGE[1]
    ):
        raise ConfigError(
            f"num_poses must be a whole number from {NUM_POSES_RANGE[0]} to "
            f"{NUM_POSES_RANGE[1]}, got {settings.num_poses!r}.",
            "Use 2 (the default) unless many people are in the picture.",
        )
    check_rotation(settings.rotate_deg)
    if settings.model_path is not None and not Path(settings.model_path).expanduser().is_file():
        raise ConfigError(
            f"pose model file {settings.model_path} does not exist.",
            "Pass --model PATH to a BlazePose .task file, or omit it for the shipped model.",
        )
    if isinstance(settings.profile, Profile):
        return settings.profile
    return load_profile(settings.profile)
