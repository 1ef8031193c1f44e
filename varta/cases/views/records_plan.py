"""The needs-and-plan tab: needs by domain, planned services with target dates (overdue ones highlighted)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from varta.accounts.permissions import Action
from varta.cases.actions import plan as plan_actions
from varta.cases.forms_records import NeedForm, PlanItemForm, PlanItemStatusForm, add_action_errors
from varta.cases.models import Case, Need, PlanItem, PlanItemStatus
from varta.cases.views.common import open_case, render_case
from varta.cases.views.records_common import back_to, missing_consents, referral_consents, row_of
from varta.core.http import VartaRequest
from varta.orgs.models import Membership


@dataclass(frozen=True)
class PlanRow:
    item: PlanItem
    overdue: bool  # planned, and the target date has passed


def _render(request: VartaRequest, membership: Membership, case: Case, *, need_form: NeedForm | None = None,
            item_form: PlanItemForm | None = None, row_errors: dict[str, list[str]] | None = None,
            missing: list[Any] | None = None, status: int = 200) -> HttpResponse:
    needs = list(case.needs.all())
    today = timezone.localdate()
    rows = [PlanRow(item=item, overdue=item.status == PlanItemStatus.PLANNED and item.target_date < today)
            for item in case.plan_items.select_related("need", "provider")]
    context: dict[str, Any] = {
        "needs": needs, "rows": rows, "overdue_count": sum(1 for row in rows if row.overdue),
        "need_form": need_form or NeedForm(),
        "item_form": item_form or PlanItemForm(case=case, needs=needs, consented=referral_consents(case)),
        "status_choices": PlanItemStatus.choices,
        "row_errors": row_errors or {},
        "missing_consents": missing or [],
    }
    return render_case(request, membership, case, "plan", "cases/tab_plan.html", context, status=status)


@require_GET
def plan(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_VIEW)
    return _render(request, membership, case)


@require_POST
def need_add(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_WORK)
    form = NeedForm(request.POST)
    if form.is_valid():
        try:
            plan_actions.add_need(actor=request.actor, membership=membership, case=case, data=form.to_input())
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Need added."))
            return back_to("cases:plan", case, "needs")
    return _render(request, membership, case, need_form=form, status=400)


@require_POST
def need_met(request: VartaRequest, case_id: int, need_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_WORK)
    need = row_of(membership, case, Need, need_id)
    met = request.POST.get("met") == "1"
    try:
        plan_actions.set_need_met(actor=request.actor, membership=membership, need=need, met=met)
    except ValidationError as exc:
        return _render(request, membership, case, row_errors={f"need-{need.pk}": exc.messages}, status=400)
    messages.success(request, _("Need marked as met.") if met else _("Need marked as open."))
    return back_to("cases:plan", case, "needs")


@require_POST
def plan_item_add(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_WORK)
    form = PlanItemForm(request.POST, case=case, needs=list(case.needs.all()), consented=referral_consents(case))
    missing: list[Any] = []
    if form.is_valid():
        data = form.to_input()
        try:
            plan_actions.add_plan_item(actor=request.actor, membership=membership, case=case, data=data)
        except ValidationError as exc:
            add_action_errors(form, exc)
            missing = missing_consents(case, recipients=(data.provider,))
        else:
            messages.success(request, _("Plan item added."))
            return back_to("cases:plan", case, "plan-items")
    return _render(request, membership, case, item_form=form, missing=missing, status=400)


@require_POST
def plan_item_status(request: VartaRequest, case_id: int, item_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_WORK)
    item = row_of(membership, case, PlanItem, item_id)
    form = PlanItemStatusForm(request.POST)
    key = f"item-{item.pk}"
    if not form.is_valid():
        return _render(request, membership, case, status=400,
                       row_errors={key: [str(m) for ms in form.errors.values() for m in ms]})
    try:
        plan_actions.set_plan_item_status(actor=request.actor, membership=membership, item=item,
                                          status=form.cleaned_data["status"])
    except ValidationError as exc:
        return _render(request, membership, case, row_errors={key: exc.messages}, status=400)
    messages.success(request, _("Plan item set to “%(status)s”.") % {"status": item.get_status_display()})
    return back_to("cases:plan", case, "plan-items")


urlpatterns: list[URLPattern] = [
    path("<int:case_id>/plan/", plan, name="plan"),
    path("<int:case_id>/plan/needs/", need_add, name="need_add"),
    path("<int:case_id>/plan/needs/<int:need_id>/met/", need_met, name="need_met"),
    path("<int:case_id>/plan/items/", plan_item_add, name="plan_item_add"),
    path("<int:case_id>/plan/items/<int:item_id>/status/", plan_item_status, name="plan_item_status"),
]
