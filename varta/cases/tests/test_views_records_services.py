"""The services tab: recording and correcting services, the rehabilitation stay, cost, consents, need-to-know."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from varta.accounts.permissions import Role
from varta.cases.actions import plan
from varta.cases.actions.plan import PlanItemInput
from varta.cases.models import PlanItemStatus, Service
from varta.cases.tests.helpers import acting_as, add_case_worker
from varta.cases.tests.helpers_records import case_at

pytestmark = pytest.mark.django_db

TODAY = date.today()


@pytest.fixture
def case(personas):
    return case_at(personas.a)


@pytest.fixture
def worker(personas, login_as):
    return login_as(personas.a.user(Role.CASE_WORKER))


def url(case, rest: str = "") -> str:
    return f"/cases/{case.pk}/services/{rest}"


def body(**overrides: str) -> dict[str, str]:
    return {"service_type": "rehabilitation_stay", "started_on": (TODAY - timedelta(days=20)).isoformat(),
            "ended_on": (TODAY - timedelta(days=6)).isoformat(), "outcome": "completed", "cost": "4200.50",
            "currency": "UAH", "project_code": "EU-REHAB-7", "provider": "", "provider_other": "", **overrides}


def test_it_records_a_rehabilitation_stay_and_shows_its_length(worker, case):
    page = worker.get(url(case, "new/"))
    assert page.status_code == 200
    assert "cases/records.js" in page.content.decode()
    response = worker.post(url(case, "new/"), body())
    assert response.status_code == 302
    service = Service.objects.get()
    assert (service.cost, service.currency, service.length_of_stay) == (Decimal("4200.50"), "UAH", 14)
    content = worker.get(url(case)).content.decode()
    assert "stay of 14 days" in content
    assert "4200.50 UAH" in content
    assert "EU-REHAB-7" in content


@pytest.mark.parametrize(("overrides", "message"), [
    ({"ended_on": ""}, "Give the date of discharge"),
    ({"started_on": (TODAY + timedelta(days=3)).isoformat(), "ended_on": ""}, "this date is in the future"),
    ({"cost": "-5"}, "greater than or equal to 0"),
    ({"cost": "20000000"}, "less than or equal to 10000000"),
    ({"currency": ""}, "Give the currency of the cost"),
    ({"currency": "XYZ"}, "Select a valid choice"),
    ({"service_type": "magic"}, "Select a valid choice"),
    ({"outcome": "ongoing"}, "no longer ongoing"),
])
def test_bad_input_rerenders_with_400_and_field_messages(worker, case, overrides, message):
    response = worker.post(url(case, "new/"), body(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Service.objects.exists()


def test_a_missing_assistance_consent_is_named_with_a_link(personas, login_as):
    case = case_at(personas.a, "planning", consents=())
    client = login_as(personas.a.user(Role.CASE_WORKER))
    page = client.get(url(case, "new/")).content.decode()
    assert "A consent is missing" in page
    assert f'href="/cases/{case.pk}/consents/"' in page
    response = client.post(url(case, "new/"), body())
    assert response.status_code == 400
    content = response.content.decode()
    assert "has not given the consent this needs: “Assistance”" in content
    assert not Service.objects.exists()


def test_a_service_for_a_plan_item_marks_it_done_and_can_be_corrected(worker, personas, case):
    membership, actor = acting_as(personas.a)
    item = plan.add_plan_item(actor=actor, membership=membership, case=case,
                              data=PlanItemInput(service_type="psychosocial", target_date=TODAY))
    page = worker.get(url(case, f"new/?plan_item={item.pk}")).content.decode()
    assert f'<option value="{item.pk}" selected>' in page
    response = worker.post(url(case, "new/"), body(service_type="psychosocial", plan_item=str(item.pk), ended_on="",
                                                   outcome="ongoing", cost="", currency=""))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == PlanItemStatus.DONE
    service = Service.objects.get()
    assert worker.get(url(case, f"{service.pk}/edit/")).status_code == 200
    response = worker.post(url(case, f"{service.pk}/edit/"), body(service_type="psychosocial",
                                                                 plan_item=str(item.pk), outcome="completed",
                                                                 ended_on=TODAY.isoformat(), cost="",
                                                                 currency=""))
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.outcome, service.ended_on) == ("completed", TODAY)


def test_it_needs_to_know(personas, login_as, worker, case):
    worker.post(url(case, "new/"), body())
    service = Service.objects.get()
    client = login_as(add_case_worker(personas.a, "a_second_worker").user)
    assert client.get(url(case)).status_code == 404
    assert client.post(url(case, "new/"), body()).status_code == 404
    assert client.post(url(case, f"{service.pk}/edit/"), body(cost="1")).status_code == 404
    assert Service.objects.get().cost == Decimal("4200.50")
