"""API: persons and cases — search before register, register, lists with filters, reads with an audited reveal,
corrections, the workflow, need-to-know and roles."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.cases.actions import cases as case_actions
from varta.cases.actions import plan as plan_actions
from varta.cases.models import Case, CaseStage, CaseTransition, ConsentPurpose, Person
from varta.cases.tests.helpers import acting_as, add_case_worker, give_consent, person_input, register_case
from varta.cases.tests.helpers_api import (
    API,
    PERSONAL_VALUES,
    audit_count,
    client_for,
    client_of,
    events,
    leaks,
    state,
)
from varta.geo.models import AdminUnit

pytestmark = pytest.mark.django_db

NOT_WORKING_ON_CASES = [Role.TASKFORCE_COORDINATOR, Role.HOTLINE_OPERATOR, Role.INFORMATION_MANAGER,
                        Role.SYSTEM_ADMIN]


def register_body(**overrides: Any) -> dict[str, Any]:
    person: dict[str, Any] = {
        "given_name": "Олександр", "family_name": "Шевченко", "patronymic": "Іванович", "birth_date": "1990-05-17",
        "phone": "067 123 45 67", "email": "o.shev@example.org", "address": "вул. Хрещатик, 1, Київ",
        "id_document_type": "passport", "id_document_number": "FE123456", "gender": "Masculine",
        "citizenship": "ua", "displacement": "idp", "disability": {"wg_seeing": "3"},
    }
    person.update(overrides.pop("person", {}))
    return {"person": person, "category": "possible_victim", "source": "referral", **overrides}


@pytest.fixture
def second_worker(personas):
    """A case worker of organisation A who does not work on the cases of A's first case worker."""
    return add_case_worker(personas.a, "a_second_worker")


# --- Register ------------------------------------------------------------------------------------------------


def test_it_registers_a_person_and_opens_a_case_without_echoing_personal_fields(personas):
    client = client_of(personas.a)

    response = client.post(API, register_body(referring_organisation="Police of Kyiv"), format="json")

    assert response.status_code == 201, response.content
    case = Case.objects.get()
    out = response.json()
    assert out["id"] == case.pk
    assert out["reference"] == case.reference
    assert out["stage"] == "registered"
    assert out["case_worker"] == personas.a.user(Role.CASE_WORKER).pk
    assert out["supervisor"] == personas.a.user(Role.CASE_SUPERVISOR).pk  # the organisation's only supervisor
    assert out["person_details"]["personal"] is None
    assert out["person_details"]["citizenship"] == "UA"
    assert out["person_details"]["birth_year"] == 1990
    assert out["person_details"]["disability"]["wg_seeing"] == "3"
    assert out["person_details"]["has_disability"] is True
    assert [t["to_stage"] for t in out["transitions"]] == ["registered"]
    assert leaks(response) == []
    person = Person.objects.get()
    assert (person.given_name, person.phone, person.id_document_number) == ("Олександр", "+380671234567",
                                                                             "FE123456")
    assert events("cases.person.create") == 1
    assert events("cases.case.create") == 1


@pytest.mark.parametrize(("overrides", "errors"), [
    ({"person": {"birth_date": (date.today() + timedelta(days=1)).isoformat()}}, {"person": ["birth_date"]}),
    ({"person": {"given_name": "", "family_name": ""}}, {"person": ["family_name"]}),
    ({"person": {"given_name": "<b>Олександр</b>"}}, {"person": ["given_name"]}),
    ({"person": {"phone": "12"}}, {"person": ["phone"]}),
    ({"person": {"gender": "Robot"}}, {"person": ["gender"]}),
    ({"person": {"citizenship": "XX"}}, {"person": ["citizenship"]}),
    ({"person": {"location": "UA99"}}, {"person": ["location"]}),
    ({"person": {"disability": {"wg_seeing": "9"}}}, {"person": ["disability"]}),
    ({"category": "alien"}, {"category": None}),
    ({"source": ""}, {"source": None}),
    ({"opened_on": (date.today() + timedelta(days=2)).isoformat()}, {"opened_on": None}),
    ({"supervisor": 10**9}, {"supervisor": None}),
    ({"escalation": 10**9}, {"escalation": None}),
])
def test_it_refuses_a_bad_registration_field_by_field_and_writes_nothing(personas, overrides, errors):
    client = client_of(personas.a)
    before = state()

    response = client.post(API, register_body(**overrides), format="json")

    assert response.status_code == 400, response.content
    out = response.json()
    for name, nested in errors.items():
        assert name in out
        for inner in nested or []:
            assert inner in out[name], out
    assert state() == before


