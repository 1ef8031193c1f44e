"""The follow-ups tab: scheduling, the questionnaire, scores, the consent and stage rules, need-to-know."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from varta.accounts.permissions import Role
from varta.cases import reintegration
from varta.cases.actions import followups
from varta.cases.models import CaseStage, ConsentPurpose, FollowUp
from varta.cases.tests.helpers import acting_as, add_case_worker
from varta.cases.tests.helpers_records import case_at

pytestmark = pytest.mark.django_db

TODAY = date.today()
CONSENTS = (ConsentPurpose.ASSISTANCE, ConsentPurpose.FOLLOW_UP)


@pytest.fixture
def case(personas):
    return case_at(personas.a, CaseStage.MONITORING, consents=CONSENTS)


@pytest.fixture
def worker(personas, login_as):
    return login_as(personas.a.user(Role.CASE_WORKER))


def url(case, rest: str = "") -> str:
    return f"/cases/{case.pk}/follow-ups/{rest}"


def _due(org, case, due_on: date) -> FollowUp:
    membership, actor = acting_as(org)
    return followups.schedule_follow_up(actor=actor, membership=membership, case=case, due_on=due_on)


def test_it_schedules_a_series(worker, case):
    first = TODAY + timedelta(days=30)
    response = worker.post(url(case, "schedule/"), {"first_on": first.isoformat(), "interval_months": "3",
                                                    "count": "3"})
    assert response.status_code == 302
    assert [f.due_on for f in FollowUp.objects.all()] == [first, followups.add_months(first, 3),
                                                           followups.add_months(first, 6)]
    assert first.isoformat() in worker.get(url(case)).content.decode()


def test_bad_schedule_input_is_a_400(worker, case):
    response = worker.post(url(case, "schedule/"), {"first_on": "", "interval_months": "0", "count": "99"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "This field is required" in content
    assert "greater than or equal to 1" in content
    assert not FollowUp.objects.exists()


def test_overdue_follow_ups_are_highlighted(worker, personas, case):
    late = _due(personas.a, case, TODAY - timedelta(days=3))
    assert f'id="follow-up-{late.pk}" class="rec-overdue"' in worker.get(url(case)).content.decode()


def test_it_records_the_questionnaire_and_shows_the_scores(worker, personas, case):
    follow_up = _due(personas.a, case, TODAY - timedelta(days=1))
    page = worker.get(url(case, f"{follow_up.pk}/record/")).content.decode()
    assert str(reintegration.QUESTIONS[0].text) in page
    assert 'name="eco_income" value="5"' in page
    answers = {q.code: "4" for q in reintegration.QUESTIONS}
    answers.update(eco_income="2", eco_work="2", soc_education="")
    response = worker.post(url(case, f"{follow_up.pk}/record/"), {"done_on": TODAY.isoformat(), **answers})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.economic_score, follow_up.social_score, follow_up.overall_score) == (
        Decimal("0.55"), Decimal("0.75"), Decimal("0.68"))
    assert "soc_education" not in follow_up.answers
    content = worker.get(url(case)).content.decode()
    assert "0.68" in content
    assert "rec-band-high" in content


def test_too_few_answers_are_shown_above_their_dimension_with_400(worker, personas, case):
    follow_up = _due(personas.a, case, TODAY)
    answers = {q.code: "3" for q in reintegration.QUESTIONS if q.dimension != "social"}
    response = worker.post(url(case, f"{follow_up.pk}/record/"), {"done_on": TODAY.isoformat(), **answers})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Answer at least 3 of the 5 questions about the social situation." in content
    assert re.search(r'name="eco_income" value="3"[^>]*checked', content)  # the answers given are kept
    follow_up.refresh_from_db()
    assert follow_up.done_on is None


def test_a_future_date_is_refused(worker, personas, case):
    follow_up = _due(personas.a, case, TODAY)
    answers = {q.code: "3" for q in reintegration.QUESTIONS}
    response = worker.post(url(case, f"{follow_up.pk}/record/"),
                           {"done_on": (TODAY + timedelta(days=1)).isoformat(), **answers})
    assert response.status_code == 400
    assert "this date is in the future" in response.content.decode()


def test_a_missing_follow_up_consent_is_named_with_a_link(personas, login_as):
    case = case_at(personas.a, CaseStage.MONITORING)
    client = login_as(personas.a.user(Role.CASE_WORKER))
    page = client.get(url(case)).content.decode()
    assert "A consent is missing" in page
    assert "“Follow-up contact”" in page
    response = client.post(url(case, "schedule/"), {"first_on": (TODAY + timedelta(days=9)).isoformat(),
                                                    "interval_months": "3", "count": "1"})
    assert response.status_code == 400
    assert f'href="/cases/{case.pk}/consents/"' in response.content.decode()
    assert not FollowUp.objects.exists()


def test_a_case_in_planning_says_when_follow_ups_come(personas, login_as):
    case = case_at(personas.a, CaseStage.PLANNING, consents=CONSENTS)
    client = login_as(personas.a.user(Role.CASE_WORKER))
    assert "this case is at “Assistance planning”" in client.get(url(case)).content.decode()


def test_it_needs_to_know(personas, login_as, case):
    follow_up = _due(personas.a, case, TODAY)
    client = login_as(add_case_worker(personas.a, "a_second_worker").user)
    assert client.get(url(case)).status_code == 404
    assert client.get(url(case, f"{follow_up.pk}/record/")).status_code == 404
    answers = {q.code: "3" for q in reintegration.QUESTIONS}
    assert client.post(url(case, f"{follow_up.pk}/record/"), {"done_on": TODAY.isoformat(),
                                                             **answers}).status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.done_on is None
