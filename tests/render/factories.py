"""Hand-built analysis results for render/report tests: a stick-figure backpedal with known values.

The figure faces image-right and backpedals towards image-left at 30 fps; every series is
computed from the landmarks with the formulas of METRICS.md §13A, so the values drawn on a
frame can be checked against a known answer.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from analyzer import skeleton as sk
from analyzer.pose.track import PoseTrack
from analyzer.results import (
    AnalysisResult,
    ContactEvent,
    FaultReport,
    Finding,
    FindingBand,
    MetricValue,
    MotionAnalysis,
    NotAssessable,
    Phase,
    Scores,
    Step,
    ViewInfo,
)

FPS = 30.0
SIZE = (640, 360)
THIGH_PX = 50.0
SHANK_PX = 50.0
LEG_PX = THIGH_PX + SHANK_PX
CADENCE_HZ = 3.0  # steps per second
TRUNK_LEAN_DEG = 20.0


def _leg(hip: np.ndarray, phi: float) -> dict[str, np.ndarray]:
    thigh = math.radians(15.0 + 20.0 * math.sin(phi))
    knee_flex = math.radians(25.0 + 10.0 * (1.0 + math.cos(phi)))
    knee = hip + THIGH_PX * np.array([math.sin(thigh), math.cos(thigh)])
    shank = thigh - knee_flex
    ankle = knee + SHANK_PX * np.array([math.sin(shank), math.cos(shank)])
    return {
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": ankle + np.array([-6.0, 5.0]),
        "foot_index": ankle + np.array([13.0, 6.0]),
    }


def _arm(shoulder: np.ndarray, phi: float) -> dict[str, np.ndarray]:
    a = math.radians(10.0 + 25.0 * math.sin(phi))
    elbow = shoulder + 30.0 * np.array([math.sin(a), math.cos(a)])
    wrist = elbow + 28.0 * np.array([math.cos(a), -math.sin(a)])
    return {"elbow": elbow, "wrist": wrist, "pinky": wrist, "index": wrist, "thumb": wrist}


def stick_figure_landmarks(n_frames: int = 60) -> np.ndarray:
    """(T, 33, 2) float32 pixel landmarks of the stick figure."""
    xy = np.full((n_frames, 33, 2), np.nan, dtype=np.float32)
    lean = math.radians(TRUNK_LEAN_DEG)
    for i in range(n_frames):
        t = i / FPS
        phi = math.pi * CADENCE_HZ * t  # one stride = two steps
        hip = np.array([480.0 - 160.0 * t, 205.0 + 3.0 * math.sin(2 * phi)])
        sh = hip + 60.0 * np.array([math.sin(lean), -math.cos(lean)])
        pts: dict[str, np.ndarray] = {}
        for side, p in (("left", phi), ("right", phi + math.pi)):
            for name, v in _leg(hip + np.array([0.0, 0.0]), p).items():
                pts[f"{side}_{name}"] = v
            pts[f"{side}_shoulder"] = sh
            for name, v in _arm(sh, p + math.pi).items():
                pts[f"{side}_{name}"] = v
        head = sh + 22.0 * np.array([math.sin(lean), -math.cos(lean)])
        pts["nose"] = head + np.array([9.0, 0.0])
        for side in ("left", "right"):
            pts[f"{side}_ear"] = head + np.array([-2.0, 0.0])
            for e in ("eye_inner", "eye", "eye_outer"):
                pts[f"{side}_{e}"] = head + np.array([7.0, -3.0])
        pts["mouth_left"] = pts["mouth_right"] = head + np.array([7.0, 4.0])
        for name, v in pts.items():
            xy[i, sk.INDEX[name]] = v
    return xy


def make_track(n_frames: int = 60) -> PoseTrack:
    xy = stick_figure_landmarks(n_frames)
    vis = np.full((n_frames, 33), 0.95, dtype=np.float32)
    vis[:, [i for i, n in enumerate(sk.LANDMARK_NAMES) if n.startswith("right_")]] = 0.7
    return PoseTrack(
        times_s=np.arange(n_frames) / FPS,
        image_xy=xy,
        visibility=vis,
        image_size=SIZE,
        model="stick-figure-fixture",
        meta={"clip": "stick.mp4"},
    )


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    u, v = a - b, c - b
    cos = np.sum(u * v, -1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def series_from_track(track: PoseTrack) -> dict[str, np.ndarray]:
    """METRICS.md §13A formulas on the figure's landmarks (side view, facing image-right)."""
    p = track.image_xy.astype(float)
    s = p[:, [11, 12]].mean(1)
    h = p[:, [23, 24]].mean(1)
    ground = float(np.nanmax(p[:, [29, 30, 31, 32], 1]))
    return {
        "hip_height_ratio": (ground - h[:, 1]) / (1.08 * LEG_PX),
        "trunk_lean_deg": np.degrees(np.arctan2(s[:, 0] - h[:, 0], h[:, 1] - s[:, 1])),
        "knee_flexion_deg": 180.0 - _angle(p[:, 23], p[:, 25], p[:, 27]),
        "arm_angle_deg": np.degrees(
            np.arctan2(p[:, 13, 0] - p[:, 11, 0], p[:, 13, 1] - p[:, 11, 1])
        )
        + TRUNK_LEAN_DEG,
    }


