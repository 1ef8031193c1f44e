"""Notes and attachments: encryption, content sniffing, the size limit, names, audited download and removal."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.cases.actions import notes
from varta.cases.models import Attachment, CaseNote
from varta.cases.tests.helpers import acting_as, add_case_worker, register_case
from varta.cases.tests.helpers_records import PDF_BYTES, PNG_BYTES, upload

pytestmark = pytest.mark.django_db


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


def _upload(org, case, role: Role = Role.CASE_WORKER, **kwargs: Any) -> Attachment:
    membership, actor = acting_as(org, role)
    return notes.upload_attachment(actor=actor, membership=membership, case=case, uploaded_file=upload(**kwargs))


def test_it_adds_a_note_encrypted_at_rest(personas):
    case = register_case(personas.a)
    membership, actor = acting_as(personas.a)
    note = notes.add_note(actor=actor, membership=membership, case=case, text="  Spoke with her sister.  ")
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM cases_casenote WHERE id = %s", [note.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1.")
    assert "sister" not in stored
    assert CaseNote.objects.get().text == "Spoke with her sister."
    assert CaseNote.objects.get().author == membership.user


@pytest.mark.parametrize("text", ["", "   ", "<script>alert(1)</script>", "x" * 20001])
def test_it_refuses_a_bad_note(personas, text):
    case = register_case(personas.a)
    membership, actor = acting_as(personas.a)
    with pytest.raises(ValidationError) as exc:
        notes.add_note(actor=actor, membership=membership, case=case, text=text)
    assert "text" in exc.value.message_dict
    assert not CaseNote.objects.exists()


@pytest.mark.parametrize(("content", "content_type", "name"), [
    (PDF_BYTES, "application/pdf", "report.pdf"),
    (PNG_BYTES, "image/png", "photo.png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg", "scan.jpg"),
    (_zip("[Content_Types].xml", "word/document.xml"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "letter.docx"),
    (_zip("[Content_Types].xml", "xl/workbook.xml"),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "costs.xlsx"),
    ("Привіт, це текст.\n".encode(), "text/plain; charset=utf-8", "notes.txt"),
])
def test_it_accepts_allowed_kinds_by_their_content(personas, content, content_type, name):
    case = register_case(personas.a)
    attachment = _upload(personas.a, case, name=name, content=content, content_type="application/octet-stream")
    stored = Attachment.objects.get(pk=attachment.pk)
    assert (stored.content, stored.content_type, stored.file_name, stored.size) == (
        content, content_type, name, len(content))


def test_it_keeps_the_content_and_name_as_ciphertext(personas):
    case = register_case(personas.a)
    attachment = _upload(personas.a, case, name="Шевченко-паспорт.pdf")
    with connection.cursor() as cursor:
        cursor.execute("SELECT file_name, content FROM cases_attachment WHERE id = %s", [attachment.pk])
        name, content = cursor.fetchone()
    assert "Шевченко" not in name
    assert b"%PDF" not in bytes(content)


@pytest.mark.parametrize(("content", "words"), [
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "program"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "program"),
    (b"#!/bin/sh\nrm -rf /\n", "program"),
    (b"", "empty"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00", "cannot be attached"),
    (b"\x00\x01\x02binary", "cannot be attached"),
    (_zip("evil.exe"), "Zip archives"),
    (b"PK\x03\x04broken", "damaged"),
])
def test_it_refuses_other_content_whatever_the_name_says(personas, content, words):
    case = register_case(personas.a)
    with pytest.raises(ValidationError) as exc:
        _upload(personas.a, case, name="invoice.pdf", content=content, content_type="application/pdf")
    assert words in exc.value.message_dict["file"][0]
    assert not Attachment.objects.exists()


def test_it_refuses_a_file_over_the_limit(personas, settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 1024
    case = register_case(personas.a)
    with pytest.raises(ValidationError) as exc:
        _upload(personas.a, case, content=PDF_BYTES + b" " * 1024)
    assert "larger than the limit of 1.0\xa0KB" in exc.value.message_dict["file"][0]
    assert _upload(personas.a, case, content=PDF_BYTES).size == len(PDF_BYTES)


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\me\\scan.PDF", "scan.pdf"),
    ("evil.exe", "evil.exe.pdf"),
    ("<script>.pdf", "script_.pdf"),
    ("   .pdf", "pdf.pdf"),
    ("", "attachment.pdf"),
    ("a\u0000b\nc.pdf", "a_b_c.pdf"),
    ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
])
def test_it_sanitises_the_file_name(name, safe):
    assert notes.safe_file_name(name, notes.PDF) == safe


def test_download_is_an_audit_event(personas):
    case = register_case(personas.a)
    attachment = _upload(personas.a, case)
    membership, actor = acting_as(personas.a)
    got = notes.download_attachment(actor=actor, membership=membership, attachment=attachment)
    assert got.content == PDF_BYTES
    assert AuditEvent.objects.filter(action="cases.attachment.download", object_id=str(attachment.pk)).count() == 1


def test_the_uploader_or_a_supervisor_may_remove_an_attachment(personas):
    case = register_case(personas.a)
    mine = _upload(personas.a, case)
    theirs = _upload(personas.a, case, role=Role.CASE_SUPERVISOR)
    worker, actor = acting_as(personas.a)
    with pytest.raises(PermissionDenied):
        notes.delete_attachment(actor=actor, membership=worker, attachment=theirs)
    notes.delete_attachment(actor=actor, membership=worker, attachment=mine)
    supervisor, supervisor_actor = acting_as(personas.a, Role.CASE_SUPERVISOR)
    other = _upload(personas.a, case)
    notes.delete_attachment(actor=supervisor_actor, membership=supervisor, attachment=other)
    assert list(Attachment.objects.all()) == [theirs]
    assert AuditEvent.objects.filter(action="cases.attachment.delete").count() == 2


def test_another_worker_of_the_case_may_not_remove_it(personas):
    second = add_case_worker(personas.a, "a_second_worker")
    case = register_case(personas.a)
    attachment = _upload(personas.a, case)
    with pytest.raises(PermissionDenied):
        notes.delete_attachment(actor=acting_as(personas.a)[1], membership=second, attachment=attachment)
    assert Attachment.objects.exists()
