"""The import of call logs, end to end through the importer (files → rows checked → contacts committed)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.geo.models import AdminUnit
from varta.hotline import importer
from varta.hotline.importer_template import template_csv, template_xlsx
from varta.hotline.models import Consultation, Contact, ImportJob, ImportStatus
from varta.hotline.tests.helpers_imports import HEADER, csv_bytes, run, upload, xlsx_bytes


@pytest.fixture(autouse=True)
def _imports(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(importer, "launch", importer.run_job)


@pytest.fixture
def manager(personas):
    return personas.a.membership(Role.INFORMATION_MANAGER)


def good_rows() -> list[list[str]]:
    return [
        HEADER,
        ["c-1", "2024-03-01 14:05", "phone", "240", "job-offer-check; travel-rules", "UA2110023", "Asked about Poland"],
        ["c-2", "02.03.2024 09:30", "Viber", "0:07:30", "Shelter", "Ужгородська громада", ""],
        ["c-3", "2024-03-03", "телефон", "60", "Зникла особа", "UA21", ""],
    ]


def test_it_imports_a_csv_file(manager, places, django_capture_on_commit_callbacks):
    job = run(manager, upload(manager, csv_bytes(good_rows())), django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.DONE, job.error
    assert (job.rows_read, job.rows_imported, job.rows_present, job.rows_rejected) == (3, 3, 0, 0)
    first = Contact.objects.get(organisation=manager.organisation, external_id="id:c-1")
    assert first.channel == "phone"
    assert first.duration_seconds == 240
    assert first.location == places["hromada"]
    assert first.oblast == places["oblast"]
    assert first.summary == "Asked about Poland"
    assert [c.topic.code for c in first.consultations.order_by("position")] == ["job-offer-check", "travel-rules"]
    assert all(c.category_id and c.started_at == first.started_at for c in first.consultations.all())
    second = Contact.objects.get(external_id="id:c-2")
    assert second.channel == "viber"
    assert second.duration_seconds == 450
    assert second.location == places["hromada"]
    assert timezone.localtime(second.started_at).strftime("%Y-%m-%d %H:%M") == "2024-03-02 09:30"
    assert Consultation.objects.filter(organisation=manager.organisation).count() == 4
    assert not importer.upload_path(job).exists()  # the upload (personal data in clear) is gone
    assert AuditEvent.objects.filter(action="hotline.contact.import").count() == 1


def test_it_imports_an_xlsx_file(manager, places, django_capture_on_commit_callbacks):
    job = run(manager, upload(manager, xlsx_bytes(good_rows()), "log.xlsx"), django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.DONE, job.error
    assert job.file_kind == "xlsx"
    assert job.rows_imported == 3


def test_it_creates_nothing_when_the_same_file_is_imported_again(manager, places, django_capture_on_commit_callbacks):
    content = csv_bytes(good_rows())
    run(manager, upload(manager, content), django_capture_on_commit_callbacks)
    contacts, consultations = Contact.objects.count(), Consultation.objects.count()
    again = run(manager, upload(manager, content), django_capture_on_commit_callbacks)
    assert again.status == ImportStatus.DONE
    assert (again.rows_read, again.rows_imported, again.rows_present, again.rows_rejected) == (3, 0, 3, 0)
    assert (Contact.objects.count(), Consultation.objects.count()) == (contacts, consultations)


def test_it_identifies_rows_without_an_id_column_by_their_content(manager, places,
                                                                 django_capture_on_commit_callbacks):
    rows = [HEADER[1:], *(r[1:] for r in good_rows()[1:])]
    content = csv_bytes([*rows, rows[1]])  # the last row repeats the first: the same contact
    job = run(manager, upload(manager, content), django_capture_on_commit_callbacks)
    assert (job.rows_read, job.rows_imported, job.rows_present) == (4, 3, 1)
    ids = list(Contact.objects.values_list("external_id", flat=True))
    assert all(i is not None and i.startswith("sha256:") and len(i) == 71 for i in ids)
    # Reordered, re-encoded as XLSX: still the same rows.
    again = run(manager, upload(manager, xlsx_bytes([rows[0], rows[3], rows[2], rows[1]]), "log.xlsx"),
                django_capture_on_commit_callbacks)
    assert (again.rows_imported, again.rows_present) == (0, 3)


def test_it_leaves_personal_values_out_of_the_content_id(manager, places, django_capture_on_commit_callbacks):
    header = ["Date", "Channel", "Topics", "Call-back agreed", "Caller's phone"]
    job = run(manager, upload(manager, csv_bytes([header, ["2024-03-01 10:00", "phone", "other", "yes",
                                                           "067 123 45 67"]])), django_capture_on_commit_callbacks)
    contact = Contact.objects.get(organisation=manager.organisation)
    assert job.rows_imported == 1
    assert contact.caller_phone == "+380671234567"
    same_but_number = csv_bytes([header, ["2024-03-01 10:00", "phone", "other", "yes", "+380 50 111 22 33"]])
    again = run(manager, upload(manager, same_but_number), django_capture_on_commit_callbacks)
    assert again.rows_present == 1  # taken for the same contact: the id does not depend on the number


def bad_rows() -> list[list[str]]:
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    return [
        [*HEADER, "Call-back agreed", "Caller's phone"],
        ["ok-1", "2024-03-01 14:05", "phone", "240", "shelter", "UA2110023", "", "", ""],
        ["bad-topic", "2024-03-01 14:06", "phone", "240", "astrology", "UA2110023", "", "", ""],
        ["bad-pcode", "2024-03-01 14:07", "phone", "240", "shelter", "UA9999999", "", "", ""],
        ["bad-phone", "2024-03-01 14:08", "phone", "240", "shelter", "", "", "yes", "12345"],
        ["script", "2024-03-01 14:09", "phone", "240", "shelter", "", "<script>alert(1)</script>", "", ""],
        ["future", future, "phone", "240", "shelter", "", "", "", ""],
        ["long", "2024-03-01 14:10", "phone", str(25 * 3600), "shelter", "", "", "", ""],
        ["ok-2", "2024-03-01 14:11", "walk-in", "", "other", "", "", "", ""],
    ]


def reasons(job: ImportJob) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for number, column, message in importer.rejected_rows(job):
        found.setdefault(number, []).append((column, message))
    return found


def test_it_imports_the_good_rows_and_reports_the_bad_ones_with_reasons(manager, places,
                                                                       django_capture_on_commit_callbacks):
    job = run(manager, upload(manager, csv_bytes(bad_rows())), django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.DONE
    assert (job.rows_read, job.rows_imported, job.rows_rejected) == (8, 2, 6)
    assert set(Contact.objects.values_list("external_id", flat=True)) == {"id:ok-1", "id:ok-2"}
    found = reasons(job)
    assert found[3] == [("Topics", "Unknown topic “astrology”.")]
    assert found[4] == [("Place", "Unknown P-code “UA9999999”.")]
    assert found[5][0][0] == "Caller's phone"
    assert "not valid" in found[5][0][1]
    assert found[6] == [("Notes", "HTML tags such as <script> are not allowed here. Remove them and save again.")]
    assert found[7] == [("Date", "The start of a contact cannot be in the future.")]
    assert found[8] == [("Duration", "The duration must be between 0 and 24 hours.")]


def test_it_imports_nothing_in_strict_mode_when_a_row_is_rejected(manager, places,
                                                                  django_capture_on_commit_callbacks):
    events = AuditEvent.objects.filter(action__endswith=".import").count()
    job = run(manager, upload(manager, csv_bytes(bad_rows())), django_capture_on_commit_callbacks, strict=True)
    assert job.status == ImportStatus.REJECTED
    assert (job.rows_read, job.rows_imported, job.rows_rejected) == (8, 0, 6)
    assert not Contact.objects.exists()
    assert not Consultation.objects.exists()
    assert AuditEvent.objects.filter(action__endswith=".import").count() == events
    # The information manager may then import the valid rows anyway.
    assert importer.can_resume(job)
    with django_capture_on_commit_callbacks(execute=True):
        importer.import_job_start(actor=Actor(user=manager.user, organisation=manager.organisation),
                                  membership=manager, job=job, strict=False)
    job.refresh_from_db()
    assert (job.status, job.rows_imported, job.rows_rejected) == (ImportStatus.DONE, 2, 6)


def test_it_imports_everything_in_strict_mode_when_every_row_is_valid(manager, places,
                                                                       django_capture_on_commit_callbacks):
    job = run(manager, upload(manager, csv_bytes(good_rows())), django_capture_on_commit_callbacks, strict=True)
    assert (job.status, job.rows_imported) == (ImportStatus.DONE, 3)


def test_it_reads_a_windows_1251_file(manager, places, django_capture_on_commit_callbacks):
    rows = [["Номер", "Дата", "Канал", "Тривалість", "Тема", "Місце", "Примітки"],
            ["7", "01.03.2024 10:00", "Телефон", "120", "Зникла особа", "Ужгородська громада", "Шукає сина"]]
    job = run(manager, upload(manager, csv_bytes(rows, encoding="cp1251", delimiter=";")),
              django_capture_on_commit_callbacks)
    assert (job.encoding, job.delimiter) == ("cp1251", ";")
    assert job.mapping["columns"] == {"external_id": 0, "date": 1, "channel": 2, "duration": 3, "topics": 4,
                                      "place": 5, "notes": 6}
    assert job.status == ImportStatus.DONE, list(importer.rejected_rows(job))
    contact = Contact.objects.get(external_id="id:7")
    assert contact.summary == "Шукає сина"
    assert contact.location == places["hromada"]


def test_it_reports_an_unknown_or_ambiguous_place_name(manager, places, django_capture_on_commit_callbacks):
    AdminUnit.objects.create(pcode="UA0502001", country_iso3="UKR", level=3, parent=None, name_en="Uzhhorodska",
                             name_uk="Ужгородська", search_en="uzhhorodska", search_uk="ужгородська")
    rows = [["Date", "Channel", "Topics", "Place"], ["2024-03-01 10:00", "phone", "other", "Ужгородська"],
            ["2024-03-01 10:01", "phone", "other", "Atlantis"]]
    job = run(manager, upload(manager, csv_bytes(rows)), django_capture_on_commit_callbacks)
    found = reasons(job)
    assert "UA0502001" in found[2][0][1]
    assert "UA2110023" in found[2][0][1]
    assert "several places" in found[2][0][1]
    assert found[3] == [("Place", "Unknown place “Atlantis”: give its P-code.")]


def test_it_matches_operators_by_username_within_the_organisation(manager, personas, places,
                                                                  django_capture_on_commit_callbacks):
    rows = [["Date", "Channel", "Topics", "Operator"],
            ["2024-03-01 10:00", "phone", "other", "A_HOTLINE_OPERATOR"],
            ["2024-03-01 10:01", "phone", "other", "b_hotline_operator"],  # another organisation's user
            ["2024-03-01 10:02", "phone", "other", "nobody"]]
    run(manager, upload(manager, csv_bytes(rows)), django_capture_on_commit_callbacks)
    operators = list(Contact.objects.order_by("started_at").values_list("operator_id", flat=True))
    assert operators == [personas.a.user(Role.HOTLINE_OPERATOR).pk, None, None]


def test_it_round_trips_the_template(manager, places, django_capture_on_commit_callbacks):
    for fmt, content in (("xlsx", template_xlsx(manager.organisation_id)), ("csv", template_csv())):
        job = run(manager, upload(manager, content, f"template.{fmt}"), django_capture_on_commit_callbacks)
        assert (job.status, job.rows_read, job.rows_rejected) == (ImportStatus.DONE, 2, 0), list(
            importer.rejected_rows(job))
    assert Contact.objects.count() == 2  # the CSV template holds the same two rows
    abroad = Contact.objects.get(external_id="id:2024-000102")
    assert (abroad.country_id, abroad.age_group, abroad.callback_consent) == ("PL", "35-49", True)
    assert abroad.caller_phone == "+380671234567"


def test_it_resumes_an_interrupted_run_without_duplicates(manager, places, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    rows = [HEADER, *([f"r{i}", f"2024-03-01 10:{i:02d}", "phone", "60", "other", "", ""] for i in range(7))]
    original = importer._Run.commit_batch
    calls = {"n": 0}

    def dies_on_the_third_batch(self, batch, *, progress):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the process died")
        original(self, batch, progress=progress)

    monkeypatch.setattr(importer._Run, "commit_batch", dies_on_the_third_batch)
    job = run(manager, upload(manager, csv_bytes(rows)), django_capture_on_commit_callbacks)
    assert (job.status, job.rows_imported, job.rows_committed) == (ImportStatus.INTERRUPTED, 4, 5)
    assert Contact.objects.count() == 4
    assert importer.can_resume(job)
    monkeypatch.setattr(importer._Run, "commit_batch", original)
    with django_capture_on_commit_callbacks(execute=True):
        importer.import_job_start(actor=Actor(user=manager.user, organisation=manager.organisation),
                                  membership=manager, job=job)
    job.refresh_from_db()
    assert (job.status, job.rows_imported, job.rows_present) == (ImportStatus.DONE, 7, 0)
    assert Contact.objects.count() == 7


def test_it_refuses_to_start_a_running_or_finished_job(manager, places, django_capture_on_commit_callbacks):
    job = run(manager, upload(manager, csv_bytes(good_rows())), django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        importer.import_job_start(actor=Actor(user=manager.user, organisation=manager.organisation),
                                  membership=manager, job=job)


def test_it_requires_the_import_permission(personas, places):
    operator = personas.a.membership(Role.HOTLINE_OPERATOR)
    with pytest.raises(PermissionDenied):
        upload(operator, csv_bytes(good_rows()))
