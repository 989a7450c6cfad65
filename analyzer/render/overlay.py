"""Stateless frame annotators: ``annotate(frame, data) -> frame``.

Everything drawn on a frame (skeleton, phase label, live metrics, the measured angle or
distance with the band it should be in) is described by a small frozen dataclass
(:class:`FrameOverlay`, :class:`Measurement`); the drawing functions keep no state and never
modify their input frame. Building that description from an analysis lives in
:mod:`analyzer.render.scene`.

Shapes are drawn with OpenCV (anti-aliased); text is drawn with Pillow and the DejaVu Sans
font that ships with matplotlib so that units such as "°" print correctly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from analyzer.skeleton import EDGES, LANDMARK_NAMES, N_LANDMARKS

MeasurementKind = Literal["angle", "bend", "lean", "distance"]

#: BGR colours.
GOOD = (80, 175, 76)
BAD = (54, 67, 244)
NEUTRAL = (235, 235, 235)
ACCENT = (0, 200, 255)
LEFT_COLOUR = (255, 160, 60)
RIGHT_COLOUR = (60, 120, 255)
CENTRE_COLOUR = (230, 230, 230)

_LEFT = frozenset(i for i, n in enumerate(LANDMARK_NAMES) if n.startswith("left_"))
_RIGHT = frozenset(i for i, n in enumerate(LANDMARK_NAMES) if n.startswith("right_"))


@dataclass(frozen=True)
class Measurement:
    """A measured quantity to draw on a frame, with the band it should be in.

    Attributes
    ----------
    kind
        ``"angle"``: the angle at ``points[1]`` between ``points[0]`` and ``points[2]``;
        ``"bend"``: how far the segment ``points[1] -> points[2]`` bends away from the straight
        continuation of ``points[0] -> points[1]`` (a joint's flexion, 0 = straight);
        ``"lean"``: the line ``points[0] -> points[1]`` against the vertical through
        ``points[0]``; ``"distance"``: the segment ``points[0] -> points[1]``.
    points
        Pixel coordinates ``(x, y)`` in the frame.
    value
        The measured value (drawn as text), or None to draw the geometry only.
    unit
        Unit printed after the value (``"°"``, ``"× leg"``, ...).
    band
        ``(low, high)`` of the band the value should be in; either may be None (one-sided).
    label
        Short name printed before the value ("knee flexion").
    """

    kind: MeasurementKind
    points: tuple[tuple[float, float], ...]
    value: float | None
    unit: str = ""
    band: tuple[float | None, float | None] = (None, None)
    label: str = ""

    @property
    def in_band(self) -> bool | None:
        """True/False when both the value and at least one band edge are known, else None."""
        lo, hi = self.band
        if self.value is None or (lo is None and hi is None):
            return None
        return (lo is None or self.value >= lo) and (hi is None or self.value <= hi)


@dataclass(frozen=True)
class FrameOverlay:
    """Everything to draw on one frame.

    Attributes
    ----------
    landmarks_xy
        (33, 2) pixel landmarks (NaN where missing) or None for no skeleton.
    visibility
        (33,) visibility in [0, 1]; landmarks below ``min_visibility`` are not drawn.
    phase
        Phase label shown top-left ("backpedal").
    metrics
        ``(name, value text)`` pairs shown in the live-metrics panel.
    measurements
        Measured angles/distances drawn on the body.
    title
        Banner text at the top (e.g. the fault's title on a key frame).
    events
        Short event labels shown for this frame ("left foot lands").
    highlight
        Landmark indices drawn larger (the joints the measurement uses).
    """

    landmarks_xy: np.ndarray | None = None
    visibility: np.ndarray | None = None
    phase: str = ""
    metrics: tuple[tuple[str, str], ...] = ()
    measurements: tuple[Measurement, ...] = ()
    title: str = ""
    events: tuple[str, ...] = ()
    highlight: tuple[int, ...] = ()
    min_visibility: float = 0.3
    text_scale: float = 1.0
    extra: dict[str, str] = field(default_factory=dict)
    #: names of ``metrics`` whose value is outside its band (drawn red)
    alerts: tuple[str, ...] = ()
    #: a flagged moment: red banner along the bottom ("Leaning back")
    flag: str = ""


# --------------------------------------------------------------------------- public API


def annotate(frame: np.ndarray, data: FrameOverlay) -> np.ndarray:
    """Return a copy of ``frame`` (H, W, 3 uint8 BGR) with ``data`` drawn on it."""
    out = np.ascontiguousarray(frame).copy()
    texts: list[_Text] = []
    scale = _scale(out)
    if data.landmarks_xy is not None:
        draw_skeleton(
            out,
            data.landmarks_xy,
            data.visibility,
            min_visibility=data.min_visibility,
            highlight=data.highlight,
            inplace=True,
        )
    for m in data.measurements:
        texts.extend(_draw_measurement_shapes(out, m, scale, data.text_scale))
    texts.extend(_panel_texts(out, data, scale))
    _render_texts(out, texts)
    return out


def draw_skeleton(
    frame: np.ndarray,
    landmarks_xy: np.ndarray,
    visibility: np.ndarray | None = None,
    *,
    min_visibility: float = 0.3,
    highlight: Sequence[int] = (),
    inplace: bool = False,
) -> np.ndarray:
    """Draw the body skeleton (left side orange, right side blue) and return the frame.

    Parameters
    ----------
    frame
        (H, W, 3) uint8 BGR image.
    landmarks_xy
        (33, 2) pixel coordinates, NaN where missing.
    visibility
        (33,) values in [0, 1]; points below ``min_visibility`` are skipped.
    highlight
        Landmark indices drawn as larger rings.
    inplace
        Draw on ``frame`` itself instead of a copy.
    """
    out = frame if inplace else frame.copy()
    pts = np.asarray(landmarks_xy, dtype=float)
    ok = np.all(np.isfinite(pts), axis=1)
    if visibility is not None:
        ok &= np.asarray(visibility, dtype=float) >= min_visibility
    s = _scale(out)
    thick = max(2, round(3 * s))
    for a, b in EDGES:
        if ok[a] and ok[b]:
            colour = _side_colour(a, b)
            cv2.line(out, _pt(pts[a]), _pt(pts[b]), (20, 20, 20), thick + 2, cv2.LINE_AA)
            cv2.line(out, _pt(pts[a]), _pt(pts[b]), colour, thick, cv2.LINE_AA)
    radius = max(2, round(3.5 * s))
    for i in range(N_LANDMARKS):
        if ok[i] and (i == 0 or i >= 11):
            cv2.circle(out, _pt(pts[i]), radius, (20, 20, 20), -1, cv2.LINE_AA)
            cv2.circle(out, _pt(pts[i]), radius - 1, _side_colour(i, i), -1, cv2.LINE_AA)
    for i in highlight:
        if 0 <= i < N_LANDMARKS and ok[i]:
            cv2.circle(out, _pt(pts[i]), radius * 3, ACCENT, max(2, thick - 1), cv2.LINE_AA)
    return out


def format_band(band: tuple[float | None, float | None], unit: str, *, digits: int = 0) -> str:
    """Human text for a band: ``"45–75°"``, ``"at least 50°"``, ``"at most 0.25"``."""
    lo, hi = band
    sep = "" if unit in ("°", "%") else " "
    u = f"{sep}{unit}" if unit else ""
    if lo is not None and hi is not None:
        return f"{lo:.{digits}f}–{hi:.{digits}f}{u}"
    if lo is not None:
        return f"at least {lo:.{digits}f}{u}"
    if hi is not None:
        return f"at most {hi:.{digits}f}{u}"
    return ""


def format_value(value: float | None, unit: str, *, digits: int = 0) -> str:
    """``"38°"``, ``"0.93 × leg"``; an em dash for None/NaN."""
    if value is None or not math.isfinite(value):
        return "—"
    sep = "" if unit in ("°", "%") else " "
    return f"{value:.{digits}f}{sep}{unit}" if unit else f"{value:.{digits}f}"


def athlete_box(
    landmarks_xy: np.ndarray,
    frame_size: tuple[int, int],
    *,
    margin: float = 0.35,
    aspect: float = 4 / 3,
) -> tuple[int, int, int, int]:
    """A box ``(x0, y0, x1, y1)`` around the athlete with ``margin`` (fraction of body height)
    and width/height ``aspect``, kept inside the frame; the whole frame if no landmark is known.
    """
    w, h = frame_size
    pts = np.asarray(landmarks_xy, dtype=float)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if pts.shape[0] < 2:
        return 0, 0, w, h
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    body = max(y1 - y0, x1 - x0, 1.0)
    bh = (y1 - y0) + 2 * margin * body
    bw = (x1 - x0) + 2 * margin * body
    bh, bw = max(bh, bw / aspect), max(bw, bh * aspect)
    bw, bh = min(bw, w), min(bh, h)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left = int(np.clip(round(cx - bw / 2), 0, w - round(bw)))
    top = int(np.clip(round(cy - bh / 2), 0, h - round(bh)))
    return left, top, left + round(bw), top + round(bh)


def crop_overlay(
    frame: np.ndarray,
    data: FrameOverlay,
    box: tuple[int, int, int, int],
    *,
    out_height: int = 540,
    max_upscale: float = 3.0,
) -> tuple[np.ndarray, FrameOverlay]:
    """Crop ``frame`` to ``box``, resize to ``out_height`` (upscaling at most ``max_upscale``
    times) and move every coordinate in ``data`` to match; returns ``(frame, data)``.
    """
    x0, y0, x1, y1 = box
    sub = frame[y0:y1, x0:x1]
    k = min(out_height / max(1, sub.shape[0]), max_upscale)
    size = (max(2, round(sub.shape[1] * k)), max(2, round(sub.shape[0] * k)))
    out = cv2.resize(sub, size, interpolation=cv2.INTER_CUBIC if k > 1 else cv2.INTER_AREA)
    return out, moved_overlay(data, offset_xy=(x0, y0), scale=k)


def moved_overlay(
    data: FrameOverlay, *, offset_xy: tuple[float, float] = (0.0, 0.0), scale: float = 1.0
) -> FrameOverlay:
    """``data`` with every coordinate moved to ``(p - offset_xy) * scale``: the overlay of a
    cropped and/or resized frame (e.g. the annotated video scaled down to 720p)."""
    offset = np.asarray(offset_xy, dtype=float)

    def move(p):
        return tuple(float(v) for v in (np.asarray(p, dtype=float) - offset) * scale)

    xy = None if data.landmarks_xy is None else (data.landmarks_xy - offset) * scale
    ms = tuple(replace(m, points=tuple(move(p) for p in m.points)) for m in data.measurements)
    return replace(data, landmarks_xy=xy, measurements=ms)


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class _Text:
    text: str
    xy: tuple[int, int]
    size_px: int
    colour: tuple[int, int, int]
    box: tuple[int, int, int] | None = (20, 20, 20)
    anchor: str = "la"


def _scale(frame: np.ndarray) -> float:
    """Drawing scale: 1.0 at 720 px on the short side."""
    return max(0.5, min(frame.shape[0], frame.shape[1]) / 720.0)


def _pt(p: np.ndarray | Sequence[float]) -> tuple[int, int]:
    return round(float(p[0])), round(float(p[1]))


def _side_colour(a: int, b: int) -> tuple[int, int, int]:
    if a in _LEFT and b in _LEFT:
        return LEFT_COLOUR
    if a in _RIGHT and b in _RIGHT:
        return RIGHT_COLOUR
    return CENTRE_COLOUR


def _band_colour(m: Measurement) -> tuple[int, int, int]:
    verdict = m.in_band
    return ACCENT if verdict is None else (GOOD if verdict else BAD)


def _measurement_caption(m: Measurement) -> str:
    digits = 0 if m.unit in ("°", "%", "px", "cm") else 2
    value = format_value(m.value, m.unit, digits=digits)
    head = f"{m.label} {value}".strip() if m.label else value
    band = format_band(m.band, m.unit, digits=digits)
    return f"{head}\ntarget {band}" if band else head


def _draw_measurement_shapes(
    frame: np.ndarray, m: Measurement, s: float, text_scale: float = 1.0
) -> list[_Text]:
    pts = [np.asarray(p, dtype=float) for p in m.points]
    if not pts or not all(np.all(np.isfinite(p)) for p in pts):
        return []
    colour = _band_colour(m)
    thick = max(2, round(4 * s))
    if m.kind == "angle" and len(pts) == 3:
        a, v, c = pts
        for end in (a, c):
            cv2.line(frame, _pt(v), _pt(end), colour, thick, cv2.LINE_AA)
        _draw_arc(frame, v, a, c, colour, s)
        anchor = v
    elif m.kind == "bend" and len(pts) == 3:
        a, v, c = pts
        cv2.line(frame, _pt(a), _pt(v), colour, thick, cv2.LINE_AA)
        cv2.line(frame, _pt(v), _pt(c), colour, thick, cv2.LINE_AA)
        d = v - a
        n = float(np.linalg.norm(d))
        reach = float(np.linalg.norm(c - v))
        straight = v + d / max(n, 1e-6) * reach
        _dashed_line(frame, v, straight, NEUTRAL, max(1, thick - 1), s)
        _draw_arc(frame, v, straight, c, colour, s)
        anchor = v
    elif m.kind == "lean" and len(pts) == 2:
        base, top = pts
        length = float(np.linalg.norm(top - base))
        vertical = base + np.array([0.0, -length])
        _dashed_line(frame, base, vertical, NEUTRAL, max(1, thick - 1), s)
        cv2.line(frame, _pt(base), _pt(top), colour, thick, cv2.LINE_AA)
        _draw_arc(frame, base, vertical, top, colour, s)
        anchor = top
    elif m.kind == "distance" and len(pts) == 2:
        a, b = pts
        cv2.line(frame, _pt(a), _pt(b), colour, thick, cv2.LINE_AA)
        _end_ticks(frame, a, b, colour, thick, s)
        anchor = (a + b) / 2.0
    else:
        return []
    size = max(14, round(0.9 * panel_text_px(frame) * text_scale))
    x = int(np.clip(anchor[0] + 18 * s, 4, frame.shape[1] - 4))
    y = int(np.clip(anchor[1] - 40 * s, 4, frame.shape[0] - size - 4))
    return [_Text(_measurement_caption(m), (x, y), size, _bgr_to_rgb(colour))]


def _draw_arc(
    frame: np.ndarray, v: np.ndarray, a: np.ndarray, c: np.ndarray, colour, s: float
) -> None:
    ang_a = math.degrees(math.atan2(a[1] - v[1], a[0] - v[0]))
    ang_c = math.degrees(math.atan2(c[1] - v[1], c[0] - v[0]))
    delta = (ang_c - ang_a + 540.0) % 360.0 - 180.0
    reach = float(min(np.linalg.norm(a - v), np.linalg.norm(c - v)))
    radius = max(8, round(min(0.45 * reach, 60 * s)))
    cv2.ellipse(
        frame,
        _pt(v),
        (radius, radius),
        0.0,
        ang_a,
        ang_a + delta,
        colour,
        max(2, round(3 * s)),
        cv2.LINE_AA,
    )


def _dashed_line(frame: np.ndarray, a: np.ndarray, b: np.ndarray, colour, thick: int, s: float):
    length = float(np.linalg.norm(b - a))
    if length < 1:
        return
    dash = max(6.0, 10.0 * s)
    n = int(length // dash)
    for k in range(0, n, 2):
        p = a + (b - a) * (k * dash / length)
        q = a + (b - a) * (min((k + 1) * dash, length) / length)
        cv2.line(frame, _pt(p), _pt(q), colour, thick, cv2.LINE_AA)


def _end_ticks(frame: np.ndarray, a: np.ndarray, b: np.ndarray, colour, thick: int, s: float):
    d = b - a
    n = np.linalg.norm(d)
    if n < 1:
        return
    perp = np.array([-d[1], d[0]]) / n * 10 * s
    for p in (a, b):
        cv2.line(frame, _pt(p - perp), _pt(p + perp), colour, thick, cv2.LINE_AA)


#: Panel text height as a share of the frame height (readable when a phone shows the video
#: 390 px wide), capped by the width for portrait frames [engineering judgement].
TEXT_SHARE_OF_HEIGHT = 0.055
TEXT_SHARE_OF_WIDTH = 0.04
ALERT_BOX = (200, 30, 30)  # RGB box behind a live number outside its band
FLAG_BOX = (200, 30, 30)  # RGB box of the flagged-moment banner


def panel_text_px(frame: np.ndarray) -> int:
    """Panel text size in pixels from the frame's size."""
    h, w = frame.shape[:2]
    return max(12, round(min(TEXT_SHARE_OF_HEIGHT * h, TEXT_SHARE_OF_WIDTH * w)))


def _panel_texts(frame: np.ndarray, data: FrameOverlay, s: float) -> list[_Text]:
    texts: list[_Text] = []
    base = panel_text_px(frame)
    size = max(14, round(base * data.text_scale))
    small = max(12, round(0.85 * base * data.text_scale))
    pad = round(12 * s)
    y = pad
    if data.title:
        texts.append(_Text(data.title, (pad, y), size, (255, 255, 255), (40, 40, 160)))
        y += round(size * 1.6)
    if data.phase:
        texts.append(_Text(f"Phase: {data.phase}", (pad, y), size, (255, 255, 255)))
        y += round(size * 1.6)
    for label in data.events:
        texts.append(_Text(label, (pad, y), small, (255, 220, 120)))
        y += round(small * 1.5)
    if data.metrics:
        x = frame.shape[1] - pad
        yy = pad
        for name, value in data.metrics:
            box = ALERT_BOX if name in data.alerts else (20, 20, 20)
            texts.append(_Text(f"{name}: {value}", (x, yy), small, (255, 255, 255), box, "ra"))
            yy += round(small * 1.5)
    if data.flag:
        bottom = frame.shape[0] - pad
        texts.append(
            _Text(data.flag, (frame.shape[1] // 2, bottom), size, (255, 255, 255),
                  FLAG_BOX, anchor="md")
        )  # fmt: skip
    return texts


def _bgr_to_rgb(c: tuple[int, int, int]) -> tuple[int, int, int]:
    return c[2], c[1], c[0]


@lru_cache(maxsize=16)
def _font(size_px: int):
    from PIL import ImageFont

    try:
        import matplotlib

        path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
        return ImageFont.truetype(str(path), size_px)
    except (ImportError, OSError):
        return ImageFont.load_default()


def _render_texts(frame: np.ndarray, texts: list[_Text]) -> None:
    """Draw text items with Pillow into ``frame`` (in place), each on a dark box.

    Each label is drawn on a copy of just the patch it covers, not the whole frame: Pillow
    needs RGB and its own image, and converting a full HD frame there and back for a few
    labels cost more than the rest of the annotation.
    """
    if not texts:
        return
    from PIL import Image, ImageDraw

    height, width = frame.shape[:2]
    measure = _measuring_draw()
    for t in texts:
        font = _font(t.size_px)
        m = max(3, t.size_px // 4)
        box = measure.multiline_textbbox(t.xy, t.text, font=font, anchor=t.anchor)
        # keep the whole label (with its box margin) inside the frame
        dx = min(0, width - 1 - m - box[2]) or max(0, m - box[0])
        dy = min(0, height - 1 - m - box[3]) or max(0, m - box[1])
        xy = (t.xy[0] + dx, t.xy[1] + dy)
        drawn = measure.multiline_textbbox(xy, t.text, font=font, anchor=t.anchor, spacing=m)
        x0 = max(0, math.floor(min(box[0] + dx, drawn[0]) - m - 2))
        y0 = max(0, math.floor(min(box[1] + dy, drawn[1]) - m - 2))
        x1 = min(width, math.ceil(max(box[2] + dx, drawn[2]) + m + 3))
        y1 = min(height, math.ceil(max(box[3] + dy, drawn[3]) + m + 3))
        if x1 <= x0 or y1 <= y0:
            continue
        patch = Image.fromarray(np.ascontiguousarray(frame[y0:y1, x0:x1, ::-1]))
        draw = ImageDraw.Draw(patch, "RGBA")
        left, top = box[0] + dx - x0, box[1] + dy - y0
        right, bottom = box[2] + dx - x0, box[3] + dy - y0
        if t.box is not None:
            draw.rounded_rectangle(
                (left - m, top - m, right + m, bottom + m), radius=m, fill=(*t.box, 200)
            )
        draw.multiline_text(
            (xy[0] - x0, xy[1] - y0), t.text, font=font, fill=t.colour, anchor=t.anchor,
            spacing=m,
        )  # fmt: skip
        frame[y0:y1, x0:x1] = np.asarray(patch)[:, :, ::-1]


@lru_cache(maxsize=1)
def _measuring_draw():
    """A Pillow drawing context used only to measure text (its image is never drawn on)."""
    from PIL import Image, ImageDraw

    return ImageDraw.Draw(Image.new("RGB", (1, 1)))
