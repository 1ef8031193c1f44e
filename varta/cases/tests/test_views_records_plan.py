"""The needs-and-plan tab: needs, plan items with overdue ones highlighted, status changes, the referral consent."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from varta.accounts.permissions import Role
from varta.cases.actions import plan
from varta.cases.actions.plan import PlanItemInput
from varta.cases.models import ConsentPurpose, Need, PlanItem, PlanItemStatus
from varta.cases.tests.helpers import acting_as, add_case_worker, give_consent
from varta.cases.tests.helpers_records import case_at

pytestmark = pytest.mark.django_db

TODAY = date.today()


@pytest.fixture
def case(personas):
    return case_at(personas.a, "registered")


@pytest.fixture
def worker(personas, login_as):
    return login_as(personas.a.user(Role.CASE_WORKER))


def url(case, rest: str = "") -> str:
    return f"/cases/{case.pk}/plan/{rest}"


def _item(org, case, **overrides: Any) -> PlanItem:
    membership, actor = acting_as(org)
    data: dict[str, Any] = {"service_type": "medical", "target_date": TODAY + timedelta(days=7), **overrides}
    return plan.add_plan_item(actor=actor, membership=membership, case=case, data=PlanItemInput(**data))


def test_it_adds_needs_and_plan_items(worker, case):
    assert worker.get(url(case)).status_code == 200
    response = worker.post(url(case, "needs/"), {"domain": "health", "description": "Dentist"})
    assert response.status_code == 302
    assert response["Location"].endswith("#needs")
    need = Need.objects.get()
    response = worker.post(url(case, "items/"), {"service_type": "medical", "need": need.pk,
                                                 "provider": case.organisation_id,
                                                 "target_date": (TODAY + timedelta(days=10)).isoformat(),
                                                 "note": "Clinic 3"})
    assert response.status_code == 302
    item = PlanItem.objects.get()
    assert (item.need, item.provider, item.note) == (need, None, "Clinic 3")
    content = worker.get(url(case)).content.decode()
    assert "Dentist" in content
    assert "Clinic 3" in content


def test_overdue_items_are_highlighted(worker, personas, case):
    late = _item(personas.a, case, target_date=TODAY - timedelta(days=2))
    _item(personas.a, case)
    content = worker.get(url(case)).content.decode()
    assert f'id="item-{late.pk}" class="rec-overdue"' in content
    assert "1 planned service is overdue." in content


def test_bad_input_rerenders_with_400_and_field_messages(worker, case):
    response = worker.post(url(case, "needs/"), {"domain": "astrology", "description": "<b>x</b>"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = worker.post(url(case, "items/"), {"service_type": "medical", "target_date": "",
                                                 "note": "<script>x</script>"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "This field is required" in content
    assert not Need.objects.exists()
    assert not PlanItem.objects.exists()


def test_a_missing_referral_consent_names_it_and_links_to_the_consents_tab(worker, personas, case):
    response = worker.post(url(case, "items/"), {"service_type": "legal_aid", "provider": personas.b.organisation.pk,
                                                 "target_date": TODAY.isoformat()})
    assert response.status_code == 400
    content = response.content.decode()
    assert "has not consented to a referral to Beta Help" in content
    assert "Referral to Beta Help" in content
    assert f'href="/cases/{case.pk}/consents/"' in content
    give_consent(personas.a, case, ConsentPurpose.REFERRAL, recipient=personas.b.organisation)
    assert worker.post(url(case, "items/"), {"service_type": "legal_aid", "provider": personas.b.organisation.pk,
                                             "target_date": TODAY.isoformat()}).status_code == 302


def test_it_sets_a_status_and_marks_a_need_met(worker, personas, case):
    item = _item(personas.a, case)
    assert worker.post(url(case, f"items/{item.pk}/status/"), {"status": "done"}).status_code == 302
    item.refresh_from_db()
    assert item.status == PlanItemStatus.DONE
    assert worker.post(url(case, f"items/{item.pk}/status/"), {"status": "maybe"}).status_code == 400
    membership, actor = acting_as(personas.a)
    need = plan.add_need(actor=actor, membership=membership, case=case, data=plan.NeedInput(domain="legal"))
    assert worker.post(url(case, f"needs/{need.pk}/met/"), {"met": "1"}).status_code == 302
    need.refresh_from_db()
    assert need.met


def test_rows_of_another_case_are_404(worker, personas, case):
    other = case_at(personas.a, "registered")
    item = _item(personas.a, other)
    assert worker.post(url(case, f"items/{item.pk}/status/"), {"status": "done"}).status_code == 404
    item.refresh_from_db()
    assert item.status == PlanItemStatus.PLANNED


def test_it_needs_to_know(personas, login_as, case):
    item = _item(personas.a, case)
    client = login_as(add_case_worker(personas.a, "a_second_worker").user)
    assert client.get(url(case)).status_code == 404
    assert client.post(url(case, "needs/"), {"domain": "health"}).status_code == 404
    assert client.post(url(case, f"items/{item.pk}/status/"), {"status": "done"}).status_code == 404
    assert not Need.objects.exists()


def test_a_closed_case_shows_no_forms_and_refuses_posts(worker, personas, case):
    from varta.cases.actions import cases as case_actions
    from varta.cases.models import ClosureReason

    membership, actor = acting_as(personas.a)
    supervisor, supervisor_actor = acting_as(personas.a, Role.CASE_SUPERVISOR)
    case_actions.request_closure(actor=actor, membership=membership, case=case, reason=ClosureReason.GOALS_MET)
    case_actions.approve_closure(actor=supervisor_actor, membership=supervisor, case=case)
    page = worker.get(url(case)).content.decode()
    assert "Add the need" not in page
    response = worker.post(url(case, "needs/"), {"domain": "health"})
    assert response.status_code == 400
    assert "This case is closed" in response.content.decode()
    assert not Need.objects.exists()


def test_an_org_admin_reads_the_plan_but_cannot_change_it(personas, login_as, case):
    _item(personas.a, case)
    admin = login_as(personas.a.user(Role.ORG_ADMIN))
    page = admin.get(url(case))
    assert page.status_code == 200
    assert "Plan a service" not in page.content.decode()
    assert admin.post(url(case, "needs/"), {"domain": "health"}).status_code == 403
