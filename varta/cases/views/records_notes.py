"""The notes-and-files tab: case notes (never edited or deleted) and attachments (download audited; removal by the
uploader or a supervisor).

Uploads larger than the request body limit are refused by ``BodySizeLimitMiddleware`` with 413 before anything
reads them; a file within that limit but over ``CASE_ATTACHMENT_MAX_BYTES`` gets a message on the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from varta.accounts.permissions import Action
from varta.cases.actions import notes as note_actions
from varta.cases.forms_records import AttachmentForm, NoteForm, add_action_errors
from varta.cases.models import Attachment, Case
from varta.cases.views.common import open_case, render_case
from varta.cases.views.records_common import back_to, row_of
from varta.core.http import VartaRequest
from varta.orgs.models import Membership


def _render(request: VartaRequest, membership: Membership, case: Case, *, note_form: NoteForm | None = None,
            file_form: AttachmentForm | None = None, status: int = 200) -> HttpResponse:
    attachments = list(case.attachments.defer("content").select_related("uploaded_by"))
    context: dict[str, Any] = {
        "notes": list(case.notes.select_related("author")),
        "attachments": [(a, note_actions.may_delete_attachment(membership, a)) for a in attachments],
        "note_form": note_form or NoteForm(),
        "file_form": file_form or AttachmentForm(),
        "max_bytes": note_actions.max_bytes(),
    }
    return render_case(request, membership, case, "notes", "cases/tab_notes.html", context, status=status)


@require_GET
def notes(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_VIEW)
    return _render(request, membership, case)


@require_POST
def note_add(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_WORK)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note_actions.add_note(actor=request.actor, membership=membership, case=case,
                                  text=form.cleaned_data["text"])
        except ValidationError as exc:
            add_action_errors(form, exc, rename={"case": "__all__"})
        else:
            messages.success(request, _("Note added."))
            return back_to("cases:notes", case, "notes")
    return _render(request, membership, case, note_form=form, status=400)


@require_POST
def attachment_upload(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_WORK)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = note_actions.upload_attachment(actor=request.actor, membership=membership, case=case,
                                                        uploaded_file=form.cleaned_data["file"])
        except ValidationError as exc:
            add_action_errors(form, exc, rename={"case": "__all__"})
        else:
            messages.success(request, _("File “%(name)s” attached.") % {"name": attachment.file_name})
            return back_to("cases:notes", case, "files")
    return _render(request, membership, case, file_form=form, status=400)


@require_GET
def attachment_download(request: VartaRequest, case_id: int, attachment_id: int) -> HttpResponse:
    """The file, as an attachment of the type its content showed (never rendered inline); the read is audited."""
    membership, case = open_case(request, case_id, Action.CASE_VIEW, record_view=False)
    attachment = row_of(membership, case, Attachment, attachment_id)
    note_actions.download_attachment(actor=request.actor, membership=membership, attachment=attachment)
    response = HttpResponse(attachment.content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.file_name) or "attachment"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@require_POST
def attachment_delete(request: VartaRequest, case_id: int, attachment_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_VIEW)
    attachment = row_of(membership, case, Attachment, attachment_id)
    name = attachment.file_name
    try:
        note_actions.delete_attachment(actor=request.actor, membership=membership, attachment=attachment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("File “%(name)s” removed.") % {"name": name})
    return back_to("cases:notes", case, "files")


urlpatterns: list[URLPattern] = [
    path("<int:case_id>/notes/", notes, name="notes"),
    path("<int:case_id>/notes/new/", note_add, name="note_add"),
    path("<int:case_id>/attachments/new/", attachment_upload, name="attachment_upload"),
    path("<int:case_id>/attachments/<int:attachment_id>/download/", attachment_download,
         name="attachment_download"),
    path("<int:case_id>/attachments/<int:attachment_id>/delete/", attachment_delete, name="attachment_delete"),
]
