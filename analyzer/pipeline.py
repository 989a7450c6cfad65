"""One call from clip (or track) to verdicts: ``analyze_clip`` and ``analyze_track``.

Everything a front end needs (CLI, batch, web app) sits on these calls. The stages:

1. settings checked (:func:`analyzer.settings.check_settings`: before any work);
2. the clip probed once (:func:`analyzer.video.probe_video`; the ``VideoInfo`` is passed on);
3. pose: the follow pass (one person per frame and a scan of everybody every ~0.5 s,
   :mod:`analyzer.pose.follow`) or the dense pass, from the pose cache when this clip was
   seen under the same model and pose settings (:mod:`analyzer.pose.cache`), with the
   frames' brightness gathered on the way;
4. athlete selection (:func:`analyzer.processing.selection.select_athlete` on the scan, the
   followed person checked against the choice, the dense pass run when it does not hold;
   always re-run, so a new ``select_point_xy`` takes effect on a cached clip);
5. motion (clean, events, phases, metrics), faults and scores, capture verdict;
6. one immutable :class:`AnalysisResult`, timings included.

Steps 3-4 (estimate, select) live in :func:`estimate_track` only; saving is the caller's
(``analyzer.outputs.write_outputs`` or ``backpedal pose``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer import __version__
from analyzer.errors import NoPersonError
from analyzer.pose.track import PoseTrack
from analyzer.progress import ProgressFn
from analyzer.results import AnalysisResult, CaptureReport
from analyzer.settings import AnalysisSettings, check_settings
from analyzer.video.brightness import Brightness
from analyzer.video.info import VideoInfo

if TYPE_CHECKING:  # the pose path (`backpedal pose`) does not load the fault rules
    from analyzer.faults.schema import Profile
    from analyzer.pose.follow import PosePass

__all__ = [
    "AnalysisSettings",
    "PoseFacts",
    "ProgressFn",
    "analyze_clip",
    "analyze_track",
    "estimate_track",
    "resolve_athlete",
]


@dataclass(frozen=True)
class PoseFacts:
    """How the athlete's track was obtained: clip hash, cache entry, time spent."""

    clip_sha256: str
    cache_hit: bool
    cache_key: dict[str, Any]
    hash_s: float
    pose_s: float | None = None
    pose_pass: dict[str, Any] = field(default_factory=dict)


def estimate_track(
    clip: str | Path,
    settings: AnalysisSettings,
    *,
    cache_dir: Path | None = None,
    progress: ProgressFn | None = None,
    video: VideoInfo | None = None,
) -> tuple[PoseTrack, PoseFacts]:
    """The athlete's pose track in ``clip``: the pose pass (or the cache), then the choice.

    The pose pass (:func:`analyzer.pose.follow.run_pose_pass`) is cached *before* the
    athlete is chosen, keyed on the clip's and the model's SHA-256, the mediapipe version
    and the pose settings; the athlete is chosen again on every call
    (``settings.select_point_xy``/``select_time_s``, :func:`resolve_athlete`), and when that
    choice needs the dense pass, the dense pass replaces the cached entry.
    """
    from analyzer.pose.cache import PoseCache, pose_key
    from analyzer.pose.follow import run_pose_pass

    clip = Path(clip)
    t0 = time.perf_counter()
    key = pose_key(
        clip,
        model_path=settings.model_path,
        num_poses=settings.num_poses,
        capture_fps=settings.capture_fps,
        rotate_deg=settings.rotate_deg,
        dense=settings.dense,
    )
    hash_s = time.perf_counter() - t0
    cache = PoseCache(cache_dir)
    entry = cache.get(key)
    pose_s = None
    if entry is None:
        t1 = time.perf_counter()
        entry = run_pose_pass(
            clip,
            dense=settings.dense,
            num_poses=settings.num_poses,
            model_path=settings.model_path,
            capture_fps=settings.capture_fps,
            rotate_deg=settings.rotate_deg,
            select_time_s=settings.select_time_s,
            progress=progress,
            video=video,
        )
        pose_s = time.perf_counter() - t1
        cache.put(key, entry)
    t2 = time.perf_counter()
    track, final, how = resolve_athlete(clip, entry, settings, progress=progress, video=video)
    if final is not entry:  # the dense pass ran: it replaces the follow pass in the cache
        pose_s = (pose_s or 0.0) + time.perf_counter() - t2
        cache.put(key, final)
    meta = {**track.meta, "clip_sha256": key.clip_sha256, "clip": clip.name, "pose_pass": how}
    facts = PoseFacts(
        clip_sha256=key.clip_sha256,
        cache_hit=pose_s is None,
        cache_key=key.fields(),
        hash_s=hash_s,
        pose_s=pose_s,
        pose_pass=how,
    )
    return track.with_arrays(meta=meta), facts


