"""Find a team's clips in a folder and say whose they are (roster or sub-folder).

Clips are found recursively by suffix (:data:`VIDEO_SUFFIXES`); every other file is listed
as skipped, so a coach sees what was not analysed. The athlete comes from the roster when it
names the clip, else from the clip's first sub-folder under the batch folder
(``FOLDER/alice/day1/clip.mp4`` -> ``alice``); clips at the top level are "unassigned".

Roster CSV (UTF-8, header row): ``clip`` (a path relative to the folder, or a bare file name
when that name is unique), ``athlete``, and optionally ``date`` (YYYY-MM-DD), ``height_m``
and ``profile``. Without a roster date, a YYYY-MM-DD in the clip's path is used.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from analyzer.errors import ConfigError

VIDEO_SUFFIXES: frozenset[str] = frozenset({".mp4", ".mov", ".m4v", ".avi", ".mkv"})
UNASSIGNED = "unassigned"
#: Plausible standing heights (metres), the same range ``backpedal analyze`` accepts.
HEIGHT_RANGE_M: tuple[float, float] = (1.0, 2.3)
_DATE_IN_PATH = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_UNSAFE = re.compile(r"[^\w.\- ]+")


@dataclass(frozen=True)
class RosterEntry:
    """One roster line: whose clip it is, when it was filmed, and their settings."""

    athlete: str
    date: str | None = None
    height_m: float | None = None
    profile: str | None = None


@dataclass(frozen=True)
class ClipEntry:
    """A clip to analyse: where it is, whose it is, and where its outputs go.

    ``rel`` is the clip's path relative to the batch folder (POSIX separators): the
    manifest's row id. ``out_rel`` is the output folder relative to the output directory,
    ``<athlete>/<sub-folders>/<clip stem>``.
    """

    path: Path
    rel: str
    athlete: str
    out_rel: str
    date: str | None = None
    height_m: float | None = None
    profile: str | None = None


def safe_name(text: str) -> str:
    """A folder name from an athlete's or clip's name (no separators, no leading dots)."""
    name = _UNSAFE.sub("_", text.strip()).strip(". ")
    return name or "_"


def parse_date(text: str, where: str) -> str:
    """Check a YYYY-MM-DD date and return it; ConfigError naming ``where`` otherwise."""
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError as exc:
        raise ConfigError(
            f"{where}: date {text!r} is not a date.", "Write dates as YYYY-MM-DD, e.g. 2026-09-14."
        ) from exc


def date_in_path(rel: str) -> str | None:
    """The last valid YYYY-MM-DD found in a relative path, if any."""
    found = None
    for m in _DATE_IN_PATH.finditer(rel):
        try:
            found = dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            continue
    return found


def _height(text: str, where: str) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    lo, hi = HEIGHT_RANGE_M
    if not lo <= value <= hi:
        raise ConfigError(
            f"{where}: height_m {text!r} is not a plausible height in metres.",
            "Give the athlete's height in metres, e.g. 1.80, or leave the cell empty.",
        )
    return value


def read_roster(path: str | Path) -> dict[str, RosterEntry]:
    """Read a roster CSV into ``{clip: RosterEntry}`` (clip as written, POSIX separators).

    Raises
    ------
    ConfigError
        The file is missing, lacks the ``clip`` or ``athlete`` column, names a clip twice, or
        holds an empty athlete, a bad date or an implausible height (with the line number).
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"roster {path} does not exist.", "Check the path given to --roster.")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        columns = {c.strip().lower() for c in reader.fieldnames or []}
        if not {"clip", "athlete"} <= columns:
            raise ConfigError(
                f"roster {path.name} needs the columns clip and athlete (found: "
                f"{', '.join(sorted(columns)) or 'none'}).",
                "Write a header row: clip,athlete,date,height_m,profile (the last three optional).",
            )
        roster: dict[str, RosterEntry] = {}
        for line, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            if not row["clip"]:
                continue  # a blank line
            where = f"roster {path.name} line {line}"
            clip = PurePosixPath(row["clip"].replace("\\", "/")).as_posix()
            if not row["athlete"]:
                raise ConfigError(f"{where}: no athlete for {clip}.", "Fill the athlete column.")
            if clip in roster:
                raise ConfigError(f"{where}: {clip} is listed twice.", "Keep one line per clip.")
            roster[clip] = RosterEntry(
                athlete=row["athlete"],
                date=parse_date(row["date"], where) if row.get("date") else None,
                height_m=_height(row.get("height_m", ""), where),
                profile=row.get("profile") or None,
            )
    return roster