def test_it_names_every_bad_field_of_the_person_and_the_case_together(personas):
    # The action's own checks (not the serializer's) come back shaped like the request as well.
    response = client_of(personas.a).post(API, register_body(
        person={"given_name": "", "family_name": "", "email": "nobody"},
        supervisor=personas.a.user(Role.CASE_WORKER).pk), format="json")

    assert response.status_code == 400
    out = response.json()
    assert set(out["person"]) == {"family_name", "email"}
    assert "supervisor" in out
    assert not Person.objects.exists()


def test_it_refuses_a_supervisor_of_another_organisation_as_unknown(personas):
    response = client_of(personas.a).post(API, register_body(supervisor=personas.b.user(Role.CASE_SUPERVISOR).pk),
                                          format="json")

    assert response.status_code == 400
    assert response.json()["supervisor"] == ["Choose a supervisor of your organisation."]


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, *NOT_WORKING_ON_CASES], ids=lambda r: r.value)
def test_it_lets_only_case_workers_and_supervisors_register(personas, role):
    before = state()

    response = client_of(personas.a, role).post(API, register_body(), format="json")

    assert response.status_code == 403
    assert state() == before


def test_it_opens_another_case_for_a_registered_person(personas):
    first = register_case(personas.a)
    client = client_of(personas.a)

    response = client.post(f"{API}persons/{first.person_id}/cases/", {"category": "at_risk", "source": "outreach"},
                           format="json")

    assert response.status_code == 201, response.content
    assert Case.objects.filter(person_id=first.person_id).count() == 2
    assert response.json()["person"] == first.person_id
    assert response.json()["category"] == "at_risk"


def test_it_opens_a_case_from_a_pending_hotline_escalation(personas):
    from varta.audit.writes import Actor
    from varta.hotline import actions as hotline_actions
    from varta.hotline.actions import ConsultationInput, ContactInput
    from varta.hotline.models import EscalationStatus, Topic

    operator = personas.a.membership(Role.HOTLINE_OPERATOR)
    actor = Actor(user=operator.user, organisation=operator.organisation)
    topic = Topic.objects.get(organisation__isnull=True, code="job-offer-check")
    contact = hotline_actions.contact_create(actor=actor, membership=operator, data=ContactInput(
        channel="phone", started_at=timezone.now() - timedelta(minutes=5),
        consultations=[ConsultationInput(topic=topic)]))
    escalation = hotline_actions.escalate(actor=actor, membership=operator, contact=contact, reason="Risk")

    response = client_of(personas.a).post(API, register_body(source="hotline", escalation=escalation.pk),
                                          format="json")

    assert response.status_code == 201, response.content
    assert response.json()["escalation"] == escalation.pk
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.CONVERTED
    again = client_of(personas.a).post(API, register_body(source="hotline", escalation=escalation.pk), format="json")
    assert again.status_code == 400
    assert "escalation" in again.json()


# --- Search before register ----------------------------------------------------------------------------------


def test_it_finds_a_person_across_scripts_without_showing_names(personas):
    case = register_case(personas.a)
    client = client_of(personas.a)

    response = client.post(f"{API}persons/search/", {"given_name": "Oleksandr", "family_name": "Shevchenko",
                                                     "birth_date": "1990-05-17"}, format="json")

    assert response.status_code == 200, response.content
    [match] = response.json()
    assert match["person"] == case.person_id
    assert match["visible"] is True
    assert match["birth_date_matches"] is True
    assert match["cases"] == [{"id": case.pk, "reference": case.reference, "stage": "registered",
                               "case_worker": personas.a.user(Role.CASE_WORKER).full_name, "visible": True}]
    assert leaks(response) == []
    assert events("cases.person.search") == 1


