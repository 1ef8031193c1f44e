"""The notes-and-files tab: notes, uploads sniffed by content, the size limits, audited download and removal."""

from __future__ import annotations

import pytest

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.cases.actions import notes
from varta.cases.models import Attachment, CaseNote
from varta.cases.tests.helpers import acting_as, add_case_worker, register_case
from varta.cases.tests.helpers_records import PDF_BYTES, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas):
    return register_case(personas.a)


@pytest.fixture
def worker(personas, login_as):
    return login_as(personas.a.user(Role.CASE_WORKER))


def url(case, rest: str = "") -> str:
    return f"/cases/{case.pk}/{rest}"


def _attach(org, case, role: Role = Role.CASE_WORKER, **kwargs: object) -> Attachment:
    membership, actor = acting_as(org, role)
    return notes.upload_attachment(actor=actor, membership=membership, case=case,
                                   uploaded_file=upload(**kwargs))  # type: ignore[arg-type]


def test_it_adds_a_note_and_shows_it(worker, case):
    response = worker.post(url(case, "notes/new/"), {"text": "Met at the shelter.\nShe is safe."})
    assert response.status_code == 302
    assert CaseNote.objects.get().text == "Met at the shelter.\nShe is safe."
    content = worker.get(url(case, "notes/")).content.decode()
    assert "Met at the shelter.<br>She is safe." in content


@pytest.mark.parametrize("text", ["", "<script>alert(1)</script>"])
def test_a_bad_note_is_a_400_with_a_message(worker, case, text):
    response = worker.post(url(case, "notes/new/"), {"text": text})
    assert response.status_code == 400
    content = response.content.decode()
    assert "This field is required" in content or "HTML tags such as &lt;script&gt; are not allowed" in content
    assert not CaseNote.objects.exists()


def test_it_uploads_and_downloads_a_file_with_an_audit_event(worker, case):
    response = worker.post(url(case, "attachments/new/"), {"file": upload("Довідка.pdf")})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert "Довідка.pdf</a>" in worker.get(url(case, "notes/")).content.decode()
    download = worker.get(url(case, f"attachments/{attachment.pk}/download/"))
    assert download.status_code == 200
    assert download.content == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download["Content-Security-Policy"]
    assert AuditEvent.objects.filter(action="cases.attachment.download", object_id=str(attachment.pk)).count() == 1


def test_an_executable_renamed_pdf_is_refused_with_a_clear_message(worker, case):
    response = worker.post(url(case, "attachments/new/"),
                           {"file": upload("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf")})
    assert response.status_code == 400
    assert "This file is a program, not a document" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_file_over_the_attachment_limit_gets_a_form_error(worker, case, settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 1024
    response = worker.post(url(case, "attachments/new/"), {"file": upload(content=PDF_BYTES + b" " * 2048)})
    assert response.status_code == 400
    assert "The file is larger than the limit of 1.0\xa0KB." in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_200_mb_upload_is_refused_before_it_is_read_with_a_translated_413(worker, case):
    response = worker.post(url(case, "attachments/new/"), {"file": upload()}, CONTENT_LENGTH=str(200 * 1024 * 1024),
                           HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == 413
    content = response.content.decode()
    assert "Надіслані дані завеликі: обмеження — 10 МБ." in content
    assert not Attachment.objects.exists()


def test_the_uploader_or_a_supervisor_removes_a_file_others_get_403(worker, personas, login_as, case):
    mine = _attach(personas.a, case)
    theirs = _attach(personas.a, case, Role.CASE_SUPERVISOR)
    assert worker.post(url(case, f"attachments/{theirs.pk}/delete/")).status_code == 403
    assert worker.post(url(case, f"attachments/{mine.pk}/delete/")).status_code == 302
    assert list(Attachment.objects.all()) == [theirs]
    page = worker.get(url(case, "notes/")).content.decode()
    assert f"attachments/{theirs.pk}/delete/" not in page  # no button for what the worker may not remove
    supervisor = login_as(personas.a.user(Role.CASE_SUPERVISOR))
    assert supervisor.post(url(case, f"attachments/{theirs.pk}/delete/")).status_code == 302
    assert not Attachment.objects.exists()


def test_it_needs_to_know(personas, login_as, case):
    attachment = _attach(personas.a, case)
    client = login_as(add_case_worker(personas.a, "a_second_worker").user)
    assert client.get(url(case, "notes/")).status_code == 404
    assert client.post(url(case, "notes/new/"), {"text": "x"}).status_code == 404
    assert client.post(url(case, "attachments/new/"), {"file": upload()}).status_code == 404
    assert client.get(url(case, f"attachments/{attachment.pk}/download/")).status_code == 404
    assert client.post(url(case, f"attachments/{attachment.pk}/delete/")).status_code == 404
    assert Attachment.objects.count() == 1
    assert not AuditEvent.objects.filter(action="cases.attachment.download").exists()
