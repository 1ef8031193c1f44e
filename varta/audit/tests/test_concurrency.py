"""Parallel writers never fork the chain: PostgreSQL (row lock on the head) and SQLite (BEGIN IMMEDIATE, WAL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections, transaction

from varta.accounts import actions as account_actions
from varta.audit import chain
from varta.audit.models import AuditEvent
from varta.audit.tests.parallel_writers import run_writers
from varta.audit.writes import Actor

THREADS, PER_THREAD = 8, 25  # each iteration writes two events in one transaction

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="needs PostgreSQL: set DATABASE_URL=postgres://… to run it")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_chain_with_parallel_writers_on_postgresql():
    before = AuditEvent.objects.count()
    errors = run_writers(THREADS, PER_THREAD)
    assert errors == []
    result = chain.verify()
    assert result.ok, result.problem
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    total = before + THREADS * PER_THREAD * 2
    assert seqs == list(range(1, total + 1))  # no gap, no duplicate, no fork
    assert result.head_seq == total
    # Each transaction's two events are adjacent: a writer holds the head until it commits.
    pairs = AuditEvent.objects.filter(action="test.parallel").order_by("seq").values_list("object_id", flat=True)
    ids = list(pairs)
    assert all(ids[i + 1] == ids[i] + "b" for i in range(0, len(ids), 2))


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_it_does_not_deadlock_writers_that_touch_rows_in_opposite_orders():
    """Each writer updates two users, half of them in the other order: the head lock taken first orders them."""
    system = Actor.system()
    users = [account_actions.user_create(actor=system, username=f"user{n}", full_name=f"User {n}", password=None)
             for n in range(2)]
    errors: list[str] = []
    start = threading.Barrier(THREADS)

    def work(number: int) -> None:
        try:
            start.wait(timeout=30)
            order = users if number % 2 else users[::-1]
            for i in range(10):
                with transaction.atomic():
                    for user in order:
                        account_actions.user_update_profile(actor=system, user=user, full_name=f"U{number}-{i}",
                                                            email="", language="en")
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert chain.verify().ok


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded SQLite database is tested on SQLite runs")
def test_it_keeps_one_chain_with_parallel_writers_on_sqlite(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VARTA_DATA_KEYS")}
    env.update(VARTA_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="varta.settings")
    completed = subprocess.run(
        [sys.executable, "-m", "varta.audit.tests.parallel_writers", str(THREADS), str(PER_THREAD)],
        env=env, capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[3],
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["vendor"] == "sqlite"
    assert report["errors"] == []
    assert report["ok"], report["problem"]
    total = THREADS * PER_THREAD * 2
    assert report["seqs"] == list(range(1, total + 1))
    assert report["head_seq"] == total
