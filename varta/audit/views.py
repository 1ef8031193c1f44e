"""Audit viewer (in progress: the audit helper replaces this module)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from varta.accounts.permissions import Action
from varta.core.http import VartaRequest, acting


def event_list(request: VartaRequest) -> HttpResponse:
    acting(request, Action.AUDIT_VIEW_ORG)
    return render(request, "core/error.html", {"title": "Audit", "message": "…"})
