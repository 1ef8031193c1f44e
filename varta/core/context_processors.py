"""Template context every page needs: demo banner, acting organisation, navigation by role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from varta.accounts.permissions import Action, can


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return []
    items: list[tuple[str, Any, Action | None]] = [
        ("core:home", _("Home"), None),
        ("orgs:detail", _("My organisation"), Action.ORG_VIEW),
        ("orgs:list", _("Organisations"), Action.ORGS_MANAGE),
        ("audit:list", _("Audit trail"), Action.AUDIT_VIEW_ORG),
        ("geo:browse", _("Places"), Action.GEO_VIEW),
    ]
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    nav = []
    for name, label, action in items:
        if action is None or can(membership, action):
            nav.append({"url": reverse(name), "label": label, "active": current == name})
    return nav


def varta(request: HttpRequest) -> dict[str, Any]:
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
        "nav": navigation(request),
        "SESSION_IDLE_MINUTES": settings.SESSION_IDLE_MINUTES,
    }