def test_it_shows_a_match_outside_need_to_know_only_as_a_case_and_its_worker(personas, second_worker):
    case = register_case(personas.a)

    response = client_for(second_worker).post(f"{API}persons/search/", {"family_name": "Шевченко",
                                                                        "given_name": "Олександр"}, format="json")

    assert response.status_code == 200
    [match] = response.json()
    assert match["visible"] is False
    assert match["cases"][0]["id"] is None
    assert match["cases"][0]["reference"] == case.reference
    assert client_for(second_worker).get(f"{API}persons/{match['person']}/").status_code == 404


def test_it_never_searches_another_organisation(personas):
    register_case(personas.a)

    response = client_of(personas.b).post(f"{API}persons/search/", {"given_name": "Олександр",
                                                                    "family_name": "Шевченко"}, format="json")

    assert response.status_code == 200
    assert response.json() == []


def test_it_refuses_a_search_without_a_name(personas):
    response = client_of(personas.a).post(f"{API}persons/search/", {"birth_date": "1990-05-17"}, format="json")

    assert response.status_code == 400
    assert "family_name" in response.json()
    bad_date = client_of(personas.a).post(f"{API}persons/search/", {"family_name": "X", "birth_date": "1990-13-1"},
                                          format="json")
    assert bad_date.status_code == 400
    assert "birth_date" in bad_date.json()


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, *NOT_WORKING_ON_CASES], ids=lambda r: r.value)
def test_it_refuses_search_to_roles_that_do_not_register(personas, role):
    register_case(personas.a)
    before = state()

    response = client_of(personas.a, role).post(f"{API}persons/search/", {"family_name": "Шевченко"},
                                                 format="json")

    assert response.status_code == 403
    assert state() == before


# --- Lists ---------------------------------------------------------------------------------------------------


def test_it_lists_the_cases_of_need_to_know_without_personal_fields(personas, second_worker):
    mine = register_case(personas.a)
    theirs = register_case(personas.a, case_worker=second_worker.user, person=person_input(given_name="Ганна"))
    register_case(personas.b, person=person_input(given_name="Beta person"))

    worker = client_of(personas.a).get(API)
    other = client_for(second_worker).get(API)
    supervisor = client_of(personas.a, Role.CASE_SUPERVISOR).get(API)
    admin = client_of(personas.a, Role.ORG_ADMIN).get(API)

    assert [c["id"] for c in worker.json()["results"]] == [mine.pk]
    assert [c["id"] for c in other.json()["results"]] == [theirs.pk]
    assert {c["id"] for c in supervisor.json()["results"]} == {mine.pk, theirs.pk}
    assert {c["id"] for c in admin.json()["results"]} == {mine.pk, theirs.pk}
    for response in (worker, other, supervisor, admin):
        assert response.status_code == 200
        assert leaks(response, (*PERSONAL_VALUES, "Ганна", "Beta person")) == []
        assert "person_details" not in response.json()["results"][0]


@pytest.mark.parametrize("role", NOT_WORKING_ON_CASES, ids=lambda r: r.value)
def test_it_refuses_the_case_list_to_roles_without_cases(personas, role):
    register_case(personas.a)

    assert client_of(personas.a, role).get(API).status_code == 403
    assert client_of(personas.a, role).get(f"{API}persons/").status_code == 403


def test_it_filters_the_case_list(personas, second_worker):
    old = register_case(personas.a, opened_on=date.today() - timedelta(days=40), category="actual_victim",
                        source="outreach")
    new = register_case(personas.a, person=person_input(given_name="Петро"))
    theirs = register_case(personas.a, case_worker=second_worker.user, person=person_input(given_name="Ганна"))
    membership, actor = acting_as(personas.a)
    case_actions.move(actor=actor, membership=membership, case=new, to_stage=CaseStage.SCREENING)
    plan_actions.add_plan_item(actor=actor, membership=membership, case=old, data=plan_actions.PlanItemInput(
        service_type="medical", target_date=date.today() - timedelta(days=1)))
    client = client_of(personas.a, Role.CASE_SUPERVISOR)

    def ids(query: str) -> set[int]:
        response = client.get(f"{API}?{query}")
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["results"]}

    assert ids("stage=screening") == {new.pk}
    assert ids("category=actual_victim") == {old.pk}
    assert ids("source=outreach") == {old.pk}
    assert ids(f"case_worker={second_worker.user_id}") == {theirs.pk}
    assert ids(f"opened_to={(date.today() - timedelta(days=30)).isoformat()}") == {old.pk}
    assert ids(f"opened_from={(date.today() - timedelta(days=30)).isoformat()}") == {new.pk, theirs.pk}
    assert ids("overdue=1") == {old.pk}
    assert ids("overdue=0") == {new.pk, theirs.pk}
    listed = {c["id"]: c for c in client.get(API).json()["results"]}
    assert listed[old.pk]["overdue"] is True
    assert listed[new.pk]["overdue"] is False


