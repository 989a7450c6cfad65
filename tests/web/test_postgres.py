"""Migrations and the job queue on a real PostgreSQL server started in a temporary folder.

Uses Debian's ``postgresql`` package (installed by ``scripts/install.sh --test``); the
server listens on 127.0.0.1 and a private socket folder only, and runs as ``nobody`` when
the tests run as root (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.web.fakes import PROJECT_ROOT

pytestmark = pytest.mark.slow


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def postgres_url():
    """Start a throw-away PostgreSQL; yield its URL; stop and delete it afterwards."""
    pg_bin = _pg_bin()
    if pg_bin is None:
        pytest.skip("PostgreSQL is not installed (Debian package `postgresql`; "
                    "`bash scripts/install.sh --test` installs it when run as root)")
    pytest.importorskip("psycopg")
    as_user: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("running as root without `runuser` to start PostgreSQL as nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    root = Path(tempfile.mkdtemp(prefix="backpedal-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if as_user:
        shutil.chown(root, "nobody")
        shutil.chown(sock, "nobody")
    port = _free_port()
    env = {**os.environ, "LC_ALL": "C"}
    try:
        subprocess.run([*as_user, str(pg_bin / "initdb"), "-D", str(data), "-U", "postgres",
                        "-A", "trust", "-E", "UTF8", "--no-sync"],
                       check=True, capture_output=True, env=env, timeout=120)
        subprocess.run([*as_user, str(pg_bin / "pg_ctl"), "-D", str(data), "-w", "-t", "60",
                        "-l", str(root / "pg.log"), "-o",
                        f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off",
                        "start"], check=True, capture_output=True, env=env, timeout=90)
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True, env=env, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def test_migrations_and_job_queue_on_postgresql(postgres_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPEDAL_WEB_")}
    env.update(BACKPEDAL_WEB_DATABASE=postgres_url, BACKPEDAL_WEB_DATA=str(tmp_path),
               BACKPEDAL_WEB_SECRET_KEY="pg-test-" + "k" * 40, PYTHONPATH=str(PROJECT_ROOT),
               DJANGO_SETTINGS_MODULE="analyzer.web.settings")
    run = subprocess.run([sys.executable, "-m", "tests.web.pg_queue_check"], env=env,
                         cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "postgresql queue ok" in run.stdout
