"""Follow-ups: scheduling at intervals, recording with the questionnaire, consent and stage rules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from varta.audit.models import AuditEvent
from varta.cases import selectors
from varta.cases.actions import followups
from varta.cases.models import CaseStage, ConsentPurpose, FollowUp
from varta.cases.tests.helpers import acting_as
from varta.cases.tests.helpers_records import all_answers, case_at

pytestmark = pytest.mark.django_db

TODAY = date.today()
CONSENTS = (ConsentPurpose.ASSISTANCE, ConsentPurpose.FOLLOW_UP)


def _schedule(org, case, first_on: date | None = None, interval_months: int = 3, count: int = 3
              ) -> list[FollowUp]:
    membership, actor = acting_as(org)
    return followups.schedule_follow_ups(actor=actor, membership=membership, case=case,
                                         first_on=first_on or TODAY + timedelta(days=30),
                                         interval_months=interval_months, count=count)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert followups.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert followups.add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)
    assert followups.add_months(date(2024, 3, 31), 12) == date(2025, 3, 31)


def test_it_schedules_follow_ups_at_intervals(personas):
    case = case_at(personas.a, CaseStage.MONITORING, consents=CONSENTS)
    rows = _schedule(personas.a, case, first_on=date(2030, 1, 31), interval_months=1, count=3)
    assert [r.due_on for r in rows] == [date(2030, 1, 31), date(2030, 2, 28), date(2030, 3, 31)]
    assert AuditEvent.objects.filter(action="cases.followup.create").count() == 3


def test_it_schedules_one_follow_up_and_refuses_a_second_on_the_same_day(personas):
    case = case_at(personas.a, consents=CONSENTS)
    membership, actor = acting_as(personas.a)
    day = date(TODAY.year + 1, 6, 15)
    followups.schedule_follow_up(actor=actor, membership=membership, case=case, due_on=day)
    with pytest.raises(ValidationError) as exc:
        followups.schedule_follow_up(actor=actor, membership=membership, case=case, due_on=day)
    assert "due_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # the series would hit the same day: nothing of it is saved
        _schedule(personas.a, case, first_on=date(TODAY.year + 1, 4, 15), interval_months=1, count=3)
    assert "first_on" in exc.value.message_dict
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"interval_months": 0}, "interval_months"),
    ({"interval_months": 25}, "interval_months"),
    ({"count": 0}, "count"),
    ({"count": 13}, "count"),
    ({"first_on": TODAY + timedelta(days=6 * 366)}, "first_on"),
    ({"first_on": TODAY - timedelta(days=500)}, "first_on"),
])
def test_it_refuses_a_bad_schedule(personas, kwargs, field):
    case = case_at(personas.a, consents=CONSENTS)
    with pytest.raises(ValidationError) as exc:
        _schedule(personas.a, case, **kwargs)
    assert field in exc.value.message_dict
    assert not FollowUp.objects.exists()


def test_it_needs_the_follow_up_consent(personas):
    case = case_at(personas.a)
    with pytest.raises(ValidationError) as exc:
        _schedule(personas.a, case)
    assert "Follow-up contact" in exc.value.message_dict["consent"][0]


def test_it_needs_the_assistance_or_monitoring_stage(personas):
    case = case_at(personas.a, CaseStage.PLANNING, consents=CONSENTS)
    with pytest.raises(ValidationError) as exc:
        _schedule(personas.a, case)
    assert "Assistance planning" in exc.value.message_dict["case"][0]


def test_it_records_a_follow_up_with_its_scores(personas):
    case = case_at(personas.a, CaseStage.MONITORING, consents=CONSENTS)
    follow_up = _schedule(personas.a, case, count=1)[0]
    membership, actor = acting_as(personas.a)
    answers = {**all_answers(4), "eco_income": 2, "eco_work": 2}  # economic 2,2,4,4,4 → 3.2 → 0.55
    followups.record_follow_up(actor=actor, membership=membership, follow_up=follow_up, done_on=TODAY,
                               answers=answers)
    follow_up.refresh_from_db()
    assert follow_up.done_on == TODAY
    assert follow_up.economic_score == Decimal("0.55")
    assert follow_up.social_score == Decimal("0.75")
    assert follow_up.overall_score == Decimal("0.68")  # (0.55 + 0.75 + 0.75) / 3 = 0.6833…
    assert follow_up.answers["eco_income"] == 2
    assert AuditEvent.objects.filter(action="cases.followup.record").count() == 1


@pytest.mark.parametrize(("done_on", "answers", "field"), [
    (TODAY + timedelta(days=1), all_answers(), "done_on"),
    (None, all_answers(), "done_on"),
    (TODAY - timedelta(days=1000), all_answers(), "done_on"),
    (TODAY, {"eco_income": 4}, "economic"),
    (TODAY, {**all_answers(), "soc_health": 9}, "soc_health"),
])
def test_it_refuses_a_bad_record_and_keeps_the_follow_up_open(personas, done_on, answers, field):
    case = case_at(personas.a, consents=CONSENTS)
    follow_up = _schedule(personas.a, case, count=1)[0]
    membership, actor = acting_as(personas.a)
    with pytest.raises(ValidationError) as exc:
        followups.record_follow_up(actor=actor, membership=membership, follow_up=follow_up, done_on=done_on,
                                   answers=answers)
    assert field in exc.value.message_dict
    follow_up.refresh_from_db()
    assert follow_up.done_on is None
    assert follow_up.overall_score is None


def test_a_withdrawn_follow_up_consent_stops_recording(personas):
    from varta.cases.actions.consent import withdraw_consent

    case = case_at(personas.a, consents=CONSENTS)
    follow_up = _schedule(personas.a, case, count=1)[0]
    membership, actor = acting_as(personas.a)
    consent = case.consents.get(purpose=ConsentPurpose.FOLLOW_UP)
    withdraw_consent(actor=actor, membership=membership, consent=consent)
    with pytest.raises(ValidationError) as exc:
        followups.record_follow_up(actor=actor, membership=membership, follow_up=follow_up, done_on=TODAY,
                                   answers=all_answers())
    assert "consent" in exc.value.message_dict


def test_overdue_follow_ups_are_listed(personas):
    case = case_at(personas.a, consents=CONSENTS)
    membership, actor = acting_as(personas.a)
    late = followups.schedule_follow_up(actor=actor, membership=membership, case=case,
                                        due_on=TODAY - timedelta(days=3))
    followups.schedule_follow_up(actor=actor, membership=membership, case=case, due_on=TODAY + timedelta(days=3))
    assert list(selectors.overdue_follow_ups(membership)) == [late]
