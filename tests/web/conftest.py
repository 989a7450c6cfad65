"""Fixtures for the coach web app: Django configured on a temporary data folder, teams and
coaches, a fast stand-in for the analysis (only for tests whose subject is not the analysis).

The whole folder is skipped when the ``[web]`` extra is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CLIP = PROJECT_ROOT / "sample_videos" / "backpedal_side_left.mp4"
PASSWORD = "long-enough-passphrase-42"

if importlib.util.find_spec("django") is None or importlib.util.find_spec("axes") is None:
    collect_ignore_glob = ["test_*.py"]
else:
    _DATA = Path(tempfile.mkdtemp(prefix="backpedal-web-tests-"))
    os.environ["BACKPEDAL_WEB_DATA"] = str(_DATA)
    os.environ["BACKPEDAL_WEB_TEST_DB"] = str(_DATA / "test.sqlite3")
    os.environ["BACKPEDAL_WEB_SECRET_KEY"] = "test-only-secret-key-" + "x" * 40
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "analyzer.web.settings")
    import django

    django.setup()


@pytest.fixture(autouse=True)
def _clean_data_dirs(settings):
    """Each test starts with empty uploads/results/tmp folders; passwords use a cheap argon2."""
    settings.PASSWORD_HASHERS = ["tests.web.hashers.CheapArgon2PasswordHasher"]
    for name in ("UPLOAD_DIR", "RESULTS_DIR", "TMP_DIR"):
        folder = Path(getattr(settings, name))
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    yield


@pytest.fixture
def make_coach(db):
    """make_coach(username, team_name) -> User (the team is created when new)."""
    from django.contrib.auth import get_user_model

    from analyzer.web.models import Coach, Team

    def make(username: str = "coach", team: str = "Eagles"):
        t, _ = Team.objects.get_or_create(name=team)
        user = get_user_model().objects.create_user(username=username, password=PASSWORD)
        Coach.objects.create(user=user, team=t)
        return user

    return make


@pytest.fixture
def coach_client(client, make_coach):
    """A Django test client logged in as a coach of team Eagles."""
    user = make_coach("coach", "Eagles")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.user = user
    return client


def fake_result_doc(overall: float = 72.0) -> dict:
    """A small result.json as the analyzer writes it (only what the app reads)."""
    return {
        "schema_version": "1.0",
        "profile": "db-backpedal",
        "view": {"view": "side", "confidence": 0.9},
        "fps": 60.0,
        "n_frames": 229,
        "scores": {"overall": overall, "categories": {"posture": 65.0, "footwork": None}},
        "findings": [
            {"id": "high_hips", "title": "Hips too high", "severity": "major",
             "cue": "Sit into it.", "key_frame": 40, "metric": "hip_height_ratio"},
            {"id": "long_steps", "title": "Over-striding", "severity": "minor",
             "cue": "Short, quick steps.", "key_frame": 90, "metric": "step_length"},
        ],
        "not_assessable": [{"key": "head_yaw", "reason": "film from the front"}],
        "warnings": [],
    }


def write_fake_outputs(out_dir: Path, overall: float = 72.0) -> None:
    """The files write_outputs makes, enough for the pages (the video is the sample clip)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "result.json").write_text(json.dumps(fake_result_doc(overall)))
    (out_dir / "report.html").write_text("<!DOCTYPE html><title>report</title><p>Report</p>")
    shutil.copyfile(SAMPLE_CLIP, out_dir / "annotated.mp4")
    (out_dir / "metrics.csv").write_text("metric,value\nhip_height_ratio,0.9\n")
    (out_dir / "steps.csv").write_text("step,foot\n0,left\n")
    (out_dir / "clip.kva").write_text("<KinoveaVideoAnalysis/>")


@pytest.fixture
def fake_analysis(monkeypatch):
    """Replace the analysis adapter's run_analysis with a fast stand-in (records its calls)."""
    from analyzer.web import analysis

    calls: list[dict] = []

    def run(clip, out_dir, settings, progress=None):
        calls.append({"clip": Path(clip), "settings": dict(settings)})
        if progress:
            progress("pose", 10, 20)
            progress("video", 20, 20)
        write_fake_outputs(Path(out_dir))
        return analysis.summarize_result(Path(out_dir) / "result.json")

    monkeypatch.setattr(analysis, "run_analysis", run)
    return calls
