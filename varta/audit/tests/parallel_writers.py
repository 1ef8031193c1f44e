"""Parallel audited writers, shared by the concurrency tests; run as a script on a fresh embedded database.

    python -m varta.audit.tests.parallel_writers THREADS PER_THREAD   (prints a JSON summary)

The SQLite test database of pytest is in memory with a shared cache, where concurrent writers fail at once
("database table is locked") instead of queueing; the embedded deployment uses a file in WAL mode with
BEGIN IMMEDIATE, so the SQLite test runs this script against such a file in a fresh process.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any


def run_writers(threads: int, per_thread: int) -> list[str]:
    """``threads`` threads, each on its own connection, each making ``per_thread`` audited writes at once."""
    from django.db import connections, transaction

    from varta.audit import writes
    from varta.audit.writes import Actor

    errors: list[str] = []
    start = threading.Barrier(threads)

    def work(number: int) -> None:
        try:
            start.wait(timeout=30)
            for i in range(per_thread):
                with transaction.atomic():
                    writes.record(actor=Actor.system(), action="test.parallel", object_type="test.writer",
                                  object_id=f"{number}-{i}", changed=["first"])
                    writes.record(actor=Actor.system(), action="test.parallel", object_type="test.writer",
                                  object_id=f"{number}-{i}b", changed=["second"])
        except Exception as exc:  # reported to the test, which fails on any
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors


def summary() -> dict[str, Any]:
    from varta.audit.chain import verify
    from varta.audit.models import AuditEvent

    result = verify()
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    return {"ok": result.ok, "problem": str(result.problem), "checked": result.checked, "seqs": seqs,
            "head_seq": result.head_seq}


def main() -> None:
    threads, per_thread = int(sys.argv[1]), int(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "varta.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "audit", verbosity=0)
    errors = run_writers(threads, per_thread)
    print(json.dumps({"vendor": connection.vendor, "errors": errors, **summary()}))


if __name__ == "__main__":
    main()
