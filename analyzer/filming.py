"""The filming guide: one text, used by the README, the report, the verdicts and the errors.

Distances follow from the pose model's needs (METRICS.md §3.1: the athlete at least ~300 px
tall, 60 fps or more) and a phone's field of view: a main camera sees about 1.4 m of width
per metre of distance, so a 10-12 m rep (stance, 5-10 yd of pedal, turn, three sprint steps)
fits from about 7 m, and at 8 m a 1.8 m athlete is ~260 px tall in 1080p and ~520 px in 4K.
``tests/report/test_filming_guide.py`` checks the README quotes these lines.
"""

from __future__ import annotations

#: Where the camera goes: the distance said once, here.
CAMERA_DISTANCE = "6-10 m (7-11 yd)"

#: The guide, as short paragraphs (the README's "Filming guide" section quotes them).
FILMING_GUIDE: dict[str, str] = {
    "side": (
        "Side view (best): phone on a tripod at hip height (about 1 m), square to the "
        f"backpedal line, {CAMERA_DISTANCE} away, not moving or zooming; the whole rep "
        "(stance, 5-10 yd of backpedal, the turn and 3 sprint steps) in the picture."
    ),
    "size": (
        "Film in 1080p or 4K so the athlete, head to feet, is at least about 300 px tall; "
        "move closer only as far as the whole rep still fits."
    ),
    "front": (
        "Front view (optional, a second clip): where the receiver or quarterback would stand, "
        "chest height, 6-8 m in front of the start: base width, arm crossing and the head."
    ),
    "rate": (
        "60 fps or more (120 fps best); good light; one athlete in the picture if possible "
        "(otherwise pick them with --select X,Y@T)."
    ),
    "slow_motion": (
        "Slow-motion clips: give the rate the phone filmed at, e.g. --capture-fps 240, when "
        "the file does not record it."
    ),
}

#: One-line advice for a clip whose view cannot show the backpedal's key measures.
FILM_FROM_SIDE = (
    "Film again from the side: phone on a tripod at hip height, square to the backpedal line, "
    f"{CAMERA_DISTANCE} away, with the whole rep in the picture."
)

#: One-line advice for an athlete who is too small in the picture.
ATHLETE_TOO_SMALL = (
    "The athlete is small in the picture: film in 1080p or 4K, or move the camera closer "
    f"(not nearer than needed to keep the whole rep in frame; {CAMERA_DISTANCE} suits a "
    "10 m rep)."
)


def filming_guide_lines() -> list[str]:
    """The guide as a list of sentences, in reading order."""
    return list(FILMING_GUIDE.values())
