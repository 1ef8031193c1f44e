"""Data-subject rights and retention pages: a person's access-request export (JSON), the retention list with
anonymisation of closed cases past the retention period. Both need ``cases.subject_rights`` (organisation admin)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from varta.accounts.permissions import Action
from varta.cases import selectors
from varta.cases.actions import rights
from varta.cases.views.common import open_case, render_case
from varta.core.http import VartaRequest, acting

# Cases anonymised by one press of "anonymise all": the rest waits for the next press or for the daily command.
RETENTION_BATCH = 200


@require_http_methods(["GET", "POST"])
def person_export(request: VartaRequest, case_id: int) -> HttpResponse:
    """GET: what the export holds and a confirmation; POST (confirmed): the JSON file, audited."""
    membership, case = open_case(request, case_id, Action.CASE_SUBJECT_RIGHTS)
    if request.method == "POST":
        if request.POST.get("confirm") != "on":
            return render_case(request, membership, case, "", "cases/rights_export.html", {
                "error": _("Confirm that the request is the person's own, or made on their behalf with authority.")},
                status=400)
        data = rights.subject_access_export(actor=request.actor, membership=membership, person=case.person)
        response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2),
                                content_type="application/json; charset=utf-8")
        name = f"varta-person-{case.person_id}-{timezone.localdate().isoformat()}.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render_case(request, membership, case, "", "cases/rights_export.html",
                       {"inline_max": rights.ATTACHMENT_INLINE_MAX})


@require_http_methods(["GET", "POST"])
def retention(request: VartaRequest) -> HttpResponse:
    """Closed cases past the retention period, with a button to anonymise them (all, or the ones ticked)."""
    membership = acting(request, Action.CASE_SUBJECT_RIGHTS)
    due = selectors.cases_past_retention(membership).select_related("case_worker")
    error = ""
    if request.method == "POST":
        chosen = set(request.POST.getlist("case"))
        if request.POST.get("confirm") != "on":
            error = _("Confirm that you understand anonymisation cannot be undone.")
        elif request.POST.get("all") == "on":
            selected = list(due[:RETENTION_BATCH])
        else:
            selected = [c for c in due.filter(pk__in=[v for v in chosen if v.isdigit()])]
            if not selected:
                error = _("Tick the cases to anonymise, or choose all of them.")
        if not error:
            done = 0
            for case in selected:
                try:
                    rights.anonymise_case(actor=request.actor, membership=membership, case=case)
                    done += 1
                except ValidationError:
                    continue  # anonymised meanwhile by someone else, or no longer due: nothing to do
            messages.success(request, ngettext("%(count)d case anonymised.", "%(count)d cases anonymised.", done)
                             % {"count": done})
            return redirect("cases:retention")
    shown = list(due[:RETENTION_BATCH])
    return render(request, "cases/rights_retention.html", {
        "cases": shown, "total": due.count() if len(shown) == RETENTION_BATCH else len(shown),
        "retention_days": settings.CASE_RETENTION_DAYS, "batch": RETENTION_BATCH, "error": error,
    }, status=400 if error else 200)


urlpatterns: list[URLPattern] = [
    path("<int:case_id>/person/export/", person_export, name="person_export"),
    path("retention/", retention, name="retention"),
]
