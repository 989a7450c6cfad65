"""``backpedal serve``: the coach web app (waitress + Django) and its analysis workers."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import FrameType

from analyzer.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``serve`` sub-command."""
    p = sub.add_parser(
        "serve",
        help="run the coach web app (upload clips, follow the analysis, share reports)",
        description=(
            "Run the coach web app: a web server and --workers analysis processes. The "
            "database (SQLite in --data, or PostgreSQL with --database) is migrated on start."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--data",
        type=Path,
        default=Path("backpedal-data"),
        help="folder for uploads, reports and the SQLite database",
    )
    p.add_argument("--database", help="database URL, e.g. postgresql://user:pw@host/db")
    p.add_argument("--workers", type=int, default=1, help="analysis worker processes (default 1)")
    p.add_argument("--threads", type=int, default=8, help="web server threads (default 8)")
    p.add_argument("--max-upload-mb", type=float, help="largest clip accepted (default 500)")
    p.add_argument(
        "--create-coach",
        metavar="USERNAME",
        help="create a coach account in --team (asks for the password) and exit",
    )
    p.add_argument(
        "--import-batch",
        metavar="DIR",
        type=Path,
        help="import a `backpedal batch` output folder into --team and exit",
    )
    p.add_argument("--team", help="team name for --create-coach / --import-batch")
    p.add_argument(
        "--password-env",
        metavar="VAR",
        help="with --create-coach: read the password from this environment variable",
    )
    p.set_defaults(func=run)


def _environment(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "analyzer.web.settings"
    env["BACKPEDAL_WEB_DATA"] = str(args.data.resolve())
    if args.database:
        env["BACKPEDAL_WEB_DATABASE"] = args.database
    if args.max_upload_mb:
        env["BACKPEDAL_WEB_MAX_UPLOAD_MB"] = str(args.max_upload_mb)
    return env


def _setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    try:
        import django
    except ImportError as exc:
        raise ConfigError(
            "The web app's packages are not installed.",
            "Install them with `pip install -e '.[web]'` (or `bash scripts/install.sh --test`).",
        ) from exc
    django.setup()


class WorkerPool:
    """N worker processes, restarted when one dies; stopped with SIGTERM on shutdown."""

    def __init__(self, n: int, env: dict[str, str], *, verbose: bool = False) -> None:
        self.n, self.env, self.verbose = n, env, verbose
        self.procs: list[subprocess.Popen] = []
        self.stopping = threading.Event()
        self.watcher = threading.Thread(target=self._watch, daemon=True, name="worker-watch")

    def _spawn(self) -> subprocess.Popen:
        cmd = [sys.executable, "-m", "analyzer.web.worker"]
        return subprocess.Popen([*cmd, "--verbose"] if self.verbose else cmd, env=self.env)

    def start(self) -> None:
        self.procs = [self._spawn() for _ in range(self.n)]
        self.watcher.start()

    def _watch(self) -> None:
        while not self.stopping.wait(2.0):
            for i, proc in enumerate(self.procs):
                if proc.poll() is not None and not self.stopping.is_set():
                    print(
                        f"worker {proc.pid} exited ({proc.returncode}); starting another",
                        file=sys.stderr,
                    )
                    self.procs[i] = self._spawn()

    def stop(self, timeout_s: float = 10.0) -> None:
        self.stopping.set()
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    """Migrate, then serve until interrupted (or run a one-off account/import task)."""
    if args.workers < 0:
        raise ConfigError(
            f"--workers {args.workers} is below 0.", "Give 0 (web server only) or more."
        )
    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port {args.port} is not a TCP port.", "Give 0-65535.")
    if (args.create_coach or args.import_batch) and not args.team:
        raise ConfigError("--create-coach and --import-batch need a team.", "Add --team NAME.")
    env = _environment(args)
    _setup_django(env)
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("migrate", interactive=False, verbosity=0)
    try:
        if args.create_coach:
            call_command(
                "createcoach", args.create_coach, team=args.team, password_env=args.password_env
            )
            return 0
        if args.import_batch:
            call_command("importbatch", str(args.import_batch), team=args.team)
            return 0
    except CommandError as exc:
        raise ConfigError(str(exc), "") from exc
    return _serve(args, env)


def _serve(args: argparse.Namespace, env: dict[str, str]) -> int:
    import waitress
    from django.conf import settings

    from analyzer.web.wsgi import application

    pool = WorkerPool(args.workers, env, verbose=bool(getattr(args, "verbose", False)))
    pool.start()
    signal.signal(signal.SIGTERM, _raise_interrupt)
    print(
        f"Backpedal coach app on http://{args.host}:{args.port}/ "
        f"(data in {settings.DATA_DIR}, {args.workers} worker(s)); Ctrl+C stops it.",
        flush=True,
    )
    try:
        waitress.serve(
            application,
            host=args.host,
            port=args.port,
            threads=args.threads,
            max_request_body_size=settings.MAX_UPLOAD_BYTES + 1024 * 1024,
            ident="backpedal",
            _quiet=True,
        )
    except KeyboardInterrupt:
        pass
    finally:
        pool.stop()
    return 0
