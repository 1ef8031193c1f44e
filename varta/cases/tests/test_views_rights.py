"""The access-request export page (/cases/<id>/person/export/) and the retention page (/cases/retention/)."""

from __future__ import annotations

import json

import pytest

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.cases.models import Case, Person
from varta.cases.tests.helpers_rights import NOTE_TEXTS, PERSONS, close, full_case

pytestmark = pytest.mark.django_db
EXPIRED = 1827
RETENTION = "/cases/retention/"


def _export_url(case: Case) -> str:
    return f"/cases/{case.pk}/person/export/"


def test_it_asks_for_a_confirmation_then_downloads_the_json(client, personas, login_as):
    case = full_case(personas.a)
    login_as(personas.a.user(Role.ORG_ADMIN))
    page = client.get(_export_url(case))
    assert page.status_code == 200
    assert "Download the JSON file" in page.content.decode()
    assert PERSONS[0]["given_name"] not in page.content.decode()
    response = client.post(_export_url(case), {"confirm": "on"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="varta-person-{case.person_id}-')
    data = json.loads(response.content)
    assert data["person"]["family_name"] == PERSONS[0]["family_name"]
    assert data["cases"][0]["notes"][0]["text"] == NOTE_TEXTS[0]
    assert AuditEvent.objects.filter(action="cases.person.subject_access", actor_id=personas.a.user(Role.ORG_ADMIN).pk
                                     ).count() == 1


def test_it_refuses_the_download_without_the_confirmation(client, personas, login_as):
    case = full_case(personas.a)
    login_as(personas.a.user(Role.ORG_ADMIN))
    response = client.post(_export_url(case), {})
    assert response.status_code == 400
    assert "Confirm that the request is the person" in response.content.decode()
    assert not AuditEvent.objects.filter(action="cases.person.subject_access").exists()


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.HOTLINE_OPERATOR])
def test_it_requires_rw_access(client, personas, login_as, role):
    case = full_case(personas.a)
    login_as(personas.a.user(role))
    assert client.get(_export_url(case)).status_code == 403
    assert client.post(_export_url(case), {"confirm": "on"}).status_code == 403
    assert client.get(RETENTION).status_code == 403
    assert client.post(RETENTION, {"all": "on", "confirm": "on"}).status_code == 403


def test_it_answers_404_for_another_organisations_case(client, personas, login_as):
    case = full_case(personas.a)
    login_as(personas.b.user(Role.ORG_ADMIN))
    assert client.post(_export_url(case), {"confirm": "on"}).status_code == 404


def test_it_lists_the_cases_past_retention(client, personas, login_as):
    expired = close(personas.a, full_case(personas.a), days_ago=EXPIRED)
    recent = close(personas.a, full_case(personas.a, 1), days_ago=10)
    close(personas.b, full_case(personas.b), days_ago=EXPIRED)
    login_as(personas.a.user(Role.ORG_ADMIN))
    response = client.get(RETENTION)
    assert response.status_code == 200
    assert [c.pk for c in response.context["cases"]] == [expired.pk]
    content = response.content.decode()
    assert expired.reference in content
    assert f'value="{recent.pk}"' not in content


def test_it_anonymises_the_cases_ticked(client, personas, login_as):
    first = close(personas.a, full_case(personas.a), days_ago=EXPIRED)
    second = close(personas.a, full_case(personas.a, 1), days_ago=EXPIRED + 1)
    login_as(personas.a.user(Role.ORG_ADMIN))
    response = client.post(RETENTION, {"case": [str(first.pk)], "confirm": "on"}, follow=True)
    assert response.redirect_chain == [(RETENTION, 302)]
    assert "1 case anonymised." in response.content.decode()
    assert Case.objects.get(pk=first.pk).anonymised_at is not None
    assert Case.objects.get(pk=second.pk).anonymised_at is None
    assert Person.objects.get(pk=first.person_id).given_name == ""


def test_it_anonymises_all_due_cases(client, personas, login_as):
    cases = [close(personas.a, full_case(personas.a, i), days_ago=EXPIRED) for i in (0, 1)]
    login_as(personas.a.user(Role.ORG_ADMIN))
    client.post(RETENTION, {"all": "on", "confirm": "on"})
    assert all(Case.objects.get(pk=c.pk).anonymised_at is not None for c in cases)


@pytest.mark.parametrize("body", [{"all": "on"}, {"confirm": "on"}, {"case": ["x"], "confirm": "on"}])
def test_it_refuses_an_incomplete_request(client, personas, login_as, body):
    case = close(personas.a, full_case(personas.a), days_ago=EXPIRED)
    login_as(personas.a.user(Role.ORG_ADMIN))
    response = client.post(RETENTION, body)
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).anonymised_at is None


def test_it_ignores_another_organisations_case_ids(client, personas, login_as):
    case = close(personas.a, full_case(personas.a), days_ago=EXPIRED)
    login_as(personas.b.user(Role.ORG_ADMIN))
    response = client.post(RETENTION, {"case": [str(case.pk)], "confirm": "on"})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).anonymised_at is None
