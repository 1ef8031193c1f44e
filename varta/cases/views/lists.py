"""Case lists: my cases, the team's caseload, overdue items and closures awaiting approval, and list exports.

Rows show the reference, stage, category, case worker, opening date and the next due item — never a name (names
are masked everywhere until an audited reveal on the case page), so no list loads or decrypts a person. Each list
is one query for its rows (the next due item comes from two correlated subqueries) plus at most a few fixed
queries: no query per row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from varta.accounts.permissions import Action, Role, can
from varta.cases import exports, selectors, workflow
from varta.cases.forms import ALL, OPEN, CaseFilter, CaseFilterForm, case_members
from varta.cases.models import Case, CaseStage, FollowUp, PlanItem, PlanItemStatus
from varta.core.http import VartaRequest, acting
from varta.orgs.models import Membership

PER_PAGE = 50
OVERDUE_SHOWN = 100


# --- Queries ----------------------------------------------------------------------------------------------------


def _overdue_plan(today: date) -> Exists:
    return Exists(PlanItem.objects.filter(case=OuterRef("pk"), status=PlanItemStatus.PLANNED,
                                          target_date__lt=today))


def _overdue_follow_up(today: date) -> Exists:
    return Exists(FollowUp.objects.filter(case=OuterRef("pk"), done_on__isnull=True, due_on__lt=today))


def filter_cases(cases: QuerySet[Case], criteria: CaseFilter, *, today: date) -> QuerySet[Case]:
    if criteria.stage == OPEN:
        cases = cases.filter(stage__in=[s.value for s in workflow.ORDER])
    elif criteria.stage != ALL:
        cases = cases.filter(stage=criteria.stage)
    if criteria.category:
        cases = cases.filter(category=criteria.category)
    if criteria.source:
        cases = cases.filter(source=criteria.source)
    if criteria.opened_from:
        cases = cases.filter(opened_on__gte=criteria.opened_from)
    if criteria.opened_to:
        cases = cases.filter(opened_on__lte=criteria.opened_to)
    if criteria.reference:
        cases = cases.filter(reference__icontains=criteria.reference)
    if criteria.case_worker_id is not None:
        cases = cases.filter(case_worker_id=criteria.case_worker_id)
    if criteria.overdue:
        cases = cases.filter(_overdue_plan(today) | _overdue_follow_up(today))
    return cases


def list_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What a list row shows, with the next planned item and follow-up: one query, no person loaded."""
    next_plan = (PlanItem.objects.filter(case=OuterRef("pk"), status=PlanItemStatus.PLANNED)
                 .order_by("target_date").values("target_date")[:1])
    next_follow_up = (FollowUp.objects.filter(case=OuterRef("pk"), done_on__isnull=True)
                      .order_by("due_on").values("due_on")[:1])
    return (cases.select_related("case_worker")
            .only("pk", "reference", "stage", "category", "source", "opened_on", "closure_requested_at",
                  "closed_at", "anonymised_at", "case_worker__username", "case_worker__full_name")
            .annotate(next_plan=Subquery(next_plan), next_follow_up=Subquery(next_follow_up))
            .order_by("-opened_on", "-pk"))


def _next_due(case: Any, today: date) -> None:
    """Set ``next_due`` (date), ``next_due_kind`` and ``next_due_overdue`` on a list row."""
    options = [(d, kind) for d, kind in ((case.next_plan, _("plan item")), (case.next_follow_up, _("follow-up")))
               if d is not None and case.stage != CaseStage.CLOSED]
    due, kind = min(options, key=lambda option: option[0]) if options else (None, "")
    case.next_due, case.next_due_kind, case.next_due_overdue = due, kind, due is not None and due < today


def _page_number(request: VartaRequest) -> int:
    raw = request.GET.get("page", "1")
    return max(int(raw), 1) if raw.isdigit() and len(raw) < 7 else 1


def team_cases(membership: Membership) -> QuerySet[Case]:
    """A supervisor's team: the cases they supervise; an org admin's: every case of the organisation."""
    cases = selectors.cases_visible(membership)
    if membership.role == Role.CASE_SUPERVISOR:
        cases = cases.filter(supervisor_id=membership.user_id)
    return cases


# --- Pages ------------------------------------------------------------------------------------------------------


def nav_context(membership: Membership) -> dict[str, Any]:
    """What the lists' header (cases/lists_nav.html) shows to the acting role."""
    return {
        "can_export": can(membership, Action.CASE_EXPORT), "can_register": can(membership, Action.CASE_REGISTER),
        "can_team": can(membership, Action.CASE_SUPERVISE), "can_rights": can(membership, Action.CASE_SUBJECT_RIGHTS),
        "is_worker": membership.role in (Role.CASE_WORKER, Role.CASE_SUPERVISOR),
    }


