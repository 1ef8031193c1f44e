"""The audit viewer: org admins read their organisation's trail, system admins the whole system's."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from varta.accounts.permissions import Action, can
from varta.audit import selectors
from varta.audit.forms import AuditFilterForm
from varta.core.http import VartaRequest, acting


def event_list(request: VartaRequest) -> HttpResponse:
    membership = acting(request, Action.AUDIT_VIEW_ORG)
    see_all = can(membership, Action.AUDIT_VIEW_ALL)
    form = AuditFilterForm(request.GET, see_all=see_all)
    context: dict[str, object] = {"form": form, "see_all": see_all, "object_types": selectors.object_types()}
    if not form.is_valid():
        return render(request, "audit/list.html", {**context, "page": None}, status=400)
    events = selectors.events_for(membership, form.criteria())
    page = selectors.events_page(events, before=selectors.Cursor.decode(request.GET.get("before")),
                                 after=selectors.Cursor.decode(request.GET.get("after")))
    return render(request, "audit/list.html", {**context, "page": page})