def _match_roster(
    rel: str, roster: dict[str, RosterEntry], by_name: dict[str, list[str]]
) -> RosterEntry | None:
    if rel in roster:
        return roster[rel]
    name = PurePosixPath(rel).name
    if name in roster and len(by_name.get(name, [])) == 1:
        return roster[name]
    return None


def find_files(folder: Path, out_dir: Path | None = None) -> tuple[list[Path], list[Path]]:
    """Clips and other files under ``folder``, sorted; hidden files and ``out_dir`` ignored."""
    clips: list[Path] = []
    others: list[Path] = []
    out_resolved = out_dir.resolve() if out_dir is not None else None
    for path in sorted(folder.rglob("*")):
        rel_parts = path.relative_to(folder).parts
        if any(part.startswith(".") for part in rel_parts) or not path.is_file():
            continue
        if out_resolved is not None and out_resolved in path.resolve().parents:
            continue
        (clips if path.suffix.lower() in VIDEO_SUFFIXES else others).append(path)
    return clips, others


def discover(
    folder: str | Path,
    *,
    roster: dict[str, RosterEntry] | None = None,
    out_dir: str | Path | None = None,
) -> tuple[list[ClipEntry], list[Path], list[str]]:
    """Every clip under ``folder`` with its athlete, date, settings and output folder.

    Returns
    -------
    tuple
        The clips (sorted by path), the other files (skipped), and the roster lines that
        matched no clip (to warn about).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{folder} is not a folder.", "Give the folder that holds the clips.")
    roster = roster or {}
    paths, others = find_files(folder, Path(out_dir) if out_dir is not None else None)
    rels = [p.relative_to(folder).as_posix() for p in paths]
    by_name: dict[str, list[str]] = {}
    for rel in rels:
        by_name.setdefault(PurePosixPath(rel).name, []).append(rel)
    used: set[str] = set()
    entries: list[ClipEntry] = []
    for path, rel in zip(paths, rels, strict=True):
        parts = PurePosixPath(rel).parts
        entry = _match_roster(rel, roster, by_name)
        if entry is not None:
            used.add(rel if rel in roster else parts[-1])
            athlete, inner = entry.athlete, parts[:-1]
            if len(parts) > 1 and parts[0] == entry.athlete:
                inner = parts[1:-1]
        elif len(parts) > 1:
            athlete, inner = parts[0], parts[1:-1]
        else:
            athlete, inner = UNASSIGNED, ()
        date = entry.date if entry and entry.date else date_in_path(rel)
        entries.append(
            ClipEntry(
                path=path,
                rel=rel,
                athlete=athlete,
                out_rel="/".join(safe_name(p) for p in (athlete, *inner, path.stem)),
                date=date,
                height_m=entry.height_m if entry else None,
                profile=entry.profile if entry else None,
            )
        )
    entries = _unique_outputs(entries)
    unmatched = sorted(set(roster) - used)
    return entries, others, unmatched


def _unique_outputs(entries: list[ClipEntry]) -> list[ClipEntry]:
    """Give clips that would share an output folder (same stem, other suffix) distinct ones."""
    seen: dict[str, int] = {}
    for e in entries:
        seen[e.out_rel.lower()] = seen.get(e.out_rel.lower(), 0) + 1
    out = []
    for e in entries:
        if seen[e.out_rel.lower()] > 1:
            suffix = safe_name(e.path.suffix.lstrip(".").lower())
            e = ClipEntry(**{**e.__dict__, "out_rel": f"{e.out_rel}-{suffix}"})
        out.append(e)
    return out
