"""What every page of one case shares: access on a need-to-know basis, the audit event of the view, the header
and tabs (templates/cases/case_base.html)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from varta.accounts.permissions import Action, can
from varta.cases import selectors
from varta.cases.actions import cases as case_actions
from varta.cases.models import Case
from varta.core.http import VartaRequest, acting
from varta.orgs.models import Membership

# (tab name, route name, label): the case page's tabs, in order.
TABS: tuple[tuple[str, str, Any], ...] = (
    ("overview", "cases:case_detail", _("Overview")),
    ("screening", "cases:screening", _("Screening")),
    ("consents", "cases:consents", _("Consents")),
    ("plan", "cases:plan", _("Needs and plan")),
    ("services", "cases:services", _("Services")),
    ("follow_ups", "cases:follow_ups", _("Follow-ups")),
    ("notes", "cases:notes", _("Notes and files")),
)


def open_case(request: VartaRequest, case_id: int, action: Action = Action.CASE_VIEW, *,
              record_view: bool | None = None) -> tuple[Membership, Case]:
    """The acting membership (checked against ``action``) and the case, 404 unless visible.

    A GET of a case page is recorded as a view of the case (every view is an audit event); pass ``record_view``
    to override.
    """
    membership = acting(request, action)
    case = selectors.access_case(membership, case_id)
    if record_view if record_view is not None else request.method == "GET":
        case_actions.viewed(actor=request.actor, case=case)
    return membership, case


def render_case(request: VartaRequest, membership: Membership, case: Case, tab: str, template: str,
                context: dict[str, Any] | None = None, *, status: int = 200) -> HttpResponse:
    """The case page's tab ``tab``. A POST shown again (its form refused) shows the tab's records too: that is a
    view of the case as well (a GET's was recorded by ``open_case``)."""
    if request.method != "GET":
        case_actions.viewed(actor=request.actor, case=case)
    return render(request, template, {
        "case": case, "person": case.person, "tab": tab, "tabs": TABS,
        "can_work": can(membership, Action.CASE_WORK) and not case.is_closed,
        "can_supervise": can(membership, Action.CASE_SUPERVISE),
        **(context or {}),
    }, status=status)
