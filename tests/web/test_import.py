"""Importing a ``backpedal batch`` output folder: the command and the zip upload page.

The folders here are written by the batch's own summary writer (``analyzer.batch.summary``)
around stand-in clip folders with a real schema-2.0 ``result.json``, so the importer reads
exactly the batch's format without running the pose model; ``test_import_real_batch.py``
imports the output of a real ``backpedal batch`` run.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from analyzer.batch import analysis as batch_analysis
from analyzer.batch import discover as batch_discover
from analyzer.batch.summary import (
    BASE_COLUMNS,
    ClipRecord,
    summary_columns,
    write_summary_csv,
)
from analyzer.web import importer
from analyzer.web.models import Athlete, Clip, Team
from tests.web.fakes import fake_result_doc, write_fake_outputs

pytestmark = pytest.mark.django_db


def test_the_importer_reads_the_columns_and_names_the_batch_writes():
    assert set(importer.COLUMNS) <= set(BASE_COLUMNS)
    assert importer.MARKER_NAME == batch_analysis.MARKER_NAME
    assert importer.UNASSIGNED == batch_discover.UNASSIGNED


def scored(root: Path, clip: str, athlete: str, date: str | None, out_rel: str,
           overall: float, sha: str) -> ClipRecord:
    """A clip folder as the batch leaves it (outputs, then batch.json) and its record."""
    folder = root / out_rel
    write_fake_outputs(folder, overall=overall)
    doc = json.loads((folder / "result.json").read_text())
    doc["provenance"]["clip_sha256"] = sha
    (folder / "result.json").write_text(json.dumps(doc))
    marker = {"clip": clip, "athlete": athlete, "date": date, "key": sha, "attempt": 1}
    (folder / "batch.json").write_text(json.dumps(marker))
    return ClipRecord(clip, athlete, date, "ok", out_rel=out_rel, attempts=1, result=doc)


def write_batch(root: Path, records: list[ClipRecord]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    columns = summary_columns([batch_analysis.profile_facts("db-backpedal")])
    write_summary_csv(records, root / "summary.csv", columns)
    return root


def make_batch(root: Path) -> Path:
    """Two scored clips, one failed, one whose folder was lost, one interrupted, a text file."""
    records = [
        scored(root, "Sam Lee/2026-11-01/rep1.mp4", "Sam Lee", "2026-11-01",
               "Sam Lee/2026-11-01/rep1", 70.0, "a" * 64),
        scored(root, "Sam Lee/rep2.mov", "Sam Lee", None, "Sam Lee/rep2", 80.0, "b" * 64),
        ClipRecord("Jo Park/rep3.mp4", "Jo Park", "2026-11-08", "failed",
                   error="No person was found in the clip.",
                   hint="Film the whole athlete.", attempts=1),
        ClipRecord("Jo Park/rep4.mp4", "Jo Park", "2026-11-09", "ok", out_rel="Jo Park/rep4",
                   attempts=1, result=fake_result_doc(55.0)),  # its folder is not there
        ClipRecord("Jo Park/rep5.mp4", "Jo Park", None, "pending",
                   error="not analysed yet (the batch was interrupted)"),
        ClipRecord("notes.txt", "", None, "skipped", error="not a video clip"),
    ]
    return write_batch(root, records)


def test_import_command_reads_the_batch_summary_and_reports(tmp_path, make_coach):
    make_coach("coach", "Eagles")
    batch = make_batch(tmp_path / "batch")
    out = io.StringIO()
    call_command("importbatch", str(batch), team="Eagles", stdout=out)
    assert ("Imported 2 clip(s), 2 failed, 0 already imported, 1 not analysed yet, "
            "1 file(s) the batch skipped") in out.getvalue()
    team = Team.objects.get(name="Eagles")
    sam = Athlete.objects.get(team=team, name="Sam Lee")
    done = Clip.objects.filter(team=team, status="done").order_by("overall_score")
    assert [c.overall_score for c in done] == [70.0, 80.0]
    assert str(done[0].recorded_on) == "2026-11-01"
    assert all(c.athlete == sam and c.source == "import" for c in done)
    assert [c.original_name for c in done] == ["rep1.mp4", "rep2.mov"]
    assert (done[0].result_dir / "annotated.mp4").is_file()
    assert (done[0].result_dir / "track.npz").is_file()  # the result reads back whole
    assert not (done[0].result_dir / "batch.json").exists()
    summary = done[0].summary
    assert summary["findings"][0]["title"] == "Hips too high"
    assert summary["schema_version"] == "2.0" and summary["clip_sha256"] == "a" * 64
    failed = {c.original_name: c for c in Clip.objects.filter(status="failed")}
    assert set(failed) == {"rep3.mp4", "rep4.mp4"}
    assert "No person was found" in failed["rep3.mp4"].error_message
    assert "Film the whole athlete." in failed["rep3.mp4"].error_hint
    assert str(failed["rep3.mp4"].recorded_on) == "2026-11-08"
    assert "Jo Park/rep4 is missing" in failed["rep4.mp4"].error_message
    assert not Athlete.objects.filter(name="").exists()
    again = io.StringIO()
    call_command("importbatch", str(batch), team="Eagles", stdout=again)
    assert "Imported 0 clip(s), 0 failed, 4 already imported" in again.getvalue()
    assert Clip.objects.count() == 4


def test_a_clip_of_several_reps_is_one_clip(tmp_path, make_coach):
    make_coach("coach", "Eagles")
    record = scored(tmp_path, "amy/rep.mp4", "amy", None, "amy/rep", 60.0, "c" * 64)
    assert record.result is not None
    one_rep = record.result["metrics"]
    record.result["rep_metrics"] = [one_rep, one_rep, one_rep]
    write_batch(tmp_path, [record])
    with (tmp_path / "summary.csv").open(newline="") as fh:
        assert [r["rep"] for r in csv.DictReader(fh)] == ["1", "2", "3"]
    report = importer.import_batch(tmp_path, Team.objects.get(name="Eagles"))
    assert (report.imported, report.failed_rows) == (1, 0)
    assert Clip.objects.get().overall_score == 60.0  # the clip's score, not a rep's


def test_unassigned_clips_join_the_team_without_an_athlete(tmp_path, make_coach):
    make_coach("coach", "Eagles")
    write_batch(tmp_path, [scored(tmp_path, "top.mp4", "unassigned", None, "unassigned/top",
                                  50.0, "d" * 64)])
    importer.import_batch(tmp_path, Team.objects.get(name="Eagles"))
    clip = Clip.objects.get()
    assert clip.status == "done" and clip.athlete is None and not Athlete.objects.exists()


def test_a_summary_from_elsewhere_is_refused(tmp_path, make_coach):
    make_coach("coach", "Eagles")
    (tmp_path / "summary.csv").write_text("Athlete,Clip,Score\nSam,rep1.mp4,70\n")
    with pytest.raises(CommandError, match=r"not a `backpedal batch` summary"):
        call_command("importbatch", str(tmp_path), team="Eagles")
    assert not Clip.objects.exists()


def test_import_needs_a_summary_and_a_team(tmp_path, make_coach):
    make_coach("coach", "Eagles")
    with pytest.raises(CommandError, match=r"summary\.csv"):
        call_command("importbatch", str(tmp_path), team="Eagles")
    with pytest.raises(CommandError, match="No team"):
        call_command("importbatch", str(tmp_path), team="Nobody")


def _zip(folder: Path, prefix: str = "batch/") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, prefix + path.relative_to(folder).as_posix())
    return buf.getvalue()


def test_import_page_takes_a_zipped_batch(coach_client, tmp_path):
    assert coach_client.get(reverse("import_batch")).status_code == 200
    archive = _zip(make_batch(tmp_path / "batch"))
    resp = coach_client.post(reverse("import_batch"),
                             {"archive": SimpleUploadedFile("batch.zip", archive)})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "Imported 2 clips, 2 failed, 1 not analysed yet; 1 file the batch skipped" in html
    assert "interrupted" in html
    clip = Clip.objects.filter(status="done").first()
    page = coach_client.get(reverse("clip", args=[clip.pk])).content.decode()
    assert "imported" in page and 'id="annotated"' in page
    failed = Clip.objects.get(original_name="rep4.mp4")
    assert "import-" not in failed.error_message  # no server path in what the coach reads


def test_import_page_refuses_unsafe_or_broken_archives(coach_client):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../escape.txt", "x")
        zf.writestr("summary.csv", "athlete,clip\n")
    resp = coach_client.post(reverse("import_batch"),
                             {"archive": SimpleUploadedFile("b.zip", buf.getvalue())})
    assert resp.status_code == 400 and b"unsafe path" in resp.content
    resp = coach_client.post(reverse("import_batch"),
                             {"archive": SimpleUploadedFile("b.zip", b"not a zip")})
    assert resp.status_code == 400 and b"not a zip" in resp.content
    assert not Clip.objects.exists()


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda f: (f / "result.json").write_text("{broken"), "not a readable result.json"),
        (lambda f: (f / "result.json").write_text(json.dumps({"schema_version": "1.0"})),
         "result schema '1.0'"),
        (lambda f: (f / "track.npz").unlink(), "track"),
        (lambda f: (f / "batch.json").unlink(), "incomplete"),
        (lambda f: (f / "batch.json").write_text(json.dumps({"clip": "x/other.mp4"})),
         "another clip's outputs (x/other.mp4)"),
    ],
    ids=["not-json", "old-schema", "no-track", "no-marker", "other-clip"],
)
def test_a_damaged_clip_folder_is_a_failed_clip(tmp_path, make_coach, damage, expected):
    make_coach("coach", "Eagles")
    batch = make_batch(tmp_path / "batch")
    damage(batch / "Sam Lee" / "rep2")
    call_command("importbatch", str(batch), team="Eagles", stdout=io.StringIO())
    bad = Clip.objects.get(original_name="rep2.mov")
    assert bad.status == "failed" and expected in bad.error_message
    assert str(batch) not in bad.error_message
    assert not bad.result_dir.exists()
    good = Clip.objects.get(original_name="rep1.mp4")
    assert json.loads((good.result_dir / "result.json").read_text())["scores"]["overall"] == 70.0


def test_a_clip_retried_by_the_batch_replaces_its_failed_import(tmp_path, make_coach):
    make_coach("coach", "Eagles")
    team = Team.objects.get(name="Eagles")
    root = tmp_path / "batch"
    write_batch(root, [ClipRecord("amy/rep.mp4", "amy", None, "failed", error="killed",
                                  attempts=3)])
    importer.import_batch(root, team)
    first = Clip.objects.get()
    assert first.status == "failed"
    write_batch(root, [scored(root, "amy/rep.mp4", "amy", None, "amy/rep", 66.0, "e" * 64)])
    report = importer.import_batch(root, team)
    assert (report.imported, report.updated) == (1, 1)
    clip = Clip.objects.get()
    assert clip.pk == first.pk and clip.status == "done" and clip.overall_score == 66.0
    assert clip.error_message == "" and (clip.result_dir / "report.html").is_file()
