"""Case notes and attachments. Both are encrypted in the database; neither leaves a file on disk.

Notes are never deleted or edited: a correction is a new note. An attachment's type is decided by its content
(magic bytes), never by its name or the browser's word: PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) and plain
UTF-8 text are accepted; programs (Windows ``MZ``, Linux ``ELF``, macOS Mach-O, ``#!`` scripts) and anything else
are refused. Reading an attachment is an audit event; the uploader or a supervisor may remove one (audited).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from varta.accounts.permissions import Action, can, require
from varta.audit import writes
from varta.audit.writes import Actor
from varta.cases.actions import checks
from varta.cases.models import Attachment, Case, CaseNote
from varta.orgs.models import Membership

NOTE_MAX = 20_000
FILE_NAME_MAX = 120
DEFAULT_MAX_BYTES = 9 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]  # the first is added when the name has none of them
    label: str


PDF = FileKind("application/pdf", (".pdf",), "PDF")
PNG = FileKind("image/png", (".png",), "PNG")
JPEG = FileKind("image/jpeg", (".jpg", ".jpeg"), "JPEG")
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "Word")
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "Excel")
TEXT = FileKind("text/plain; charset=utf-8", (".txt",), "text")

EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                    b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")


def max_bytes() -> int:
    return int(getattr(settings, "CASE_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def add_note(*, actor: Actor, membership: Membership, case: Case, text: str) -> CaseNote:
    require(membership, Action.CASE_WORK)
    text = text.strip()
    errors: checks.Errors = {}
    checks.open_case(errors, case)
    checks.text(errors, "text", text, max_length=NOTE_MAX, required=True)
    checks.raise_if(errors)
    return writes.create(CaseNote(organisation_id=case.organisation_id, case=case, author=membership.user,
                                  text=text), actor=actor)


class RefusedFile(ValueError):
    """The content is not one of the allowed types; the message says why, for the person uploading."""


def sniff(content: bytes) -> FileKind:
    """The kind of file ``content`` is, from its first bytes (and, for a zip, the names inside it)."""
    if not content:
        raise RefusedFile(_("The file is empty."))
    if content.startswith(EXECUTABLE_MAGIC):
        raise RefusedFile(_("This file is a program, not a document, whatever its name says. Programs cannot be "
                            "attached to a case."))
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _office(content)
    if b"\x00" not in content:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return TEXT
    raise RefusedFile(_("This type of file cannot be attached. Allowed: PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) "
                        "and plain text."))


def _office(content: bytes) -> FileKind:
    """A DOCX or XLSX is a zip with ``[Content_Types].xml``; only the names inside are read, nothing unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise RefusedFile(_("This file looks like a damaged zip archive.")) from None
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    raise RefusedFile(_("Zip archives cannot be attached; only Word (.docx) and Excel (.xlsx) documents can."))


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def safe_file_name(name: str, kind: FileKind) -> str:
    """The name without its path, control characters or characters that mean something to a file system or a
    browser, at most FILE_NAME_MAX characters, ending with an extension of its real kind."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name)
    name = " ".join(name.split()).strip(" ._")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if ("." + ext).lower() not in kind.extensions:
        stem, ext = name, kind.extensions[0].lstrip(".")
    stem = (stem or _("attachment"))[: FILE_NAME_MAX - len(ext) - 1].rstrip(" .")
    return f"{stem}.{ext.lower()}"


def _read(uploaded_file: File, limit: int) -> bytes:  # type: ignore[type-arg]
    uploaded_file.seek(0)
    buffer = bytearray()
    for chunk in uploaded_file.chunks():
        buffer.extend(chunk)
        if len(buffer) > limit:
            break
    return bytes(buffer)


def upload_attachment(*, actor: Actor, membership: Membership, case: Case,
                      uploaded_file: File) -> Attachment:  # type: ignore[type-arg]
    """Keep a file with the case (encrypted in the database), if its content is of an allowed kind."""
    require(membership, Action.CASE_WORK)
    limit = max_bytes()
    errors: checks.Errors = {}
    checks.open_case(errors, case)
    too_large = _("The file is larger than the limit of %(limit)s.") % {"limit": filesizeformat(limit)}
    content = b""
    if (uploaded_file.size or 0) > limit:
        checks.add(errors, "file", too_large)
    else:
        content = _read(uploaded_file, limit)
        if len(content) > limit:
            checks.add(errors, "file", too_large)
    kind: FileKind | None = None
    if "file" not in errors:
        try:
            kind = sniff(content)
        except RefusedFile as exc:
            checks.add(errors, "file", str(exc))
    checks.raise_if(errors)
    assert kind is not None
    return writes.create(Attachment(
        organisation_id=case.organisation_id, case=case, uploaded_by=membership.user,
        file_name=safe_file_name(uploaded_file.name or "", kind), content_type=kind.content_type,
        size=len(content), content=content), actor=actor)


def download_attachment(*, actor: Actor, membership: Membership, attachment: Attachment) -> Attachment:
    """The attachment (its content decrypted), after recording that this user read it."""
    require(membership, Action.CASE_VIEW)
    writes.record(actor=actor, action="cases.attachment.download", object_type=writes.object_type(attachment),
                  object_id=attachment.pk)
    return attachment


def may_delete_attachment(membership: Membership, attachment: Attachment) -> bool:
    if can(membership, Action.CASE_SUPERVISE):
        return True
    return can(membership, Action.CASE_WORK) and attachment.uploaded_by_id == membership.user_id


def delete_attachment(*, actor: Actor, membership: Membership, attachment: Attachment) -> None:
    """Remove a file: its uploader or a supervisor (the audit trail keeps that it existed and who removed it)."""
    require(membership, Action.CASE_VIEW)
    if not may_delete_attachment(membership, attachment):
        raise PermissionDenied(_("Only the person who uploaded a file or a supervisor can remove it."))
    errors: checks.Errors = {}
    checks.open_case(errors, attachment.case)
    checks.raise_if(errors)
    writes.delete(attachment, actor=actor)