def resolve_athlete(
    clip: str | Path,
    entry: PosePass,
    settings: AnalysisSettings,
    *,
    progress: ProgressFn | None = None,
    video: VideoInfo | None = None,
    **kwargs: Any,
) -> tuple[PoseTrack, PosePass, dict[str, Any]]:
    """Choose the athlete in a pose pass; run the dense pass when the follow does not hold.

    A follow pass: the athlete is chosen on its scan and the followed person checked
    against them (:func:`analyzer.processing.following.check_follow`); if that does not
    verify, the dense pass (every person on every frame) is run on ``clip`` and the athlete
    chosen on it, as :func:`~analyzer.processing.selection.select_athlete` always did.

    Returns
    -------
    The athlete's track; the pass they were chosen on (``entry``, or the new dense pass,
    which keeps ``entry``'s scan); how (``method`` "follow", "dense" or "dense after
    follow", the scan count and the follow check), for the result's provenance.
    ``**kwargs`` go to :func:`analyzer.pose.run.estimate_poses` (e.g. ``judge_people``).
    """
    from analyzer.pose.follow import PosePass, run_pose_pass
    from analyzer.processing.following import check_follow, followed_athlete, unclear_choice
    from analyzer.processing.selection import MIN_DURATION_S, select_athlete

    point, at = settings.select_point_xy, settings.select_time_s
    how: dict[str, Any] = {"method": "dense", "n_scans": entry.n_scans, **entry.meta}
    if entry.followed and entry.scan is not None:
        try:
            # a person in one scan only is no candidate: seen for under ~1.5 scan intervals
            brief_s = max(MIN_DURATION_S, 1.5 * float(entry.meta.get("scan_every_s", 0.0)))
            chosen = select_athlete(
                entry.scan, point_xy=point, at_time_s=at, min_duration_s=brief_s
            )
            check = check_follow(entry.people, entry.scan, chosen)
            unclear = unclear_choice(chosen.meta["selection"])
        except NoPersonError as exc:  # nobody (near the point) in the scan: ask the dense pass
            how["follow_check"] = {"verified": False, "reason": exc.message}
        else:
            if unclear is not None:
                check = replace(check, verified=False, reason=unclear)
            how["follow_check"] = check.record()
            if check.verified:
                how["method"] = "follow"
                selection = chosen.meta["selection"]
                return followed_athlete(entry.people, check, selection), entry, how
        again = None if progress is None else _renamed(progress, "pose (everybody)")
        people = run_pose_pass(
            clip, dense=True, num_poses=settings.num_poses, model_path=settings.model_path,
            capture_fps=settings.capture_fps, rotate_deg=settings.rotate_deg,
            progress=again, video=video, **kwargs,
        ).people  # fmt: skip
        meta = {**entry.meta, "follow_check": how["follow_check"]}
        entry = PosePass(people=people, scan=entry.scan, meta=meta)
        how["method"] = "dense after follow"
    elif "follow_check" in entry.meta:  # a cached dense pass run after a follow pass
        how["method"] = "dense after follow"
    track = select_athlete(entry.people, point_xy=point, at_time_s=at)
    return track, entry, how


def _renamed(progress: ProgressFn, stage: str) -> ProgressFn:
    """``progress`` reporting under another stage name (a second pass gets its own bar)."""
    return lambda _stage, done, total: progress(stage, done, total)


