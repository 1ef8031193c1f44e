"""Case lists: my cases (/cases/), the team (/cases/team/) and overdue items (/cases/overdue/) — who sees which
cases, filters, no names in any row, and a number of queries that does not grow with the rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from varta.accounts.permissions import Role
from varta.cases.actions import cases as case_actions
from varta.cases.actions.followups import schedule_follow_up
from varta.cases.actions.plan import PlanItemInput, add_plan_item
from varta.cases.models import Case, CaseSource, CaseStage, ClosureReason, ConsentPurpose, PersonCategory
from varta.cases.tests.helpers import acting_as, add_case_worker, give_consent, person_input, register_case
from varta.cases.views import lists

pytestmark = pytest.mark.django_db

TODAY = date.today()


def new_case(org, given_name: str = "Олександр", **overrides) -> Case:
    return register_case(org, person=person_input(given_name=given_name, id_document_number=""), **overrides)


def overdue_case(org) -> Case:
    """A case in assistance with a plan item and a follow-up both ten days late."""
    case = new_case(org, "Ганна", opened_on=TODAY - timedelta(days=60))
    give_consent(org, case, ConsentPurpose.ASSISTANCE)
    give_consent(org, case, ConsentPurpose.FOLLOW_UP)
    membership, actor = acting_as(org)
    for stage in (CaseStage.SCREENING, CaseStage.PLANNING, CaseStage.ASSISTANCE):
        case_actions.move(actor=actor, membership=membership, case=case, to_stage=stage)
    add_plan_item(actor=actor, membership=membership, case=case,
                  data=PlanItemInput(service_type="legal_aid", target_date=TODAY - timedelta(days=10)))
    schedule_follow_up(actor=actor, membership=membership, case=case, due_on=TODAY - timedelta(days=10))
    return case


def closed_case(org) -> Case:
    case = new_case(org, "Петро")
    membership, actor = acting_as(org)
    case_actions.request_closure(actor=actor, membership=membership, case=case, reason=ClosureReason.DECLINED)
    supervisor, supervisor_actor = acting_as(org, Role.CASE_SUPERVISOR)
    case_actions.approve_closure(actor=supervisor_actor, membership=supervisor, case=case)
    return case


@pytest.fixture
def worker(client, personas, login_as):
    return login_as(personas.a.user(Role.CASE_WORKER))


def references(response) -> list[str]:
    return [c.reference for c in response.context["cases"]]


def test_my_cases_lists_the_workers_open_cases_without_names(worker, personas):
    mine = new_case(personas.a)
    closed = closed_case(personas.a)
    other = add_case_worker(personas.a, "a_second_worker")
    theirs = new_case(personas.a, case_worker=other.user)
    response = worker.get("/cases/")
    assert response.status_code == 200
    assert references(response) == [mine.reference]
    content = response.content.decode()
    assert "Олександр" not in content
    assert "Шевченко" not in content
    assert f'href="/cases/{mine.pk}/"' in content
    assert "Possible victim of trafficking" in content
    assert theirs.reference not in references(worker.get("/cases/", {"stage": "all"}))
    assert set(references(worker.get("/cases/", {"stage": "all"}))) == {mine.reference, closed.reference}
    assert references(worker.get("/cases/", {"stage": "closed"})) == [closed.reference]


def test_my_cases_filters(worker, personas):
    outreach = new_case(personas.a, source=CaseSource.OUTREACH, category=PersonCategory.IDP)
    late = overdue_case(personas.a)
    old = new_case(personas.a, opened_on=TODAY - timedelta(days=400))
    assert references(worker.get("/cases/", {"source": "outreach"})) == [outreach.reference]
    assert references(worker.get("/cases/", {"category": "idp"})) == [outreach.reference]
    assert references(worker.get("/cases/", {"overdue": "on"})) == [late.reference]
    assert references(worker.get("/cases/", {"stage": "assistance"})) == [late.reference]
    assert references(worker.get("/cases/", {"q": old.reference[-3:]})) == [old.reference]
    window = {"opened_from": (TODAY - timedelta(days=500)).isoformat(),
              "opened_to": (TODAY - timedelta(days=300)).isoformat()}
    assert references(worker.get("/cases/", window)) == [old.reference]


def test_it_shows_the_next_due_item_and_marks_it_overdue(worker, personas):
    overdue_case(personas.a)
    content = worker.get("/cases/").content.decode()
    assert 'class="nowrap overdue"' in content
    assert "plan item" in content


@pytest.mark.parametrize("query", [{"opened_from": "2025-02-01", "opened_to": "2025-01-01"},
                                   {"stage": "nonsense"}, {"opened_from": "yesterday"}])
def test_bad_filters_answer_400_with_a_message(worker, personas, query):
    response = worker.get("/cases/", query)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode() or "start date is after" in response.content.decode()


def test_it_pages_the_list(worker, personas, monkeypatch):
    monkeypatch.setattr(lists, "PER_PAGE", 2)
    cases = [new_case(personas.a) for _ in range(3)]
    first = worker.get("/cases/")
    assert len(first.context["cases"]) == 2
    assert first.context["has_next"]
    second = worker.get("/cases/", {"page": "2"})
    assert references(second) == [cases[0].reference]
    assert not second.context["has_next"]


def test_the_lists_run_a_fixed_number_of_queries(worker, personas, login_as, client):
    overdue_case(personas.a)

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    login_as(personas.a.user(Role.CASE_SUPERVISOR))
    before = {path: count(path) for path in ("/cases/team/", "/cases/overdue/")}
    login_as(personas.a.user(Role.CASE_WORKER))
    before["/cases/"] = count("/cases/")
    for _ in range(4):
        overdue_case(personas.a)
    new_case(personas.a, case_worker=add_case_worker(personas.a, "a_second_worker").user)
    after = {"/cases/": count("/cases/")}
    login_as(personas.a.user(Role.CASE_SUPERVISOR))
    after.update({path: count(path) for path in ("/cases/team/", "/cases/overdue/")})
    assert after == before
    assert max(after.values()) <= 12, after


def test_the_team_page_shows_the_supervisors_team_with_caseloads(client, personas, login_as):
    overdue_case(personas.a)
    new_case(personas.a)
    other = add_case_worker(personas.a, "a_second_worker")
    theirs = new_case(personas.a, case_worker=other.user)
    login_as(personas.a.user(Role.CASE_SUPERVISOR))
    response = client.get("/cases/team/")
    assert response.status_code == 200
    assert len(response.context["cases"]) == 3
    caseload = {row["worker"]: row for row in response.context["caseload"]}
    assert caseload["ALPHA case worker"]["total"] == 2
    assert caseload["ALPHA case worker"]["stages"] == [1, 0, 0, 1, 0]
    assert caseload["a second worker"]["total"] == 1
    assert references(client.get("/cases/team/", {"worker": other.user_id})) == [theirs.reference]
    assert client.get("/cases/team/", {"worker": "999999"}).status_code == 400


def test_the_team_page_is_for_supervisors_and_org_admins(client, personas, login_as):
    new_case(personas.a)
    login_as(personas.a.user(Role.CASE_WORKER))
    assert client.get("/cases/team/").status_code == 403
    login_as(personas.a.user(Role.ORG_ADMIN))
    assert client.get("/cases/").status_code == 302  # an org admin has no cases of their own: the team page
    assert len(client.get("/cases/team/").context["cases"]) == 1
    for role in (Role.TASKFORCE_COORDINATOR, Role.HOTLINE_OPERATOR, Role.SYSTEM_ADMIN):
        login_as(personas.a.user(role))
        assert client.get("/cases/").status_code == 403
        assert client.get("/cases/overdue/").status_code == 403
    login_as(personas.b.user(Role.ORG_ADMIN))
    assert client.get("/cases/team/").context["cases"] == []


def test_the_overdue_page_lists_late_items_and_closures_waiting(client, personas, login_as, worker):
    late = overdue_case(personas.a)
    asked = new_case(personas.a)
    membership, actor = acting_as(personas.a)
    case_actions.request_closure(actor=actor, membership=membership, case=asked, reason=ClosureReason.GOALS_MET)
    response = worker.get("/cases/overdue/")
    assert response.status_code == 200
    content = response.content.decode()
    assert [i.case_id for i in response.context["plan_items"]] == [late.pk]
    assert [f.case_id for f in response.context["follow_ups"]] == [late.pk]
    assert "10 days late" in content
    assert "Legal aid" in content
    assert response.context["closures"] is None  # a case worker approves nothing
    login_as(personas.a.user(Role.CASE_SUPERVISOR))
    response = client.get("/cases/overdue/")
    assert [c.pk for c in response.context["closures"]] == [asked.pk]
    other = add_case_worker(personas.a, "a_second_worker")
    login_as(other.user)
    response = client.get("/cases/overdue/")
    assert response.context["plan_items"] == []
    assert response.context["follow_ups"] == []
