"""``backpedal batch`` on real clips through the real command and the real pose model."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from analyzer.batch.manifest import Manifest
from analyzer.cli import main

pytestmark = pytest.mark.slow


def _summary(out: Path) -> list[dict[str, str]]:
    with (out / "summary.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_good_and_bad_clips(
    clip_dir: Path,
    pose_cache: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every good clip scored, every bad one in the summary with a clear error, the rows
    right, exit code 1; a second run keeps everything and analyses nothing."""
    monkeypatch.setenv("BACKPEDAL_CACHE", str(pose_cache))
    film = tmp_path / "film"
    for src, rel in [("left.mp4", "alice/2026-09-14/left.mp4"), ("right.mp4", "bob/right.mp4"),
                     ("corrupt.mp4", "carol/corrupt.mp4"), ("text.mp4", "carol/text.mp4"),
                     ("empty.mp4", "carol/empty.mp4")]:  # fmt: skip
        (film / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(clip_dir / src, film / rel)
    (film / "notes.txt").write_text("practice plan")
    out = tmp_path / "out"
    rc = main(["batch", str(film), "--out", str(out), "--workers", "2", "--no-video", "-q"])
    printed = capsys.readouterr().out
    assert rc == 1
    rows = _summary(out)
    by_clip = {r["clip"]: r for r in rows}
    assert len(rows) == 6  # 2 scored single-rep clips, 3 failed clips, 1 skipped file
    for rel in ("alice/2026-09-14/left.mp4", "bob/right.mp4"):
        r = by_clip[rel]
        assert (r["status"], r["rep"], r["error"]) == ("ok", "1", "")
        assert 0 <= float(r["overall_score"]) <= 100
        assert float(r["trunk_lean_deg (deg)"]) > 0
        report = out / r["report"]
        assert report.is_file() and (report.parent / "metrics.csv").is_file()
        assert not (report.parent / "annotated.mp4").exists()  # --no-video
        assert json.loads((report.parent / "result.json").read_text())["scores"] is not None
    assert by_clip["alice/2026-09-14/left.mp4"]["date"] == "2026-09-14"
    assert by_clip["bob/right.mp4"]["athlete"] == "bob"
    assert "no person" in by_clip["carol/empty.mp4"]["error"]
    assert "not a video" in by_clip["carol/text.mp4"]["error"]
    assert "cut short" in by_clip["carol/corrupt.mp4"]["error"]
    for rel in ("carol/empty.mp4", "carol/text.mp4", "carol/corrupt.mp4"):
        assert by_clip[rel]["status"] == "failed" and by_clip[rel]["hint"]
    assert by_clip["notes.txt"]["status"] == "skipped"
    assert "2 scored" in printed and "3 failed" in printed and "notes.txt" in printed
    html = (out / "team.html").read_text(encoding="utf-8")
    assert 'href="alice/2026-09-14/left/report.html"' in html and "<script" not in html

    m = Manifest.open(out)
    n_attempts = len(m.attempts())
    m.close()
    assert main(["batch", str(film), "--out", str(out), "--no-video", "-q"]) == 1
    assert "2 kept from before, 0 analysed now" in capsys.readouterr().out
    m = Manifest.open(out)
    assert len(m.attempts()) == n_attempts
    m.close()
    assert _summary(out) == rows