def _events(track: PoseTrack) -> list[ContactEvent]:
    events = []
    step_s = 1.0 / CADENCE_HZ
    k = 0
    t = 0.2
    while t < track.duration_s:
        frame = round(t * FPS)
        foot = "left" if k % 2 == 0 else "right"
        events.append(ContactEvent(foot, "touchdown", frame / FPS, frame))
        off = frame + 5
        if off < track.n_frames:
            events.append(ContactEvent(foot, "toe_off", off / FPS, off))
        k += 1
        t += step_s
    return events


def make_result(n_frames: int = 60, *, with_faults: bool = True) -> AnalysisResult:
    """A full AnalysisResult of the stick figure, with three findings when ``with_faults``."""
    track = make_track(n_frames)
    series = series_from_track(track)
    events = _events(track)
    tds = [e for e in events if e.kind == "touchdown"]
    steps = [
        Step(
            index=i,
            foot=e.foot,
            touchdown_frame=e.frame,
            touchdown_time_s=e.time_s,
            length_leg_lengths=0.55 + 0.05 * (i % 3),
            step_time_s=1.0 / CADENCE_HZ,
        )
        for i, e in enumerate(tds)
    ]
    last = n_frames - 1
    phases = [
        Phase("ready", 0.0, 5 / FPS, 0, 5),
        Phase("backpedal", 6 / FPS, 44 / FPS, 6, 44),
        Phase("transition", 45 / FPS, 50 / FPS, 45, 50, transition_kind="turn_and_run"),
        Phase("sprint", 51 / FPS, last / FPS, 51, last),
    ]
    hhr = float(np.median(series["hip_height_ratio"][6:45]))
    knee = float(np.median(series["knee_flexion_deg"][6:45]))
    metrics = {
        "hip_height_ratio": MetricValue(
            "hip_height_ratio", hhr, "", "backpedal", True, confidence="high"
        ),
        "knee_flexion_deg": MetricValue("knee_flexion_deg", knee, "deg", "backpedal", True),
        "trunk_lean_deg": MetricValue(
            "trunk_lean_deg", TRUNK_LEAN_DEG, "deg", "backpedal", True, confidence="high"
        ),
        "step_length_leg_lengths": MetricValue(
            "step_length_leg_lengths",
            0.6,
            "leg_lengths",
            "backpedal",
            True,
            per_step=tuple(s.length_leg_lengths or 0.0 for s in steps),
        ),
        "cadence_steps_per_s": MetricValue(
            "cadence_steps_per_s", CADENCE_HZ, "steps/s", "backpedal", True
        ),
        "arm_swing_deg": MetricValue("arm_swing_deg", 48.0, "deg", "backpedal", True),
        "transition_time_s": MetricValue(
            "transition_time_s",
            None,
            "s",
            "transition",
            False,
            reason="film the whole turn to assess the transition",
        ),
        "base_width": MetricValue(
            "base_width",
            None,
            "",
            "ready",
            False,
            reason="film from the front to assess base width",
        ),
    }
    motion = MotionAnalysis(
        track=track,
        view=ViewInfo("side", 0.95, camera_side="left"),
        travel_direction="left",
        facing="right",
        leg_length_px=LEG_PX,
        scale_m_per_px=None,
        events=events,
        steps=steps,
        phases=phases,
        metrics=metrics,
        series=series,
    )
    faults = make_faults(motion) if with_faults else None
    return AnalysisResult(
        motion=motion,
        faults=faults,
        provenance={
            "package_version": "0.1.0",
            "profile": "db-backpedal",
            "model": track.model,
            "clip": "stick.mp4",
            "clip_sha256": "0" * 64,
        },
        timings_s={"pose": 1.5, "analysis": 0.1},
    )


