"""The follow-ups tab: scheduled reintegration follow-ups (overdue highlighted), scheduling them at intervals, and
recording one with the questionnaire of varta/cases/reintegration.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from varta.accounts.permissions import Action
from varta.cases import reintegration
from varta.cases.actions import followups as follow_up_actions
from varta.cases.forms_records import FollowUpForm, ScheduleForm, add_action_errors
from varta.cases.models import Case, ConsentPurpose, FollowUp
from varta.cases.views.common import open_case, render_case
from varta.cases.views.records_common import back_to, missing_consents, row_of
from varta.core.http import VartaRequest
from varta.orgs.models import Membership


@dataclass(frozen=True)
class FollowUpRow:
    follow_up: FollowUp
    overdue: bool
    band: str  # how the overall score reads: low, medium, high
    band_label: str


def _stage_note(case: Case) -> str:
    if case.is_closed or case.stage in follow_up_actions.FOLLOW_UP_STAGES:
        return ""
    return _("Follow-ups are scheduled and recorded in the assistance and reintegration monitoring stages; this "
             "case is at “%(stage)s”.") % {"stage": case.get_stage_display()}


def _render(request: VartaRequest, membership: Membership, case: Case, *, form: ScheduleForm | None = None,
            status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    rows = []
    for f in case.follow_ups.all():
        band = reintegration.band(f.overall_score)
        rows.append(FollowUpRow(follow_up=f, overdue=f.done_on is None and f.due_on < today, band=band,
                                band_label=reintegration.band_label(band)))
    context: dict[str, Any] = {
        "rows": rows, "form": form or ScheduleForm(), "stage_note": _stage_note(case),
        "missing_consents": missing_consents(case, (ConsentPurpose.FOLLOW_UP,)),
        "min_answers": reintegration.MIN_ANSWERS,
    }
    return render_case(request, membership, case, "follow_ups", "cases/tab_follow_ups.html", context,
                       status=status)


@require_GET
def follow_ups(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_VIEW)
    return _render(request, membership, case)


@require_POST
def follow_ups_schedule(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_WORK)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rows = follow_up_actions.schedule_follow_ups(
                actor=request.actor, membership=membership, case=case, first_on=data["first_on"],
                interval_months=data["interval_months"], count=data["count"])
        except ValidationError as exc:
            add_action_errors(form, exc, rename={"case": "__all__", "consent": "__all__"})
        else:
            messages.success(request, ngettext("%(count)s follow-up scheduled.", "%(count)s follow-ups scheduled.",
                                               len(rows)) % {"count": len(rows)})
            return back_to("cases:follow_ups", case)
    return _render(request, membership, case, form=form, status=400)


@require_http_methods(["GET", "POST"])
def follow_up_record(request: VartaRequest, case_id: int, follow_up_id: int) -> HttpResponse:
    """The questionnaire of one follow-up; saving records it as done, with its scores (a correction re-scores)."""
    membership, case = open_case(request, case_id, Action.CASE_WORK)
    follow_up = row_of(membership, case, FollowUp, follow_up_id)
    dimension_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                follow_up_actions.record_follow_up(actor=request.actor, membership=membership, follow_up=follow_up,
                                                   done_on=form.cleaned_data["done_on"], answers=form.answers())
            except ValidationError as exc:
                # "Too few answers" belongs to a dimension's group of statements, shown above that group.
                dimension_errors = {d.value: exc.message_dict[d.value] for d in reintegration.Dimension
                                    if d.value in exc.message_dict}
                add_action_errors(form, exc, rename={"case": "__all__", "consent": "__all__"},
                                  skip=tuple(dimension_errors))
            else:
                messages.success(request, _("Follow-up recorded: overall score %(score)s.")
                                 % {"score": follow_up.overall_score})
                return back_to("cases:follow_ups", case)
    else:
        form = FollowUpForm(initial=FollowUpForm.initial_from(follow_up.done_on, follow_up.answers))
    groups = [(label, fields, dimension_errors.get(value, [])) for value, label, fields in form.dimensions()]
    return render_case(request, membership, case, "follow_ups", "cases/tab_follow_up_record.html", {
        "form": form, "follow_up": follow_up, "scale": reintegration.SCALE, "groups": groups,
        "has_errors": bool(form.errors or dimension_errors), "min_answers": reintegration.MIN_ANSWERS,
        "missing_consents": missing_consents(case, (ConsentPurpose.FOLLOW_UP,)),
    }, status=400 if request.method == "POST" else 200)


urlpatterns: list[URLPattern] = [
    path("<int:case_id>/follow-ups/", follow_ups, name="follow_ups"),
    path("<int:case_id>/follow-ups/schedule/", follow_ups_schedule, name="follow_ups_schedule"),
    path("<int:case_id>/follow-ups/<int:follow_up_id>/record/", follow_up_record, name="follow_up_record"),
]
