"""The screening tab: the HTCDS form with checkbox groups and P-code places, 400 with messages on bad input."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.cases.models import Screening
from varta.cases.tests.helpers import add_case_worker, register_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas):
    return register_case(personas.a)


@pytest.fixture
def worker(personas, login_as):
    return login_as(personas.a.user(Role.CASE_WORKER))


def url(case) -> str:
    return f"/cases/{case.pk}/screening/"


def test_it_shows_the_form_with_checkbox_groups_and_records_the_view(worker, case):
    response = worker.get(url(case))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'type="checkbox" name="types_of_exploitation" value="ForcedLabour"' in content
    assert 'name="methods_of_control"' in content
    assert 'data-pcode-picker="single"' in content
    assert 'aria-current="page">Screening' in content
    assert AuditEvent.objects.filter(action="cases.case.view", object_id=str(case.pk)).exists()


def test_it_saves_the_screening_and_shows_it_again(worker, case):
    response = worker.post(url(case), {
        "types_of_exploitation": ["ForcedLabour", "SexualExploitation"], "forced_labour_industries": ["F_Construction"],
        "methods_of_control": ["DebtBondage"], "relationship": "employer", "recruitment_country": "UA",
        "exploitation_countries": ["PL", "DE"], "exploitation_start": "2023-01-10",
        "exploitation_end": "2023-03-10", "nrm_applied_on": "2023-04-01", "nrm_interview_on": "2023-04-15",
        "nrm_decision": "granted", "nrm_decision_on": "2023-05-01"})
    assert response.status_code == 302
    screening = Screening.objects.get(case=case)
    assert screening.types_of_exploitation == ["ForcedLabour", "SexualExploitation"]
    assert sorted(c.iso2 for c in screening.exploitation_countries.all()) == ["DE", "PL"]
    assert screening.nrm_decision == "granted"
    content = worker.get(url(case)).content.decode()
    assert re.search(r'value="F_Construction"[^>]*checked', content)
    assert re.search(r'value="PL"[^>]*selected', content)
    assert "Duration of exploitation: 60 days." in content


@pytest.mark.parametrize(("body", "field_message"), [
    ({"exploitation_start": "2023-03-10", "exploitation_end": "2023-01-10"}, "cannot end before it began"),
    ({"types_of_exploitation": ["Nonsense"]}, "Select a valid choice"),
    ({"exploitation_start": (date.today() + timedelta(days=2)).isoformat()}, "in the future"),
    ({"recruitment_place": "ZZ999"}, "Unknown P-code"),
    ({"nrm_decision": "granted"}, "Give the date of the decision."),
])
def test_it_refuses_bad_input_with_400_and_writes_nothing(worker, case, body, field_message):
    response = worker.post(url(case), body)
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not Screening.objects.exists()


def test_it_needs_to_know(personas, login_as, case):
    second = add_case_worker(personas.a, "a_second_worker")
    client = login_as(second.user)
    assert client.get(url(case)).status_code == 404
    assert client.post(url(case), {"types_of_exploitation": ["ForcedLabour"]}).status_code == 404
    assert not Screening.objects.exists()


def test_an_org_admin_reads_it_without_a_save_button(personas, login_as, case):
    client = login_as(personas.a.user(Role.ORG_ADMIN))
    response = client.get(url(case))
    assert response.status_code == 200
    assert "Save the screening" not in response.content.decode()
    assert client.post(url(case), {"types_of_exploitation": ["ForcedLabour"]}).status_code == 403