def make_faults(motion: MotionAnalysis) -> FaultReport:
    knee = motion.series["knee_flexion_deg"]
    kf = int(np.argmin(knee[6:45])) + 6
    findings = [
        Finding(
            id="standing_tall",
            title="Standing too tall",
            severity="moderate",
            frames=((6, 44),),
            key_frame=20,
            metric="hip_height_ratio",
            value=float(motion.series["hip_height_ratio"][20]),
            unit="",
            band=FindingBand("", "", good=(0.78, 0.91)),
            confidence=0.8,
            cue="Sit into the pedal: hips down, chest over your knees.",
            drills=("Wall taps", "W drill"),
            explanation="Your hips stay high while you backpedal, which makes the break slower.",
        ),
        Finding(
            id="stiff_knees",
            title="Knees too straight",
            severity="minor",
            frames=((kf - 3, kf + 3),),
            key_frame=kf,
            metric="knee_flexion_deg",
            value=float(knee[kf]),
            unit="deg",
            band=FindingBand("", "deg", good=(45.0, 75.0)),
            confidence=0.6,
            cue="Bend the knees and stay on the balls of your feet.",
            drills=("Backward-running warm-up",),
        ),
        Finding(
            id="passive_arms",
            title="Passive arms",
            severity="minor",
            frames=((10, 40),),
            key_frame=30,
            metric="arm_swing_deg",
            value=48.0,
            unit="deg",
            band=FindingBand("", "deg", good=(50.0, None)),
            confidence=0.5,
            cue="Pump the arms like you run forward: hip to cheek.",
            drills=("Sled-resisted backpedal",),
        ),
    ]
    return FaultReport(
        profile="db-backpedal",
        findings=findings,
        scores=Scores(
            overall=64.0,
            categories={
                "posture": 52.0,
                "footwork": 78.0,
                "arms": 61.0,
                "head": None,
                "transition": 70.0,
            },
            metrics={"hip_height_ratio": 40.0, "knee_flexion_deg": 55.0, "arm_swing_deg": 61.0},
        ),
        not_assessable=[
            NotAssessable("base_width", "film from the front to assess base width"),
            NotAssessable("eyes_off_target", "film from the front to see where the head points"),
        ],
    )


def render_frames(track: PoseTrack):
    """Yield (frame index, BGR frame) of a plain rendering of the stick figure (grass and sky)."""
    w, h = track.image_size
    ground = int(np.nanmax(track.image_xy[:, [29, 30, 31, 32], 1])) + 2
    base = np.zeros((h, w, 3), np.uint8)
    base[:ground] = (200, 160, 110)
    base[ground:] = (60, 140, 60)
    for x in range(0, w, 80):
        cv2.line(base, (x, ground), (x - 40, h), (230, 230, 230), 2)
    for i in range(track.n_frames):
        frame = base.copy()
        p = track.image_xy[i]
        for a, b in sk.EDGES:
            if np.all(np.isfinite(p[[a, b]])):
                cv2.line(
                    frame,
                    tuple(int(v) for v in p[a]),
                    tuple(int(v) for v in p[b]),
                    (40, 40, 120),
                    6,
                    cv2.LINE_AA,
                )
        cv2.circle(frame, tuple(int(v) for v in p[0]), 9, (90, 120, 200), -1, cv2.LINE_AA)
        yield i, frame


def write_clip(track: PoseTrack, path: Path) -> Path:
    """Write the rendered figure as an H.264 mp4 with the shared writer."""
    from analyzer.video.writer import VideoWriter

    with VideoWriter(path, fps=FPS, size=track.image_size, options={"preset": "ultrafast"}) as w:
        for i, frame in render_frames(track):
            w.write(frame, time_s=float(track.times_s[i]))
    return path
