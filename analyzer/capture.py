"""Capture-quality verdict (a pipeline stage): is this clip good enough, how to film better.

:func:`assess_capture` is a pure function of the pose track, the clip's probe information,
the detected view and the brightness statistics collected during the pose pass
(:class:`analyzer.video.brightness.Brightness`). The limits come from METRICS.md §3.1
(recommended capture: side view, ≥ 60 fps, athlete ≥ ~300 px tall) and §8.1 (what each
view can assess); the detection and lighting limits are engineering judgement.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from analyzer import skeleton as sk
from analyzer.filming import ATHLETE_TOO_SMALL, FILM_FROM_SIDE
from analyzer.pose.track import PoseTrack
from analyzer.results import CaptureAssessment, CaptureCheck, CaptureStatus, ViewInfo
from analyzer.video.brightness import Brightness, BrightnessStats

Status = CaptureStatus

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


def assess_capture(
    track: PoseTrack,
    video_info: Any | None = None,
    *,
    view: ViewInfo | None = None,
    brightness: Brightness | BrightnessStats | None = None,
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
        Statistics collected while streaming (:class:`Brightness` or the running
        :class:`BrightnessStats`); None gives an "unknown" lighting check.
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


def _check_lighting(brightness: Brightness | BrightnessStats | None) -> CaptureCheck:
    if brightness is None:
        return CaptureCheck("lighting", "Lighting", "not measured", "unknown")
    luma, contrast = float(brightness.mean_luma), float(brightness.mean_contrast)
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
