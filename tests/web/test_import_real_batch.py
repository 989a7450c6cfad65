"""A real ``backpedal batch`` run imported into the web app, by the command and by the page.

The batch runs once per session (the real command, the real pose model, one worker,
``--no-video``) on two small copies of the bundled samples in athlete sub-folders, a clip cut
short (the batch fails it) and a text file (the batch skips it).
"""

from __future__ import annotations

import csv
import html
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from analyzer.cli import main
from analyzer.export import load_result
from analyzer.web import analysis
from analyzer.web.models import Athlete, Clip, Team
from tests.web.fakes import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SAMPLES = PROJECT_ROOT / "sample_videos"
SAM = "Sam Lee/2026-11-01/left.mp4"
JO = "Jo Park/front.mp4"
BROKEN = "Jo Park/broken.mp4"


def _small_copy(sample: str, dest: Path) -> None:
    """The sample at 30 fps and 480x270 (a third of the pose work)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(SAMPLES / sample), "-vf",
         "fps=30,scale=480:270", "-c:v", "libx264", "-preset", "veryfast", "-crf", "24",
         str(dest)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


@pytest.fixture(scope="session")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of one real batch: 2 scored clips, 1 failed clip, 1 skipped file."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed")
    root = tmp_path_factory.mktemp("real-batch")
    film = root / "film"
    _small_copy("backpedal_side_left.mp4", film / SAM)
    _small_copy("backpedal_front.mp4", film / JO)
    data = (film / SAM).read_bytes()
    (film / BROKEN).write_bytes(data[: len(data) // 2])  # cut before its index
    (film / "notes.txt").write_text("practice plan")
    out = root / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BACKPEDAL_CACHE", str(root / "pose-cache"))
        rc = main(["batch", str(film), "--out", str(out), "--workers", "1", "--no-video", "-q"])
    assert rc == 1  # one clip failed
    return out


def _summary_rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open(newline="", encoding="utf-8") as fh:
        return {r["clip"]: r for r in csv.DictReader(fh)}


def _check_imported(out: Path, team: Team) -> dict[str, Clip]:
    """Athletes, scores, dates, status and errors of the import match the batch's output."""
    rows = _summary_rows(out)
    assert rows[SAM]["status"] == rows[JO]["status"] == "ok"
    assert rows[BROKEN]["status"] == "failed" and rows["notes.txt"]["status"] == "skipped"
    assert set(Athlete.objects.filter(team=team).values_list("name", flat=True)) == {
        "Sam Lee", "Jo Park"}  # fmt: skip
    clips = {c.original_name: c for c in Clip.objects.filter(team=team)}
    assert set(clips) == {"left.mp4", "front.mp4", "broken.mp4"}
    for rel in (SAM, JO):
        clip = clips[Path(rel).name]
        folder = out / Path(rows[rel]["report"]).parent
        result = load_result(folder)
        assert result.faults is not None
        assert clip.status == "done" and clip.source == "import"
        assert clip.athlete is not None and clip.athlete.name == rows[rel]["athlete"]
        assert clip.summary == analysis.summarize(result)
        assert clip.overall_score == pytest.approx(result.faults.scores.overall, abs=0.05)
        assert clip.overall_score == pytest.approx(float(rows[rel]["overall_score"]), abs=0.05)
        assert clip.summary["view"] == rows[rel]["view"]
        assert (clip.result_dir / "report.html").read_bytes() == (
            folder / "report.html"
        ).read_bytes()
        assert load_result(clip.result_dir).provenance == result.provenance  # reads back whole
    assert str(clips["left.mp4"].recorded_on) == "2026-11-01"
    assert clips["front.mp4"].recorded_on == timezone.localdate()  # no date in the batch
    broken = clips["broken.mp4"]
    assert broken.status == "failed" and broken.athlete.name == "Jo Park"
    assert rows[BROKEN]["error"] in broken.error_message and "cut short" in broken.error_message
    assert rows[BROKEN]["hint"] in broken.error_hint
    return clips


def test_a_real_batch_imports_with_the_command(batch_out, make_coach, client):
    user = make_coach("coach", "Eagles")
    out = io.StringIO()
    call_command("importbatch", str(batch_out), team="Eagles", stdout=out)
    assert ("Imported 2 clip(s), 1 failed, 0 already imported, 0 not analysed yet, "
            "1 file(s) the batch skipped") in out.getvalue()
    clips = _check_imported(batch_out, Team.objects.get(name="Eagles"))
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    left = clips["left.mp4"]
    page = client.get(reverse("clip", args=[left.pk])).content.decode()
    assert f">{left.overall_score:.0f}<" in page and "Open the full report" in page
    for title in (f["title"] for f in left.summary["findings"]):
        assert html.escape(title) in page
    report = client.get(reverse("clip_file", args=[left.pk, "report.html"]))
    assert report.status_code == 200 and b"<html" in b"".join(report).lower()
    again = io.StringIO()
    call_command("importbatch", str(batch_out), team="Eagles", stdout=again)
    assert "Imported 0 clip(s), 0 failed, 3 already imported" in again.getvalue()


def test_a_real_batch_imports_from_the_page(batch_out, coach_client):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(batch_out.rglob("*")):
            if path.is_file():
                zf.write(path, "team-out/" + path.relative_to(batch_out).as_posix())
    resp = coach_client.post(
        reverse("import_batch"), {"archive": SimpleUploadedFile("team-out.zip", buf.getvalue())}
    )
    assert resp.status_code == 200
    text = resp.content.decode()
    assert "Imported 2 clips, 1 failed; 1 file the batch skipped (not video)" in text
    assert BROKEN in text  # the failed clip is listed with its error
    clips = _check_imported(batch_out, Team.objects.get(name="Eagles"))
    home = coach_client.get(reverse("home")).content.decode()
    assert all(name in home for name in ("left.mp4", "front.mp4", "broken.mp4"))
    broken = clips["broken.mp4"]
    page = coach_client.get(reverse("clip", args=[broken.pk])).content.decode()
    assert 'id="clip-error"' in page and html.escape(broken.error_message) in page
    front = clips["front.mp4"]
    report = coach_client.get(reverse("clip_file", args=[front.pk, "report.html"]))
    assert report.status_code == 200
    assert coach_client.get(reverse("clip_file", args=[front.pk, "result.json"])).status_code == 200
