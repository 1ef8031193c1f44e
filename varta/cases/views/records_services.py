"""The services tab: services delivered (length of a rehabilitation-centre stay, cost), recording and correcting."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from varta.accounts.permissions import Action
from varta.cases.actions import services as service_actions
from varta.cases.forms_records import ServiceForm, add_action_errors
from varta.cases.models import Case, ConsentPurpose, PlanItem, PlanItemStatus, Service
from varta.cases.views.common import open_case, render_case
from varta.cases.views.records_common import back_to, missing_consents, referral_consents, row_of
from varta.core.http import VartaRequest
from varta.orgs.models import Membership


@require_GET
def services(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_VIEW)
    rows = list(case.services.select_related("provider", "plan_item"))
    return render_case(request, membership, case, "services", "cases/tab_services.html", {
        "services": rows, "missing_consents": missing_consents(case, (ConsentPurpose.ASSISTANCE,)),
    })


def _plan_items(case: Case, service: Service | None = None) -> list[PlanItem]:
    """Plan items a service can answer: those still planned, and the one the service answers already."""
    wanted = Q(status=PlanItemStatus.PLANNED)
    if service is not None and service.plan_item_id is not None:
        wanted |= Q(pk=service.plan_item_id)
    return list(case.plan_items.filter(wanted))


def _form(request: VartaRequest, case: Case, service: Service | None) -> ServiceForm:
    items = _plan_items(case, service)
    kwargs: dict[str, Any] = {"case": case, "plan_items": items, "consented": referral_consents(case)}
    if request.method == "POST":
        return ServiceForm(request.POST, **kwargs)
    if service is not None:
        return ServiceForm(initial=ServiceForm.initial_from(service), **kwargs)
    initial = {"provider": str(case.organisation_id)}
    # "Record the service" from a plan item (?plan_item=<id>) starts from what was planned.
    item = next((i for i in items if str(i.pk) == request.GET.get("plan_item")), None)
    if item is not None:
        initial.update(plan_item=str(item.pk), service_type=item.service_type,
                       provider=str(item.provider_id or case.organisation_id))
    return ServiceForm(initial=initial, **kwargs)


def _save(request: VartaRequest, membership: Membership, case: Case, service: Service | None) -> HttpResponse:
    form = _form(request, case, service)
    missing: list[Any] = []
    if request.method == "POST":
        if form.is_valid():
            data = form.to_input()
            try:
                if service is None:
                    service_actions.record_service(actor=request.actor, membership=membership, case=case, data=data)
                else:
                    service_actions.update_service(actor=request.actor, membership=membership, service=service,
                                                   data=data)
            except ValidationError as exc:
                add_action_errors(form, exc, rename={"case": "__all__", "consent": "__all__"})
                missing = missing_consents(case, (ConsentPurpose.ASSISTANCE,) if service is None else (),
                                           recipients=(data.provider,))
            else:
                messages.success(request, _("Service recorded.") if service is None else _("Service corrected."))
                return back_to("cases:services", case)
    elif service is None:
        missing = missing_consents(case, (ConsentPurpose.ASSISTANCE,))
    return render_case(request, membership, case, "services", "cases/tab_services_form.html", {
        "form": form, "service": service, "missing_consents": missing,
    }, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def service_add(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_WORK)
    return _save(request, membership, case, None)


@require_http_methods(["GET", "POST"])
def service_edit(request: VartaRequest, case_id: int, service_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_WORK)
    service = row_of(membership, case, Service, service_id)
    return _save(request, membership, case, service)


urlpatterns: list[URLPattern] = [
    path("<int:case_id>/services/", services, name="services"),
    path("<int:case_id>/services/new/", service_add, name="service_add"),
    path("<int:case_id>/services/<int:service_id>/edit/", service_edit, name="service_edit"),
]
