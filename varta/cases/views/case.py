"""The case page's overview: the person (personal fields masked until an audited reveal), the workflow panel
(stage, history, moves, closure request and approval, reopening, reassignment), consents and counts; and the
correction of the person, whose form is filled in only after a reveal with a reason.

Every GET of a case page records a view of the case (``open_case``). Personal values reach a response only after
``case_actions.reveal`` has written its audit event, in that same response.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from varta.accounts.permissions import Action, Role, can
from varta.cases import workflow
from varta.cases.actions import cases as case_actions
from varta.cases.forms import (
    AssignForm,
    ClosureForm,
    PersonForm,
    RevealForm,
    add_action_errors,
    case_members,
    person_initial,
)
from varta.cases.models import (
    WG_DOMAINS,
    Case,
    CaseStage,
    ConsentPurpose,
    IdDocumentType,
    Person,
    PlanItemStatus,
    WgLevel,
)
from varta.cases.views.common import open_case, render_case
from varta.core.http import VartaRequest
from varta.orgs.models import Membership

MASK = "••••"

PERSONAL_LABELS = (
    ("family_name", gettext_lazy("Family name")),
    ("given_name", gettext_lazy("Given name")),
    ("patronymic", gettext_lazy("Patronymic")),
    ("birth_date", gettext_lazy("Date of birth")),
    ("phone", gettext_lazy("Phone")),
    ("email", gettext_lazy("E-mail")),
    ("address", gettext_lazy("Address")),
    ("id_document_type", gettext_lazy("Identity document")),
    ("id_document_number", gettext_lazy("Document number")),
)


def personal_rows(person: Person, *, revealed: bool) -> list[dict[str, Any]]:
    """Label and value of each personal field; the value only when ``revealed`` (else whether one is recorded)."""
    documents = dict(IdDocumentType.choices)
    rows = []
    for name, label in PERSONAL_LABELS:
        raw = getattr(person, name)
        value = str(documents.get(raw, raw)) if name == "id_document_type" and raw else raw
        rows.append({"name": name, "label": label, "recorded": bool(raw), "value": value if revealed else ""})
    return rows


def may_supervise(membership: Membership, case: Case) -> bool:
    """Whether the page offers the supervisor's buttons (the actions decide again)."""
    return can(membership, Action.CASE_SUPERVISE) and (
        membership.role == Role.ORG_ADMIN or case.supervisor_id == membership.user_id)


def _counts(case: Case) -> dict[str, Any]:
    today = timezone.localdate()
    plan = case.plan_items.filter(status=PlanItemStatus.PLANNED)
    follow_ups = case.follow_ups.filter(done_on__isnull=True)
    return {
        "services": case.services.count(),
        "overdue_plan_items": plan.filter(target_date__lt=today).count(),
        "overdue_follow_ups": follow_ups.filter(due_on__lt=today).count() if not case.is_closed else 0,
        "next_plan_item": plan.order_by("target_date").first(),
        "next_follow_up": follow_ups.order_by("due_on").first(),
    }


def _consents(case: Case) -> list[dict[str, Any]]:
    """Per purpose: the active consents (a referral consent names its organisation), or none."""
    consents = list(case.consents.select_related("recipient"))
    summary = []
    for purpose, label in ConsentPurpose.choices:
        active = [c for c in consents if c.purpose == purpose and c.is_active]
        withdrawn = [c for c in consents if c.purpose == purpose and not c.is_active]
        summary.append({"purpose": purpose, "label": label, "active": active, "withdrawn": bool(withdrawn)})
    return summary


def _disability(person: Person) -> list[tuple[Any, str]]:
    levels = dict(WgLevel.choices)
    return [(label, str(levels[getattr(person, name)])) for name, label in WG_DOMAINS if getattr(person, name)]


