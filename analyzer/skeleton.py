"""MediaPipe BlazePose's 33 landmarks: names, indices, left/right pairs, drawing edges.

Source: MediaPipe Pose documentation (BlazePose GHUM 3D topology), landmark order 0-32.
"""

from __future__ import annotations

from typing import Final

LANDMARK_NAMES: Final[tuple[str, ...]] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
N_LANDMARKS: Final[int] = 33

NOSE: Final = 0
LEFT_EYE: Final = 2
RIGHT_EYE: Final = 5
LEFT_EAR: Final = 7
RIGHT_EAR: Final = 8
LEFT_SHOULDER: Final = 11
RIGHT_SHOULDER: Final = 12
LEFT_ELBOW: Final = 13
RIGHT_ELBOW: Final = 14
LEFT_WRIST: Final = 15
RIGHT_WRIST: Final = 16
LEFT_HIP: Final = 23
RIGHT_HIP: Final = 24
LEFT_KNEE: Final = 25
RIGHT_KNEE: Final = 26
LEFT_ANKLE: Final = 27
RIGHT_ANKLE: Final = 28
LEFT_HEEL: Final = 29
RIGHT_HEEL: Final = 30
LEFT_TOE: Final = 31
RIGHT_TOE: Final = 32

INDEX: Final[dict[str, int]] = {name: i for i, name in enumerate(LANDMARK_NAMES)}


def _mirror_index(i: int) -> int:
    name = LANDMARK_NAMES[i]
    if name.startswith("mouth_"):
        return INDEX["mouth_right" if name == "mouth_left" else "mouth_left"]
    if name.startswith("left_"):
        return INDEX["right_" + name[5:]]
    if name.startswith("right_"):
        return INDEX["left_" + name[6:]]
    return i


#: ``MIRROR[i]`` is the landmark on the other side of the body (itself for the nose).
MIRROR: Final[tuple[int, ...]] = tuple(_mirror_index(i) for i in range(N_LANDMARKS))

#: (left, right) index pairs.
LEFT_RIGHT_PAIRS: Final[tuple[tuple[int, int], ...]] = tuple(
    (i, MIRROR[i]) for i in range(N_LANDMARKS) if MIRROR[i] > i
)

#: Leg landmarks per side (hip, knee, ankle, heel, toe), used for leg-swap repair.
LEFT_LEG: Final[tuple[int, ...]] = (LEFT_HIP, LEFT_KNEE, LEFT_ANKLE, LEFT_HEEL, LEFT_TOE)
RIGHT_LEG: Final[tuple[int, ...]] = (RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE, RIGHT_HEEL, RIGHT_TOE)
#: Foot points per side (ankle, heel, toe).
LEFT_FOOT: Final[tuple[int, ...]] = (LEFT_ANKLE, LEFT_HEEL, LEFT_TOE)
RIGHT_FOOT: Final[tuple[int, ...]] = (RIGHT_ANKLE, RIGHT_HEEL, RIGHT_TOE)

#: The 17 body landmarks (no face detail, no fingers) used for accuracy summaries.
BODY_LANDMARKS: Final[tuple[int, ...]] = (
    NOSE, LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_ELBOW, RIGHT_ELBOW, LEFT_WRIST, RIGHT_WRIST,
    LEFT_HIP, RIGHT_HIP, LEFT_KNEE, RIGHT_KNEE, LEFT_ANKLE, RIGHT_ANKLE,
    LEFT_HEEL, RIGHT_HEEL, LEFT_TOE, RIGHT_TOE,
)  # fmt: skip

#: Skeleton edges for drawing (MediaPipe's POSE_CONNECTIONS, body part only plus face line).
EDGES: Final[tuple[tuple[int, int], ...]] = (
    (LEFT_EAR, LEFT_EYE), (LEFT_EYE, NOSE), (NOSE, RIGHT_EYE), (RIGHT_EYE, RIGHT_EAR),
    (LEFT_SHOULDER, RIGHT_SHOULDER), (LEFT_SHOULDER, LEFT_ELBOW), (LEFT_ELBOW, LEFT_WRIST),
    (RIGHT_SHOULDER, RIGHT_ELBOW), (RIGHT_ELBOW, RIGHT_WRIST),
    (LEFT_SHOULDER, LEFT_HIP), (RIGHT_SHOULDER, RIGHT_HIP), (LEFT_HIP, RIGHT_HIP),
    (LEFT_HIP, LEFT_KNEE), (LEFT_KNEE, LEFT_ANKLE), (LEFT_ANKLE, LEFT_HEEL),
    (LEFT_HEEL, LEFT_TOE), (LEFT_ANKLE, LEFT_TOE),
    (RIGHT_HIP, RIGHT_KNEE), (RIGHT_KNEE, RIGHT_ANKLE), (RIGHT_ANKLE, RIGHT_HEEL),
    (RIGHT_HEEL, RIGHT_TOE), (RIGHT_ANKLE, RIGHT_TOE),
)  # fmt: skip