@pytest.mark.parametrize("query", ["stage=finished", "category=x", "source=x", "case_worker=abc",
                                   "opened_from=yesterday", "opened_from=2025-02-01&opened_to=2025-01-01",
                                   "overdue=perhaps"])
def test_it_refuses_a_bad_filter(personas, query):
    response = client_of(personas.a).get(f"{API}?{query}")

    assert response.status_code == 400
    assert response.json()


def test_it_pages_the_case_list_by_key(personas):
    cases = [register_case(personas.a, person=person_input(given_name=f"Name{n}")) for n in range(3)]
    client = client_of(personas.a)

    first = client.get(f"{API}?page_size=2").json()
    second = client.get(first["next"]).json()

    assert [c["id"] for c in first["results"]] + [c["id"] for c in second["results"]] == [c.pk for c in
                                                                                         reversed(cases)]
    assert second["next"] is None


def test_it_lists_cases_in_a_fixed_number_of_queries(personas):
    client = client_of(personas.a, Role.CASE_SUPERVISOR)
    register_case(personas.a)
    client.get(API)  # warm-up: the token's last use, content types
    with CaptureQueriesContext(connection) as one:
        assert client.get(API).status_code == 200
    for n in range(4):
        register_case(personas.a, person=person_input(given_name=f"Name{n}"))
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(API).json()["results"]) == 5

    assert len(five) == len(one)


def test_it_lists_persons_without_personal_fields(personas, second_worker):
    mine = register_case(personas.a)
    register_case(personas.a, case_worker=second_worker.user, person=person_input(given_name="Ганна"))

    response = client_of(personas.a).get(f"{API}persons/")

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [mine.person_id]
    assert leaks(response, (*PERSONAL_VALUES, "Ганна")) == []
    assert "personal" not in response.json()["results"][0]


# --- Reading one case or person: audited, personal fields only with a reason --------------------------------


def test_it_reads_a_case_without_personal_fields_and_records_the_view(personas):
    case = register_case(personas.a)

    response = client_of(personas.a).get(f"{API}{case.pk}/")

    assert response.status_code == 200
    assert response.json()["person_details"]["personal"] is None
    assert leaks(response) == []
    assert events("cases.case.view", object_id=str(case.pk)) == 1
    assert not AuditEvent.objects.filter(action__startswith="cases.person.reveal").exists()


def test_it_reveals_personal_fields_with_a_reason_and_records_which(personas):
    case = register_case(personas.a)
    worker = personas.a.user(Role.CASE_WORKER)

    response = client_of(personas.a).get(f"{API}{case.pk}/?reveal=contact")

    assert response.status_code == 200
    personal = response.json()["person_details"]["personal"]
    assert personal["given_name"] == "Олександр"
    assert personal["phone"] == "+380671234567"
    assert personal["id_document_number"] == "FE123456"
    assert personal["birth_date"] == "1990-05-17"
    event = AuditEvent.objects.get(action="cases.person.reveal.contact")
    assert event.actor_id == worker.pk
    assert event.object_id == str(case.person_id)
    assert set(event.changed_fields) == set(Person.PERSONAL_FIELDS)
    assert "Олександр" not in str(event.changed_fields)
    assert events("cases.case.view", object_id=str(case.pk)) == 1


def test_it_reveals_only_the_fields_asked_for(personas):
    case = register_case(personas.a)

    response = client_of(personas.a).get(f"{API}{case.pk}/?reveal=service&reveal_fields=phone,email")

    assert response.status_code == 200
    assert response.json()["person_details"]["personal"] == {"phone": "+380671234567",
                                                             "email": "o.shev@example.org"}
    assert leaks(response, ("Олександр", "FE123456")) == []
    assert AuditEvent.objects.get(action="cases.person.reveal.service").changed_fields == ["email", "phone"]


