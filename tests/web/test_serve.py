"""``backpedal serve``: accounts from the command line, argument checks, complete migrations."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from django.core.management import call_command

from analyzer.web.media import RangeNotSatisfiableError, parse_range
from tests.web.fakes import PROJECT_ROOT


def _serve(args: list[str], data, **env_extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BACKPEDAL_WEB_", "DJANGO_"))}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "analyzer.cli", "serve", "--data", str(data),
                           *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=120)


def test_create_coach_from_the_command_line(tmp_path):
    ok = _serve(["--create-coach", "alice", "--team", "Eagles", "--password-env", "PW"],
                tmp_path, PW="a-long-enough-passphrase")
    assert ok.returncode == 0, ok.stderr
    assert "Coach alice created in new team Eagles" in ok.stdout
    assert (tmp_path / "db.sqlite3").is_file() and (tmp_path / "secret_key").is_file()
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:  # readers never wait for a worker
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = _serve(["--create-coach", "alice", "--team", "Eagles", "--password-env", "PW"],
                   tmp_path, PW="a-long-enough-passphrase")
    assert again.returncode == 2 and "already exists" in again.stderr
    weak = _serve(["--create-coach", "bob", "--team", "Eagles", "--password-env", "PW"],
                  tmp_path, PW="123")
    assert weak.returncode == 2 and "too short" in weak.stderr


def test_serve_argument_errors(tmp_path):
    no_team = _serve(["--create-coach", "alice"], tmp_path)
    assert no_team.returncode == 2 and "--team" in no_team.stderr
    bad = _serve(["--workers", "-1"], tmp_path)
    assert bad.returncode == 2 and "--workers" in bad.stderr


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "web", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize(
    "header,size,expected",
    [
        ("", 100, None),
        ("bytes=0-9", 100, (0, 9)),
        ("bytes=90-", 100, (90, 99)),
        ("bytes=-10", 100, (90, 99)),
        ("bytes=-500", 100, (0, 99)),
        ("bytes=50-500", 100, (50, 99)),
        ("bytes=0-1,5-6", 100, None),  # several ranges: the whole file
        ("items=0-1", 100, None),
    ],
)
def test_parse_range(header, size, expected):
    assert parse_range(header, size) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=-0", "bytes=9-3"])
def test_parse_range_unsatisfiable(header):
    with pytest.raises(RangeNotSatisfiableError):
        parse_range(header, 100)