def render_overview(request: VartaRequest, membership: Membership, case: Case, *, revealed: bool = False,
                    reveal_form: RevealForm | None = None, closure_form: ClosureForm | None = None,
                    assign_form: AssignForm | None = None, workflow_errors: list[str] | None = None,
                    status: int = 200) -> HttpResponse:
    can_work = can(membership, Action.CASE_WORK)
    supervises = may_supervise(membership, case)
    is_open = not case.is_closed
    if assign_form is None and supervises and is_open:
        assign_form = AssignForm(members=case_members(membership), initial={
            "case_worker": str(case.case_worker_id), "supervisor": str(case.supervisor_id)})
    person = case.person
    return render_case(request, membership, case, "overview", "cases/case_overview.html", {
        "revealed": revealed,
        "personal": personal_rows(person, revealed=revealed),
        "mask": MASK,
        "disability": _disability(person),
        "reveal_form": reveal_form or RevealForm(),
        "transitions": case.transitions.select_related("by", "approved_by"),
        "stage_choices": CaseStage.choices,
        "next_stage": workflow.next_stage(case.stage) if can_work and is_open else None,
        "previous_stage": workflow.previous_stage(case.stage) if can_work and is_open else None,
        "can_request_closure": can_work and is_open and not case.closure_pending,
        "closure_form": closure_form or ClosureForm(),
        "can_decide_closure": supervises and case.closure_pending
                              and case.closure_requested_by_id != membership.user_id,
        "can_reopen": supervises and case.is_closed and case.anonymised_at is None,
        "assign_form": assign_form if supervises and is_open else None,
        "workflow_errors": workflow_errors or [],
        "can_edit_person": can_work and person.anonymised_at is None,
        "can_export_person": can(membership, Action.CASE_SUBJECT_RIGHTS) and person.anonymised_at is None,
        "consents": _consents(case),
        "counts": _counts(case),
        "today": timezone.localdate(),
    }, status=status)


@require_GET
def case_detail(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id)
    return render_overview(request, membership, case)


