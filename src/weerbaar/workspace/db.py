"""Opening, creating and migrating a workspace.

A workspace is a folder holding ``weerbaar.sqlite`` (WAL mode, so readers never block the
single writer). Its schema version lives in ``PRAGMA user_version``.

Runs that write a lot (``ingest``) and schema migrations hold the workspace lock
(``weerbaar.lock`` beside the database, an OS file lock that is released when the process ends,
also after kill -9), so two of them on one workspace wait for each other instead of
colliding half-way.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from weerbaar.errors import WorkspaceError
from weerbaar.workspace.migrations import MIGRATIONS

if TYPE_CHECKING:
    from weerbaar.workspace.accounts import AccountStore
    from weerbaar.workspace.analysis import AnalysisStore
    from weerbaar.workspace.decisions import DecisionLog
    from weerbaar.workspace.documents import Documents
    from weerbaar.workspace.evidence import EvidenceReader
    from weerbaar.workspace.fetch_state import FetchState
    from weerbaar.workspace.passages import Passages
    from weerbaar.workspace.search import FullTextSearch
    from weerbaar.workspace.settings import Settings

DB_FILENAME = "weerbaar.sqlite"
LOCK_FILENAME = "weerbaar.lock"
DEFAULT_WORKSPACE = "weerbaar-werkruimte"
ENV_WORKSPACE = "WEERBAAR_WERKRUIMTE"
SCHEMA_VERSION = len(MIGRATIONS)


def timestamp(timespec: str = "seconds") -> str:
    """The one time format every workspace table stores: UTC, ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat(timespec=timespec)


def resolve_workspace_path(path: str | os.PathLike | None) -> Path:
    """Flag, then environment variable, then ``./weerbaar-werkruimte``."""
    if path:
        return Path(path)
    return Path(os.environ.get(ENV_WORKSPACE) or DEFAULT_WORKSPACE)


_held = threading.local()  # lock files this thread holds, so that nested holds are free


