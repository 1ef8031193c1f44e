"""Helpers of the import tests (test_imports_*.py): files made in memory, uploads as the view would store them."""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl  # type: ignore[import-untyped]

from varta.audit.writes import Actor
from varta.hotline import importer
from varta.hotline.importer_files import StoredUpload, import_dir
from varta.hotline.models import ImportJob

HEADER = ["Call id", "Date", "Channel", "Duration", "Topics", "Place", "Notes"]


def csv_bytes(rows: Iterable[Sequence[Any]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Log")
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stored(content: bytes, name: str = "log.csv") -> StoredUpload:
    """The upload as ImportUploadHandler leaves it: a file under VAR_DIR/imports."""
    path = import_dir() / f"{uuid.uuid4().hex}.upload"
    path.write_bytes(content)
    return StoredUpload(path=path, name=name, size=len(content), sha256=hashlib.sha256(content).hexdigest())


def actor_of(membership: Any) -> Actor:
    return Actor(user=membership.user, organisation=membership.organisation)


def upload(membership: Any, content: bytes, name: str = "log.csv") -> ImportJob:
    return importer.import_job_create(actor=actor_of(membership), membership=membership, upload=stored(content, name))


def run(membership: Any, job: ImportJob, capture: Any, **options: Any) -> ImportJob:
    """Map (with the suggested columns unless ``columns`` is given) and run the job inline (see the fixtures)."""
    columns = options.pop("columns", None) or job.mapping["columns"]
    options.setdefault("default_channel", "phone")
    with capture(execute=True):
        importer.import_job_map(actor=actor_of(membership), membership=membership, job=job, columns=columns,
                                **options)
    job.refresh_from_db()
    return job
