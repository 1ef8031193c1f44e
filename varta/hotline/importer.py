"""Importing historical call logs: an import job from upload to result (docs/hotline-import.md).

1. ``import_job_create``: the upload (already streamed to ``VAR_DIR/imports/``) is recognised by content (CSV or
   XLSX), its header read and a column mapping suggested.
2. ``import_job_map`` saves the mapping chosen by the information manager and starts the run
   (``import_job_start``, which also resumes an interrupted run).
3. The run (``run_job``) happens in a background thread of the server process and reports progress in the job
   row, which the progress page polls from other requests. It reads the file twice, streaming both times:
   first it checks every row (keeping nothing but the rejected rows' numbers and reasons, written to a file),
   then — unless the import is strict and a row was rejected — it commits the valid rows in batches, each batch
   one transaction with its audit events. The job row keeps a checkpoint (the last committed row), and every
   contact an external id (the file's id, or a hash of the row), so a run stopped half-way (the process died)
   is resumed without duplicates, and importing the same file twice adds nothing.
"""

from __future__ import annotations

import contextvars
import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from varta.accounts.permissions import Action, require
from varta.audit import writes
from varta.audit.writes import Actor
from varta.hotline import rollups
from varta.hotline.actions import consultation_row, contact_fields
from varta.hotline.importer_files import (
    FileFormat,
    ImportFileError,
    StoredUpload,
    import_dir,
    open_table,
    preview,
    sniff,
)
from varta.hotline.importer_rows import (
    FIELD_BY_KEY,
    Lookups,
    ParsedRow,
    RowOptions,
    column_name,
    parse_row,
    suggest_mapping,
)
from varta.hotline.models import Contact, ImportJob, ImportStatus
from varta.orgs.models import Membership

log = logging.getLogger("varta.hotline.import")

BATCH_ROWS = 500  # rows per transaction: short enough that operators' writes never wait long for the lock
TICK_SECONDS = 1.0  # how often a run writes its progress (the page polls every second)
STALL_AFTER = timedelta(minutes=2)  # a run silent for longer has died with its process: it may be resumed
UPLOAD_TTL = timedelta(days=3)  # an upload never run (or stopped) is deleted after this: it holds personal data
MAX_COLUMNS = 300
RUNNING = (ImportStatus.VALIDATING, ImportStatus.IMPORTING)


# --- Reads ---------------------------------------------------------------------------------------------------


def import_jobs_visible(membership: Membership) -> QuerySet[ImportJob]:
    require(membership, Action.HOTLINE_IMPORT)
    return ImportJob.objects.filter(organisation_id=membership.organisation_id)


def access_import_job(membership: Membership, job_id: int | str) -> ImportJob:
    try:
        return import_jobs_visible(membership).select_related("created_by", "run_by").get(pk=job_id)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def earlier_imports_of_the_same_file(job: ImportJob) -> QuerySet[ImportJob]:
    return (ImportJob.objects.filter(organisation_id=job.organisation_id, file_sha256=job.file_sha256,
                                     status=ImportStatus.DONE).exclude(pk=job.pk).order_by("-finished_at"))


def upload_path(job: ImportJob) -> Path:
    return import_dir() / job.stored_name


def report_path(job: ImportJob) -> Path:
    return import_dir() / f"{Path(job.stored_name).stem}.rejected.jsonl"


