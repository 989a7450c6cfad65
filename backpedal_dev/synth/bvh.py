"""BVH motion-capture reader and forward kinematics (written for this project, numpy only).

API
---
``read_bvh(path) -> BvhMotion``
    Parse the HIERARCHY and MOTION sections (any channel order, 3 or 6 channels per joint,
    ``End Site`` leaves kept as extra joints named ``<parent>_End``).
``forward_kinematics(motion, *, unit_m=1.0, first_frame=0) -> FkResult``
    Global joint positions in metres (native axes of the file, usually y up) and global
    rotation matrices, for every frame from ``first_frame``.

Conventions (the usual BVH ones): a joint's local transform is ``T(offset or position
channels) @ R`` with ``R`` the product of the rotation channels *in the order listed*
(``Zrotation Xrotation Yrotation`` gives ``R = Rz @ Rx @ Ry``), angles in degrees; a child's
global position is ``parent_pos + parent_R @ translation``. When a joint has position channels
they replace its OFFSET (Bandai Namco files give every joint 6 channels whose positions equal
the offsets; a CMU root's position channels are absolute).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class BvhMotion:
    """A parsed BVH file.

    Attributes
    ----------
    names
        Joint names in file order (End Sites included as ``<parent>_End``).
    parents
        (J,) parent index per joint, -1 for the root.
    offsets
        (J, 3) OFFSET vectors in file units.
    channels
        Per joint, the tuple of channel names (empty for End Sites).
    channel_index
        Per joint, the column of its first channel in ``frames`` (-1 for End Sites).
    frames
        (F, C) channel values, file units and degrees.
    frame_time_s
        Seconds per frame as written in the file.
    """

    names: tuple[str, ...]
    parents: np.ndarray
    offsets: np.ndarray
    channels: tuple[tuple[str, ...], ...]
    channel_index: tuple[int, ...]
    frames: np.ndarray
    frame_time_s: float

    @property
    def n_frames(self) -> int:
        """Number of frames F."""
        return int(self.frames.shape[0])

    @property
    def fps(self) -> float:
        """Frame rate from the file's ``Frame Time``."""
        return 1.0 / self.frame_time_s

    def index(self, name: str) -> int:
        """Index of the joint called ``name`` (KeyError if absent)."""
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"BVH has no joint {name!r}; joints: {', '.join(self.names)}") from None


@dataclass(frozen=True)
class FkResult:
    """Forward-kinematics output: (F, J, 3) positions in metres and (F, J, 3, 3) rotations."""

    positions: np.ndarray
    rotations: np.ndarray
    names: tuple[str, ...]
    parents: np.ndarray
    times_s: np.ndarray


def _tokens(text: str) -> list[str]:
    return text.replace("{", " { ").replace("}", " } ").split()


def _parse_hierarchy(tokens: list[str]) -> tuple[list, int]:
    """Return joints as (name, parent, offset, channels) and the index after the hierarchy."""
    joints: list[tuple[str, int, list[float], tuple[str, ...]]] = []
    stack: list[int] = []
    i = 0
    pending: tuple[str, int] | None = None
    while i < len(tokens):
        tok = tokens[i]
        if tok == "MOTION":
            return joints, i
        if tok in ("ROOT", "JOINT"):
            pending = (tokens[i + 1], stack[-1] if stack else -1)
            i += 2
        elif tok == "End":
            parent = stack[-1]
            pending = (joints[parent][0] + "_End", parent)
            i += 2
        elif tok == "{":
            if pending is None:
                raise ValueError("Malformed BVH: '{' without a joint.")
            joints.append((pending[0], pending[1], [0.0, 0.0, 0.0], ()))
            stack.append(len(joints) - 1)
            pending = None
            i += 1
        elif tok == "}":
            stack.pop()
            i += 1
        elif tok == "OFFSET":
            name, parent, _, ch = joints[stack[-1]]
            joints[stack[-1]] = (name, parent, [float(v) for v in tokens[i + 1 : i + 4]], ch)
            i += 4
        elif tok == "CHANNELS":
            n = int(tokens[i + 1])
            name, parent, off, _ = joints[stack[-1]]
            joints[stack[-1]] = (name, parent, off, tuple(tokens[i + 2 : i + 2 + n]))
            i += 2 + n
        else:
            i += 1
    raise ValueError("Malformed BVH: no MOTION section.")


