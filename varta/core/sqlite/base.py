"""Django's SQLite backend, with the threads of one process queueing for SQLite's write lock.

Varta's SQLite transactions begin with ``BEGIN IMMEDIATE`` (``transaction_mode``, varta/settings.py): each takes
the database's one write lock at its start. A thread that finds the lock taken is left to SQLite's busy handler,
which retries after sleeping 1, 2, 5, 10, … up to 100 ms at a time. A writer therefore often sleeps on well after
the lock was freed, and one that keeps losing the race to newer writers waits far longer than the work before it.
Measured with four clients saving hotline contacts at once on a 10,000-contact database (docs/benchmarks.md,
"Sixth step", five runs): median 8–14 ms, p95 42–48 ms, and the slowest save of each run 1.3–2.4 s.

So a transaction first takes a lock of this process for its database file, held until its COMMIT or ROLLBACK
has ended SQLite's transaction; a thread waiting for it starts the moment it is released. The same runs: median
17–24 ms, p95 25–38 ms, slowest 42–55 ms, at the same rate (197 against 199 saves a second). Other processes (a
management command beside ``varta serve``) still meet SQLite's busy handler at BEGIN, as before. The wait for the
queue is bounded by the connection's ``timeout`` and then fails as SQLite would, with "database is locked".

In-memory databases (the test suite's) keep Django's behaviour: their connections share one cache whose table
locks fail at once instead of waiting.
"""

from __future__ import annotations

import os
import threading
from functools import cached_property
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_queues: dict[str, threading.Lock] = {}
_queues_guard = threading.Lock()

# sqlite3.connect's own default, when OPTIONS has no "timeout"
DEFAULT_TIMEOUT = 5.0


def write_queue(name: str) -> threading.Lock:
    """The lock shared by every connection of this process to the database file ``name``."""
    key = os.path.realpath(name)
    with _queues_guard:
        return _queues.setdefault(key, threading.Lock())


# django-stubs leave out the private transaction methods this class extends.
_SQLiteWrapper: Any = base.DatabaseWrapper


class DatabaseWrapper(_SQLiteWrapper):
    _queue_held: threading.Lock | None = None

    @cached_property
    def _queue(self) -> threading.Lock | None:
        """This connection's queue, looked up once (its file and transaction mode do not change)."""
        if self.transaction_mode not in ("IMMEDIATE", "EXCLUSIVE") or self.is_in_memory_db():
            return None  # DEFERRED transactions take the write lock later, at their first write
        return write_queue(str(self.settings_dict["NAME"]))

    def _start_transaction_under_autocommit(self) -> None:
        queue = self._queue
        if queue is None:
            super()._start_transaction_under_autocommit()
            return
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", DEFAULT_TIMEOUT))
        if not queue.acquire(timeout=timeout):
            raise OperationalError("database is locked")
        self._queue_held = queue
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_queue()
            raise

    def _leave_queue(self, *, closing: bool = False) -> None:
        """Let the next writer in once SQLite's transaction has ended: a COMMIT that failed leaves it open (the
        ROLLBACK that follows ends it); closing the connection ends it, whatever it was."""
        if self._queue_held is None:
            return
        raw: Any = self.connection
        if not closing and raw is not None and raw.in_transaction:
            return
        queue, self._queue_held = self._queue_held, None
        queue.release()

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._leave_queue()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._leave_queue()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._leave_queue(closing=True)