def _list_page(request: VartaRequest, membership: Membership, cases: QuerySet[Case], *, scope: str,
               form: CaseFilterForm, extra: dict[str, Any] | None = None) -> HttpResponse:
    context: dict[str, Any] = {"form": form, "scope": scope, **nav_context(membership), **(extra or {})}
    template = "cases/lists_cases.html"
    if not form.is_valid():
        return render(request, template, {**context, "cases": None}, status=400)
    today = timezone.localdate()
    number = _page_number(request)
    rows = list(list_rows(filter_cases(cases, form.criteria(), today=today))
                [(number - 1) * PER_PAGE: number * PER_PAGE + 1])
    for case in rows:
        _next_due(case, today)
    return render(request, template, {
        **context, "cases": rows[:PER_PAGE], "page": number, "has_next": len(rows) > PER_PAGE,
        "first_number": (number - 1) * PER_PAGE + 1, "last_number": (number - 1) * PER_PAGE + len(rows[:PER_PAGE]),
        "export_query": request.GET.urlencode(),
    })


@require_GET
def my_cases(request: VartaRequest) -> HttpResponse:
    """The acting user's cases as case worker, open ones by default."""
    membership = acting(request, Action.CASE_VIEW)
    if membership.role not in (Role.CASE_WORKER, Role.CASE_SUPERVISOR):
        return redirect("cases:team")  # an org admin works on no case of their own
    cases = selectors.cases_visible(membership).filter(case_worker_id=membership.user_id)
    return _list_page(request, membership, cases, scope="mine", form=CaseFilterForm(request.GET))


def caseload(cases: QuerySet[Case]) -> list[dict[str, Any]]:
    """Open cases per case worker and stage (one GROUP BY query), busiest first."""
    stages = [s.value for s in workflow.ORDER]
    counts = {stage: Count("pk", filter=Q(stage=stage)) for stage in stages}
    rows = (cases.filter(stage__in=stages).order_by()
            .values("case_worker_id", "case_worker__username", "case_worker__full_name")
            .annotate(total=Count("pk"), **counts))
    table = [{"worker_id": row["case_worker_id"],
              "worker": row["case_worker__full_name"] or row["case_worker__username"],
              "stages": [row[stage] for stage in stages], "total": row["total"]} for row in rows]
    table.sort(key=lambda row: (-row["total"], row["worker"]))
    return table


@require_GET
def team(request: VartaRequest) -> HttpResponse:
    """The team's cases (a supervisor's: those they supervise; an org admin's: all) and the caseload per worker."""
    membership = acting(request, Action.CASE_SUPERVISE)
    cases = team_cases(membership)
    form = CaseFilterForm(request.GET, members=case_members(membership))
    return _list_page(request, membership, cases, scope="team", form=form, extra={
        "caseload": caseload(cases), "stages": [s.label for s in workflow.ORDER]})


@require_GET
def overdue(request: VartaRequest) -> HttpResponse:
    """Overdue plan items and follow-ups of visible open cases; closures waiting for the acting supervisor."""
    membership = acting(request, Action.CASE_VIEW)
    today = timezone.localdate()
    plan_items = list(selectors.overdue_plan_items(membership, today=today)
                      .select_related("case__case_worker")[:OVERDUE_SHOWN + 1])
    follow_ups = list(selectors.overdue_follow_ups(membership, today=today).exclude(case__stage=CaseStage.CLOSED)
                      .select_related("case__case_worker")[:OVERDUE_SHOWN + 1])
    for item in plan_items:
        item.days_overdue = (today - item.target_date).days  # type: ignore[attr-defined]
    for follow_up in follow_ups:
        follow_up.days_overdue = (today - follow_up.due_on).days  # type: ignore[attr-defined]
    closures = (list(selectors.closures_awaiting(membership).select_related("case_worker", "closure_requested_by")
                     .order_by("closure_requested_at")[:OVERDUE_SHOWN])
                if can(membership, Action.CASE_SUPERVISE) else None)
    return render(request, "cases/lists_overdue.html", {
        "plan_items": plan_items[:OVERDUE_SHOWN], "more_plan_items": len(plan_items) > OVERDUE_SHOWN,
        "follow_ups": follow_ups[:OVERDUE_SHOWN], "more_follow_ups": len(follow_ups) > OVERDUE_SHOWN,
        "closures": closures, "shown": OVERDUE_SHOWN, "scope": "overdue", **nav_context(membership),
    })


EXPORT_FORMATS = ("csv", "xlsx")


@require_GET
def export(request: VartaRequest) -> HttpResponse | StreamingHttpResponse:
    """The list as filtered (``scope=mine``: the user's own cases; otherwise the team's) as CSV or XLSX."""
    membership = acting(request, Action.CASE_EXPORT)
    fmt = request.GET.get("format", "csv")
    if request.GET.get("scope") == "mine":
        cases = selectors.cases_visible(membership).filter(case_worker_id=membership.user_id)
        form = CaseFilterForm(request.GET)
    else:
        cases = team_cases(membership)
        form = CaseFilterForm(request.GET, members=case_members(membership))
    if fmt not in EXPORT_FORMATS or not form.is_valid():
        message = _("Choose CSV or XLSX.") if fmt not in EXPORT_FORMATS else _("Check the filters.")
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    selected = filter_cases(cases, form.criteria(), today=timezone.localdate())
    exports.record_export(actor=request.actor)
    name = f"varta-cases-{timezone.localdate().isoformat()}.{fmt}"
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_lines(exports.rows(selected)),
                                         content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.xlsx_bytes(exports.rows(selected)),
                                content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns: list[URLPattern] = [
    path("", my_cases, name="my_cases"),
    path("team/", team, name="team"),
    path("overdue/", overdue, name="overdue"),
    path("export/", export, name="export"),
]
