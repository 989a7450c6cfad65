"""What the coordinator sends to a worker (:class:`Job`) and gets back (:class:`Outcome`).

Both are plain picklable dataclasses of strings and numbers, so they travel unchanged to a
local worker process or to a Dask worker on another machine (paths must then name the same
shared storage on every machine).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Suffix of the file beside ``Job.tmp_dir`` in which each run of a Dask task notes its start
RUNS_SUFFIX = ".runs"


@dataclass(frozen=True)
class Job:
    """One clip to analyse into ``tmp_dir`` (the coordinator moves it into place after).

    Attributes
    ----------
    rel
        The clip's path relative to the batch folder (the manifest's row id).
    clip_path
        Absolute path of the clip.
    key
        The manifest key: SHA-256 of (clip SHA-256, analyzer version, settings hash).
    tmp_dir
        Empty folder to write every output into (``DIR/<athlete>/.tmp-<key>-<attempt>``).
    settings
        Keyword arguments of the analysis settings (profile, height, ...).
    with_video
        Whether to render ``annotated.mp4`` (``--no-video`` turns it off).
    attempt
        Which attempt this is (1-based), recorded in the output's ``batch.json``.
    marker
        Facts written to ``batch.json`` beside ``result.json`` (athlete, date, clip, key).
    """

    rel: str
    clip_path: str
    key: str
    tmp_dir: str
    settings: dict[str, Any]
    with_video: bool
    attempt: int = 1
    marker: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """What happened to a job.

    ``ok`` with the outputs complete in ``job.tmp_dir``; else ``error`` (one sentence),
    ``hint`` (how to fix) and ``error_type`` (the exception's class name). ``crashed`` means
    the worker process died (killed, out of memory, native crash) rather than the clip
    failing cleanly; the coordinator retries those. ``earlier_runs``: ``(start time, worker)``
    of each run of this job that started before the one reported here and whose worker died
    (Dask runs such a task again by itself); the manifest records each as an attempt.
    """

    ok: bool
    error: str = ""
    hint: str = ""
    error_type: str = ""
    crashed: bool = False
    worker: str = ""
    timings_s: dict[str, float] = field(default_factory=dict)
    earlier_runs: list[tuple[float, str]] = field(default_factory=list)
