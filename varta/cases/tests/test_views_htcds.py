"""The HTCDS export page and downloads (/cases/export/htcds/)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.cases.tests.helpers_rights import PERSONS, full_case

pytestmark = pytest.mark.django_db
URL = "/cases/export/htcds/"


def _csv(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_it_shows_the_page_to_a_supervisor_without_the_identifying_form(client, personas, login_as):
    full_case(personas.a)
    login_as(personas.a.user(Role.CASE_SUPERVISOR))
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "1 case you may see." in content
    assert "?download=csv" in content
    assert "With identifying details" not in content


def test_it_downloads_the_non_identifying_csv(client, personas, login_as):
    case = full_case(personas.a)
    full_case(personas.b, 1)
    login_as(personas.a.user(Role.CASE_SUPERVISOR))
    response = client.get(URL, {"download": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="varta-htcds-20')
    [row] = _csv(response)
    assert row["varta_CaseReference"] == case.reference
    assert "prs_FirstName" not in row
    event = AuditEvent.objects.get(action="cases.export.htcds")
    assert "cas_Status" in event.changed_fields
    assert "prs_FirstName" not in event.changed_fields


def test_it_downloads_identifying_fields_for_an_org_admin_who_confirms(client, personas, login_as):
    case = full_case(personas.a)
    full_case(personas.a, 1)
    login_as(personas.a.user(Role.ORG_ADMIN))
    assert "With identifying details" in client.get(URL).content.decode()
    response = client.post(URL, {"purpose": "subject_request", "confirm": "on", "case": str(case.pk)})
    assert response.status_code == 200
    [row] = _csv(response)
    assert (row["prs_FirstName"], row["prs_MobilePhone"]) == (PERSONS[0]["given_name"], PERSONS[0]["phone"])
    event = AuditEvent.objects.get(action="cases.export.htcds")
    assert {"prs_FirstName", "purpose.subject_request"} <= set(event.changed_fields)


@pytest.mark.parametrize("body", [{"confirm": "on"}, {"purpose": "subject_request"}, {"purpose": "x",
                                                                                      "confirm": "on"}])
def test_it_refuses_an_identifying_export_without_purpose_and_confirmation(client, personas, login_as, body):
    full_case(personas.a)
    login_as(personas.a.user(Role.ORG_ADMIN))
    response = client.post(URL, body)
    assert response.status_code == 400
    assert PERSONS[0]["given_name"] not in response.content.decode()
    assert not AuditEvent.objects.filter(action="cases.export.htcds").exists()


def test_it_requires_rw_access(client, personas, login_as):
    full_case(personas.a)
    login_as(personas.a.user(Role.CASE_WORKER))
    assert client.get(URL, {"download": "csv"}).status_code == 403
    login_as(personas.a.user(Role.CASE_SUPERVISOR))
    assert client.post(URL, {"purpose": "subject_request", "confirm": "on"}).status_code == 403


def test_it_answers_404_for_another_organisations_case(client, personas, login_as):
    case = full_case(personas.a)
    login_as(personas.b.user(Role.ORG_ADMIN))
    assert client.get(URL, {"download": "csv", "case": str(case.pk)}).status_code == 404
    assert client.get(URL, {"download": "csv", "case": "x"}).status_code == 404
    assert client.post(URL, {"purpose": "subject_request", "confirm": "on", "case": str(case.pk)}).status_code == 404
