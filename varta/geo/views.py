"""Place pages (in progress: the geo helper replaces this module)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from varta.accounts.permissions import Action
from varta.core.http import VartaRequest, acting


def browse(request: VartaRequest) -> HttpResponse:
    acting(request, Action.GEO_VIEW)
    return render(request, "core/error.html", {"title": "Places", "message": "…"})