class _LockFile:
    """An exclusive OS lock on one file (``flock`` on POSIX, ``msvcrt.locking`` on Windows).

    The operating system drops it when the process ends, however it ends, so a stale lock
    cannot exist. Each holder opens the file itself, so two threads exclude each other too.
    """

    def __init__(self, path: str):
        self.path = path
        self.fd: int | None = None

    def try_acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)  # OSError: a folder we may not write in
        try:
            _lock_fd(fd)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):  # held by someone else
                return False
            raise
        self.fd = fd
        return True

    def acquire(self, timeout: float) -> bool:
        """Wait for the lock: as long as it takes (timeout < 0) or ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not self.try_acquire():
            if 0 <= timeout and time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True

    def release(self) -> None:
        if self.fd is not None:
            _unlock_fd(self.fd)
            os.close(self.fd)
            self.fd = None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_fd(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock_fd(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def file_lock(path: Path) -> Iterator[bool]:
    """Try an exclusive OS lock on ``path`` without waiting: yields whether we hold it (a cache's one writer)."""
    lock = _LockFile(str(path))
    try:
        mine = lock.try_acquire()
    except OSError:  # a folder we may not write in: nobody can write the cache there
        mine = False
    try:
        yield mine
    finally:
        lock.release()


@contextmanager
def workspace_lock(folder: Path, purpose: str, *, on_wait: Callable[[str], None] | None = None,
                   timeout: float = -1) -> Iterator[None]:
    """Hold the workspace's exclusive lock for ``purpose`` (a Dutch phrase such as "inlezen").

    When another process (or thread) holds it, ``on_wait`` is told once (with a Dutch message)
    and we wait; ``timeout`` seconds (-1: as long as it takes) before a :class:`WorkspaceError`.
    Holding it again inside a hold of the same thread is allowed and costs nothing.
    """
    path = str((Path(folder) / LOCK_FILENAME).resolve())
    held: set[str] = getattr(_held, "paths", None) or set()
    _held.paths = held
    if path in held:
        yield
        return
    lock = _LockFile(path)
    try:
        free = lock.try_acquire()
    except OSError as exc:  # a read-only folder: the lock file cannot be made
        raise WorkspaceError(
            f"Werkruimte '{folder}' kan niet worden vergrendeld voor {purpose}"
            + (f" ({exc.strerror})." if exc.strerror else "."),
            hint="Controleer of u in de map van de werkruimte mag schrijven.",
        ) from None
    if not free:
        if on_wait:
            on_wait(f"Er loopt al een andere opdracht in werkruimte '{folder}'; {purpose} wacht tot die klaar is "
                    "(Ctrl-C om te stoppen).")
        if not lock.acquire(timeout):
            raise WorkspaceError(
                f"Werkruimte '{folder}' is bezet door een andere opdracht; {purpose} is niet gestart.",
                hint="Wacht tot de andere opdracht klaar is en probeer het opnieuw.",
            )
    held.add(path)
    try:
        yield
    finally:
        held.discard(path)
        lock.release()


def _set_wal(conn: sqlite3.Connection, patience: float = 10.0) -> None:
    """WAL mode; retried while another process sets up the same new workspace.

    Changing the journal mode needs an exclusive lock, and SQLite may answer "database is locked"
    at once instead of waiting for its busy timeout when another connection is mid-migration.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


class Workspace:
    """A connection to one workspace; use as a context manager or call :meth:`close`.

    All SQL lives in its repositories (``documents``, ``passages``, ``analysis``, ``settings``,
    ``fetch_state``, ``search``), made on first use; they share this connection, so they take
    part in :meth:`transaction` together.
    """

    def __init__(self, folder: Path, conn: sqlite3.Connection):
        self.folder = folder
        self.conn = conn

    # Repositories (imported on first use: they import this module)
    @cached_property
    def documents(self) -> Documents:
        from weerbaar.workspace.documents import Documents

        return Documents(self)

    @cached_property
    def passages(self) -> Passages:
        from weerbaar.workspace.passages import Passages

        return Passages(self)

    @cached_property
    def analysis(self) -> AnalysisStore:
        from weerbaar.workspace.analysis import AnalysisStore

        return AnalysisStore(self)

    @cached_property
    def settings(self) -> Settings:
        from weerbaar.workspace.settings import Settings

        return Settings(self)

    @cached_property
    def fetch_state(self) -> FetchState:
        from weerbaar.workspace.fetch_state import FetchState

        return FetchState(self)

    @cached_property
    def search(self) -> FullTextSearch:
        from weerbaar.workspace.search import FullTextSearch

        return FullTextSearch(self)

    @classmethod
    def open(cls, folder: str | os.PathLike, *, create: bool = False) -> Workspace:
        folder = Path(folder)
        db_path = folder / DB_FILENAME
        if not db_path.exists():
            if not create:
                raise WorkspaceError(
                    f"Geen werkruimte gevonden in '{folder}'.",
                    hint="Lees eerst documenten in met 'weerbaar ingest MAP', of kies een andere "
                    "map met --werkruimte (of de omgevingsvariabele WEERBAAR_WERKRUIMTE).",
                )
            if folder.exists() and not folder.is_dir():
                raise WorkspaceError(f"'{folder}' is een bestand, geen map voor een werkruimte.")
            folder.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout=10000")  # first: a new workspace may be set up by two processes
            _set_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(
                f"'{db_path}' is geen geldige weerbaar-werkruimte ({exc}).",
                hint="Kies een andere map met --werkruimte.",
            ) from exc
        ws = cls(folder, conn)
        if ws.schema_version != SCHEMA_VERSION:
            try:
                with workspace_lock(folder, "het bijwerken van de werkruimte"):
                    ws.migrate()
            except BaseException:
                conn.close()
                raise
        return ws

    @cached_property
    def decisions(self) -> DecisionLog:
        """The decision log: every reviewer's decision and which one counts."""
        from weerbaar.workspace.decisions import DecisionLog

        return DecisionLog(self)

    @cached_property
    def accounts(self) -> AccountStore:
        """Accounts and sessions of a shared review server."""
        from weerbaar.workspace.accounts import AccountStore

        return AccountStore(self)

    @cached_property
    def evidence(self) -> EvidenceReader:
        """What verdicts, queues and the review screen read about passages, suggestions and documents."""
        from weerbaar.workspace.evidence import EvidenceReader

        return EvidenceReader(self)

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        """Bring the schema up to date, one transaction per step (call it under the lock)."""
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise WorkspaceError(
                f"Deze werkruimte is gemaakt met een nieuwere versie van weerbaar "
                f"(schemaversie {current}; deze versie kent tot en met {SCHEMA_VERSION}).",
                hint="Werk weerbaar bij: pip install --upgrade weerbaar.",
            )
        for number, step in enumerate(MIGRATIONS[current:], start=current + 1):
            with self.transaction():
                if self.schema_version >= number:  # another process without the lock got here first
                    continue
                step(self.conn)
                self.conn.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; rolled back as a whole on any exception (or a killed process)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    @contextmanager
    def exclusive(self, purpose: str, *, on_wait: Callable[[str], None] | None = None) -> Iterator[Workspace]:
        """Hold the workspace lock for a long writing run (see :func:`workspace_lock`)."""
        with workspace_lock(self.folder, purpose, on_wait=on_wait):
            yield self

    def update_statistics(self) -> None:
        """Refresh the query planner's table statistics after a bulk write (analysis): the verdict
        queries are only fast when SQLite knows there are far fewer documents than suggestions."""
        from weerbaar.workspace.migrations import update_statistics

        update_statistics(self.conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