def is_stalled(job: ImportJob, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return job.status in RUNNING and (job.heartbeat_at is None or job.heartbeat_at < now - STALL_AFTER)


def is_running(job: ImportJob) -> bool:
    return job.status in RUNNING and not is_stalled(job)


def can_resume(job: ImportJob) -> bool:
    """Interrupted (or silent too long), or rejected in strict mode: the upload is still there to run again."""
    stopped = job.status in (ImportStatus.INTERRUPTED, ImportStatus.REJECTED) or is_stalled(job)
    return stopped and upload_path(job).exists()


def rejected_rows(job: ImportJob) -> Iterator[tuple[int, str, str]]:
    """(row number, column, reason) of every rejected row, read from the run's file."""
    path = report_path(job)
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            for column, message in item["errors"]:
                yield int(item["row"]), str(column), str(message)


def _rejected_numbers(path: Path) -> Iterator[int]:
    """The numbers of the rejected rows, ascending (the order they were written in)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield int(json.loads(line)["row"])


def file_format(job: ImportJob) -> FileFormat:
    return FileFormat(kind=job.file_kind, encoding=job.encoding, delimiter=job.delimiter)


# --- Actions -------------------------------------------------------------------------------------------------


def import_job_create(*, actor: Actor, membership: Membership, upload: StoredUpload) -> ImportJob:
    """Register an uploaded log: recognise it, read its header, suggest the mapping. The file is deleted if it
    cannot be imported (ValidationError on ``file`` naming why)."""
    require(membership, Action.HOTLINE_IMPORT)
    try:
        fmt = sniff(upload.path)
        header, _rows = preview(upload.path, fmt)
        if len(header) > MAX_COLUMNS:
            raise ImportFileError(_("The file has more than %(count)s columns: is the first row its header?")
                                  % {"count": MAX_COLUMNS})
    except ImportFileError as exc:
        upload.discard()
        raise ValidationError({"file": [str(exc)]}) from None
    expire_stale_uploads(actor=actor, organisation_id=membership.organisation_id)
    header = [name[:100] for name in header]
    return writes.create(ImportJob(
        organisation_id=membership.organisation_id, created_by=membership.user, file_name=(upload.name or "")[:255],
        stored_name=upload.path.name, file_size=upload.size or 0, file_sha256=upload.sha256, file_kind=fmt.kind,
        encoding=fmt.encoding, delimiter=fmt.delimiter, header=header,
        mapping={"columns": suggest_mapping(header)}), actor=actor)


def check_mapping(columns: dict[str, int], default_channel: str, width: int) -> dict[str, list[str]]:
    """Problems of a mapping, by form field: required fields without a column, a column used twice."""
    errors: dict[str, list[str]] = {}
    for key in ("date", "topics"):
        if key not in columns:
            errors.setdefault(f"col_{key}", []).append(_("Choose the column that holds this."))
    if "channel" not in columns and not default_channel:
        errors.setdefault("default_channel", []).append(
            _("Choose the column of the channel, or the channel of every row."))
    used: dict[int, str] = {}
    for key, index in columns.items():
        if key not in FIELD_BY_KEY or not 0 <= index < width:
            errors.setdefault(f"col_{key}", []).append(_("Choose a column of the file."))
        elif index in used:
            errors.setdefault(f"col_{key}", []).append(
                _("This column is already used for “%(field)s”.") % {"field": FIELD_BY_KEY[used[index]].label})
        else:
            used[index] = key
    return errors


def import_job_map(*, actor: Actor, membership: Membership, job: ImportJob, columns: dict[str, int],
                   default_channel: str = "", duration_unit: int = 1, strict: bool = False,
                   language: str = "en") -> ImportJob:
    """Save the column mapping and start the run."""
    require(membership, Action.HOTLINE_IMPORT)
    if job.status != ImportStatus.UPLOADED:
        raise ValidationError(_("This import has run already: upload the file again to map it differently."))
    errors = check_mapping(columns, default_channel, len(job.header))
    if errors:
        raise ValidationError(errors)
    mapping = {"columns": columns, "default_channel": default_channel, "duration_unit": duration_unit}
    writes.update(job, actor=actor, changes={"mapping": mapping, "strict": strict})
    return import_job_start(actor=actor, membership=membership, job=job, language=language)


def import_job_start(*, actor: Actor, membership: Membership, job: ImportJob, language: str = "en",
                     strict: bool | None = None) -> ImportJob:
    """Start the run of a mapped job in the background, or resume one that stopped. Only one run at a time."""
    require(membership, Action.HOTLINE_IMPORT)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        fresh = locked.status == ImportStatus.UPLOADED and bool(locked.mapping.get("columns"))
        if not fresh and not can_resume(locked):
            raise ValidationError(_("This import is running or has finished."))
        if not upload_path(locked).exists():
            raise ValidationError(_("The uploaded file is no longer kept: upload it again."))
        changes: dict[str, Any] = {"status": ImportStatus.VALIDATING, "run_by": membership.user, "language": language,
                                   "heartbeat_at": timezone.now(), "error": "", "finished_at": None, "progress": 0}
        if strict is not None:
            changes["strict"] = strict
        writes.update(locked, actor=actor, changes=changes, action="hotline.import.start")
        transaction.on_commit(partial(launch, locked.pk))
    return locked


def expire_stale_uploads(*, actor: Actor, organisation_id: int) -> int:
    """Delete the uploads of the organisation's jobs left unrun (or stopped) for UPLOAD_TTL."""
    limit = timezone.now() - UPLOAD_TTL
    stale = ImportJob.objects.filter(organisation_id=organisation_id, created_at__lt=limit, status__in=[
        ImportStatus.UPLOADED, ImportStatus.REJECTED, ImportStatus.INTERRUPTED, *RUNNING])
    count = 0
    for job in stale:
        if job.status in RUNNING and not is_stalled(job):
            continue
        upload_path(job).unlink(missing_ok=True)
        writes.update(job, actor=actor, changes={"status": ImportStatus.EXPIRED}, action="hotline.import.expire")
        count += 1
    return count


# --- The run -------------------------------------------------------------------------------------------------


def launch(job_id: int) -> None:
    """Run the job in a thread of this process (waitress serves Varta from one process), with the request's
    context (request id, client address) so that the audit events of the run carry them."""
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(_thread_main, job_id), name=f"varta-import-{job_id}",
                              daemon=True)
    thread.start()


