"""Importing a ``backpedal batch`` output folder: the command and the zip upload page."""

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

from analyzer.web.models import Athlete, Clip, Team
from tests.web.fakes import write_fake_outputs

pytestmark = pytest.mark.django_db


def make_batch(root: Path, header: tuple[str, ...] = ("athlete", "date", "clip", "status",
                                                       "error", "overall_score")) -> Path:
    """A batch folder: two good clips, one failed in the batch, one whose folder is lost."""
    write_fake_outputs(root / "Sam Lee" / "rep1", overall=70.0)
    write_fake_outputs(root / "Sam Lee" / "rep2", overall=80.0)
    rows = [
        ("Sam Lee", "2026-11-01", "rep1.mp4", "ok", "", "70.0"),
        ("Sam Lee", "2026-11-08", "rep2.mov", "ok", "", "80.0"),
        ("Jo Park", "2026-11-08", "rep3.mp4", "failed", "No person was found.", ""),
        ("Jo Park", "2026-11-09", "rep4.mp4", "ok", "", "55"),
    ]
    with (root / "summary.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return root


def test_import_command_reads_summary_and_reports(tmp_path, make_coach):
    make_coach("coach", "Eagles")
    batch = make_batch(tmp_path / "batch")
    out = io.StringIO()
    call_command("importbatch", str(batch), team="Eagles", stdout=out)
    assert "Imported 2 clip(s), 2 failed" in out.getvalue()
    team = Team.objects.get(name="Eagles")
    sam = Athlete.objects.get(team=team, name="Sam Lee")
    done = Clip.objects.filter(team=team, status="done").order_by("recorded_on")
    assert [c.overall_score for c in done] == [70.0, 80.0]
    assert [str(c.recorded_on) for c in done] == ["2026-11-01", "2026-11-08"]
    assert all(c.athlete == sam and c.source == "import" for c in done)
    assert (done[0].result_dir / "annotated.mp4").is_file()
    assert done[0].summary["findings"][0]["title"] == "Hips too high"
    failed = {c.original_name: c.error_message for c in Clip.objects.filter(status="failed")}
    assert "No person was found" in failed["rep3.mp4"]
    assert "missing" in failed["rep4.mp4"]
    again = io.StringIO()
    call_command("importbatch", str(batch), team="Eagles", stdout=again)
    assert "4 already imported" in again.getvalue()
    assert Clip.objects.count() == 4


def test_import_tolerates_other_header_spellings(tmp_path, make_coach):
    make_coach("coach", "Eagles")
    batch = make_batch(tmp_path / "b", header=("Athlete", "Date", "Clip", "Status", "Error",
                                              "Overall score"))
    call_command("importbatch", str(batch), team="Eagles", stdout=io.StringIO())
    assert Clip.objects.filter(status="done").count() == 2


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
    assert "Imported 2 clips, 2 failed in the batch" in resp.content.decode()
    clip = Clip.objects.filter(status="done").first()
    page = coach_client.get(reverse("clip", args=[clip.pk])).content.decode()
    assert "imported" in page and 'id="annotated"' in page


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


def test_result_json_of_an_import_is_checked(tmp_path, make_coach):
    make_coach("coach", "Eagles")
    batch = make_batch(tmp_path / "batch")
    (batch / "Sam Lee" / "rep2" / "result.json").write_text("{broken")
    call_command("importbatch", str(batch), team="Eagles", stdout=io.StringIO())
    bad = Clip.objects.get(original_name="rep2.mov")
    assert bad.status == "failed" and "could not be read" in bad.error_message
    assert json.loads((Clip.objects.get(original_name="rep1.mp4").result_dir / "result.json")
                      .read_text())["scores"]["overall"] == 70.0