@require_POST
def case_reveal(request: VartaRequest, case_id: int) -> HttpResponse:
    """Show the person's personal fields in this response only, after recording who looked and why."""
    membership, case = open_case(request, case_id)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return render_overview(request, membership, case, reveal_form=form, status=400)
    try:
        case_actions.reveal(actor=request.actor, membership=membership, case=case, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        add_action_errors(form, exc)
        return render_overview(request, membership, case, reveal_form=form, status=400)
    return render_overview(request, membership, case, revealed=True)


def _workflow_error(request: VartaRequest, membership: Membership, case: Case, exc: ValidationError,
                    **forms: Any) -> HttpResponse:
    return render_overview(request, membership, case, workflow_errors=exc.messages, status=400, **forms)


def _done(request: VartaRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("cases:case_detail", case_id=case.pk)


@require_POST
def case_move(request: VartaRequest, case_id: int) -> HttpResponse:
    """One step forward or back (the action refuses skipping a step, closing this way, or a closed case)."""
    membership, case = open_case(request, case_id, Action.CASE_WORK)
    try:
        case_actions.move(actor=request.actor, membership=membership, case=case,
                          to_stage=request.POST.get("to_stage", ""))
    except ValidationError as exc:
        return _workflow_error(request, membership, case, exc)
    return _done(request, case, _("The case moved to “%(stage)s”.") % {"stage": case.get_stage_display()})


@require_POST
def closure_request(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_WORK)
    form = ClosureForm(request.POST)
    form.is_valid()
    try:
        case_actions.request_closure(actor=request.actor, membership=membership, case=case,
                                     reason=request.POST.get("closure_reason", ""))
    except ValidationError as exc:
        add_action_errors(form, exc)
        return render_overview(request, membership, case, closure_form=form, status=400)
    return _done(request, case, _("Closure requested: a supervisor must approve it."))


@require_POST
def closure_approve(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_SUPERVISE)
    try:
        case_actions.approve_closure(actor=request.actor, membership=membership, case=case)
    except ValidationError as exc:
        return _workflow_error(request, membership, case, exc)
    return _done(request, case, _("The case is closed."))


@require_POST
def closure_reject(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_SUPERVISE)
    try:
        case_actions.reject_closure(actor=request.actor, membership=membership, case=case)
    except ValidationError as exc:
        return _workflow_error(request, membership, case, exc)
    return _done(request, case, _("The closure request was turned down; the case stays open."))


@require_POST
def case_reopen(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_SUPERVISE)
    try:
        case_actions.reopen(actor=request.actor, membership=membership, case=case)
    except ValidationError as exc:
        return _workflow_error(request, membership, case, exc)
    return _done(request, case, _("The case is open again, at “%(stage)s”.") % {"stage": case.get_stage_display()})


@require_POST
def case_assign(request: VartaRequest, case_id: int) -> HttpResponse:
    membership, case = open_case(request, case_id, Action.CASE_SUPERVISE)
    form = AssignForm(request.POST, members=case_members(membership))
    if form.is_valid():
        case_worker, supervisor = form.users()
        if case_worker is not None and supervisor is not None:
            try:
                case_actions.assign(actor=request.actor, membership=membership, case=case, case_worker=case_worker,
                                    supervisor=supervisor)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                return _done(request, case, _("The case was reassigned."))
    return render_overview(request, membership, case, assign_form=form, status=400)


# --- The person's correction -------------------------------------------------------------------------------------

EDIT_STEP = "save"  # the edit form posts step=save; the reason form posts reveal-reason


def person_edit(request: VartaRequest, case_id: int) -> HttpResponse:
    """Correct the person. Opening the filled-in form is a reveal: the reason comes first, then the form."""
    membership, case = open_case(request, case_id, Action.CASE_WORK)
    person = case.person
    if person.anonymised_at is not None:
        messages.error(request, _("This person's record has been anonymised."))
        return redirect("cases:case_detail", case_id=case.pk)
    template = "cases/case_person.html"
    if request.method != "POST":
        return render_case(request, membership, case, "overview", template, {"reveal_form": RevealForm()})
    if request.POST.get("step") != EDIT_STEP:
        reveal_form = RevealForm(request.POST)
        if reveal_form.is_valid():
            try:
                case_actions.reveal(actor=request.actor, membership=membership, case=case,
                                    reason=reveal_form.cleaned_data["reason"])
            except ValidationError as exc:
                add_action_errors(reveal_form, exc)
            else:
                return render_case(request, membership, case, "overview", template, {
                    "form": PersonForm(initial=person_initial(person)), "step": EDIT_STEP})
        return render_case(request, membership, case, "overview", template, {"reveal_form": reveal_form},
                           status=400)
    form = PersonForm(request.POST)
    if form.is_valid():
        try:
            case_actions.person_update(actor=request.actor, membership=membership, person=person,
                                       data=form.to_input())
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            return _done(request, case, _("The person's details were saved."))
    # The form shows what was just posted (the user's own input), nothing read from the database.
    return render_case(request, membership, case, "overview", template, {"form": form, "step": EDIT_STEP},
                       status=400)


urlpatterns: list[URLPattern] = [
    path("<int:case_id>/", case_detail, name="case_detail"),
    path("<int:case_id>/reveal/", case_reveal, name="case_reveal"),
    path("<int:case_id>/move/", case_move, name="case_move"),
    path("<int:case_id>/closure/", closure_request, name="closure_request"),
    path("<int:case_id>/closure/approve/", closure_approve, name="closure_approve"),
    path("<int:case_id>/closure/reject/", closure_reject, name="closure_reject"),
    path("<int:case_id>/reopen/", case_reopen, name="case_reopen"),
    path("<int:case_id>/assign/", case_assign, name="case_assign"),
    path("<int:case_id>/person/", person_edit, name="person_edit"),
]
