"""Reads of cases on a need-to-know basis.

``cases_visible`` is the one place that decides which cases a membership may see: a case worker the cases they
work on, a supervisor the cases they supervise (their team's) and their own, an org admin every case of the
organisation; nobody else (the task-force coordinator and the system admin see none). Every other read of a
case-owned row goes through a visible case, so the rule holds for screening, notes, attachments and the rest.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from varta.accounts.permissions import Action, Role, require
from varta.cases.models import Case, CaseStage, FollowUp, Person, PlanItem, PlanItemStatus
from varta.orgs.models import Membership, TenantModel

R = TypeVar("R", bound=TenantModel)


def cases_visible(membership: Membership) -> QuerySet[Case]:
    require(membership, Action.CASE_VIEW)
    cases = Case.objects.filter(organisation_id=membership.organisation_id)
    role = Role(membership.role)
    if role == Role.ORG_ADMIN:
        return cases
    if role == Role.CASE_SUPERVISOR:
        return cases.filter(Q(supervisor_id=membership.user_id) | Q(case_worker_id=membership.user_id))
    if role == Role.CASE_WORKER:
        return cases.filter(case_worker_id=membership.user_id)
    return cases.none()


def access_case(membership: Membership, case_id: int | str) -> Case:
    """A case the membership may see, with what its page header shows; 404 for missing and for not-yours."""
    try:
        return (cases_visible(membership)
                .select_related("person", "person__citizenship", "person__location", "case_worker", "supervisor",
                                "closure_requested_by", "escalation")
                .get(pk=case_id))
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_case_row(membership: Membership, model: type[R], row_id: int | str) -> R:
    """A row that belongs to a visible case (plan item, follow-up, attachment, consent…); 404 otherwise."""
    try:
        return model._default_manager.filter(case__in=cases_visible(membership)).get(pk=row_id)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def persons_visible(membership: Membership) -> QuerySet[Person]:
    """Persons with at least one visible case."""
    return Person.objects.filter(organisation_id=membership.organisation_id).filter(
        Exists(cases_visible(membership).filter(person_id=OuterRef("pk"))))


def access_person(membership: Membership, person_id: int | str) -> Person:
    try:
        return persons_visible(membership).get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def open_cases(membership: Membership) -> QuerySet[Case]:
    return cases_visible(membership).exclude(stage=CaseStage.CLOSED)


def overdue_plan_items(membership: Membership, *, today: date | None = None) -> QuerySet[PlanItem]:
    today = today or timezone.localdate()
    return (PlanItem.objects.filter(case__in=open_cases(membership), status=PlanItemStatus.PLANNED,
                                    target_date__lt=today)
            .select_related("case").order_by("target_date"))


def overdue_follow_ups(membership: Membership, *, today: date | None = None) -> QuerySet[FollowUp]:
    today = today or timezone.localdate()
    return (FollowUp.objects.filter(case__in=cases_visible(membership).exclude(anonymised_at__isnull=False),
                                    done_on__isnull=True, due_on__lt=today)
            .select_related("case").order_by("due_on"))


def expired_cases(*, now: datetime | None = None) -> QuerySet[Case]:
    """Closed cases of every organisation past the retention period and not yet anonymised, oldest closure first.

    Not scoped: for the system's retention job (``varta anonymise-expired``) and, narrowed by
    ``cases_past_retention``, for an organisation's own page.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.CASE_RETENTION_DAYS)
    return Case.objects.filter(stage=CaseStage.CLOSED, anonymised_at__isnull=True, closed_at__lt=cutoff).order_by(
        "closed_at", "pk")


def cases_past_retention(membership: Membership, *, now: datetime | None = None) -> QuerySet[Case]:
    """The acting organisation's closed cases whose retention period has passed (anonymisation is due)."""
    require(membership, Action.CASE_SUBJECT_RIGHTS)
    return expired_cases(now=now).filter(pk__in=cases_visible(membership).values("pk"))


def closures_awaiting(membership: Membership) -> QuerySet[Case]:
    """Closure requests the acting supervisor (or org admin) may approve."""
    require(membership, Action.CASE_SUPERVISE)
    return open_cases(membership).filter(closure_requested_at__isnull=False).exclude(
        closure_requested_by_id=membership.user_id)
