"""Loaders for the shared motion capture (../shared/data/mocap), as global joint positions.

API
---
``load_mocap(path) -> MocapClip``
    Dispatches on the file: ``cmu/*.bvh``, ``bandai_namco_*/*.bvh`` or a 100STYLE ``.npz``.
``load_cmu(path)``, ``load_bandai(path)``, ``load_100style(path)``
    The individual loaders.

Units and rates (../shared/data/README.md): CMU 1 unit = 0.05644 m, 120 fps, frame 0 is a
T-pose and is dropped; Bandai Namco cm, 30 fps; 100STYLE npz metres, ~60 fps, *global*
quaternions stored (x, y, z, w) (checked: child offsets are constant in the parent's frame).
All three are y up. Positions stay in the file's own horizontal axes here; ``landmarks``
re-orients them to the project convention. The npz is read without pickle (only the
numeric/string members are loaded; ``parent_names`` is an object array and is skipped).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from backpedal_dev.synth.bvh import forward_kinematics, read_bvh

CMU_UNIT_M = 0.05644
BANDAI_UNIT_M = 0.01
CMU_ACK = "data obtained from mocap.cs.cmu.edu; database created with funding from NSF EIA-0196217"


@dataclass(frozen=True)
class MocapClip:
    """Global joint positions of one motion-capture trial.

    Attributes
    ----------
    name
        Trial name, e.g. ``"cmu/09_12"``.
    source
        ``"cmu"``, ``"bandai"`` or ``"100style"`` (selects the joint map in ``landmarks``).
    times_s
        (T,) seconds from the first kept frame.
    positions
        (T, J, 3) metres, file axes (y up).
    rotations
        (T, J, 3, 3) global rotation matrices, or None.
    joint_names, parents
        Joint names and parent indices (-1 = root).
    licence
        Licence / acknowledgement text for the trial.
    """

    name: str
    source: str
    times_s: np.ndarray
    positions: np.ndarray
    rotations: np.ndarray | None
    joint_names: tuple[str, ...]
    parents: np.ndarray
    licence: str

    @property
    def fps(self) -> float:
        """Frame rate (frames per second)."""
        return float(1.0 / np.median(np.diff(self.times_s)))

    def joint(self, name: str) -> np.ndarray:
        """(T, 3) positions of joint ``name``."""
        return self.positions[:, self.joint_names.index(name)]


def _bvh_clip(
    path: Path, name: str, source: str, licence: str, *, unit_m: float, first_frame: int = 0
) -> MocapClip:
    """Read a BVH file and run forward kinematics into a ``MocapClip``."""
    fk = forward_kinematics(read_bvh(path), unit_m=unit_m, first_frame=first_frame)
    return MocapClip(
        name=name,
        source=source,
        times_s=fk.times_s,
        positions=fk.positions,
        rotations=fk.rotations,
        joint_names=fk.names,
        parents=fk.parents,
        licence=licence,
    )


def load_cmu(path: str | Path) -> MocapClip:
    """Load a CMU BVH (drops the T-pose frame 0, 0.05644 m per unit, 120 fps)."""
    path = Path(path)
    licence = "CMU Graphics Lab Motion Capture Database (free use); " + CMU_ACK
    return _bvh_clip(path, f"cmu/{path.stem}", "cmu", licence, unit_m=CMU_UNIT_M, first_frame=1)


def load_bandai(path: str | Path) -> MocapClip:
    """Load a Bandai Namco Research BVH (centimetres, 30 fps)."""
    path = Path(path)
    licence = "Bandai Namco Research Motiondataset (CC BY-NC 4.0): non-commercial, do not ship"
    return _bvh_clip(
        path, f"{path.parent.name}/{path.stem}", "bandai", licence, unit_m=BANDAI_UNIT_M
    )


def quaternion_xyzw_to_matrix(q: np.ndarray) -> np.ndarray:
    """(..., 4) unit quaternions (x, y, z, w) to (..., 3, 3) rotation matrices."""
    q = np.asarray(q, dtype=np.float64)
    q = q / np.linalg.norm(q, axis=-1, keepdims=True)
    x, y, z, w = np.moveaxis(q, -1, 0)
    rows = [
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ]
    return np.moveaxis(np.array(rows), (0, 1), (-2, -1))


def load_100style(path: str | Path) -> MocapClip:
    """Load a 100STYLE npz (positions (T, 23, 3) metres, y up, ~60 fps), without pickle."""
    path = Path(path)
    with np.load(path, allow_pickle=False) as data:
        positions = np.asarray(data["positions"], dtype=np.float64)
        quats = np.asarray(data["quaternions"], dtype=np.float64)
        names = tuple(str(s) for s in data["bone_names"])
        parents = np.asarray(data["parent_indices"], dtype=np.int64)
        fps = float(data["framerate"])
    return MocapClip(
        name=f"100style/{path.stem}",
        source="100style",
        times_s=np.arange(positions.shape[0]) / fps,
        positions=positions,
        rotations=quaternion_xyzw_to_matrix(quats),
        joint_names=names,
        parents=parents,
        licence="100STYLE retargeted by ai4animationpy (CC BY-NC 4.0): non-commercial, do not ship",
    )


def load_mocap(path: str | Path) -> MocapClip:
    """Load any of the shared trials, choosing the loader from the path."""
    path = Path(path)
    if path.suffix == ".npz":
        return load_100style(path)
    if "bandai" in path.parent.name.lower():
        return load_bandai(path)
    if path.suffix == ".bvh":
        return load_cmu(path)
    raise ValueError(f"Do not know how to load {path} (expected .bvh or .npz).")
