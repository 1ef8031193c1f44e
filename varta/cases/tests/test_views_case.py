"""The case page at /cases/<id>/: masked person and audited reveal, the workflow panel, need-to-know, the person's
correction behind a reveal, and a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.cases.actions import cases as case_actions
from varta.cases.models import Case, CaseStage, ClosureReason, ConsentPurpose, Person
from varta.cases.tests.helpers import acting_as, add_case_worker, give_consent, register_case

pytestmark = pytest.mark.django_db

NAME = "Шевченко"
PERSONAL = ("Олександр", NAME, "Іванович", "1990-05-17", "380671234567", "o.shev@example.org", "Хрещатик", "FE123456")


def url(case, rest: str = "") -> str:
    return f"/cases/{case.pk}/{rest}"


@pytest.fixture
def case(personas):
    return register_case(personas.a)


@pytest.fixture
def worker(client, personas, login_as):
    return login_as(personas.a.user(Role.CASE_WORKER))


def as_role(client, personas, login_as, role: Role, org: str = "a"):
    return login_as(getattr(personas, org).user(role), client)


def test_it_shows_the_overview_with_personal_fields_masked_and_records_the_view(worker, personas, case):
    response = worker.get(url(case))
    assert response.status_code == 200
    content = response.content.decode()
    for value in PERSONAL:
        assert value not in content, value
    assert "••••" in content
    assert case.reference in content
    assert "Male" in content
    assert "Registered" in content
    assert f'action="/cases/{case.pk}/reveal/"' in content
    event = AuditEvent.objects.filter(action="cases.case.view").get()
    assert (event.object_id, event.actor_id) == (str(case.pk), personas.a.user(Role.CASE_WORKER).pk)


def test_it_reveals_personal_fields_once_with_a_reason_and_records_it(worker, personas, case):
    response = worker.post(url(case, "reveal/"), {"reveal-reason": "contact"})
    assert response.status_code == 200
    content = response.content.decode()
    for value in PERSONAL:
        assert value in content, value
    event = AuditEvent.objects.get(action="cases.person.reveal.contact")
    assert event.object_id == str(case.person_id)
    assert "given_name" in event.changed_fields
    assert NAME not in worker.get(url(case)).content.decode()  # hidden again on the next view


@pytest.mark.parametrize("reason", ["", "curiosity"])
def test_it_refuses_a_reveal_without_a_listed_reason(worker, case, reason):
    response = worker.post(url(case, "reveal/"), {"reveal-reason": reason})
    assert response.status_code == 400
    content = response.content.decode()
    assert NAME not in content
    assert "Say why" in content or "Choose one of the reasons" in content
    assert not AuditEvent.objects.filter(action__startswith="cases.person.reveal").exists()


def test_a_second_case_worker_gets_404_and_a_coordinator_403(client, personas, login_as, case):
    other = add_case_worker(personas.a, "a_second_worker")
    login_as(other.user)
    for path, method in (("", "get"), ("reveal/", "post"), ("person/", "get"), ("person/", "post"),
                         ("move/", "post"), ("closure/", "post")):
        response = getattr(client, method)(url(case, path), {"reveal-reason": "contact", "to_stage": "screening"})
        assert response.status_code == 404, path
    as_role(client, personas, login_as, Role.TASKFORCE_COORDINATOR)
    assert client.get(url(case)).status_code == 403
    as_role(client, personas, login_as, Role.CASE_WORKER, "b")
    assert client.get(url(case)).status_code == 404
    assert not AuditEvent.objects.filter(action="cases.case.view").exists()


def test_a_supervisor_and_an_org_admin_see_the_teams_case(client, personas, login_as, case):
    for role in (Role.CASE_SUPERVISOR, Role.ORG_ADMIN):
        as_role(client, personas, login_as, role)
        assert client.get(url(case)).status_code == 200, role


def test_it_moves_one_step_and_refuses_skipping_with_a_message(worker, case):
    response = worker.post(url(case, "move/"), {"to_stage": "assistance"})
    assert response.status_code == 400
    assert "one step at a time" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == CaseStage.REGISTERED
    response = worker.post(url(case, "move/"), {"to_stage": "screening"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == CaseStage.SCREENING
    page = worker.get(url(case)).content.decode()
    assert "Back to “Registered”" in page
    assert "Move to “Assistance planning”" in page


def test_it_names_the_missing_consent_when_moving_into_assistance(worker, personas, case):
    for stage in ("screening", "planning"):
        worker.post(url(case, "move/"), {"to_stage": stage})
    response = worker.post(url(case, "move/"), {"to_stage": "assistance"})
    assert response.status_code == 400
    assert "Assistance" in response.content.decode()
    give_consent(personas.a, case)
    assert worker.post(url(case, "move/"), {"to_stage": "assistance"}).status_code == 302


def test_it_refuses_closing_without_a_request_and_approval(client, personas, login_as, worker, case):
    response = worker.post(url(case, "move/"), {"to_stage": "closed"})
    assert response.status_code == 400
    assert "closure request" in response.content.decode()
    response = worker.post(url(case, "closure/"), {"closure_reason": ""})
    assert response.status_code == 400
    assert "Choose the reason" in response.content.decode()
    assert worker.post(url(case, "closure/approve/")).status_code == 403  # a case worker cannot approve
    assert worker.post(url(case, "closure/"), {"closure_reason": "goals_met"}).status_code == 302
    case.refresh_from_db()
    assert case.closure_pending
    assert not case.is_closed
    as_role(client, personas, login_as, Role.CASE_SUPERVISOR)
    page = client.get(url(case)).content.decode()
    assert "Approve the closure" in page
    assert client.post(url(case, "closure/approve/")).status_code == 302
    case.refresh_from_db()
    assert case.is_closed
    page = client.get(url(case)).content.decode()
    assert "approved by" in page
    assert "Reopen the case" in page
    assert client.post(url(case, "reopen/")).status_code == 302
    case.refresh_from_db()
    assert case.stage == CaseStage.REGISTERED


def test_a_supervisor_cannot_approve_their_own_request(client, personas, login_as):
    supervisor = personas.a.user(Role.CASE_SUPERVISOR)
    case = register_case(personas.a, Role.CASE_SUPERVISOR, case_worker=supervisor)
    as_role(client, personas, login_as, Role.CASE_SUPERVISOR)
    client.post(url(case, "closure/"), {"closure_reason": "declined"})
    assert "Approve the closure" not in client.get(url(case)).content.decode()
    response = client.post(url(case, "closure/approve/"))
    assert response.status_code == 400
    assert "Someone else" in response.content.decode()
    case.refresh_from_db()
    assert not case.is_closed
    assert client.post(url(case, "closure/reject/")).status_code == 302
    case.refresh_from_db()
    assert not case.closure_pending


def test_it_reassigns_for_the_supervisor_only(client, personas, login_as, worker, case):
    other = add_case_worker(personas.a, "a_second_worker")
    body = {"case_worker": other.user_id, "supervisor": personas.a.user(Role.CASE_SUPERVISOR).pk}
    assert worker.post(url(case, "assign/"), body).status_code == 403
    as_role(client, personas, login_as, Role.CASE_SUPERVISOR)
    assert client.post(url(case, "assign/"), {**body, "case_worker": "999999"}).status_code == 400
    assert client.post(url(case, "assign/"), body).status_code == 302
    case.refresh_from_db()
    assert case.case_worker_id == other.user_id
    assert AuditEvent.objects.filter(action="cases.case.assign").exists()


def test_it_shows_consents_and_counts(worker, personas, case):
    give_consent(personas.a, case, ConsentPurpose.FOLLOW_UP)
    content = worker.get(url(case)).content.decode()
    assert "Follow-up contact" in content
    assert "given on" in content
    assert "not given" in content  # the other purposes


def test_the_person_form_is_filled_in_only_after_a_reveal(worker, personas, case):
    response = worker.get(url(case, "person/"))
    assert response.status_code == 200
    content = response.content.decode()
    for value in PERSONAL:
        assert value not in content, value
    assert worker.post(url(case, "person/"), {"reveal-reason": ""}).status_code == 400
    assert not AuditEvent.objects.filter(action__startswith="cases.person.reveal").exists()
    response = worker.post(url(case, "person/"), {"reveal-reason": "documents"})
    assert response.status_code == 200
    content = response.content.decode()
    assert f'value="{NAME}"' in content
    assert 'value="FE123456"' in content
    assert AuditEvent.objects.filter(action="cases.person.reveal.documents", object_id=str(case.person_id)).exists()


def _edit_body(**overrides: str) -> dict[str, str]:
    body = {"step": "save", "given_name": "Олександр", "family_name": "Шевчук", "patronymic": "",
            "birth_date": "1990-05-17", "gender": "Masculine", "age_group": "unknown", "displacement": "idp",
            "citizenship": "UA", "location": "", "phone": "", "email": "", "address": "", "id_document_type": "",
            "id_document_number": ""}
    body.update(overrides)
    return body


def test_it_saves_the_corrected_person_and_refuses_bad_input(worker, case):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = worker.post(url(case, "person/"), _edit_body(birth_date=tomorrow, email="nope"))
    assert response.status_code == 400
    content = response.content.decode()
    assert "cannot be in the future" in content
    assert Person.objects.get(pk=case.person_id).family_name == NAME
    assert worker.post(url(case, "person/"), _edit_body()).status_code == 302
    person = Person.objects.get(pk=case.person_id)
    assert (person.family_name, person.displacement, person.citizenship_id) == ("Шевчук", "idp", "UA")
    assert person.phone == ""


def test_org_admin_cannot_edit_or_move(client, personas, login_as, case):
    as_role(client, personas, login_as, Role.ORG_ADMIN)
    assert client.get(url(case, "person/")).status_code == 403
    assert client.post(url(case, "move/"), {"to_stage": "screening"}).status_code == 403


def test_the_case_page_runs_a_fixed_number_of_queries(worker, personas, case):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert worker.get(url(case)).status_code == 200
        return len(queries)

    first = count()
    membership, actor = acting_as(personas.a)
    for stage in ("screening", "planning"):
        case_actions.move(actor=actor, membership=membership, case=case, to_stage=stage)
    for purpose in (ConsentPurpose.ASSISTANCE, ConsentPurpose.FOLLOW_UP, ConsentPurpose.STATISTICS):
        give_consent(personas.a, case, purpose)
    case_actions.request_closure(actor=actor, membership=membership, case=case, reason=ClosureReason.DECLINED)
    assert count() == first
    assert first <= 25, first


def test_it_answers_404_for_a_case_that_does_not_exist(worker, case):
    assert worker.get(f"/cases/{case.pk + 1000}/").status_code == 404
    assert Case.objects.count() == 1
