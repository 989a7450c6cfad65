"""One call from clip (or track) to verdicts: ``analyze_clip`` and ``analyze_track``.

Everything a front end needs (CLI, batch, web app) sits on these two calls. I/O lives here
and in the video/pose layers; the stages in between are pure.

Pose tracks are cached per clip, keyed by the clip's SHA-256 and the pose settings, so
re-scoring a clip with another profile takes seconds instead of a model re-run.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.pose.track import PoseTrack, load_track, save_track
from analyzer.results import AnalysisResult

log = logging.getLogger(__name__)

#: progress(stage, done, total) — total may be None when unknown.
ProgressFn = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class AnalysisSettings:
    """What the user can choose for one analysis.

    Attributes
    ----------
    profile
        Fault-threshold profile name (``backpedal profiles``) or a path to a TOML file.
    athlete_height_m
        Athlete's standing height, for metres and m/s (else lengths are in leg lengths).
    capture_fps
        The real capture rate of a slow-motion clip when the container does not say it.
    select_point_xy, select_time_s
        Pick the athlete as the person nearest this pixel at this time (default: the one
        who moves most across the ground).
    qb_side
        Which side the quarterback is on, seen from the athlete ("left"/"right"), for the
        eyes-off-target check in the front view.
    model_path
        A BlazePose ``.task`` file to use instead of the model shipped with mediapipe.
    num_poses
        How many people the estimator may find per frame (to choose the athlete from).
    rotate_deg
        Clockwise rotation (0/90/180/270) turning the clip's stored frames upright, in place
        of its rotation tag (for clips stored sideways); None follows the tag.
    """

    profile: str = "db-backpedal"
    athlete_height_m: float | None = None
    capture_fps: float | None = None
    select_point_xy: tuple[float, float] | None = None
    select_time_s: float | None = None
    qb_side: str | None = None
    model_path: str | None = None
    num_poses: int = 2
    rotate_deg: int | None = None

    def pose_key(self) -> str:
        """The part of the settings that changes the pose track (for the cache key)."""
        model = Path(self.model_path).name if self.model_path else "default"
        rot = "" if self.rotate_deg is None else f"-rot{self.rotate_deg}"
        return f"{model}-p{self.num_poses}-cfps{self.capture_fps or 0:g}{rot}"


def default_cache_dir() -> Path:
    """``$BACKPEDAL_CACHE`` or ``~/.cache/backpedal-analyzer``."""
    env = os.environ.get("BACKPEDAL_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "backpedal-analyzer"


def file_sha256(path: str | Path, *, chunk_bytes: int = 1 << 20) -> str:
    """SHA-256 of a file, read in chunks (never the whole clip in memory)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(chunk_bytes):
            h.update(chunk)
    return h.hexdigest()


def analyze_track(
    track: PoseTrack, settings: AnalysisSettings | None = None, *, provenance: dict | None = None
) -> AnalysisResult:
    """Analyse an athlete's pose track: clean, events, phases, metrics, faults, scores.

    Pure apart from reading the profile file. ``provenance`` is merged into the result's.
    """
    from analyzer.faults import evaluate_faults
    from analyzer.faults.profiles import load_profile
    from analyzer.motion import analyze_motion

    settings = settings or AnalysisSettings()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    motion = analyze_motion(
        track,
        athlete_height_m=settings.athlete_height_m,
        qb_side=settings.qb_side,
    )
    timings["motion_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    profile = load_profile(settings.profile)
    faults = evaluate_faults(motion, profile)
    timings["faults_s"] = time.perf_counter() - t1
    prov = {
        "package": "backpedal-analyzer",
        "version": __version__,
        "profile": faults.profile,
        "model": track.model,
        "settings": asdict(settings),
    }
    prov.update(track.meta.get("provenance", {}))
    prov.update(provenance or {})
    result = AnalysisResult(motion=motion, faults=faults, provenance=prov, timings_s=timings)
    result.warnings.extend(str(w) for w in track.meta.get("video_problems", []))  # damage
    if track.meta.get("lost_spans_s"):  # frames lost to damage: (first, last) times
        result.capture["lost_spans_s"] = track.meta["lost_spans_s"]
    return result


def estimate_track(
    clip: str | Path,
    settings: AnalysisSettings,
    *,
    cache_dir: Path | None = None,
    progress: ProgressFn | None = None,
) -> tuple[PoseTrack, dict[str, Any]]:
    """Pose track of the athlete in ``clip``, from the cache when this clip was seen before.

    Returns the track and facts about how it was obtained (hash, cache hit, timings).
    """
    from analyzer.pose.run import estimate_clip
    from analyzer.processing.selection import select_athlete

    clip = Path(clip)
    info: dict[str, Any] = {"clip": clip.name}
    t0 = time.perf_counter()
    digest = file_sha256(clip)
    info["clip_sha256"] = digest
    info["hash_s"] = time.perf_counter() - t0
    cache = (cache_dir or default_cache_dir()) / "tracks"
    cached = cache / f"{digest[:32]}-{settings.pose_key()}.npz"
    if cached.is_file():
        track = load_track(cached)
        info["cache_hit"] = True
    else:
        info["cache_hit"] = False
        t1 = time.perf_counter()
        multi = estimate_clip(
            clip,
            capture_fps=settings.capture_fps,
            model_path=settings.model_path,
            num_poses=settings.num_poses,
            rotate_deg=settings.rotate_deg,
            progress=progress,
        )
        info["pose_s"] = time.perf_counter() - t1
        track = select_athlete(
            multi, point_xy=settings.select_point_xy, at_time_s=settings.select_time_s
        )
        meta = dict(track.meta)
        meta["clip_sha256"] = digest
        meta["clip"] = clip.name
        track = track.with_arrays(meta=meta)
        try:
            save_track(track, cached)
        except OSError as exc:  # a read-only cache must not fail the analysis
            log.warning("could not write the track cache %s: %s", cached, exc)
    return track, info


def analyze_clip(
    clip: str | Path,
    settings: AnalysisSettings | None = None,
    *,
    cache_dir: Path | None = None,
    progress: ProgressFn | None = None,
) -> AnalysisResult:
    """Analyse one clip end to end: probe, pose (or cache), clean, metrics, faults, scores."""
    from analyzer.video import probe_video

    settings = settings or AnalysisSettings()
    t0 = time.perf_counter()
    video = probe_video(clip, capture_fps=settings.capture_fps, rotate_deg=settings.rotate_deg)
    track, info = estimate_track(clip, settings, cache_dir=cache_dir, progress=progress)
    result = analyze_track(
        track,
        settings,
        provenance={"clip": Path(clip).name, "clip_sha256": info["clip_sha256"]},
    )
    result.capture["video"] = asdict(video)
    result.timings_s.update({k: v for k, v in info.items() if k.endswith("_s")})
    result.timings_s["total_s"] = time.perf_counter() - t0
    result.provenance["track_cache_hit"] = info["cache_hit"]
    return result
