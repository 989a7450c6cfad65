"""MultiPoseTrack: every person the estimator found, per frame, before the athlete is chosen.

Person slots are *not* identities: the estimator may list the same person in a different
slot from one frame to the next. ``analyzer.processing.selection`` links slots into
tracklets and picks the athlete.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import numpy as np

from analyzer.errors import TrackFormatError
from analyzer.pose.track import track_arrays
from analyzer.skeleton import N_LANDMARKS

T = TypeVar("T")

#: Version of the ``.npz`` layout written by :func:`write_multi`.
MULTI_FORMAT_VERSION = 1


@dataclass(frozen=True)
class MultiPoseTrack:
    """Raw estimator output for P person slots per frame (NaN where a slot is empty).

    Attributes
    ----------
    times_s
        (T,) float64 frame times in seconds of real time, strictly increasing.
    image_xy
        (T, P, 33, 2) float32 pixels of the upright frame.
    visibility
        (T, P, 33) float32.
    world_xyz
        (T, P, 33, 3) float32 metres (hip-centred), or None.
    image_size
        (width, height) in pixels.
    model
        Which estimator/model produced it.
    meta
        Provenance (clip, capture fps, ...).
    """

    times_s: np.ndarray
    image_xy: np.ndarray
    visibility: np.ndarray
    image_size: tuple[int, int]
    world_xyz: np.ndarray | None = None
    model: str = "unknown"
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        t = self.times_s.shape[0]
        if (
            self.image_xy.ndim != 4
            or self.image_xy.shape[0] != t
            or self.image_xy.shape[2:]
            != (
                N_LANDMARKS,
                2,
            )
        ):
            raise TrackFormatError(f"image_xy must be (T, P, 33, 2), got {self.image_xy.shape}.")
        p = self.image_xy.shape[1]
        if self.visibility.shape != (t, p, N_LANDMARKS):
            raise TrackFormatError(
                f"visibility must be {(t, p, N_LANDMARKS)}, got {self.visibility.shape}."
            )
        if self.world_xyz is not None and self.world_xyz.shape != (t, p, N_LANDMARKS, 3):
            raise TrackFormatError(
                f"world_xyz must be {(t, p, N_LANDMARKS, 3)}, got {self.world_xyz.shape}."
            )

    @property
    def n_frames(self) -> int:
        """Number of frames T."""
        return int(self.times_s.shape[0])

    @property
    def max_people(self) -> int:
        """Number of person slots P."""
        return int(self.image_xy.shape[1])

    def people_per_frame(self) -> np.ndarray:
        """(T,) int: how many slots hold a person in each frame."""
        return np.sum(~np.all(np.isnan(self.image_xy[..., 0]), axis=2), axis=1)


def write_multi(multi: MultiPoseTrack, fh: IO[bytes]) -> None:
    """Write ``multi`` as a compressed ``.npz`` into an open binary file."""
    np.savez_compressed(fh, **track_arrays(multi, MULTI_FORMAT_VERSION))


def read_multi(path: str | Path) -> MultiPoseTrack:
    """Read a file written by :func:`write_multi`.

    Raises
    ------
    TrackFormatError
        If the file is missing, truncated, empty, not an ``.npz`` or has the wrong layout.
    """
    return read_versioned_npz(path, MULTI_FORMAT_VERSION, "multi-person pose", multi_from_arrays)


def read_versioned_npz(
    path: str | Path, version: int, what: str, build: Callable[[dict[str, Any]], T]
) -> T:
    """``build`` applied to the arrays of an ``.npz`` file of exactly format ``version``.

    Every way the file can be unreadable (missing, truncated, not a zip, another format, a
    missing or misshapen array) becomes one :class:`TrackFormatError` naming ``what``.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            contents = {k: data[k] for k in data.files}
        found = int(contents["format_version"])
        if found != version:
            raise TrackFormatError(f"{path} is {what} format {found}.")
        return build(contents)
    except (OSError, ValueError, EOFError, KeyError, IndexError, zipfile.BadZipFile) as exc:
        raise TrackFormatError(f"{path} is not a readable {what} file ({exc}).") from exc


def multi_from_arrays(contents: dict[str, Any]) -> MultiPoseTrack:
    """A :class:`MultiPoseTrack` from the arrays :func:`analyzer.pose.track.track_arrays`
    wrote (raises KeyError, ValueError or :class:`TrackFormatError` when they do not fit)."""
    size = contents["image_size"]
    world = contents.get("world_xyz")
    return MultiPoseTrack(
        times_s=np.asarray(contents["times_s"], dtype=np.float64),
        image_xy=np.asarray(contents["image_xy"], dtype=np.float32),
        visibility=np.asarray(contents["visibility"], dtype=np.float32),
        image_size=(int(size[0]), int(size[1])),
        world_xyz=None if world is None else np.asarray(world, dtype=np.float32),
        model=str(contents["model"]),
        meta=json.loads(str(contents["meta_json"])),
    )
