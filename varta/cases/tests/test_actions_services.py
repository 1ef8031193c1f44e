"""Services delivered: consents, dates, the rehabilitation stay, cost and currency, the plan item it answers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from varta.audit.models import AuditEvent
from varta.cases.actions import plan, services
from varta.cases.actions.plan import PlanItemInput
from varta.cases.actions.services import ServiceInput
from varta.cases.models import ConsentPurpose, PlanItemStatus, Service, ServiceOutcome, ServiceType
from varta.cases.tests.helpers import acting_as, give_consent, register_case
from varta.cases.tests.helpers_records import case_at

pytestmark = pytest.mark.django_db

TODAY = date.today()


def _record(org, case, **overrides: Any) -> Service:
    membership, actor = acting_as(org)
    data: dict[str, Any] = {"service_type": ServiceType.PSYCHOSOCIAL, "started_on": TODAY - timedelta(days=10)}
    data.update(overrides)
    return services.record_service(actor=actor, membership=membership, case=case, data=ServiceInput(**data))


def test_it_records_a_service_with_cost_and_currency(personas):
    case = case_at(personas.a)
    service = _record(personas.a, case, cost=Decimal("1250.50"), currency="uah", project_code="EU-PROT-2024")
    service.refresh_from_db()
    assert (service.cost, service.currency, service.project_code) == (Decimal("1250.50"), "UAH", "EU-PROT-2024")
    assert AuditEvent.objects.filter(action="cases.service.create", object_id=str(service.pk)).exists()


def test_it_needs_the_assistance_consent_and_says_so(personas):
    case = register_case(personas.a)
    with pytest.raises(ValidationError) as exc:
        _record(personas.a, case)
    assert "Assistance" in exc.value.message_dict["consent"][0]
    assert not Service.objects.exists()


def test_another_organisations_service_needs_the_referral_consent(personas):
    case = case_at(personas.a)
    with pytest.raises(ValidationError) as exc:
        _record(personas.a, case, provider=personas.b.organisation)
    assert "Beta Help" in exc.value.message_dict["provider"][0]
    give_consent(personas.a, case, ConsentPurpose.REFERRAL, recipient=personas.b.organisation)
    assert _record(personas.a, case, provider=personas.b.organisation).provider == personas.b.organisation


@pytest.mark.parametrize(("overrides", "field"), [
    ({"service_type": "magic"}, "service_type"),
    ({"started_on": None}, "started_on"),
    ({"started_on": TODAY + timedelta(days=1)}, "started_on"),
    ({"ended_on": TODAY - timedelta(days=20), "outcome": ServiceOutcome.COMPLETED}, "ended_on"),
    ({"ended_on": TODAY + timedelta(days=1), "outcome": ServiceOutcome.COMPLETED}, "ended_on"),
    ({"ended_on": TODAY, "outcome": ServiceOutcome.ONGOING}, "outcome"),
    ({"outcome": "excellent"}, "outcome"),
    ({"cost": Decimal("-1"), "currency": "UAH"}, "cost"),
    ({"cost": Decimal("10000000.01"), "currency": "UAH"}, "cost"),
    ({"cost": Decimal("1.005"), "currency": "UAH"}, "cost"),
    ({"cost": Decimal("NaN"), "currency": "UAH"}, "cost"),
    ({"cost": Decimal("100")}, "currency"),
    ({"cost": Decimal("100"), "currency": "XYZ"}, "currency"),
    ({"cost": Decimal("100"), "currency": "HRYVNIA"}, "currency"),
    ({"provider_other": "<img src=x>"}, "provider_other"),
    ({"project_code": "P" * 61}, "project_code"),
])
def test_it_refuses_bad_input_and_writes_nothing(personas, overrides, field):
    case = case_at(personas.a)
    with pytest.raises(ValidationError) as exc:
        _record(personas.a, case, **overrides)
    assert field in exc.value.message_dict
    assert not Service.objects.exists()


def test_it_names_every_bad_field_at_once(personas):
    case = register_case(personas.a)
    with pytest.raises(ValidationError) as exc:
        _record(personas.a, case, service_type="magic", started_on=None, cost=Decimal("5"))
    assert {"service_type", "started_on", "currency", "consent"} <= set(exc.value.message_dict)


def test_the_limits_of_cost_are_inclusive(personas):
    case = case_at(personas.a)
    assert _record(personas.a, case, cost=Decimal("0"), currency="EUR").cost == Decimal("0")
    assert _record(personas.a, case, cost=Decimal("10000000"), currency="USD").cost == Decimal("10000000")


def test_a_currency_without_a_cost_is_dropped(personas):
    case = case_at(personas.a)
    assert _record(personas.a, case, currency="UAH").currency == ""


def test_a_rehabilitation_stay_has_admission_discharge_and_length(personas):
    case = case_at(personas.a)
    with pytest.raises(ValidationError) as exc:
        _record(personas.a, case, service_type=ServiceType.REHABILITATION_STAY, outcome=ServiceOutcome.COMPLETED)
    assert "discharge" in exc.value.message_dict["ended_on"][0]
    ongoing = _record(personas.a, case, service_type=ServiceType.REHABILITATION_STAY)
    assert ongoing.length_of_stay is None
    stay = _record(personas.a, case, service_type=ServiceType.REHABILITATION_STAY,
                   started_on=TODAY - timedelta(days=30), ended_on=TODAY - timedelta(days=9),
                   outcome=ServiceOutcome.COMPLETED)
    assert stay.length_of_stay == 21


def test_a_provider_is_an_organisation_or_a_name_not_both(personas):
    case = case_at(personas.a)
    give_consent(personas.a, case, ConsentPurpose.REFERRAL, recipient=personas.b.organisation)
    with pytest.raises(ValidationError) as exc:
        _record(personas.a, case, provider=personas.b.organisation, provider_other="City clinic")
    assert "provider_other" in exc.value.message_dict
    assert _record(personas.a, case, provider_other="City clinic").provider_other == "City clinic"


def test_a_service_marks_its_plan_item_done(personas):
    case = case_at(personas.a)
    membership, actor = acting_as(personas.a)
    item = plan.add_plan_item(actor=actor, membership=membership, case=case,
                              data=PlanItemInput(service_type=ServiceType.PSYCHOSOCIAL, target_date=TODAY))
    _record(personas.a, case, plan_item=item)
    item.refresh_from_db()
    assert item.status == PlanItemStatus.DONE


def test_it_refuses_a_plan_item_of_another_case_or_cancelled(personas):
    case = case_at(personas.a)
    other = case_at(personas.a)
    membership, actor = acting_as(personas.a)
    foreign = plan.add_plan_item(actor=actor, membership=membership, case=other,
                                 data=PlanItemInput(service_type=ServiceType.CASH, target_date=TODAY))
    with pytest.raises(ValidationError) as exc:
        _record(personas.a, case, plan_item=foreign)
    assert "plan_item" in exc.value.message_dict
    plan.set_plan_item_status(actor=actor, membership=membership, item=foreign, status=PlanItemStatus.CANCELLED)
    with pytest.raises(ValidationError) as exc:
        _record(personas.a, other, plan_item=foreign)
    assert "cancelled" in exc.value.message_dict["plan_item"][0]
    foreign.refresh_from_db()
    assert foreign.status == PlanItemStatus.CANCELLED


def test_it_updates_a_service(personas):
    case = case_at(personas.a)
    service = _record(personas.a, case)
    membership, actor = acting_as(personas.a)
    services.update_service(actor=actor, membership=membership, service=service, data=ServiceInput(
        service_type=ServiceType.PSYCHOSOCIAL, started_on=service.started_on, ended_on=TODAY,
        outcome=ServiceOutcome.COMPLETED, cost=Decimal("300"), currency="EUR"))
    service.refresh_from_db()
    assert (service.ended_on, service.outcome, service.currency) == (TODAY, ServiceOutcome.COMPLETED, "EUR")
    with pytest.raises(ValidationError):
        services.update_service(actor=actor, membership=membership, service=service, data=ServiceInput(
            service_type=ServiceType.PSYCHOSOCIAL, started_on=TODAY + timedelta(days=3)))
    service.refresh_from_db()
    assert service.started_on == TODAY - timedelta(days=10)


def test_the_currency_list_is_iso_4217():
    codes = services.currency_codes()
    assert {"UAH", "EUR", "USD", "MDL"} <= codes
    assert "XYZ" not in codes
