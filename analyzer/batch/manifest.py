"""The batch manifest: one SQLite file in the output folder, the source of truth of a batch.

One row per clip (``clips``, keyed by the clip's path in the batch folder) holds its key
(SHA-256 of clip SHA-256 + analyzer version + settings hash), state, attempt count, last
error and timings; one row per attempt (``attempts``) says how each try ended. Only the
coordinating process writes it (workers, local or on a Dask cluster, never touch it), inside
an exclusive lock on ``.batch.lock``, so no leases are needed: a clip found ``running`` when
a coordinator starts was interrupted (its coordinator died) and goes back to ``pending``.

WAL journal with ``synchronous=FULL``: a committed state survives a power loss, and a
reader (a test, ``sqlite3`` at the prompt) never blocks the coordinator.
See https://www.sqlite.org/wal.html.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.errors import ConfigError

MANIFEST_NAME = "manifest.sqlite"
LOCK_NAME = ".batch.lock"
SCHEMA_VERSION = 1
#: A clip whose worker dies this many times is marked failed.
MAX_ATTEMPTS = 3
_RERUN_ERROR = "the worker died during this run; Dask started the task again"

STATES = ("pending", "running", "done", "failed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clips (
    rel TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    clip_sha256 TEXT NOT NULL,
    analyzer_version TEXT NOT NULL,
    settings_hash TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    athlete TEXT NOT NULL,
    date TEXT,
    out_rel TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    hint TEXT NOT NULL DEFAULT '',
    error_type TEXT NOT NULL DEFAULT '',
    worker TEXT NOT NULL DEFAULT '',
    started_at REAL,
    finished_at REAL,
    timings_json TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rel TEXT NOT NULL,
    key TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL,
    outcome TEXT CHECK (outcome IN ('done', 'failed', 'crashed', 'interrupted', 'adopted')),
    worker TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS attempts_rel ON attempts (rel);
"""


@dataclass(frozen=True)
class ClipRow:
    """A clip's identity as the coordinator computed it this run."""

    rel: str
    key: str
    clip_sha256: str
    analyzer_version: str
    settings_hash: str
    size_bytes: int
    mtime_ns: int
    athlete: str
    date: str | None
    out_rel: str