def read_bvh(path: str | Path) -> BvhMotion:
    """Read a BVH file.

    Parameters
    ----------
    path
        The ``.bvh`` file.

    Returns
    -------
    BvhMotion
        Hierarchy and raw channel values (file units; convert with ``forward_kinematics``).
    """
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    head, sep, motion = text.partition("MOTION")
    if not sep:
        raise ValueError(f"{path}: no MOTION section, not a BVH file.")
    joints, _ = _parse_hierarchy(_tokens(head + " MOTION"))
    lines = [ln.strip() for ln in motion.strip().splitlines() if ln.strip()]
    n_frames = int(lines[0].split(":")[1])
    frame_time = float(lines[1].split(":")[1])
    n_ch = sum(len(j[3]) for j in joints)
    data = np.array(" ".join(lines[2 : 2 + n_frames]).split(), dtype=np.float64)
    if data.size != n_frames * n_ch:
        raise ValueError(
            f"{path}: expected {n_frames} frames x {n_ch} channels, got {data.size} values."
        )
    index, col = [], 0
    for j in joints:
        index.append(col if j[3] else -1)
        col += len(j[3])
    return BvhMotion(
        names=tuple(j[0] for j in joints),
        parents=np.array([j[1] for j in joints], dtype=np.int64),
        offsets=np.array([j[2] for j in joints], dtype=np.float64),
        channels=tuple(j[3] for j in joints),
        channel_index=tuple(index),
        frames=data.reshape(n_frames, n_ch),
        frame_time_s=frame_time,
    )


def axis_rotation(axis: str, angle_deg: np.ndarray) -> np.ndarray:
    """(..., 3, 3) rotation matrices about the x, y or z axis by ``angle_deg`` (right-handed)."""
    a = np.deg2rad(np.asarray(angle_deg, dtype=np.float64))
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    if axis == "X":
        m = [[o, z, z], [z, c, -s], [z, s, c]]
    elif axis == "Y":
        m = [[c, z, s], [z, o, z], [-s, z, c]]
    elif axis == "Z":
        m = [[c, -s, z], [s, c, z], [z, z, o]]
    else:
        raise ValueError(f"Unknown rotation axis {axis!r}.")
    return np.moveaxis(np.array(m), (0, 1), (-2, -1))


def _local_transform(motion: BvhMotion, j: int, frames: np.ndarray) -> tuple:
    """Local translation (F, 3) in file units and rotation (F, 3, 3) of joint ``j``."""
    f = frames.shape[0]
    trans = np.broadcast_to(motion.offsets[j], (f, 3)).copy()
    rot = np.broadcast_to(np.eye(3), (f, 3, 3)).copy()
    start = motion.channel_index[j]
    for k, ch in enumerate(motion.channels[j]):
        values = frames[:, start + k]
        kind, axis = ch[1:], ch[0].upper()
        if kind == "position":
            trans[:, "XYZ".index(axis)] = values
        elif kind == "rotation":
            rot = rot @ axis_rotation(axis, values)
    return trans, rot


def forward_kinematics(motion: BvhMotion, *, unit_m: float = 1.0, first_frame: int = 0) -> FkResult:
    """Global joint positions (metres) and rotations for every frame from ``first_frame``.

    Parameters
    ----------
    motion
        A parsed BVH file.
    unit_m
        Metres per file unit (CMU: 0.05644; Bandai Namco: 0.01, see ../shared/data/README.md).
    first_frame
        Frames before it are dropped (CMU frame 0 is a T-pose: pass 1).

    Returns
    -------
    FkResult
        ``positions`` (F, J, 3) in metres, native axes; ``rotations`` (F, J, 3, 3) global;
        ``times_s`` starting at 0 for ``first_frame``.
    """
    frames = motion.frames[first_frame:]
    n = frames.shape[0]
    n_joints = len(motion.names)
    pos = np.zeros((n, n_joints, 3))
    rot = np.zeros((n, n_joints, 3, 3))
    for j in range(n_joints):
        trans, local_rot = _local_transform(motion, j, frames)
        p = motion.parents[j]
        if p < 0:
            pos[:, j] = trans
            rot[:, j] = local_rot
        else:
            pos[:, j] = pos[:, p] + np.einsum("fij,fj->fi", rot[:, p], trans)
            rot[:, j] = rot[:, p] @ local_rot
    return FkResult(
        positions=pos * unit_m,
        rotations=rot,
        names=motion.names,
        parents=motion.parents.copy(),
        times_s=np.arange(n) * motion.frame_time_s,
    )
