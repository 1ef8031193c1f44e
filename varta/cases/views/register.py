"""Registering a person, after searching for them: the registration page, the match search it calls while the
worker types, opening a new case for a person already registered, and turning a hotline escalation into a case.

Names travel only in POST bodies, never in a URL (URLs end up in logs and browser history). Without JavaScript the
first "Register" shows the possible matches and asks the worker to confirm that none of them is the person; with
JavaScript (static/cases/register.js) the same panel updates while they type.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varta.accounts.permissions import Action
from varta.cases import search, selectors
from varta.cases.actions import cases as case_actions
from varta.cases.forms import (
    CaseForm,
    MatchSearchForm,
    PersonForm,
    case_members,
    person_input_initial,
)
from varta.cases.models import Case, CaseSource
from varta.core.http import VartaRequest, acting
from varta.hotline import selectors as hotline_selectors
from varta.hotline.models import Escalation, EscalationStatus
from varta.orgs.models import Membership

CONFIRM_FIELD = "none_of_these"  # the checkbox "none of these is the person"
EXISTING_FIELD = "existing_person"  # the button "open a new case for this person" posts the person's id


def _escalation(request: VartaRequest, membership: Membership) -> Escalation | None:
    """The escalation being turned into a case (``?escalation=<id>``): 404 when it is not the organisation's."""
    raw = request.GET.get("escalation")
    if not raw:
        return None
    return hotline_selectors.access_escalation(membership, raw)


def _birth_date(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def _matches(membership: Membership, names: list[str], birth_date: date | None) -> list[search.Match] | None:
    """Possible matches, or None when nothing was typed to search for."""
    if not any(name.strip() for name in names):
        return None
    return search.find_persons(membership, names=names, birth_date=birth_date)


def _page(request: VartaRequest, *, person_form: PersonForm, case_form: CaseForm,
          matches: list[search.Match] | None, escalation: Escalation | None, confirm: bool = False,
          status: int = 200) -> HttpResponse:
    return render(request, "cases/register.html", {
        "person_form": person_form, "case_form": case_form, "matches": matches, "escalation": escalation,
        "confirm": confirm, "confirm_field": CONFIRM_FIELD, "existing_field": EXISTING_FIELD,
    }, status=status)


def _show_errors(exc: ValidationError, person_form: PersonForm, case_form: CaseForm) -> None:
    """An action's errors next to the field they name, on whichever form holds it; others above the case part."""
    for key, errors in exc.message_dict.items():
        if key in person_form.fields:
            person_form.add_error(key, errors)
        elif key in case_form.fields:
            case_form.add_error(key, errors)
        elif key == "disability":
            person_form.add_error(None, errors)
        else:
            case_form.add_error(None, errors)


def register(request: VartaRequest) -> HttpResponse:
    """Search, then register a new person and open their case (or open a case for a person found)."""
    membership = acting(request, Action.CASE_REGISTER)
    escalation = _escalation(request, membership)
    if escalation is not None and escalation.status != EscalationStatus.PENDING:
        messages.error(request, _("This escalation is not waiting for a case any more."))
        return redirect("hotline:escalations")
    members = case_members(membership)
    if request.method != "POST":
        default = case_actions.default_supervisor(membership.organisation_id)
        case_initial: dict[str, Any] = {"case_worker": str(membership.user_id),
                                        "supervisor": str(default.pk) if default else ""}
        person_initial: dict[str, Any] = {}
        if escalation is not None:
            person_initial = person_input_initial(case_actions.escalation_person(escalation))
            case_initial["source"] = CaseSource.HOTLINE
        return _page(request, person_form=PersonForm(initial=person_initial),
                     case_form=CaseForm(members=members, initial=case_initial), matches=None, escalation=escalation)
    person_form = PersonForm(request.POST)
    case_form = CaseForm(request.POST, members=members)
    if request.POST.get(EXISTING_FIELD):
        return _open_for_existing(request, membership, person_form, case_form, escalation)
    matches = _matches(membership, person_form.names(), _birth_date(request.POST.get("birth_date")))
    person_valid, case_valid = person_form.is_valid(), case_form.is_valid()
    if person_valid and case_valid:
        if matches and request.POST.get(CONFIRM_FIELD) != "on":
            return _page(request, person_form=person_form, case_form=case_form, matches=matches,
                         escalation=escalation, confirm=True)
        try:
            case = case_actions.register(actor=request.actor, membership=membership, person=person_form.to_input(),
                                         case=case_form.to_input(), escalation=escalation)
        except ValidationError as exc:
            _show_errors(exc, person_form, case_form)
        else:
            return _registered(request, case)
    return _page(request, person_form=person_form, case_form=case_form, matches=matches, escalation=escalation,
                 status=400)


def _open_for_existing(request: VartaRequest, membership: Membership, person_form: PersonForm, case_form: CaseForm,
                       escalation: Escalation | None) -> HttpResponse:
    """"Open a new case for this person": a person the user may see (404 otherwise), the case part of the form."""
    person = selectors.access_person(membership, request.POST.get(EXISTING_FIELD, ""))
    if case_form.is_valid():
        try:
            case = case_actions.open_case(actor=request.actor, membership=membership, person=person,
                                          case=case_form.to_input(), escalation=escalation)
        except ValidationError as exc:
            _show_errors(exc, person_form, case_form)
        else:
            return _registered(request, case)
    matches = _matches(membership, person_form.names(), _birth_date(request.POST.get("birth_date")))
    return _page(request, person_form=person_form, case_form=case_form, matches=matches, escalation=escalation,
                 status=400)


def _registered(request: VartaRequest, case: Case) -> HttpResponse:
    messages.success(request, _("Case %(reference)s opened.") % {"reference": case.reference})
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
def match_search(request: VartaRequest) -> HttpResponse:
    """The possible-matches panel for what the worker has typed so far (POSTed by register.js, with CSRF)."""
    membership = acting(request, Action.CASE_REGISTER)
    form = MatchSearchForm(request.POST)
    form.is_valid()  # a half-typed date is no error here: it is simply not used
    names = [str(request.POST.get(n, ""))[:200] for n in ("given_name", "family_name", "patronymic")]
    matches = _matches(membership, names, form.cleaned_data.get("birth_date"))
    return render(request, "cases/register_matches.html", {
        "matches": matches, "confirm_field": CONFIRM_FIELD, "existing_field": EXISTING_FIELD,
    })


urlpatterns: list[URLPattern] = [
    path("register/", register, name="register"),
    path("register/search/", match_search, name="search"),
]
