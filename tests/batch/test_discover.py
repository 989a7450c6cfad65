"""Finding clips and naming athletes: sub-folders, roster, dates, output folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.batch.discover import UNASSIGNED, date_in_path, discover, read_roster
from analyzer.errors import ConfigError


def _touch(root: Path, *rels: str) -> None:
    for rel in rels:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")


def test_athletes_from_sub_folders_and_other_files_listed(tmp_path: Path) -> None:
    _touch(tmp_path, "alice/2026-09-14/rep1.MP4", "alice/rep2.mov", "bob/a.mkv", "top.avi",
           "bob/notes.txt", ".hidden/x.mp4", "alice/.DS_Store")  # fmt: skip
    clips, others, unmatched = discover(tmp_path)
    by_rel = {c.rel: c for c in clips}
    assert sorted(by_rel) == ["alice/2026-09-14/rep1.MP4", "alice/rep2.mov", "bob/a.mkv", "top.avi"]
    assert by_rel["alice/2026-09-14/rep1.MP4"].athlete == "alice"
    assert by_rel["alice/2026-09-14/rep1.MP4"].date == "2026-09-14"
    assert by_rel["alice/2026-09-14/rep1.MP4"].out_rel == "alice/2026-09-14/rep1"
    assert by_rel["alice/rep2.mov"].date is None
    assert by_rel["top.avi"].athlete == UNASSIGNED
    assert [p.name for p in others] == ["notes.txt"]
    assert unmatched == []


def test_output_folder_is_inside_the_input_folder(tmp_path: Path) -> None:
    _touch(tmp_path, "alice/a.mp4", "out/alice/a/annotated.mp4")
    clips, others, _ = discover(tmp_path, out_dir=tmp_path / "out")
    assert [c.rel for c in clips] == ["alice/a.mp4"] and others == []


def test_same_stem_gets_distinct_output_folders(tmp_path: Path) -> None:
    _touch(tmp_path, "alice/IMG_1.mov", "alice/IMG_1.mp4")
    clips, _, _ = discover(tmp_path)
    assert sorted(c.out_rel for c in clips) == ["alice/IMG_1-mov", "alice/IMG_1-mp4"]


def test_roster_overrides_folder_by_path_or_unique_name(tmp_path: Path) -> None:
    _touch(tmp_path, "day1/IMG_1.mov", "day1/IMG_2.mov", "day2/IMG_1.mov")
    roster_csv = tmp_path / "roster.csv"
    roster_csv.write_text(
        "clip,athlete,date,height_m,profile\n"
        "day1/IMG_1.mov,Alice Smith,2026-09-14,1.72,youth\n"
        "IMG_2.mov,Bob,,,\n"
        "IMG_1.mov,Nobody,,,\n"  # ambiguous bare name: matches neither IMG_1
        "missing.mp4,Carol,,,\n"
    )
    roster = read_roster(roster_csv)
    clips, others, unmatched = discover(tmp_path, roster=roster)
    by_rel = {c.rel: c for c in clips}
    a = by_rel["day1/IMG_1.mov"]
    assert (a.athlete, a.date, a.height_m) == ("Alice Smith", "2026-09-14", 1.72)
    assert a.profile == "youth"
    assert a.out_rel == "Alice Smith/day1/IMG_1"
    assert by_rel["day1/IMG_2.mov"].athlete == "Bob"
    assert by_rel["day2/IMG_1.mov"].athlete == "day2"  # not in the roster: sub-folder
    assert unmatched == ["IMG_1.mov", "missing.mp4"]
    assert [p.name for p in others] == ["roster.csv"]  # the coordinator drops its roster


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("name,who\na.mp4,x\n", "needs the columns clip and athlete"),
        ("clip,athlete,date\na.mp4,x,14/09/2026\n", "line 2: date"),
        ("clip,athlete,height_m\na.mp4,x,180\n", "not a plausible height"),
        ("clip,athlete\na.mp4,\n", "no athlete"),
        ("clip,athlete\na.mp4,x\na.mp4,y\n", "listed twice"),
    ],
)
def test_bad_roster_says_which_line(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(ConfigError, match=needle) as info:
        read_roster(path)
    assert info.value.hint


def test_date_in_path() -> None:
    assert date_in_path("a/2026-09-14/b_2026-10-01.mp4") == "2026-10-01"
    assert date_in_path("a/2026-13-40.mp4") is None
    assert date_in_path("a/120260914.mp4") is None