def analyze_track(
    track: PoseTrack,
    settings: AnalysisSettings | None = None,
    *,
    provenance: dict[str, Any] | None = None,
) -> AnalysisResult:
    """Analyse an athlete's pose track: clean, events, phases, metrics, faults, scores and
    the capture verdict (from the track; brightness when the track's meta recorded it).

    Pure apart from reading the profile file. ``provenance`` is merged into the result's.
    """
    settings = settings or AnalysisSettings()
    profile = check_settings(settings)
    return _analyse(
        track,
        settings,
        profile,
        video=None,
        provenance=provenance or {},
        timings={},
        started=time.perf_counter(),
    )


def analyze_clip(
    clip: str | Path,
    settings: AnalysisSettings | None = None,
    *,
    cache_dir: Path | None = None,
    progress: ProgressFn | None = None,
) -> AnalysisResult:
    """Analyse one clip end to end; returns the complete result (nothing is added later).

    Raises
    ------
    ConfigError, ProfileError
        Bad settings, before the clip is opened.
    VideoError, NoPersonError, ModelError
        What the video and pose stages raise.
    """
    from analyzer.video import probe_video

    started = time.perf_counter()
    settings = settings or AnalysisSettings()
    profile = check_settings(settings)
    video = probe_video(clip, capture_fps=settings.capture_fps, rotate_deg=settings.rotate_deg)
    track, facts = estimate_track(
        clip, settings, cache_dir=cache_dir, progress=progress, video=video
    )
    timings = {"hash_s": facts.hash_s}
    if facts.pose_s is not None:
        timings["pose_s"] = facts.pose_s
    provenance = {
        "clip": Path(clip).name,
        "clip_sha256": facts.clip_sha256,
        "track_cache_hit": facts.cache_hit,
        "pose_cache_key": facts.cache_key,
        "pose_pass": facts.pose_pass,
    }
    return _analyse(
        track,
        settings,
        profile,
        video=video,
        provenance=provenance,
        timings=timings,
        started=started,
    )


def _analyse(
    track: PoseTrack,
    settings: AnalysisSettings,
    profile: Profile,
    *,
    video: VideoInfo | None,
    provenance: dict[str, Any],
    timings: dict[str, float],
    started: float,
) -> AnalysisResult:
    """Motion, faults and capture stages, then the one immutable result."""
    from analyzer.capture import assess_capture
    from analyzer.faults import evaluate_faults
    from analyzer.motion import analyze_motion

    t0 = time.perf_counter()
    motion = analyze_motion(
        track,
        athlete_height_m=settings.athlete_height_m,
        qb_side=settings.qb_side,
    )
    t1 = time.perf_counter()
    faults = evaluate_faults(motion, profile)
    t2 = time.perf_counter()
    brightness = _brightness(track.meta.get("brightness"))
    capture = CaptureReport(
        assessment=assess_capture(motion.track, video, view=motion.view, brightness=brightness),
        video=video,
        brightness=brightness,
        lost_spans_s=_lost_spans(track.meta.get("lost_spans_s")),
    )
    t3 = time.perf_counter()
    prov: dict[str, Any] = {
        "package": "backpedal-analyzer",
        "version": __version__,
        "profile": faults.profile,
        "model": track.model,
        "settings": settings.record(),
    }
    prov.update(track.meta.get("provenance", {}))
    prov.update(provenance)
    done = {
        **timings,
        "motion_s": t1 - t0,
        "faults_s": t2 - t1,
        "capture_s": t3 - t2,
        "total_s": time.perf_counter() - started,
    }
    return AnalysisResult(
        motion=motion,
        faults=faults,
        provenance=prov,
        capture=capture,
        timings_s=done,
        # what the reader met (a damaged clip: one sentence with the lost times)
        warnings=[str(w) for w in track.meta.get("video_problems", [])],
    )


def _brightness(stats: Any) -> Brightness | None:
    """The brightness summary the pose pass stored in the track's meta (None if absent)."""
    if not isinstance(stats, dict):
        return None
    try:
        return Brightness(**stats)
    except TypeError:  # a track written by another tool with other keys
        return None


def _lost_spans(spans: Any) -> tuple[tuple[float, float], ...]:
    """The (first, last) real times of the frames lost to damage, from the track's meta."""
    if not isinstance(spans, list | tuple):
        return ()
    return tuple((float(a), float(b)) for a, b in spans)
