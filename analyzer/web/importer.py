"""Import a ``backpedal batch`` output folder into a team: ``summary.csv`` + per-clip folders.

What the batch writes (``analyzer/batch/summary.py`` and ``analyzer/batch/coordinator.py``;
the web app may not import the batch package, so the names are repeated here and a test
checks them against it):

- ``DIR/summary.csv``: one row per clip **and rep** (the rows of a clip share its ``athlete``,
  ``date``, ``clip``, ``status``, ``error``, ``hint`` and ``report``), one row per failed or
  interrupted clip, and one ``skipped`` row per file that is not a video. ``status`` is ``ok``,
  ``failed``, ``pending`` (the batch was interrupted before it) or ``skipped``. ``report`` is
  ``<athlete>/<sub-folders>/<clip stem>/report.html``, relative to the summary.
- ``DIR/<athlete>/<sub-folders>/<clip stem>/``: what ``backpedal analyze`` writes
  (``result.json`` schema 2.0 with its ``track.npz`` and ``series.npz``, ``report.html``, the
  CSVs, the Kinovea file, ``annotated.mp4`` unless ``--no-video``) and ``batch.json`` (the
  clip it belongs to and its manifest key), written last.

Each clip's ``result.json`` is read back typed with :func:`analyzer.export.load_result`; a
folder that is missing, incomplete, damaged or of an older schema makes that clip a failed
one with the reason, and the import goes on. Importing the same folder twice adds nothing
(clips are keyed by athlete, clip path and the clip's SHA-256); a clip that had failed in an
earlier import and is now scored (``backpedal batch --retry-failed``) is updated in place.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.db import transaction
from django.db.models import Q

from analyzer.errors import AnalyzerError
from analyzer.web import analysis, storage
from analyzer.web.models import Athlete, Clip, Team

SUMMARY_NAME = "summary.csv"
#: The per-clip marker of the batch (``analyzer.batch.analysis.MARKER_NAME``).
MARKER_NAME = "batch.json"
#: The batch's athlete for clips at the top of its folder (``analyzer.batch.discover``).
UNASSIGNED = "unassigned"
#: The columns of ``summary.csv`` the import reads (``analyzer.batch.summary.BASE_COLUMNS``).
COLUMNS: tuple[str, ...] = ("athlete", "date", "clip", "status", "error", "hint", "report")
RETRY_HINT = "Upload the clip here to analyse it again."


@dataclass(frozen=True)
class BatchClip:
    """One clip of a batch summary (its first row; later rows are its other reps)."""

    line: int
    clip: str
    athlete: str
    date: dt.date | None
    status: str
    error: str
    hint: str
    report: str

    @property
    def key(self) -> str:
        """The import key of the clip without its content hash (athlete and clip path)."""
        return f"{self.athlete}/{self.clip}"[:200]


@dataclass
class ImportReport:
    """What an import did.

    ``imported``: clips scored and imported (``updated`` of them replaced a failed import);
    ``failed_rows``: clips recorded as failed (in the batch, or unreadable here);
    ``skipped``: clips already imported; ``pending``: clips the batch has not analysed yet
    (not imported: import again when the batch is finished); ``not_videos``: files the batch
    skipped.
    """

    imported: int = 0
    updated: int = 0
    failed_rows: int = 0
    skipped: int = 0
    pending: int = 0
    not_videos: int = 0
    problems: list[str] = field(default_factory=list)


def find_summary(folder: Path) -> Path:
    """``summary.csv`` in ``folder`` or in its only sub-folder (a zipped folder)."""
    direct = folder / SUMMARY_NAME
    if direct.is_file():
        return direct
    found = sorted(folder.glob(f"*/{SUMMARY_NAME}"))
    if len(found) == 1:
        return found[0]
    raise AnalyzerError(
        f"No {SUMMARY_NAME} in {folder.name}.",
        "Import the folder `backpedal batch` wrote (it holds summary.csv and one folder per "
        "athlete).",
    )


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def read_summary(path: Path) -> list[BatchClip]:
    """The clips of a batch's ``summary.csv``, one per clip (its rep rows folded), in order.

    Raises
    ------
    AnalyzerError
        The file is not a batch summary (its header lacks the batch's columns).
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise AnalyzerError(
                    f"{path.name} is not a `backpedal batch` summary (no column "
                    f"{', '.join(missing)}).",
                    "Import the output folder of `backpedal batch` as it wrote it.",
                )
            rows = [(line, row) for line, row in enumerate(reader, start=2)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise AnalyzerError(
            f"{path.name} cannot be read ({exc}).", "Run the batch again to rewrite it."
        ) from exc
    clips: dict[str, BatchClip] = {}
    for line, row in rows:
        cell = {c: (row.get(c) or "").strip() for c in COLUMNS}
        if not cell["clip"] or cell["clip"] in clips:
            continue  # another rep of a clip already read
        clips[cell["clip"]] = BatchClip(
            line=line,
            clip=cell["clip"],
            athlete=cell["athlete"],
            date=_date(cell["date"]),
            status=cell["status"].lower(),
            error=cell["error"],
            hint=cell["hint"],
            report=cell["report"],
        )
    return list(clips.values())


class _ClipFolderError(Exception):
    """A scored clip whose folder cannot be imported (the message says why)."""


def _clip_folder(root: Path, entry: BatchClip) -> Path:
    """The clip's output folder, checked: inside the batch folder and complete."""
    if not entry.report:
        raise _ClipFolderError("the summary names no report folder for it")
    rel = PurePosixPath(entry.report).parent
    base = root.resolve()
    folder = (root / rel).resolve()
    if rel.is_absolute() or ".." in rel.parts or base not in folder.parents:
        raise _ClipFolderError(f"its report path {entry.report} points outside the batch folder")
    if not folder.is_dir():
        raise _ClipFolderError(f"its folder {rel} is missing from the import")
    try:
        marker = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise _ClipFolderError(
            f"its folder {rel} is incomplete (no readable {MARKER_NAME}): run the batch again"
        ) from None
    if not isinstance(marker, dict) or marker.get("clip") != entry.clip:
        named = marker.get("clip") if isinstance(marker, dict) else None
        raise _ClipFolderError(f"its folder {rel} holds another clip's outputs ({named})")
    return folder


def _copy_result(src: Path, clip_id: int) -> None:
    staged = storage.staging_dir(clip_id, "import")
    try:
        for item in src.iterdir():
            if item.is_file() and not item.is_symlink() and item.name != MARKER_NAME:
                shutil.copy2(item, staged / item.name)
        storage.publish_result(staged, clip_id)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


def _athlete(team: Team, name: str) -> Athlete | None:
    if not name or name == UNASSIGNED:
        return None
    athlete, _ = Athlete.objects.get_or_create(team=team, name=name[:120])
    return athlete


def _fields(entry: BatchClip, team: Team, user: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "team": team,
        "athlete": _athlete(team, entry.athlete),
        "original_name": PurePosixPath(entry.clip).name[:255] or entry.key,
        "source": Clip.Source.IMPORT,
    }
    if user is not None:
        fields["uploaded_by"] = user
    if entry.date is not None:
        fields["recorded_on"] = entry.date
    return fields


def _import_scored(
    entry: BatchClip, root: Path, folder: Path, team: Team, user: Any, report: ImportReport
) -> None:
    try:
        summary = analysis.summarize_result(folder)
    except AnalyzerError as exc:  # speak of the folder in the batch, not where it was unpacked
        where = folder.relative_to(root.resolve()).as_posix()
        message = exc.message.replace(str(folder), where).rstrip(".")
        raise _ClipFolderError(f"its result cannot be read back: {message}") from exc
    key = f"{entry.key}@{summary['clip_sha256'][:16]}"
    if Clip.objects.filter(team=team, import_key=key).exists():
        report.skipped += 1
        return
    earlier = Clip.objects.filter(
        team=team, import_key=entry.key, source=Clip.Source.IMPORT, status=Clip.Status.FAILED
    ).first()
    with transaction.atomic():
        clip = earlier or Clip(import_key=key)
        for name, value in _fields(entry, team, user).items():
            setattr(clip, name, value)
        clip.import_key = key
        clip.status = Clip.Status.DONE
        clip.error_message = clip.error_hint = ""
        clip.overall_score = summary["overall"]
        clip.summary = summary
        clip.save()
        _copy_result(folder, clip.pk)
    report.imported += 1
    report.updated += earlier is not None


def _import_failed(
    entry: BatchClip, message: str, hint: str, team: Team, user: Any, report: ImportReport
) -> None:
    same = Q(import_key=entry.key) | Q(import_key__startswith=f"{entry.key}@")
    if Clip.objects.filter(same, team=team).exists():  # already here (failed or scored)
        report.skipped += 1
        return
    Clip.objects.create(
        **_fields(entry, team, user),
        import_key=entry.key,
        status=Clip.Status.FAILED,
        error_message=message,
        error_hint=" ".join(h for h in (hint, RETRY_HINT) if h),
    )
    report.failed_rows += 1
    report.problems.append(f"line {entry.line} ({entry.clip}): {message}")


def import_batch(folder: Path, team: Team, *, user: Any = None) -> ImportReport:
    """Import every clip of the batch folder's ``summary.csv`` into ``team``."""
    summary_csv = find_summary(Path(folder))
    root = summary_csv.parent
    report = ImportReport()
    for entry in read_summary(summary_csv):
        if entry.status == "skipped":
            report.not_videos += 1
            continue
        if entry.status == "pending":
            report.pending += 1
            report.problems.append(
                f"line {entry.line} ({entry.clip}): not analysed yet (the batch was "
                "interrupted); finish the batch and import the folder again"
            )
            continue
        if entry.status != "ok":
            message = entry.error or f"the batch could not analyse it (status {entry.status})"
            _import_failed(entry, f"The batch failed: {message}", entry.hint, team, user, report)
            continue
        try:
            _import_scored(entry, root, _clip_folder(root, entry), team, user, report)
        except _ClipFolderError as exc:
            _import_failed(entry, f"Not imported: {exc}.", "", team, user, report)
        except OSError as exc:
            _import_failed(
                entry, f"Not imported: its files could not be copied ({exc}).", "", team, user,
                report,
            )
    return report


def safe_extract(archive: Path, dest: Path, *, max_bytes: int, max_files: int = 20000) -> None:
    """Extract a zip into ``dest``, refusing absolute paths, ``..``, links and zip bombs."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise AnalyzerError(
            "The file is not a zip archive.", "Zip the batch output folder and upload the .zip."
        ) from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > max_files or sum(i.file_size for i in infos) > max_bytes:
            raise AnalyzerError(
                "The archive is too large to import.",
                "Import the batch folder with `backpedal serve --import-batch DIR --team NAME`.",
            )
        base = dest.resolve()
        for info in infos:
            target = (dest / info.filename).resolve()
            is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
            if is_link or (target != base and base not in target.parents):
                raise AnalyzerError(
                    f"The archive holds an unsafe path ({info.filename}).",
                    "Zip the batch output folder itself.",
                )
        zf.extractall(dest)
