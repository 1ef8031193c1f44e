"""Reintegration follow-ups: scheduled at intervals (say 3, 6 and 12 months after assistance ends), then recorded
with the questionnaire of varta/cases/reintegration.py and its scores.

Follow-ups belong to the assistance and reintegration-monitoring stages, and need the person's consent to
follow-up contact.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from varta.accounts.permissions import Action, require
from varta.audit import writes
from varta.audit.writes import Actor
from varta.cases import reintegration
from varta.cases.actions import checks
from varta.cases.actions.consent import require_consent
from varta.cases.models import Case, CaseStage, ConsentPurpose, FollowUp
from varta.orgs.models import Membership

FOLLOW_UP_STAGES = (CaseStage.ASSISTANCE, CaseStage.MONITORING)
MAX_COUNT = 12
MAX_INTERVAL_MONTHS = 24
HORIZON = timedelta(days=5 * 366)  # a due date further ahead is a typing mistake


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when it is shorter (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _case_errors(case: Case) -> checks.Errors:
    errors: checks.Errors = {}
    checks.open_case(errors, case)
    if "case" not in errors and case.stage not in FOLLOW_UP_STAGES:
        checks.add(errors, "case", _("Follow-ups are scheduled and recorded in the assistance and reintegration "
                                     "monitoring stages; this case is at “%(stage)s”.")
                   % {"stage": case.get_stage_display()})
    try:
        require_consent(case, ConsentPurpose.FOLLOW_UP)
    except ValidationError as exc:
        checks.merge(errors, exc)
    return errors


def _due_errors(errors: checks.Errors, case: Case, dates: list[date], today: date, field: str) -> None:
    taken = set(case.follow_ups.filter(due_on__in=dates).values_list("due_on", flat=True))
    for due in dates:
        if due < case.opened_on:
            checks.add(errors, field, _("A follow-up cannot be due before the case was opened (%(date)s).")
                       % {"date": case.opened_on.isoformat()})
            return
        if due > today + HORIZON:
            checks.add(errors, field, _("A follow-up is due more than five years ahead. Check the dates."))
            return
        if due in taken:
            checks.add(errors, field, _("A follow-up is already due on %(date)s.") % {"date": due.isoformat()})
            return


def follow_up_dates(first_on: date, interval_months: int, count: int) -> list[date]:
    return [add_months(first_on, interval_months * n) for n in range(count)]


def schedule_follow_ups(*, actor: Actor, membership: Membership, case: Case, first_on: date | None,
                        interval_months: int | None, count: int | None) -> list[FollowUp]:
    """``count`` follow-ups, the first on ``first_on`` and then every ``interval_months`` months."""
    require(membership, Action.CASE_WORK)
    today = timezone.localdate()
    errors = _case_errors(case)
    if first_on is None:
        checks.add(errors, "first_on", _("Give the date of the first follow-up."))
    if interval_months is None or not 1 <= interval_months <= MAX_INTERVAL_MONTHS:
        checks.add(errors, "interval_months", _("Give a number of months from 1 to %(max)s.")
                   % {"max": MAX_INTERVAL_MONTHS})
    if count is None or not 1 <= count <= MAX_COUNT:
        checks.add(errors, "count", _("Give a number of follow-ups from 1 to %(max)s.") % {"max": MAX_COUNT})
    dates: list[date] = []
    if first_on is not None and interval_months is not None and count is not None and not errors:
        dates = follow_up_dates(first_on, interval_months, count)
        _due_errors(errors, case, dates, today, "first_on")
    checks.raise_if(errors)
    with transaction.atomic():
        return [writes.create(FollowUp(organisation_id=case.organisation_id, case=case, due_on=due), actor=actor)
                for due in dates]


def schedule_follow_up(*, actor: Actor, membership: Membership, case: Case, due_on: date | None) -> FollowUp:
    require(membership, Action.CASE_WORK)
    errors = _case_errors(case)
    if due_on is None:
        checks.add(errors, "due_on", _("Give the date the follow-up is due."))
    else:
        _due_errors(errors, case, [due_on], timezone.localdate(), "due_on")
    checks.raise_if(errors)
    assert due_on is not None
    return writes.create(FollowUp(organisation_id=case.organisation_id, case=case, due_on=due_on), actor=actor)


def record_follow_up(*, actor: Actor, membership: Membership, follow_up: FollowUp, done_on: date | None,
                     answers: Mapping[str, Any]) -> FollowUp:
    """Record the follow-up as done with the questionnaire's answers and their scores (a correction re-scores)."""
    require(membership, Action.CASE_WORK)
    case = follow_up.case
    errors = _case_errors(case)
    if done_on is None:
        checks.add(errors, "done_on", _("Give the date of the follow-up."))
    elif done_on > timezone.localdate():
        checks.add(errors, "done_on", _("A follow-up is recorded once it has taken place: this date is in the "
                                        "future."))
    elif done_on < case.opened_on:
        checks.add(errors, "done_on", _("This date is before the case was opened."))
    scores: reintegration.Scores | None = None
    try:
        scores = reintegration.score(answers)
    except ValidationError as exc:
        checks.merge(errors, exc)
    checks.raise_if(errors)
    assert scores is not None
    return writes.update(follow_up, actor=actor, action="cases.followup.record", changes={
        "done_on": done_on, "answers": scores.answers, "economic_score": scores.economic,
        "social_score": scores.social, "psychosocial_score": scores.psychosocial, "overall_score": scores.overall})
