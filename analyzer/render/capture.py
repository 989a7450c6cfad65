"""Capture-quality verdict: is this clip good enough, and how to film better.

:func:`assess_capture` is a pure function of the pose track, the clip's probe information,
the detected view and brightness statistics collected while the frames were streamed
(:class:`BrightnessStats`). The limits come from METRICS.md §3.1 (recommended capture: side
view, ≥ 60 fps, athlete ≥ ~300 px tall) and §8.1 (what each view can assess); the detection
and lighting limits are engineering judgement.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from analyzer import skeleton as sk
from analyzer.filming import ATHLETE_TOO_SMALL, FILM_FROM_SIDE
from analyzer.pose.track import PoseTrack
from analyzer.results import ViewInfo

Status = Literal["good", "fair", "poor", "unknown"]

#: Frame rate (frames per second of real time): METRICS.md §3.1 (≥ 60 fps; 30 fps only for
#: posture and averaged cadence).
GOOD_FPS = 59.0
FAIR_FPS = 24.0
#: Athlete body height in the frame (pixels): METRICS.md §3.1 (≥ ~300 px).
GOOD_BODY_PX = 300.0
FAIR_BODY_PX = 150.0
#: Fraction of frames where the athlete was found [engineering judgement].
GOOD_DETECTION = 0.95
FAIR_DETECTION = 0.80
#: Fraction of detected frames with the whole body inside the frame [engineering judgement].
GOOD_IN_FRAME = 0.95
FAIR_IN_FRAME = 0.80
#: Mean luma (0-255) and luma standard deviation of the frames [engineering judgement].
GOOD_LUMA = (60.0, 200.0)
FAIR_LUMA = (35.0, 225.0)
GOOD_CONTRAST = 20.0
FAIR_CONTRAST = 10.0

_RANK: dict[str, int] = {"good": 0, "unknown": 0, "fair": 1, "poor": 2}


@dataclass(frozen=True)
class CaptureCheck:
    """One aspect of the capture: what was measured, how good it is, and what to change."""

    key: str
    label: str
    value: str
    status: Status
    advice: str = ""


@dataclass(frozen=True)
class CaptureAssessment:
    """All capture checks and the overall verdict (the worst known status)."""

    checks: tuple[CaptureCheck, ...]
    verdict: Status

    @property
    def advice(self) -> list[str]:
        """What to change when filming next time (only for checks that were not good)."""
        return [c.advice for c in self.checks if c.status in ("fair", "poor") and c.advice]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (stored in ``AnalysisResult.capture``)."""
        return {"verdict": self.verdict, "checks": [asdict(c) for c in self.checks]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaptureAssessment:
        """Inverse of :meth:`to_dict`."""
        checks = tuple(CaptureCheck(**c) for c in data.get("checks", ()))
        return cls(checks=checks, verdict=data.get("verdict", "unknown"))


@dataclass
class BrightnessStats:
    """Running brightness statistics of the frames, collected while streaming the clip.

    Call :meth:`add` with each (or every n-th) BGR frame; nothing else is kept.
    """

    n_frames: int = 0
    luma_sum: float = 0.0
    contrast_sum: float = 0.0
    luma_min: float = field(default=255.0)
    luma_max: float = field(default=0.0)

    def add(self, frame_bgr: np.ndarray) -> None:
        """Add one frame's mean luma and luma standard deviation."""
        luma, contrast = frame_brightness(frame_bgr)
        self.n_frames += 1
        self.luma_sum += luma
        self.contrast_sum += contrast
        self.luma_min = min(self.luma_min, luma)
        self.luma_max = max(self.luma_max, luma)

    @property
    def mean_luma(self) -> float:
        """Mean over frames of the mean luma (0-255); NaN before any frame."""
        return self.luma_sum / self.n_frames if self.n_frames else float("nan")

    @property
    def mean_contrast(self) -> float:
        """Mean over frames of the luma standard deviation; NaN before any frame."""
        return self.contrast_sum / self.n_frames if self.n_frames else float("nan")

    def to_dict(self) -> dict[str, float]:
        """JSON-serialisable summary."""
        return {
            "n_frames": self.n_frames,
            "mean_luma": self.mean_luma,
            "mean_contrast": self.mean_contrast,
            "luma_min": self.luma_min,
            "luma_max": self.luma_max,
        }


def frame_brightness(frame_bgr: np.ndarray, *, step: int = 4) -> tuple[float, float]:
    """Mean and standard deviation of the luma (ITU-R BT.601 weights) of a BGR frame,
    sampled on every ``step``-th pixel in each direction."""
    sub = np.asarray(frame_bgr[::step, ::step], dtype=np.float32)
    luma = 0.114 * sub[..., 0] + 0.587 * sub[..., 1] + 0.299 * sub[..., 2]
    return float(luma.mean()), float(luma.std())


def assess_capture(
    track: PoseTrack,
    video_info: Any | None = None,
    *,
    view: ViewInfo | None = None,
    brightness: BrightnessStats | dict[str, float] | None = None,
) -> CaptureAssessment:
    """Judge the capture: view, frame rate, athlete size, detection, framing, lighting.

    Parameters
    ----------
    track
        The athlete's pose track (pixels of the upright frame).
    video_info
        The clip's probe result (any object with ``fps`` and optionally ``capture_fps``);
        without it the frame rate comes from the track's timestamps.
    view
        The detected camera view; None gives an "unknown" view check.
    brightness
        Statistics collected while streaming (:class:`BrightnessStats` or its ``to_dict()``);
        None gives an "unknown" lighting check.
    """
    checks = (
        _check_view(view),
        _check_fps(track, video_info),
        _check_size(track),
        _check_detection(track),
        _check_in_frame(track),
        _check_lighting(brightness),
    )
    worst = max((c.status for c in checks), key=lambda s: _RANK[s])
    known = [c for c in checks if c.status != "unknown"]
    return CaptureAssessment(checks=checks, verdict=worst if known else "unknown")


def body_height_px(track: PoseTrack) -> float:
    """Median over detected frames of the athlete's height in the frame (head top to feet)."""
    y = track.image_xy[:, :, 1].astype(float)
    y = y[np.any(np.isfinite(y), axis=1)]
    if not y.size:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames with no head or no feet
        top, bottom = _head_top_feet(y)
    # the head top sits about half a head above the nose/ears: add 8 % of the span
    height = (bottom - top) * 1.08
    height = height[np.isfinite(height)]
    return float(np.median(height)) if height.size else float("nan")


def _head_top_feet(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    top = np.nanmin(
        y[:, [sk.NOSE, sk.LEFT_EAR, sk.RIGHT_EAR, sk.LEFT_SHOULDER, sk.RIGHT_SHOULDER]], axis=1
    )
    bottom = np.nanmax(y[:, [*sk.LEFT_FOOT, *sk.RIGHT_FOOT]], axis=1)
    return top, bottom


def _check_view(view: ViewInfo | None) -> CaptureCheck:
    if view is None or view.view == "unknown":
        return CaptureCheck(
            "view",
            "Camera view",
            "not recognised",
            "poor",
            FILM_FROM_SIDE,
        )
    texts: dict[str, tuple[Status, str]] = {
        "side": ("good", ""),
        "front": (
            "fair",
            "A front view shows base width, arm crossing and the head, but not "
            "hip height, knee bend or step length: add a clip filmed from the "
            "side.",
        ),
        "diagonal": (
            "fair",
            "A diagonal view bends the angles; film square from the side "
            "(and, if you can, a second clip from the front).",
        ),
        "rear": (
            "poor",
            "From behind, the face is hidden and the pose model guesses: film "
            "from the side, or from the front where the receiver would stand.",
        ),
    }
    status, advice = texts.get(view.view, ("fair", ""))
    return CaptureCheck(
        "view", "Camera view", f"{view.view} ({view.confidence:.0%} sure)", status, advice
    )


def _check_fps(track: PoseTrack, video_info: Any | None) -> CaptureCheck:
    fps = getattr(video_info, "capture_fps", None) or getattr(video_info, "fps", None)
    fps = float(fps) if fps else track.fps
    if not np.isfinite(fps):
        return CaptureCheck("frame_rate", "Frame rate", "unknown", "unknown")
    status: Status
    if fps >= GOOD_FPS:
        status, advice = "good", ""
    elif fps >= FAIR_FPS:
        status, advice = (
            "fair",
            (
                "At 30 fps, posture and average step rate are fine but foot "
                "contacts are only placed to the nearest frame: use 60 fps or "
                "the phone's 120/240 fps slow-motion mode."
            ),
        )
    else:
        status, advice = "poor", "The frame rate is too low for steps: film at 60 fps or more."
    return CaptureCheck("frame_rate", "Frame rate", f"{fps:.0f} fps", status, advice)


#: Label and advice of the checks graded against a good and a fair minimum.
_GRADED: dict[str, tuple[str, str]] = {
    "athlete_size": (
        "Athlete size in frame",
        ATHLETE_TOO_SMALL,
    ),
    "detection_rate": (
        "Athlete detection",
        "The athlete was lost in some frames: keep the face visible, avoid other people "
        "crossing in front, and use more light or a plainer background.",
    ),
    "in_frame": (
        "Whole body in frame",
        "Part of the body leaves the picture: step the camera back or turn the phone "
        "sideways so the whole rep, head to feet, stays in frame.",
    ),
}


def _graded(key: str, value: str, measured: float, good: float, fair: float) -> CaptureCheck:
    """Check ``key`` of :data:`_GRADED`: good at or above ``good``, fair at or above ``fair``,
    else poor; its advice is attached unless it is good."""
    label, advice = _GRADED[key]
    if measured >= good:
        return CaptureCheck(key, label, value, "good")
    status: Status = "fair" if measured >= fair else "poor"
    return CaptureCheck(key, label, value, status, advice)


def _not_measured(key: str) -> CaptureCheck:
    return CaptureCheck(key, _GRADED[key][0], "unknown", "unknown")


def _check_size(track: PoseTrack) -> CaptureCheck:
    px = body_height_px(track)
    if not np.isfinite(px):
        return _not_measured("athlete_size")
    value = f"{px:.0f} px tall ({px / track.image_size[1]:.0%} of the frame height)"
    return _graded("athlete_size", value, px, GOOD_BODY_PX, FAIR_BODY_PX)


def _check_detection(track: PoseTrack) -> CaptureCheck:
    rate = float(track.detected().mean()) if track.n_frames else 0.0
    value = f"found in {rate:.0%} of frames"
    return _graded("detection_rate", value, rate, GOOD_DETECTION, FAIR_DETECTION)


def _check_in_frame(track: PoseTrack) -> CaptureCheck:
    det = track.detected()
    if not det.any():
        return _not_measured("in_frame")
    w, h = track.image_size
    xy = track.image_xy[det].astype(float)
    margin = 0.01 * min(w, h)
    inside = (xy[..., 0] >= margin) & (xy[..., 0] <= w - margin)
    inside &= (xy[..., 1] >= margin) & (xy[..., 1] <= h - margin)
    finite = np.isfinite(xy[..., 0])
    frac = float(np.mean(np.all(inside | ~finite, axis=1)))
    value = f"whole body visible in {frac:.0%} of frames"
    return _graded("in_frame", value, frac, GOOD_IN_FRAME, FAIR_IN_FRAME)


def _check_lighting(brightness: BrightnessStats | dict[str, float] | None) -> CaptureCheck:
    if brightness is None:
        return CaptureCheck("lighting", "Lighting", "not measured", "unknown")
    stats = brightness.to_dict() if isinstance(brightness, BrightnessStats) else brightness
    luma, contrast = float(stats.get("mean_luma", np.nan)), float(stats.get("mean_contrast", 0))
    if not np.isfinite(luma):
        return CaptureCheck("lighting", "Lighting", "not measured", "unknown")
    value = f"brightness {luma:.0f}/255, contrast {contrast:.0f}"
    if GOOD_LUMA[0] <= luma <= GOOD_LUMA[1] and contrast >= GOOD_CONTRAST:
        return CaptureCheck("lighting", "Lighting", value, "good")
    if luma < GOOD_LUMA[0]:
        advice = "The clip is dark: film in daylight or under the stadium lights."
    elif luma > GOOD_LUMA[1]:
        advice = "The clip is washed out: do not film into the sun; lock the exposure."
    else:
        advice = "The picture is flat: film with the light behind the camera, not behind them."
    fair = FAIR_LUMA[0] <= luma <= FAIR_LUMA[1] and contrast >= FAIR_CONTRAST
    status: Status = "fair" if fair else "poor"
    return CaptureCheck("lighting", "Lighting", value, status, advice)