@pytest.mark.parametrize("query", ["reveal=curiosity", "reveal_fields=phone",
                                   "reveal=contact&reveal_fields=password"])
def test_it_refuses_a_reveal_without_a_known_reason_or_field(personas, query):
    case = register_case(personas.a)
    before = audit_count()

    response = client_of(personas.a).get(f"{API}{case.pk}/?{query}")

    assert response.status_code == 400
    assert leaks(response) == []
    assert audit_count() == before


def test_it_answers_404_for_a_case_outside_need_to_know_or_of_another_organisation(personas, second_worker):
    case = register_case(personas.a)
    before = audit_count()

    for client in (client_for(second_worker), client_of(personas.b), client_of(personas.b, Role.ORG_ADMIN)):
        for url in (f"{API}{case.pk}/", f"{API}{case.pk}/?reveal=contact", f"{API}persons/{case.person_id}/",
                    f"{API}persons/{case.person_id}/?reveal=verify"):
            response = client.get(url)
            assert response.status_code == 404, url
            assert leaks(response) == []
    assert client_of(personas.a).get(f"{API}999999/").status_code == 404
    assert AuditEvent.objects.filter(action__in=["cases.case.view", "cases.person.view"]).count() == 0
    assert audit_count() == before


@pytest.mark.parametrize("role", NOT_WORKING_ON_CASES, ids=lambda r: r.value)
def test_it_refuses_a_case_to_roles_without_cases(personas, role):
    case = register_case(personas.a)

    for url in (f"{API}{case.pk}/?reveal=contact", f"{API}persons/{case.person_id}/"):
        response = client_of(personas.a, role).get(url)
        assert response.status_code == 403
        assert leaks(response) == []


def test_it_lets_supervisor_and_org_admin_read_and_reveal(personas):
    case = register_case(personas.a)

    for role in (Role.CASE_SUPERVISOR, Role.ORG_ADMIN):
        response = client_of(personas.a, role).get(f"{API}{case.pk}/?reveal=supervision")
        assert response.status_code == 200
        assert response.json()["person_details"]["personal"]["family_name"] == "Шевченко"
    assert events("cases.person.reveal.supervision") == 2


def test_it_reads_a_person_with_their_visible_cases_and_records_the_view(personas, second_worker):
    first = register_case(personas.a)
    membership, actor = acting_as(personas.a)
    from varta.cases.actions.cases import CaseInput

    second = case_actions.open_case(actor=actor, membership=membership, person=first.person,
                                    case=CaseInput(category="at_risk", source="outreach"))
    case_actions.open_case(actor=actor, membership=membership, person=first.person,
                           case=CaseInput(category="at_risk", source="outreach", case_worker=second_worker.user))

    response = client_of(personas.a).get(f"{API}persons/{first.person_id}/")

    assert response.status_code == 200
    out = response.json()
    assert {c["id"] for c in out["cases"]} == {first.pk, second.pk}
    assert out["personal"] is None
    assert leaks(response) == []
    assert events("cases.person.view", object_id=str(first.person_id)) == 1
    revealed = client_of(personas.a).get(f"{API}persons/{first.person_id}/?reveal=verify&reveal_fields=birth_date")
    assert revealed.json()["personal"] == {"birth_date": "1990-05-17"}
    assert events("cases.person.reveal.verify", object_id=str(first.person_id)) == 1


# --- Correcting a person -------------------------------------------------------------------------------------


def test_it_corrects_some_of_a_persons_fields_and_keeps_the_others(personas, places):
    case = register_case(personas.a)

    response = client_of(personas.a).patch(f"{API}persons/{case.person_id}/", {
        "phone": "+380 50 111 22 33", "location": "ua21", "disability": {"wg_walking": "4"}}, format="json")

    assert response.status_code == 200, response.content
    person = Person.objects.get()
    assert person.phone == "+380501112233"
    assert person.location_id == "UA21"
    assert person.given_name == "Олександр"
    assert person.birth_date == "1990-05-17"
    assert (person.wg_walking, person.wg_seeing) == ("4", "")
    assert leaks(response, ("380501112233", "Олександр")) == []
    assert response.json()["location"] == "UA21"
    assert events("cases.person.update") == 1


