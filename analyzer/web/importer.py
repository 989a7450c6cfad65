"""Import a ``backpedal batch`` output folder into a team: ``summary.csv`` + per-clip folders.

The batch writes ``DIR/summary.csv`` (one row per clip: athlete, date, clip, status, error,
overall score, ...) and ``DIR/<athlete>/<clip>/`` with ``result.json`` and the report files.
The importer is tolerant: header names are matched loosely, a row whose folder or
``result.json`` is missing is still recorded (as failed, with why), and importing the same
folder twice adds nothing new (rows are keyed by athlete and clip).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from analyzer.errors import AnalyzerError
from analyzer.web import analysis, storage
from analyzer.web.models import Athlete, Clip, Team

_OK = {"ok", "done", "success", "succeeded", "analysed", "analyzed", "cached", "skipped"}
_ALIASES = {
    "athlete": ("athlete", "athlete_name", "name", "player"),
    "date": ("date", "recorded_on", "session_date", "day"),
    "clip": ("clip", "clip_name", "file", "video", "path"),
    "status": ("status", "state", "result"),
    "error": ("error", "message", "error_message"),
    "overall": ("overall_score", "overall", "score", "score_overall"),
    "folder": ("folder", "out_dir", "output", "output_dir", "report_dir"),
}


@dataclass
class ImportReport:
    """What an import did."""

    imported: int = 0
    failed_rows: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", (name or "").strip().lower()).strip("_")


def _pick(row: dict[str, str], key: str) -> str:
    for alias in _ALIASES[key]:
        value = row.get(alias)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _parse_date(text: str) -> dt.date | None:
    text = text.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for fmt in ("%Y%m%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _parse_score(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0.0 <= value <= 100.0 else None


def find_summary(folder: Path) -> Path:
    """``summary.csv`` in ``folder`` or in its only sub-folder (a zipped folder)."""
    direct = folder / "summary.csv"
    if direct.is_file():
        return direct
    found = sorted(folder.glob("*/summary.csv"))
    if len(found) == 1:
        return found[0]
    raise AnalyzerError(
        f"No summary.csv in {folder.name}.",
        "Import the folder `backpedal batch` wrote (it holds summary.csv and one folder per "
        "athlete).",
    )


def _clip_folder(root: Path, row: dict[str, str], athlete: str, clip: str) -> Path | None:
    names = []
    if _pick(row, "folder"):
        names.append(Path(_pick(row, "folder")))
    if clip:
        clip_name = Path(clip).name
        names += [Path(athlete) / clip_name, Path(athlete) / Path(clip_name).stem]
    base = root.resolve()
    for rel in names:
        cand = (root / rel).resolve() if not rel.is_absolute() else rel.resolve()
        if base in cand.parents and (cand / "result.json").is_file():
            return cand
    return None


def _copy_result(src: Path, clip_id: int) -> None:
    staged = storage.staging_dir(clip_id, "import")
    for item in src.iterdir():
        if item.is_file() and not item.is_symlink():
            shutil.copy2(item, staged / item.name)
    storage.publish_result(staged, clip_id)


def import_batch(folder: Path, team: Team, *, user=None) -> ImportReport:
    """Import every row of the batch folder's ``summary.csv`` into ``team``."""
    summary_csv = find_summary(Path(folder))
    root = summary_csv.parent
    report = ImportReport()
    with summary_csv.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        rows = [{_norm(k): (v or "") for k, v in r.items() if k} for r in reader]
    for n, row in enumerate(rows, start=2):
        athlete_name = _pick(row, "athlete")[:120] or "Unknown athlete"
        clip_name = _pick(row, "clip")
        key = f"{athlete_name}/{clip_name or f'row-{n}'}"[:255]
        if Clip.objects.filter(team=team, import_key=key).exists():
            report.skipped += 1
            continue
        ok = _pick(row, "status").lower() in _OK or not _pick(row, "status")
        src = _clip_folder(root, row, athlete_name, clip_name) if ok else None
        summary: dict = {}
        error = _pick(row, "error")
        if ok and src is None:
            ok, error = False, "its result folder with result.json is missing from the import"
        if ok and src is not None:
            try:
                summary = analysis.summarize_result(src / "result.json")
            except AnalyzerError as exc:
                ok, error = False, exc.message
        with transaction.atomic():
            athlete, _ = Athlete.objects.get_or_create(team=team, name=athlete_name)
            overall = summary.get("overall")
            clip = Clip.objects.create(
                team=team,
                athlete=athlete,
                uploaded_by=user,
                original_name=Path(clip_name).name[:255] or key,
                source=Clip.Source.IMPORT,
                import_key=key,
                recorded_on=_parse_date(_pick(row, "date")) or dt.date.today(),
                status=Clip.Status.DONE if ok else Clip.Status.FAILED,
                error_message="" if ok else f"Batch: {error or 'the analysis failed'}",
                error_hint="" if ok else "Upload the clip here to analyse it again.",
                overall_score=overall if overall is not None else _parse_score(
                    _pick(row, "overall")
                ),
                summary=summary,
            )
            if ok and src is not None:
                _copy_result(src, clip.pk)
        if ok:
            report.imported += 1
        else:
            report.failed_rows += 1
            report.problems.append(f"line {n} ({key}): {error or 'failed in the batch'}")
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
