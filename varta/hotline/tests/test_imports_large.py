"""Large call logs: read in bounded memory (the file is never held whole) and committed batch by batch."""

from __future__ import annotations

import tracemalloc

import pytest

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.hotline import importer
from varta.hotline.models import Consultation, Contact, ImportStatus
from varta.hotline.tests.helpers_imports import HEADER, csv_bytes, run, upload

NOTE = "Asked how to check a job offer in Poland; advised to verify the agency licence. " * 7


@pytest.fixture(autouse=True)
def _imports(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(importer, "launch", importer.run_job)


@pytest.fixture
def manager(personas):
    return personas.a.membership(Role.INFORMATION_MANAGER)


def a_row(i: int) -> list[str]:
    return [f"c-{i}", f"2024-0{1 + i % 9}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}", "phone", str(60 + i % 900),
            "job-offer-check; travel-rules" if i % 3 else "other", "UA2110023" if i % 2 else "UA21", NOTE]


def test_it_checks_20000_rows_in_bounded_memory(manager, places, django_capture_on_commit_callbacks):
    """Every row of a 9 MB file is read and checked while only a small, constant part of it is held; the one bad
    row is the last, and strict mode still imports nothing."""
    rows = 20_000
    content = csv_bytes([HEADER, *(a_row(i) for i in range(rows - 1)), ["bad", "2024-03-01", "phone", "1",
                                                                        "astrology", "", ""]])
    size = len(content)
    job = upload(manager, content)
    del content
    tracemalloc.start()
    try:
        job = run(manager, job, django_capture_on_commit_callbacks, strict=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (job.status, job.rows_read, job.rows_rejected, job.rows_imported) == (ImportStatus.REJECTED, rows, 1, 0)
    assert not Contact.objects.exists()
    assert size > 8 * 1024 * 1024
    assert peak < size / 10, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"


def test_it_commits_a_large_file_batch_by_batch(manager, places, django_capture_on_commit_callbacks):
    rows = 5_000
    job = run(manager, upload(manager, csv_bytes([HEADER, *(a_row(i) for i in range(rows))])),
              django_capture_on_commit_callbacks)
    assert (job.status, job.rows_imported, job.rows_committed) == (ImportStatus.DONE, rows, rows + 1)
    assert Contact.objects.count() == rows
    assert Consultation.objects.count() == sum(2 if i % 3 else 1 for i in range(rows))
    batches = rows // importer.BATCH_ROWS
    assert AuditEvent.objects.filter(action="hotline.contact.import").count() == batches  # one event per batch
    assert AuditEvent.objects.filter(action="hotline.consultation.import").count() == batches
