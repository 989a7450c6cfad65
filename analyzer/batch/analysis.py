"""The batch's only contact with the one-clip analysis: settings, warm-up, run, read back.

Everything the batch needs from :mod:`analyzer.pipeline` and :mod:`analyzer.outputs` goes
through this module, so a change of their API is adapted here alone:

- :func:`make_settings` / :func:`settings_hash`: the analysis settings of a clip and their
  fingerprint (part of the manifest key);
- :func:`warm_up`: what a worker does once (import the stack, build the pose model bundle,
  open and close one landmarker). A landmarker in VIDEO mode keeps tracking state and needs
  increasing timestamps, so each clip still gets its own (mediapipe issue #6010), which costs
  ~0.3 s here against ~3 s for the warm-up;
- :func:`run_job`: analyse one clip into its temporary folder and report the outcome; never
  raises for a bad clip (the coordinator records the error and goes on);
- :func:`read_result`: a finished clip's ``result.json`` as a dict, for the summary.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
import socket
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.batch.jobs import Job, Outcome
from analyzer.errors import AnalyzerError

log = logging.getLogger(__name__)

#: Written beside ``result.json`` in every clip folder the batch makes: the manifest key and
#: who the clip belongs to, so a folder can be checked against the manifest.
MARKER_NAME = "batch.json"
RESULT_NAME = "result.json"


def make_settings(
    *, profile: str, athlete_height_m: float | None = None, model_path: str | None = None
) -> dict[str, Any]:
    """The analysis settings of one clip, as the keyword arguments of ``AnalysisSettings``."""
    from analyzer.pipeline import AnalysisSettings

    settings = AnalysisSettings(
        profile=profile, athlete_height_m=athlete_height_m, model_path=model_path
    )
    return dataclasses.asdict(settings)


@dataclass(frozen=True)
class ProfileFacts:
    """What the batch needs of a profile: its fingerprint and its summary columns."""

    sha256: str
    fault_ids: tuple[str, ...]
    metrics: tuple[tuple[str, str], ...]  # (key, unit) of the scored metrics


def profile_facts(profile: str) -> ProfileFacts:
    """Load a profile (raises ProfileError for an unknown one) and describe it.

    The fingerprint (SHA-256 of its merged thresholds) is part of the settings hash, so
    editing a profile's TOML re-scores the clips that use it.
    """
    from analyzer.faults.profiles import load_profile

    loaded = load_profile(profile)
    text = json.dumps(loaded.raw, sort_keys=True, default=str) if loaded.raw else repr(loaded)
    return ProfileFacts(
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        fault_ids=tuple(f.id for f in loaded.faults.values() if f.enabled),
        metrics=tuple((m.key, m.unit) for m in loaded.metrics.values() if m.scored),
    )


def settings_hash(settings: dict[str, Any], *, with_video: bool, profile_sha256: str) -> str:
    """Fingerprint (hex, 16 chars) of everything besides the clip that shapes its outputs."""
    doc = {"settings": settings, "with_video": with_video, "profile_sha256": profile_sha256}
    text = json.dumps(doc, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def job_key(clip_sha256: str, settings_fingerprint: str, version: str = __version__) -> str:
    """The manifest key: SHA-256 of the clip's SHA-256, the analyzer version and settings."""
    return hashlib.sha256(f"{clip_sha256}:{version}:{settings_fingerprint}".encode()).hexdigest()


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (the pipeline's own chunked reader)."""
    from analyzer.pose.cache import file_sha256 as _sha

    return _sha(path)


def warm_up() -> float:
    """Load the analysis stack and the pose model once in this process; returns seconds."""
    t0 = time.perf_counter()
    import analyzer.outputs
    import analyzer.pipeline
    import analyzer.render.folder  # noqa: F401  (matplotlib, cv2, jinja2: once per worker)
    from analyzer.pose.mediapipe_backend import MediaPipePoseEstimator

    with MediaPipePoseEstimator():
        pass  # builds the bundle if needed and loads the TFLite runtime
    return time.perf_counter() - t0


def worker_name() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_job(job: Job) -> Outcome:
    """Analyse ``job``'s clip into ``job.tmp_dir``; ``result.json`` then ``batch.json`` last.

    An :class:`AnalyzerError` (bad clip, no person, ...) becomes a failed outcome with its
    message and hint; any other exception too, with its type, so one clip never stops the
    batch. Only the death of the process itself escapes (the coordinator sees it).
    """
    from analyzer.outputs import write_outputs
    from analyzer.pipeline import AnalysisSettings, analyze_clip

    t0 = time.perf_counter()
    out = Path(job.tmp_dir)
    try:
        # Dask may run a task again (its worker died before the result was collected):
        # start from an empty folder either way
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        # a damaged clip's problems are kept in result.json (the reader only logs them)
        result = analyze_clip(job.clip_path, AnalysisSettings(**job.settings))
        write_outputs(result, out, clip=job.clip_path, with_video=job.with_video)
        marker = {**job.marker, "key": job.key, "attempt": job.attempt, "worker": worker_name()}
        (out / MARKER_NAME).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    except AnalyzerError as exc:
        return Outcome(
            ok=False,
            error=exc.message,
            hint=exc.hint,
            error_type=type(exc).__name__,
            worker=worker_name(),
            timings_s={"total_s": time.perf_counter() - t0},
        )
    except Exception as exc:
        log.debug("clip %s failed:\n%s", job.rel, traceback.format_exc())
        return Outcome(
            ok=False,
            error=f"internal error while analysing the clip: {type(exc).__name__}: {exc}",
            hint="Please report this with the clip; the other clips are not affected.",
            error_type=type(exc).__name__,
            worker=worker_name(),
            timings_s={"total_s": time.perf_counter() - t0},
        )
    timings = {k: float(v) for k, v in result.timings_s.items()}
    timings["total_s"] = time.perf_counter() - t0
    return Outcome(ok=True, worker=worker_name(), timings_s=timings)


def is_complete(folder: str | Path, key: str) -> bool:
    """Whether ``folder`` holds a finished analysis for ``key`` (result and marker present)."""
    folder = Path(folder)
    try:
        marker = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("key") == key and (folder / RESULT_NAME).is_file()


def read_result(folder: str | Path) -> dict[str, Any]:
    """A finished clip's ``result.json`` as a dict (raises OSError/ValueError if unreadable)."""
    doc = json.loads((Path(folder) / RESULT_NAME).read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise ValueError(f"{folder}/{RESULT_NAME} is not a JSON object")
    return doc
