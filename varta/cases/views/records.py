"""The record tabs of a case page: screening and consents here; needs and plan, services, follow-ups, notes and
files in ``records_*.py``. Every route of these tabs is in ``urlpatterns`` below.

Pages read with ``Action.CASE_VIEW`` and write with ``Action.CASE_WORK`` (``open_case``: 404 unless the case is
visible). A POST with bad input re-renders its tab with the form's messages and status 400.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from varta.accounts.permissions import Action, can
from varta.cases.actions import consent as consent_actions
from varta.cases.actions import screening as screening_actions
from varta.cases.forms_records import ConsentForm, ScreeningForm, WithdrawForm, add_action_errors
from varta.cases.models import Case, Consent, Screening
from varta.cases.views import records_followups, records_notes, records_plan, records_services
from varta.cases.views.common import open_case, render_case
from varta.cases.views.records_common import back_to, row_of
from varta.core.http import VartaRequest
from varta.orgs.models import Membership

# --- Screening ---------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def screening(request: VartaRequest, case_id: int) -> HttpResponse:
    """The HTCDS victim context and the national referral mechanism track (one screening per case)."""
    action = Action.CASE_WORK if request.method == "POST" else Action.CASE_VIEW
    membership, case = open_case(request, case_id, action)
    current = Screening.objects.filter(case=case).prefetch_related("exploitation_countries").select_related(
        "recruitment_place", "exploitation_place", "recruitment_country").first()
    if request.method == "POST":
        form = ScreeningForm(request.POST)
        if form.is_valid():
            try:
                screening_actions.save_screening(actor=request.actor, membership=membership, case=case,
                                                 data=form.to_input())
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("Screening saved."))
                return back_to("cases:screening", case)
        return _render_screening(request, membership, case, form, current, status=400)
    return _render_screening(request, membership, case, ScreeningForm(initial=ScreeningForm.initial_from(current)),
                             current)


def _render_screening(request: VartaRequest, membership: Membership, case: Case, form: ScreeningForm,
                      current: Screening | None, *, status: int = 200) -> HttpResponse:
    if not can(membership, Action.CASE_WORK) or case.is_closed:
        for field in form.fields.values():
            field.disabled = True
    return render_case(request, membership, case, "screening", "cases/tab_screening.html",
                       {"form": form, "screening": current}, status=status)


# --- Consents ----------------------------------------------------------------------------------------------------


def _render_consents(request: VartaRequest, membership: Membership, case: Case, *, form: ConsentForm | None = None,
                     withdraw_errors: dict[int, list[str]] | None = None, status: int = 200) -> HttpResponse:
    consents = list(case.consents.select_related("recipient", "recorded_by"))
    today = timezone.localdate()
    context: dict[str, Any] = {
        "consents": consents,
        "form": form or ConsentForm(own_id=case.organisation_id),
        "withdraw_errors": withdraw_errors or {},
        "today": today,
    }
    return render_case(request, membership, case, "consents", "cases/tab_consents.html", context, status=status)


@require_http_methods(["GET", "POST"])
def consents(request: VartaRequest, case_id: int) -> HttpResponse:
    """Consents per purpose, with their withdrawal; a POST records a new consent."""
    if request.method != "POST":
        membership, case = open_case(request, case_id, Action.CASE_VIEW)
        return _render_consents(request, membership, case)
    membership, case = open_case(request, case_id, Action.CASE_WORK)
    form = ConsentForm(request.POST, own_id=case.organisation_id)
    if form.is_valid():
        try:
            consent_actions.record_consent(actor=request.actor, membership=membership, case=case,
                                           data=form.to_input())
        except ValidationError as exc:
            add_action_errors(form, exc, rename={"case": "__all__"})
        else:
            messages.success(request, _("Consent recorded."))
            return back_to("cases:consents", case)
    return _render_consents(request, membership, case, form=form, status=400)


@require_POST
def consent_withdraw(request: VartaRequest, case_id: int, consent_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_WORK)
    consent = row_of(membership, case, Consent, consent_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _render_consents(request, membership, case, status=400,
                                withdraw_errors={consent.pk: [str(m) for ms in form.errors.values() for m in ms]})
    try:
        consent_actions.withdraw_consent(actor=request.actor, membership=membership, consent=consent,
                                         on=form.cleaned_data["withdrawn_on"])
    except ValidationError as exc:
        return _render_consents(request, membership, case, status=400, withdraw_errors={consent.pk: exc.messages})
    messages.success(request, _("Consent withdrawn: “%(purpose)s”.") % {"purpose": consent.get_purpose_display()})
    return back_to("cases:consents", case)


urlpatterns: list[URLPattern] = [
    path("<int:case_id>/screening/", screening, name="screening"),
    path("<int:case_id>/consents/", consents, name="consents"),
    path("<int:case_id>/consents/<int:consent_id>/withdraw/", consent_withdraw, name="consent_withdraw"),
    *records_plan.urlpatterns,
    *records_services.urlpatterns,
    *records_followups.urlpatterns,
    *records_notes.urlpatterns,
]
