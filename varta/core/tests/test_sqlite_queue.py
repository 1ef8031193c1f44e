"""varta/core/sqlite: the threads of one process queue for SQLite's write lock (file databases only)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, OperationalError, connections, transaction

from varta.core.sqlite import base as sqlite_base
from varta.core.sqlite.base import DatabaseWrapper, write_queue

ALIAS = "sqlite-queue-test"


def settings_for(name: str, timeout: float = 5) -> dict[str, Any]:
    return {"ENGINE": "varta.core.sqlite", "NAME": name, "ATOMIC_REQUESTS": False, "AUTOCOMMIT": True,
            "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "TIME_ZONE": None, "USER": "", "PASSWORD": "",
            "HOST": "", "PORT": "", "TEST": {},
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout,
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"}}


@pytest.fixture
def database(tmp_path: Path, django_db_blocker: Any) -> Iterator[str]:
    name = str(tmp_path / "queue.sqlite3")
    with django_db_blocker.unblock():
        setup = DatabaseWrapper(settings_for(name), alias=ALIAS)
        with setup.cursor() as cursor:
            cursor.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
            cursor.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER "
                           "REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)")
            cursor.execute("CREATE TABLE event (thread TEXT, step TEXT)")
        setup.close()
        yield name


def in_thread(database: str, work: Callable[[], None], timeout: float = 5,
              name: str | None = None) -> tuple[threading.Thread, list[BaseException]]:
    """Run ``work`` in a new thread whose ``connections[ALIAS]`` is its own connection to ``database``."""
    errors: list[BaseException] = []

    def run() -> None:
        connections[ALIAS] = DatabaseWrapper(settings_for(database, timeout), alias=ALIAS)
        try:
            work()
        except BaseException as error:  # reported to the test
            errors.append(error)
        finally:
            connections[ALIAS].close()
            del connections[ALIAS]

    started = threading.Thread(target=run, name=name)
    started.start()
    return started, errors


def log(thread: str, step: str) -> None:
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("INSERT INTO event VALUES (%s, %s)", [thread, step])


def events(name: str) -> list[tuple[str, str]]:
    reader = DatabaseWrapper(settings_for(name), alias=ALIAS)
    with reader.cursor() as cursor:
        cursor.execute("SELECT thread, step FROM event ORDER BY rowid")
        rows = [(str(thread), str(step)) for thread, step in cursor.fetchall()]
    reader.close()
    return rows


class RecordingQueue:
    """A write queue that notes who waits for it, gets it and releases it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.log: list[tuple[str, str]] = []

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        self.log.append((threading.current_thread().name, "waits"))
        got = self.lock.acquire(blocking, timeout)
        self.log.append((threading.current_thread().name, "gets"))
        return got

    def release(self) -> None:
        self.log.append((threading.current_thread().name, "releases"))
        self.lock.release()


def test_it_lets_a_second_writer_in_only_after_the_first_commits(database: str, django_db_blocker: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    queue = RecordingQueue()
    monkeypatch.setitem(sqlite_base._queues, os.path.realpath(database), queue)
    first_in = threading.Event()

    def first() -> None:
        with transaction.atomic(using=ALIAS):
            log("first", "begin")
            first_in.set()
            for _ in range(500):  # until the second thread waits in the queue, not in SQLite's busy handler
                if ("second", "waits") in queue.log:
                    break
                threading.Event().wait(0.01)
            log("first", "end")

    def second() -> None:
        assert first_in.wait(5)
        with transaction.atomic(using=ALIAS):
            log("second", "begin")

    with django_db_blocker.unblock():
        threads = [in_thread(database, first, name="first"), in_thread(database, second, name="second")]
        for thread, errors in threads:
            thread.join(10)
            assert not errors
        assert events(database) == [("first", "begin"), ("first", "end"), ("second", "begin")]
    assert queue.log == [("first", "waits"), ("first", "gets"), ("second", "waits"), ("first", "releases"),
                         ("second", "gets"), ("second", "releases")]


def test_it_frees_the_queue_on_rollback_and_on_close(database: str, django_db_blocker: Any) -> None:
    def fails() -> None:
        with transaction.atomic(using=ALIAS):
            log("fails", "begin")
            raise RuntimeError("the work failed")

    def closes() -> None:
        transaction.atomic(using=ALIAS).__enter__()
        log("closes", "begin")
        connections[ALIAS].close()  # a connection lost mid-transaction

    with django_db_blocker.unblock():
        for work, raised in ((fails, [RuntimeError]), (closes, [])):
            thread, errors = in_thread(database, work)
            thread.join(10)
            assert [type(error) for error in errors] == raised
            assert write_queue(database).acquire(blocking=False), work.__name__
            write_queue(database).release()
        assert events(database) == []  # neither was committed


def test_it_holds_the_queue_until_a_failed_commit_is_rolled_back(database: str, django_db_blocker: Any) -> None:
    def orphan() -> None:
        with transaction.atomic(using=ALIAS):
            log("orphan", "begin")
            with connections[ALIAS].cursor() as cursor:  # checked only at COMMIT: the COMMIT fails
                cursor.execute("INSERT INTO child (parent_id) VALUES (42)")

    with django_db_blocker.unblock():
        thread, errors = in_thread(database, orphan)
        thread.join(10)
        assert [type(error) for error in errors] == [IntegrityError]
        assert write_queue(database).acquire(blocking=False)
        write_queue(database).release()
        assert events(database) == []


def test_it_gives_up_after_the_timeout_like_sqlite(database: str, django_db_blocker: Any) -> None:
    queue = write_queue(database)
    queue.acquire()  # another thread of this process is writing
    try:
        with django_db_blocker.unblock():
            def waits() -> None:
                with transaction.atomic(using=ALIAS):
                    log("waits", "begin")

            thread, errors = in_thread(database, waits, timeout=0.1)
            thread.join(10)
    finally:
        queue.release()
    assert [type(error) for error in errors] == [OperationalError]
    assert str(errors[0]) == "database is locked"
    with django_db_blocker.unblock():
        assert events(database) == []


def test_it_leaves_in_memory_databases_to_django(django_db_blocker: Any) -> None:
    memory = DatabaseWrapper(settings_for(":memory:"), alias=ALIAS)
    with django_db_blocker.unblock():
        memory.ensure_connection()
        memory.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        assert memory._queue_held is None
        memory.rollback()
        memory.set_autocommit(True)
        memory.close()
