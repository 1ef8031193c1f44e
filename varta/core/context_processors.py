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
    # (route, label, actions: shown when the role has any of them; empty = everyone)
    items: list[tuple[str, Any, tuple[Action, ...]]] = [
        ("core:home", _("Home"), ()),
        ("hotline:contact_new", _("New contact"), (Action.HOTLINE_CONTACT_CREATE,)),
        ("hotline:callbacks", _("Call-backs"), (Action.HOTLINE_CONTACT_CREATE,)),
        ("hotline:contact_list", _("Contacts"), (Action.HOTLINE_CONTACT_VIEW,)),
        ("hotline:escalations", _("Escalations"), (Action.HOTLINE_ESCALATION_VIEW,)),
        ("cases:my_cases", _("Cases"), (Action.CASE_VIEW,)),
        ("cases:register", _("Register"), (Action.CASE_REGISTER,)),
        ("hotline:stats", _("Statistics"), (Action.STATS_ORG, Action.STATS_AGGREGATE)),
        ("hotline:imports", _("Import"), (Action.HOTLINE_IMPORT,)),
        ("hotline:taxonomy", _("Topics"), (Action.TAXONOMY_MANAGE,)),
        ("orgs:detail", _("My organisation"), (Action.ORG_VIEW,)),
        ("orgs:list", _("Organisations"), (Action.ORGS_MANAGE,)),
        ("audit:list", _("Audit trail"), (Action.AUDIT_VIEW_ORG,)),
        ("geo:browse", _("Places"), (Action.GEO_VIEW,)),
    ]
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    nav = []
    for name, label, actions in items:
        if not actions or any(can(membership, action) for action in actions):
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