@contextlib.contextmanager
def batch_lock(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out_dir/.batch.lock`` (released even on SIGKILL).

    Raises ConfigError at once when another batch holds it.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / LOCK_NAME).open("a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ConfigError(
                f"another batch is running on {out_dir}.",
                "Wait for it to finish, or give another --out folder.",
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class Manifest:
    """The manifest of one output folder (open it with :meth:`open`)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def open(cls, out_dir: str | Path) -> Manifest:
        """Open (creating if needed) ``out_dir/manifest.sqlite`` in WAL mode."""
        path = Path(out_dir) / MANIFEST_NAME
        conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.executescript(_SCHEMA)
        version = conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
        if version is None:
            conn.execute(
                "INSERT INTO meta (name, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
            )
        elif int(version[0]) != SCHEMA_VERSION:
            conn.close()
            raise ConfigError(
                f"{path} was written by another version of the batch (schema {version[0]}).",
                "Give a new --out folder, or delete the old manifest to start over.",
            )
        return cls(conn, path)

    @staticmethod
    @contextlib.contextmanager
    def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        """Close the database."""
        self._conn.close()

    # ----------------------------------------------------------------------------- reading

    def get(self, rel: str) -> sqlite3.Row | None:
        """The clip's row, or None."""
        row: sqlite3.Row | None = self._conn.execute(
            "SELECT * FROM clips WHERE rel = ?", (rel,)
        ).fetchone()
        return row

    def _known(self, rel: str) -> sqlite3.Row:
        """The clip's row; ``KeyError`` for a clip the manifest does not hold."""
        row = self.get(rel)
        if row is None:
            raise KeyError(rel)
        return row

    def rows(self, rels: list[str] | None = None) -> list[sqlite3.Row]:
        """Rows of the given clips (in that order), or every row by path."""
        if rels is None:
            return list(self._conn.execute("SELECT * FROM clips ORDER BY rel"))
        found = {r["rel"]: r for r in self._conn.execute("SELECT * FROM clips")}
        return [found[r] for r in rels if r in found]

    def attempts(self, rel: str | None = None) -> list[sqlite3.Row]:
        """Attempt rows (of one clip, or all), oldest first."""
        if rel is None:
            return list(self._conn.execute("SELECT * FROM attempts ORDER BY id"))
        return list(self._conn.execute("SELECT * FROM attempts WHERE rel = ? ORDER BY id", (rel,)))

    # ----------------------------------------------------------------------------- writing

    def sync(self, clips: list[ClipRow]) -> None:
        """Insert new clips as pending; a clip whose key changed starts over (pending, 0
        attempts); others keep their state. Athlete, date and output folder are refreshed."""
        with self._transaction(self._conn):
            for c in clips:
                old = self.get(c.rel)
                if old is not None and old["key"] == c.key:
                    self._conn.execute(
                        "UPDATE clips SET athlete = ?, date = ?, out_rel = ?, size_bytes = ?, "
                        "mtime_ns = ? WHERE rel = ?",
                        (c.athlete, c.date, c.out_rel, c.size_bytes, c.mtime_ns, c.rel),
                    )
                    continue
                self._conn.execute(
                    "INSERT OR REPLACE INTO clips (rel, key, clip_sha256, analyzer_version, "
                    "settings_hash, size_bytes, mtime_ns, athlete, date, out_rel, state) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                    (
                        c.rel,
                        c.key,
                        c.clip_sha256,
                        c.analyzer_version,
                        c.settings_hash,
                        c.size_bytes,
                        c.mtime_ns,
                        c.athlete,
                        c.date,
                        c.out_rel,
                    ),
                )

    def recover(self) -> list[str]:
        """Put clips left ``running`` by a dead coordinator back to pending; returns them."""
        now = time.time()
        with self._transaction(self._conn):
            rels = [
                r[0] for r in self._conn.execute("SELECT rel FROM clips WHERE state = 'running'")
            ]
            self._conn.execute(
                "UPDATE attempts SET outcome = 'interrupted', finished_at = ? "
                "WHERE outcome IS NULL",
                (now,),
            )
            self._conn.execute("UPDATE clips SET state = 'pending' WHERE state = 'running'")
        return rels

    def reset(self, rel: str) -> None:
        """Start a clip over (``--force``, or its outputs went missing): pending, 0 attempts."""
        with self._transaction(self._conn):
            self._conn.execute(
                "UPDATE clips SET state = 'pending', attempts = 0, error = '', hint = '', "
                "error_type = '' WHERE rel = ?",
                (rel,),
            )

    def start(self, rel: str) -> int:
        """Record the start of a new attempt; returns its number (1-based)."""
        now = time.time()
        with self._transaction(self._conn):
            row = self._known(rel)
            attempt = int(row["attempts"]) + 1
            self._conn.execute(
                "UPDATE clips SET state = 'running', attempts = ?, started_at = ?, "
                "finished_at = NULL WHERE rel = ?",
                (attempt, now, rel),
            )
            self._conn.execute(
                "INSERT INTO attempts (rel, key, attempt, started_at) VALUES (?, ?, ?, ?)",
                (rel, row["key"], attempt, now),
            )
        return attempt

    def finish(
        self,
        rel: str,
        outcome: str,
        *,
        error: str = "",
        hint: str = "",
        error_type: str = "",
        worker: str = "",
        timings_s: dict[str, Any] | None = None,
        earlier_runs: Sequence[tuple[float, str]] = (),
    ) -> str:
        """Close the open attempt with ``outcome`` and set the clip's state; returns it.

        ``done``/``adopted`` -> done; ``failed`` -> failed; ``crashed`` -> pending again
        while fewer than :data:`MAX_ATTEMPTS` attempts were made, else failed.
        ``earlier_runs`` (``(start time, worker)``): runs of the open attempt whose worker
        died and that Dask started again by itself; each is recorded as a crashed attempt
        before the one that ends now, so ``attempts`` counts every run that began.
        """
        now = time.time()
        with self._transaction(self._conn):
            row = self._known(rel)
            attempts = int(row["attempts"])
            if earlier_runs:
                self._record_earlier_runs(row, earlier_runs)
                attempts += len(earlier_runs)
            if outcome in ("done", "adopted"):
                state = "done"
            elif outcome == "crashed" and attempts < MAX_ATTEMPTS:
                state = "pending"
            else:
                state = "failed"
            if outcome == "crashed" and state == "failed":
                error = f"the worker process died on each of {attempts} attempts: {error}"
            self._conn.execute(
                "UPDATE attempts SET outcome = ?, finished_at = ?, worker = ?, error = ? "
                "WHERE rel = ? AND outcome IS NULL",
                (outcome, now, worker, error, rel),
            )
            if outcome == "adopted":
                self._conn.execute(
                    "INSERT INTO attempts (rel, key, attempt, started_at, finished_at, outcome)"
                    " VALUES (?, ?, ?, ?, ?, 'adopted')",
                    (rel, row["key"], row["attempts"], now, now),
                )
            self._conn.execute(
                "UPDATE clips SET state = ?, error = ?, hint = ?, error_type = ?, worker = ?, "
                "finished_at = ?, timings_json = ? WHERE rel = ?",
                (
                    state,
                    error if state != "done" else "",
                    hint if state != "done" else "",
                    error_type if state != "done" else "",
                    worker,
                    now,
                    json.dumps(timings_s or {}),
                    rel,
                ),
            )
        return state

    def _record_earlier_runs(self, row: sqlite3.Row, runs: Sequence[tuple[float, str]]) -> None:
        """Insert ``runs`` as crashed attempts before the open one (renumbered after them).

        When each died is unknown (its worker was lost), so ``finished_at`` stays empty.
        """
        rel, first = row["rel"], int(row["attempts"])
        self._conn.execute(
            "UPDATE attempts SET attempt = attempt + ? WHERE rel = ? AND outcome IS NULL",
            (len(runs), rel),
        )
        self._conn.executemany(
            "INSERT INTO attempts (rel, key, attempt, started_at, outcome, worker, error) "
            "VALUES (?, ?, ?, ?, 'crashed', ?, ?)",
            [
                (rel, row["key"], first + i, started_at, worker, _RERUN_ERROR)
                for i, (started_at, worker) in enumerate(runs)
            ],
        )
        self._conn.execute(
            "UPDATE clips SET attempts = attempts + ? WHERE rel = ?", (len(runs), rel)
        )
