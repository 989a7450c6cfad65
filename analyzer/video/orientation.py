"""Is the picture upright? The people in it say so: a standing body's long axis is vertical.

A clip stored sideways (a phone held landscape with the orientation lock on, an editor that
dropped the rotation tag, a wrong tag) shows everyone lying on their side. The clip's own
metadata cannot tell (it is what is wrong), but the pose can: the line from the feet to the
shoulders of a person who stands, walks or runs stays near vertical (measured trunk tilt of
real athletes 5-60 deg, analyzer/pose/run.py; the feet-to-shoulders axis leans less than the
trunk), while in a picture turned by 90 deg it is horizontal.

:class:`OrientationVote` gathers, frame by frame, the body axis of the most confidently
detected person and tells which way the picture is turned; the pose run asks it after the
first seconds (to refuse a sideways clip before the whole pass) and again at the end. Pure
numpy; no video or model here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analyzer import skeleton as sk


@dataclass(frozen=True)
class OrientationParams:
    """Thresholds of the sideways check.

    Attributes
    ----------
    min_visibility
        Median landmark visibility for a detection to vote: BlazePose also "finds" people
        lying across cluttered still scenes, with visibility 0.57-0.90 (measured on the
        no-person iPhone clips of ../shared/data), real people 0.98-1.0.
    upright_max_deg
        A body axis within this angle of vertical counts as upright (trunks of real athletes
        lean up to ~60 deg; the feet-to-shoulders axis less, see above).
    early_window_s
        The first seconds checked before the rest of the clip is processed.
    early_min_votes
        Fewest confident detections in that window for an early verdict.
    early_min_fraction
        Share of the window's votes that must agree on one turn for an early refusal
        (strict, so a drill that starts on the ground is not refused: the full clip decides).
    min_fraction
        Share of all votes that must agree on one turn at the end of the clip.
    """

    min_visibility: float = 0.95
    upright_max_deg: float = 60.0
    early_window_s: float = 2.0
    early_min_votes: int = 10
    early_min_fraction: float = 0.9
    min_fraction: float = 0.5


@dataclass(frozen=True)
class OrientationVerdict:
    """Which way the displayed picture is turned, from the people in it.

    Attributes
    ----------
    turn_cw_deg
        Clockwise rotation (0, 90, 180, 270) that would make the people upright; 0 when the
        picture looks upright or nobody confident was seen.
    fraction
        Share of the votes for that turn.
    n_votes
        Confident detections that voted.
    head_towards
        ``"left"``, ``"right"``, ``"down"`` or ``"up"``: where the heads point in the picture.
    """

    turn_cw_deg: int
    fraction: float
    n_votes: int
    head_towards: str


#: (turn needed clockwise, where the head points) per class of body-axis angle
_CLASSES = ((0, "up"), (90, "left"), (180, "down"), (270, "right"))


def body_axis_deg(image_xy: np.ndarray) -> np.ndarray:
    """Signed angle (degrees) of the feet-to-shoulders axis from the picture's "up".

    Parameters
    ----------
    image_xy
        (..., 33, 2) pixels, y down. Ankles 27/28 (the hips 23/24 when an ankle is missing),
        shoulders 11/12.

    Returns
    -------
    np.ndarray
        (...) in (-180, 180]: 0 upright, +90 head towards image-right, -90 towards
        image-left, 180 upside down; NaN where the points are missing.
    """
    xy = np.asarray(image_xy, float)
    shoulders = 0.5 * (xy[..., sk.LEFT_SHOULDER, :] + xy[..., sk.RIGHT_SHOULDER, :])
    ankles = 0.5 * (xy[..., sk.LEFT_ANKLE, :] + xy[..., sk.RIGHT_ANKLE, :])
    hips = 0.5 * (xy[..., sk.LEFT_HIP, :] + xy[..., sk.RIGHT_HIP, :])
    base = np.where(np.isfinite(ankles), ankles, hips)
    up = shoulders - base
    return np.degrees(np.arctan2(up[..., 0], -up[..., 1]))


def turn_class(angle_deg: np.ndarray, upright_max_deg: float) -> np.ndarray:
    """(...) index into (upright, head left, upside down, head right); -1 where NaN.

    Upright within ``upright_max_deg`` of vertical; the rest of the circle is split evenly
    between the three turned classes (80 deg each for the default 60).
    """
    a = np.asarray(angle_deg, float)
    out = np.full(a.shape, -1, dtype=int)
    ok = np.isfinite(a)
    sector = 2.0 * (180.0 - upright_max_deg) / 3.0  # width of each turned sector
    lim = upright_max_deg + sector  # further than this from "up": upside down
    out[ok & (np.abs(a) <= upright_max_deg)] = 0
    out[ok & (a > upright_max_deg) & (a < lim)] = 3
    out[ok & (a < -upright_max_deg) & (a > -lim)] = 1
    out[ok & (np.abs(a) >= lim)] = 2
    return out


@dataclass
class OrientationVote:
    """Collects one vote per frame: the body axis of the most visible confident person."""

    params: OrientationParams = field(default_factory=OrientationParams)
    times_s: list[float] = field(default_factory=list)
    classes: list[int] = field(default_factory=list)

    def add(self, time_s: float, image_xy: np.ndarray, visibility: np.ndarray) -> None:
        """Vote for one frame. ``image_xy`` (P, 33, 2) and ``visibility`` (P, 33) of the
        people found (P may be 0)."""
        if image_xy.shape[0] == 0:
            return
        # non-finite scores count as 0, so the plain median is the NaN-aware one (and a
        # tenth of its cost: this runs on every frame of the pose pass)
        vis = np.median(np.where(np.isfinite(visibility), visibility, 0.0), axis=1)
        best = int(np.argmax(vis))
        if not vis[best] >= self.params.min_visibility:
            return
        cls = int(turn_class(body_axis_deg(image_xy[best]), self.params.upright_max_deg))
        if cls >= 0:
            self.times_s.append(float(time_s))
            self.classes.append(cls)

    def verdict(self, *, until_s: float | None = None) -> OrientationVerdict:
        """The most voted class (over votes up to ``until_s`` when given)."""
        cls = np.asarray(self.classes, int)
        if until_s is not None:
            cls = cls[np.asarray(self.times_s, float) <= until_s]
        if cls.size == 0:
            return OrientationVerdict(0, 0.0, 0, "up")
        counts = np.bincount(cls, minlength=4)
        k = int(np.argmax(counts))
        turn, head = _CLASSES[k]
        return OrientationVerdict(turn, float(counts[k] / cls.size), int(cls.size), head)

    def early_verdict(self, first_time_s: float) -> OrientationVerdict | None:
        """A turned verdict on the first ``early_window_s`` when it is clear-cut, else None."""
        p = self.params
        v = self.verdict(until_s=first_time_s + p.early_window_s)
        if v.turn_cw_deg and v.n_votes >= p.early_min_votes and v.fraction >= p.early_min_fraction:
            return v
        return None

    def final_verdict(self) -> OrientationVerdict | None:
        """A turned verdict on the whole clip when most confident people lie, else None."""
        v = self.verdict()
        if v.turn_cw_deg and v.fraction >= self.params.min_fraction:
            return v
        return None