def test_it_finds_a_person_by_corrected_names(personas):
    case = register_case(personas.a)
    client = client_of(personas.a)

    client.patch(f"{API}persons/{case.person_id}/", {"family_name": "Коваленко"}, format="json")

    found = client.post(f"{API}persons/search/", {"family_name": "Kovalenko", "given_name": "Oleksandr"},
                        format="json")
    assert [m["person"] for m in found.json()] == [case.person_id]


@pytest.mark.parametrize(("body", "field"), [
    ({"birth_date": (date.today() + timedelta(days=1)).isoformat()}, "birth_date"),
    ({"email": "nobody"}, "email"),
    ({"given_name": "", "family_name": ""}, "family_name"),
    ({"id_document_type": "library_card"}, "id_document_type"),
    ({"citizenship": "QQ"}, "citizenship"),
])
def test_it_refuses_a_bad_correction_and_keeps_the_person(personas, body, field):
    case = register_case(personas.a)
    before = state()

    response = client_of(personas.a).patch(f"{API}persons/{case.person_id}/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert state() == before


def test_it_refuses_a_correction_outside_need_to_know_or_by_a_role_without_work(personas, second_worker):
    case = register_case(personas.a)
    before = state()

    assert client_for(second_worker).patch(f"{API}persons/{case.person_id}/", {"phone": "+380501112233"},
                                           format="json").status_code == 404
    assert client_of(personas.a, Role.ORG_ADMIN).patch(f"{API}persons/{case.person_id}/",
                                                       {"phone": "+380501112233"}, format="json").status_code == 403
    assert state() == before


# --- Workflow ------------------------------------------------------------------------------------------------


def test_it_moves_a_case_one_step_and_refuses_a_skip(personas):
    case = register_case(personas.a)
    client = client_of(personas.a)

    skip = client.post(f"{API}{case.pk}/move/", {"stage": "planning"}, format="json")
    assert skip.status_code == 400
    assert "stage" in skip.json()
    assert CaseTransition.objects.count() == 1

    response = client.post(f"{API}{case.pk}/move/", {"stage": "screening"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "screening"
    assert [t["to_stage"] for t in response.json()["transitions"]] == ["registered", "screening"]
    assert response.json()["transitions"][-1]["by"] == personas.a.user(Role.CASE_WORKER).pk
    assert client.post(f"{API}{case.pk}/move/", {"stage": "closed"}, format="json").status_code == 400
    assert client.post(f"{API}{case.pk}/move/", {"stage": "nowhere"}, format="json").status_code == 400
    assert client.post(f"{API}{case.pk}/move/", {}, format="json").status_code == 400


def test_it_names_the_missing_consent_when_moving_into_assistance(personas):
    case = register_case(personas.a)
    membership, actor = acting_as(personas.a)
    for stage in (CaseStage.SCREENING, CaseStage.PLANNING):
        case_actions.move(actor=actor, membership=membership, case=case, to_stage=stage)
    client = client_of(personas.a)
    before = state()

    refused = client.post(f"{API}{case.pk}/move/", {"stage": "assistance"}, format="json")

    assert refused.status_code == 400
    assert "Assistance" in refused.json()["consent"][0]
    assert state() == before
    give_consent(personas.a, case, ConsentPurpose.ASSISTANCE)
    assert client.post(f"{API}{case.pk}/move/", {"stage": "assistance"}, format="json").json()["stage"] == \
        "assistance"


def test_it_closes_a_case_on_request_and_someone_elses_approval_then_reopens(personas):
    case = register_case(personas.a)
    worker = client_of(personas.a)
    supervisor = client_of(personas.a, Role.CASE_SUPERVISOR)

    assert worker.post(f"{API}{case.pk}/request-closure/", {"closure_reason": "whim"},
                       format="json").status_code == 400
    assert supervisor.post(f"{API}{case.pk}/approve-closure/", format="json").status_code == 400  # nothing asked
    asked = worker.post(f"{API}{case.pk}/request-closure/", {"closure_reason": "declined"}, format="json")
    assert asked.status_code == 200
    assert asked.json()["closure_pending"] is True
    assert worker.post(f"{API}{case.pk}/approve-closure/", format="json").status_code == 403

    closed = supervisor.post(f"{API}{case.pk}/approve-closure/", format="json")

    assert closed.status_code == 200, closed.content
    assert closed.json()["stage"] == "closed"
    assert closed.json()["transitions"][-1]["approved_by"] == personas.a.user(Role.CASE_SUPERVISOR).pk
    assert worker.post(f"{API}{case.pk}/move/", {"stage": "screening"}, format="json").status_code == 400
    reopened = supervisor.post(f"{API}{case.pk}/reopen/", format="json")
    assert reopened.json()["stage"] == "registered"
    assert supervisor.post(f"{API}{case.pk}/reopen/", format="json").status_code == 400


def test_it_turns_down_a_closure_request(personas):
    case = register_case(personas.a)
    client_of(personas.a).post(f"{API}{case.pk}/request-closure/", {"closure_reason": "goals_met"}, format="json")

    response = client_of(personas.a, Role.CASE_SUPERVISOR).post(f"{API}{case.pk}/reject-closure/", format="json")

    assert response.status_code == 200
    assert response.json()["closure_pending"] is False
    assert response.json()["stage"] == "registered"


def test_it_reassigns_a_case_to_members_of_the_organisation_only(personas, second_worker):
    case = register_case(personas.a)
    supervisor = client_of(personas.a, Role.CASE_SUPERVISOR)
    before = state()

    for body in ({"case_worker": personas.b.user(Role.CASE_WORKER).pk,
                  "supervisor": personas.a.user(Role.CASE_SUPERVISOR).pk},
                 {"case_worker": second_worker.user_id, "supervisor": second_worker.user_id},
                 {"case_worker": second_worker.user_id}):
        refused = supervisor.post(f"{API}{case.pk}/assign/", body, format="json")
        assert refused.status_code == 400, body
    assert state() == before

    response = supervisor.post(f"{API}{case.pk}/assign/", {"case_worker": second_worker.user_id,
                                                           "supervisor": personas.a.user(Role.CASE_SUPERVISOR).pk},
                               format="json")

    assert response.status_code == 200
    assert response.json()["case_worker"] == second_worker.user_id
    assert client_of(personas.a).get(f"{API}{case.pk}/").status_code == 404  # no longer the first worker's
    assert client_for(second_worker).get(f"{API}{case.pk}/").status_code == 200


@pytest.mark.parametrize(("path", "body"), [
    ("move/", {"stage": "screening"}), ("request-closure/", {"closure_reason": "declined"}),
    ("approve-closure/", {}), ("reject-closure/", {}), ("reopen/", {}),
    ("assign/", {"case_worker": 1, "supervisor": 1}),
])
def test_it_guards_every_transition_by_role_and_need_to_know(personas, second_worker, path, body):
    case = register_case(personas.a)
    before = state()

    assert client_for(second_worker).post(f"{API}{case.pk}/{path}", body, format="json").status_code in (403, 404)
    assert client_of(personas.b, Role.CASE_SUPERVISOR).post(f"{API}{case.pk}/{path}", body,
                                                            format="json").status_code == 404
    assert client_of(personas.a, Role.TASKFORCE_COORDINATOR).post(f"{API}{case.pk}/{path}", body,
                                                                  format="json").status_code == 403
    assert state() == before


# --- Authentication ------------------------------------------------------------------------------------------


def test_it_works_over_the_session_too(personas, login_as):
    case = register_case(personas.a)
    client = login_as(personas.a.user(Role.CASE_WORKER))

    response = client.get(f"{API}{case.pk}/?reveal=documents")

    assert response.status_code == 200
    assert response.json()["person_details"]["personal"]["id_document_number"] == "FE123456"
    assert AuditEvent.objects.get(action="cases.person.reveal.documents").actor_id == personas.a.user(
        Role.CASE_WORKER).pk


def test_it_requires_authentication(personas):
    from rest_framework.test import APIClient

    case = register_case(personas.a)
    for url in (API, f"{API}{case.pk}/", f"{API}persons/", f"{API}persons/{case.person_id}/"):
        assert APIClient().get(url).status_code in (401, 403)
    assert APIClient().post(API, register_body(), format="json").status_code in (401, 403)


@pytest.fixture
def places(db) -> dict[str, AdminUnit]:
    oblast = AdminUnit.objects.create(pcode="UA21", country_iso3="UKR", level=1, name_en="Zakarpatska",
                                      name_uk="Закарпатська", search_en="zakarpatska", search_uk="закарпатська")
    return {"oblast": oblast}
