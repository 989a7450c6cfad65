"""Fixtures for the coach web app: Django configured on a temporary data folder, teams and
coaches, a fast stand-in for the analysis (only for tests whose subject is not the analysis).

The whole folder is skipped when the ``[web]`` extra is not installed.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.web.fakes import PASSWORD, write_fake_outputs

if importlib.util.find_spec("django") is None or importlib.util.find_spec("axes") is None:
    collect_ignore_glob = ["test_*.py"]
else:
    _DATA = Path(tempfile.mkdtemp(prefix="backpedal-web-tests-"))
    atexit.register(shutil.rmtree, _DATA, ignore_errors=True)
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
