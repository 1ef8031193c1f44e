"""Registration at /cases/register/: search before register (with and without JavaScript), need-to-know in the
matches, bad input, a new case for a person found, and turning a hotline escalation into a case."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.cases.models import Case, CaseSource, Person
from varta.cases.tests.helpers import add_case_worker, register_case
from varta.hotline import actions as hotline_actions
from varta.hotline.actions import ConsultationInput, ContactInput
from varta.hotline.models import Escalation, EscalationStatus, Topic

pytestmark = pytest.mark.django_db

URL = "/cases/register/"
SEARCH = "/cases/register/search/"


def body(personas, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "given_name": "Ганна", "family_name": "Левченко", "patronymic": "", "birth_date": "1995-04-12",
        "birth_year": "", "gender": "Feminine", "age_group": "unknown", "citizenship": "UA", "displacement": "idp",
        "location": "", "phone": "+380501112233", "email": "", "address": "", "id_document_type": "",
        "id_document_number": "", "category": "possible_victim", "source": "outreach", "referring_organisation": "",
        "case_worker": personas.a.user(Role.CASE_WORKER).pk, "supervisor": personas.a.user(Role.CASE_SUPERVISOR).pk,
        "opened_on": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def worker(client, personas, login_as):
    return login_as(personas.a.user(Role.CASE_WORKER))


def test_it_shows_the_form_with_the_matches_panel_and_defaults(worker, personas):
    response = worker.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "cases/register.js" in content
    assert 'data-search-url="/cases/register/search/"' in content
    assert "Possible matches" in content
    supervisor = personas.a.user(Role.CASE_SUPERVISOR)
    assert f'<option value="{supervisor.pk}" selected>' in content


def test_it_registers_a_new_person_when_nobody_matches(worker, personas):
    response = worker.post(URL, body(personas))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    person = Person.objects.get()
    assert (person.family_name, person.birth_year, person.age_group, person.citizenship_id) == (
        "Левченко", 1995, person.age_group, "UA")
    assert case.case_worker == personas.a.user(Role.CASE_WORKER)
    assert AuditEvent.objects.filter(action="cases.person.search").count() == 1


def test_without_javascript_it_shows_matches_first_and_asks_to_confirm(worker, personas):
    existing = register_case(personas.a)  # Олександр Шевченко, the worker's own case
    data = body(personas, given_name="Oleksandr", family_name="Shevchenko", birth_date="1990-05-17")
    response = worker.post(URL, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "None of these is the person" in content
    assert "may be registered already" in content
    assert "Шевченко" in content
    assert f"/cases/{existing.pk}/" in content
    assert "same date of birth" in content
    assert Case.objects.count() == 1
    response = worker.post(URL, {**data, "none_of_these": "on"})
    assert response.status_code == 302
    assert Case.objects.count() == 2


def test_a_match_in_a_case_the_user_may_not_see_shows_no_name(client, personas, login_as):
    existing = register_case(personas.a)
    other = add_case_worker(personas.a, "a_second_worker")
    login_as(other.user)
    response = client.post(SEARCH, {"given_name": "Oleksandr", "family_name": "Shevchenko",
                                    "birth_date": "1990-05-17"})
    assert response.status_code == 200
    content = response.content.decode()
    assert f"A possible match exists: case {existing.reference}, case worker ALPHA case worker — ask them." in content
    for secret in ("Шевченко", "Олександр", "1990-05-17", f"/cases/{existing.pk}/", "existing_person"):
        assert secret not in content, secret


def test_the_search_panel_is_posted_never_in_a_url_and_audited(worker, personas):
    register_case(personas.a)
    assert worker.get(SEARCH, {"family_name": "Shevchenko"}).status_code == 405
    response = worker.post(SEARCH, {"given_name": "Aleksandr", "family_name": "Shevcenko", "birth_date": "1990-05"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Шевченко" in content
    assert 'data-summary="1 possible match"' in content
    assert "Open a new case for this person" in content
    assert AuditEvent.objects.filter(action="cases.person.search").count() == 1
    empty = worker.post(SEARCH, {"given_name": "", "family_name": ""}).content.decode()
    assert "Type a name" in empty


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.TASKFORCE_COORDINATOR, Role.HOTLINE_OPERATOR])
def test_roles_that_do_not_register_get_403(client, personas, login_as, role):
    login_as(personas.a.user(role))
    assert client.get(URL).status_code == 403
    assert client.post(SEARCH, {"family_name": "Shevchenko"}).status_code == 403


@pytest.mark.parametrize(("overrides", "message"), [
    ({"birth_date": (date.today() + timedelta(days=1)).isoformat()}, "cannot be in the future"),
    ({"given_name": "", "family_name": ""}, "Give at least a given name or a family name"),
    ({"category": ""}, "Choose the person&#x27;s category."),
    ({"phone": "12"}, "phone"),
    ({"supervisor": "999999"}, "Select a valid choice."),
    ({"given_name": "<b>x</b>"}, "given_name"),
    ({"birth_date": "2001-02-30"}, "Enter a valid date."),
])
def test_it_refuses_bad_input_with_a_message_and_writes_nothing(worker, personas, overrides, message):
    response = worker.post(URL, body(personas, **overrides))
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content or f'id="id_{message}"' in content
    assert 'class="errorlist' in content
    assert not Person.objects.exists()
    assert not Case.objects.exists()


def test_it_opens_a_new_case_for_a_person_found(worker, personas):
    existing = register_case(personas.a)
    response = worker.post(URL, body(personas, existing_person=existing.person_id, given_name="", family_name=""))
    assert response.status_code == 302
    new = Case.objects.exclude(pk=existing.pk).get()
    assert new.person_id == existing.person_id
    assert Person.objects.count() == 1


def test_it_refuses_a_new_case_for_a_person_the_user_may_not_see(client, personas, login_as):
    existing = register_case(personas.a)
    other = add_case_worker(personas.a, "a_second_worker")
    login_as(other.user)
    assert client.post(URL, body(personas, existing_person=existing.person_id)).status_code == 404
    login_as(personas.b.user(Role.CASE_WORKER))
    assert client.post(URL, body(personas, existing_person=existing.person_id)).status_code == 404
    assert Case.objects.count() == 1


def escalated(org, *, caller_name: str = "Ганна", caller_type: str = "person_concerned") -> Escalation:
    membership = org.membership(Role.HOTLINE_OPERATOR)
    actor = Actor(user=membership.user, organisation=membership.organisation)
    topic = Topic.objects.get(organisation__isnull=True, code="job-offer-check")
    contact = hotline_actions.contact_create(actor=actor, membership=membership, data=ContactInput(
        channel="phone", started_at=timezone.now() - timedelta(minutes=5), caller_type=caller_type,
        sex="Feminine", age_group="18-24", displacement="idp", callback_consent=True, caller_name=caller_name,
        caller_phone="+380671110000", consultations=[ConsultationInput(topic=topic)]))
    return hotline_actions.escalate(actor=actor, membership=membership, contact=contact, reason="Job offer abroad")


def test_it_turns_an_escalation_into_a_case(worker, personas):
    escalation = escalated(personas.a)
    page = worker.get(URL, {"escalation": escalation.pk})
    assert page.status_code == 200
    content = page.content.decode()
    assert 'value="Ганна"' in content
    assert "Job offer abroad" in content
    assert f'<option value="{CaseSource.HOTLINE}" selected>' in content
    assert "380671110000" not in content  # the call-back phone is never copied
    response = worker.post(f"{URL}?escalation={escalation.pk}",
                           body(personas, given_name="Ганна", family_name="", source="hotline",
                                gender="Feminine"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.escalation_id == escalation.pk
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.CONVERTED
    again = worker.get(URL, {"escalation": escalation.pk})
    assert again.status_code == 302
    assert again["Location"] == "/hotline/escalations/"


def test_another_organisations_escalation_is_404(client, personas, login_as):
    escalation = escalated(personas.a)
    login_as(personas.b.user(Role.CASE_WORKER))
    assert client.get(URL, {"escalation": escalation.pk}).status_code == 404
    assert client.post(f"{URL}?escalation={escalation.pk}", body(personas)).status_code == 404


def test_the_escalations_list_links_to_registration_for_roles_that_register(client, personas, login_as):
    escalation = escalated(personas.a)
    link = f"/cases/register/?escalation={escalation.pk}"
    login_as(personas.a.user(Role.CASE_WORKER))
    assert link in client.get("/hotline/escalations/").content.decode()
    login_as(personas.a.user(Role.HOTLINE_OPERATOR))
    assert link not in client.get("/hotline/escalations/").content.decode()


def test_the_navigation_offers_cases_and_registration_by_role(client, personas, login_as):
    login_as(personas.a.user(Role.CASE_WORKER))
    content = client.get("/").content.decode()
    assert 'href="/cases/"' in content
    assert 'href="/cases/register/"' in content
    login_as(personas.a.user(Role.TASKFORCE_COORDINATOR))
    content = client.get("/").content.decode()
    assert 'href="/cases/"' not in content
    assert 'href="/cases/register/"' not in content