def _thread_main(job_id: int) -> None:
    try:
        run_job(job_id)
    finally:
        connections.close_all()  # this thread's own connections


def run_job(job_id: int) -> None:
    """Check every row, then commit the valid ones. An unexpected error leaves the job interrupted (resumable)."""
    job = ImportJob.objects.select_related("organisation", "run_by").get(pk=job_id)
    with translation.override(job.language):
        try:
            _Run(job).run()
        except Exception:
            log.exception("import stopped", extra={"import_job": job_id})
            job.refresh_from_db()
            _Run.finish_job(job, ImportStatus.INTERRUPTED, _(
                "An unexpected error stopped the import. Rows imported so far stay imported (nothing was "
                "half-saved); resume to import the rest."))


class _Run:
    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.actor = Actor(user=job.run_by, organisation=job.organisation)
        self.options = RowOptions.from_mapping(job.mapping)
        self.lookups = Lookups(job.organisation_id)
        self.now = timezone.now()  # one "now" for both passes: a row valid when checked is valid when committed
        self.last_tick = 0.0

    def run(self) -> None:
        path = upload_path(self.job)
        if not path.exists():
            self.finish_job(self.job, ImportStatus.FAILED, _("The uploaded file is no longer kept: upload it again."))
            return
        try:
            self.check_rows(path)
            if self.job.rows_rejected and self.job.strict:
                self.finish_job(self.job, ImportStatus.REJECTED)  # the upload stays: "import the valid rows"
                return
            self.commit_rows(path)
        except ImportFileError as exc:
            path.unlink(missing_ok=True)
            self.finish_job(self.job, ImportStatus.FAILED, str(exc))
            return
        path.unlink(missing_ok=True)  # it holds personal data in clear: gone as soon as it is imported
        self.finish_job(self.job, ImportStatus.DONE)

    def tick(self, *, force: bool = False, **fields: Any) -> None:
        """Write progress (bookkeeping, not a user's change: not audited) at most every TICK_SECONDS."""
        for name, value in fields.items():
            setattr(self.job, name, value)
        if not force and time.monotonic() - self.last_tick < TICK_SECONDS:
            return
        self.last_tick = time.monotonic()
        self.job.heartbeat_at = timezone.now()
        ImportJob.objects.filter(pk=self.job.pk).update(
            heartbeat_at=self.job.heartbeat_at, status=self.job.status, progress=self.job.progress,
            rows_read=self.job.rows_read, rows_rejected=self.job.rows_rejected)

    def check_rows(self, path: Path) -> None:
        """First pass: every row checked; the rejected ones' numbers and reasons written to the report file."""
        self.tick(force=True, status=ImportStatus.VALIDATING, progress=0, rows_read=0, rows_rejected=0)
        read = rejected = 0
        with open_table(path, file_format(self.job)) as table, \
                report_path(self.job).open("w", encoding="utf-8") as report:
            header = self.job.header
            for number, cells in table.rows():
                parsed = parse_row(number, cells, self.options, self.lookups, now=self.now, identify=False)
                read += 1
                if parsed.errors:
                    rejected += 1
                    report.write(self._report_line(parsed, header))
                fraction = table.fraction_read()
                self.tick(rows_read=read, rows_rejected=rejected,
                          progress=None if fraction is None else int(50 * fraction))
        self.tick(force=True, rows_read=read, rows_rejected=rejected, progress=50)

    def _report_line(self, parsed: ParsedRow, header: list[str]) -> str:
        errors = [[column_name(key, header, self.options.columns), message] for key, message in parsed.errors]
        return json.dumps({"row": parsed.number, "errors": errors}, ensure_ascii=False) + "\n"

    def commit_rows(self, path: Path) -> None:
        """Second pass: the valid rows, in batches after the checkpoint of an earlier, interrupted run."""
        self.tick(force=True, status=ImportStatus.IMPORTING, progress=50)
        rejected = _rejected_numbers(report_path(self.job))
        next_rejected = next(rejected, None)
        late: list[ParsedRow] = []
        batch: list[ParsedRow] = []
        done = 0
        total = max(self.job.rows_read, 1)
        with open_table(path, file_format(self.job)) as table:
            for number, cells in table.rows():
                done += 1
                while next_rejected is not None and next_rejected < number:
                    next_rejected = next(rejected, None)
                if next_rejected == number or number <= self.job.rows_committed:
                    continue
                parsed = parse_row(number, cells, self.options, self.lookups, now=self.now)
                if parsed.errors:  # the world changed between the passes (e.g. a topic was retired)
                    late.append(parsed)
                    continue
                batch.append(parsed)
                if len(batch) >= BATCH_ROWS:
                    self.commit_batch(batch, progress=50 + 50 * done // total)
                    batch = []
            if batch:
                self.commit_batch(batch, progress=50 + 50 * done // total)
        if late:
            with report_path(self.job).open("a", encoding="utf-8") as report:
                for parsed in late:
                    report.write(self._report_line(parsed, self.job.header))
            self.tick(force=True, rows_rejected=self.job.rows_rejected + len(late))

    def commit_batch(self, batch: list[ParsedRow], *, progress: int) -> None:
        """One transaction: the batch's new contacts and consultations, their two audit events, the checkpoint.

        Rows whose external id is already in Varta (an earlier import, or an earlier row of this file) count as
        already present. A concurrent import of the same rows makes the unique constraint fail: retried.
        """
        organisation_id = self.job.organisation_id
        for attempt in range(3):
            try:
                with transaction.atomic():
                    ids = [p.external_id for p in batch]
                    seen = set(Contact.objects.filter(organisation_id=organisation_id, external_id__in=ids)
                               .values_list("external_id", flat=True))
                    new: list[tuple[Contact, ParsedRow]] = []
                    for parsed in batch:
                        if parsed.external_id in seen or parsed.data is None:
                            continue
                        seen.add(parsed.external_id)
                        contact = Contact(organisation_id=organisation_id, operator_id=parsed.operator_id,
                                          external_id=parsed.external_id, **contact_fields(parsed.data))
                        new.append((contact, parsed))
                    writes.bulk_create([contact for contact, _parsed in new], actor=self.actor,
                                       action="hotline.contact.import")
                    consultations = [consultation_row(contact, item, position) for contact, parsed in new
                                     if parsed.data
                                     for position, item in enumerate(parsed.data.consultations, start=1)]
                    writes.bulk_create(consultations, actor=self.actor, action="hotline.consultation.import")
                    # After the audited writes, under the audit chain lock they hold.
                    rollups.add([contact for contact, _parsed in new], consultations)
                    now = timezone.now()
                    ImportJob.objects.filter(pk=self.job.pk).update(
                        rows_committed=batch[-1].number, rows_imported=F("rows_imported") + len(new),
                        rows_present=F("rows_present") + len(batch) - len(new), progress=progress,
                        heartbeat_at=now)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        self.job.rows_committed = batch[-1].number
        self.job.progress = progress
        self.last_tick = time.monotonic()

    @staticmethod
    def finish_job(job: ImportJob, status: str, error: str = "") -> None:
        """The end of a run, audited: its status and final counts."""
        job.refresh_from_db()
        now = timezone.now()
        changes: dict[str, Any] = {"status": status, "error": error[:500], "heartbeat_at": now}
        if status != ImportStatus.INTERRUPTED:
            changes["finished_at"] = now
        if status == ImportStatus.DONE:
            changes["progress"] = 100
        actor = Actor(user=job.run_by, organisation=job.organisation)
        writes.update(job, actor=actor, changes=changes, action=f"hotline.import.{status}")
