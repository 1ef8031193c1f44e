"""Needs and plan items: validation, the referral consent of another organisation's item, overdue, closed cases."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.cases import selectors
from varta.cases.actions import cases as case_actions
from varta.cases.actions import plan
from varta.cases.actions.plan import NeedInput, PlanItemInput
from varta.cases.models import ClosureReason, ConsentPurpose, Need, NeedDomain, PlanItem, PlanItemStatus
from varta.cases.tests.helpers import acting_as, give_consent, register_case
from varta.cases.tests.helpers_records import case_at

pytestmark = pytest.mark.django_db


def _need(org, case, **overrides: Any) -> Need:
    membership, actor = acting_as(org)
    data: dict[str, Any] = {"domain": NeedDomain.HEALTH, "description": "Dental care after injuries"}
    data.update(overrides)
    return plan.add_need(actor=actor, membership=membership, case=case, data=NeedInput(**data))


def _item(org, case, **overrides: Any) -> PlanItem:
    membership, actor = acting_as(org)
    data: dict[str, Any] = {"service_type": "medical", "target_date": date.today() + timedelta(days=14)}
    data.update(overrides)
    return plan.add_plan_item(actor=actor, membership=membership, case=case, data=PlanItemInput(**data))


def test_it_adds_a_need_encrypted_and_audited(personas):
    case = register_case(personas.a)
    need = _need(personas.a, case)
    assert Need.objects.get(pk=need.pk).description == "Dental care after injuries"
    assert AuditEvent.objects.filter(action="cases.need.create", object_id=str(need.pk)).exists()


@pytest.mark.parametrize(("overrides", "field"), [
    ({"domain": "astrology"}, "domain"),
    ({"description": "<b>bold</b>"}, "description"),
    ({"description": "x" * 2001}, "description"),
])
def test_it_refuses_a_bad_need(personas, overrides, field):
    case = register_case(personas.a)
    with pytest.raises(ValidationError) as exc:
        _need(personas.a, case, **overrides)
    assert field in exc.value.message_dict
    assert not Need.objects.exists()


def test_it_updates_a_need_and_marks_it_met(personas):
    case = register_case(personas.a)
    need = _need(personas.a, case)
    membership, actor = acting_as(personas.a)
    plan.update_need(actor=actor, membership=membership, need=need,
                     data=NeedInput(domain=NeedDomain.PSYCHOSOCIAL, description="Counselling"))
    plan.set_need_met(actor=actor, membership=membership, need=need, met=True)
    need.refresh_from_db()
    assert (need.domain, need.description, need.met) == (NeedDomain.PSYCHOSOCIAL, "Counselling", True)
    assert AuditEvent.objects.filter(action="cases.need.met").count() == 1


def test_it_plans_an_item_for_a_need_of_the_same_case_only(personas):
    case = register_case(personas.a)
    other = register_case(personas.a)
    need = _need(personas.a, case)
    item = _item(personas.a, case, need=need, note="Clinic on Monday")
    assert (item.need, item.status, item.provider) == (need, PlanItemStatus.PLANNED, None)
    with pytest.raises(ValidationError) as exc:
        _item(personas.a, other, need=need)
    assert "need" in exc.value.message_dict
    assert PlanItem.objects.count() == 1


@pytest.mark.parametrize(("overrides", "field"), [
    ({"service_type": "teleportation"}, "service_type"),
    ({"target_date": None}, "target_date"),
    ({"target_date": date.today() + timedelta(days=6 * 366)}, "target_date"),
    ({"note": "<script>alert(1)</script>"}, "note"),
])
def test_it_refuses_a_bad_plan_item_and_writes_nothing(personas, overrides, field):
    case = register_case(personas.a)
    with pytest.raises(ValidationError) as exc:
        _item(personas.a, case, **overrides)
    assert field in exc.value.message_dict
    assert not PlanItem.objects.exists()


def test_another_organisations_item_needs_the_referral_consent_naming_it(personas):
    case = register_case(personas.a)
    with pytest.raises(ValidationError) as exc:
        _item(personas.a, case, provider=personas.b.organisation)
    assert "Beta Help" in exc.value.message_dict["provider"][0]
    assert not PlanItem.objects.exists()
    give_consent(personas.a, case, ConsentPurpose.REFERRAL, recipient=personas.b.organisation)
    item = _item(personas.a, case, provider=personas.b.organisation)
    assert item.provider == personas.b.organisation


def test_the_own_organisation_as_provider_needs_no_consent_and_is_stored_as_none(personas):
    case = register_case(personas.a)
    item = _item(personas.a, case, provider=personas.a.organisation)
    assert item.provider is None


def test_it_updates_an_item_checking_the_consent_only_for_a_new_provider(personas):
    case = register_case(personas.a)
    item = _item(personas.a, case)
    membership, actor = acting_as(personas.a)
    new = PlanItemInput(service_type="legal_aid", target_date=date.today(), provider=personas.b.organisation)
    with pytest.raises(ValidationError):
        plan.update_plan_item(actor=actor, membership=membership, item=item, data=new)
    item.refresh_from_db()
    assert item.service_type == "medical"
    give_consent(personas.a, case, ConsentPurpose.REFERRAL, recipient=personas.b.organisation)
    plan.update_plan_item(actor=actor, membership=membership, item=item, data=new)
    item.refresh_from_db()
    assert (item.service_type, item.provider) == ("legal_aid", personas.b.organisation)


def test_overdue_is_planned_with_a_past_target_date(personas):
    case = case_at(personas.a, "registered")
    late = _item(personas.a, case, target_date=date.today() - timedelta(days=1))
    _item(personas.a, case, target_date=date.today())
    done = _item(personas.a, case, target_date=date.today() - timedelta(days=5))
    membership, actor = acting_as(personas.a)
    plan.set_plan_item_status(actor=actor, membership=membership, item=done, status=PlanItemStatus.DONE)
    assert list(selectors.overdue_plan_items(membership)) == [late]
    assert AuditEvent.objects.filter(action="cases.plan_item.done").count() == 1


def test_it_refuses_an_unknown_status(personas):
    case = register_case(personas.a)
    item = _item(personas.a, case)
    membership, actor = acting_as(personas.a)
    with pytest.raises(ValidationError) as exc:
        plan.set_plan_item_status(actor=actor, membership=membership, item=item, status="maybe")
    assert "status" in exc.value.message_dict


def test_a_closed_case_is_read_only(personas):
    case = register_case(personas.a)
    need = _need(personas.a, case)
    worker, worker_actor = acting_as(personas.a)
    supervisor, supervisor_actor = acting_as(personas.a, Role.CASE_SUPERVISOR)
    case_actions.request_closure(actor=worker_actor, membership=worker, case=case, reason=ClosureReason.GOALS_MET)
    case_actions.approve_closure(actor=supervisor_actor, membership=supervisor, case=case)
    with pytest.raises(ValidationError) as exc:
        _need(personas.a, case)
    assert "case" in exc.value.message_dict
    with pytest.raises(ValidationError):
        plan.set_need_met(actor=worker_actor, membership=worker, need=need, met=True)
    with pytest.raises(ValidationError):
        _item(personas.a, case)


def test_it_requires_case_work(personas):
    case = register_case(personas.a)
    admin, actor = acting_as(personas.a, Role.ORG_ADMIN)
    with pytest.raises(PermissionDenied):
        plan.add_need(actor=actor, membership=admin, case=case, data=NeedInput(domain=NeedDomain.HEALTH))
