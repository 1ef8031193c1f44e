"""Services delivered to the person: type, provider, dates, cost and currency, donor or project code, outcome.

Recording a service needs the person's consent to assistance; a service by another organisation also needs the
referral consent naming it. A rehabilitation-centre stay has an admission date (``started_on``) and, once the stay
is over, a discharge date (``ended_on``): the length of stay follows (``Service.length_of_stay``). A service that
answers a plan item marks that item done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import pycountry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from varta.accounts.permissions import Action, require
from varta.audit import writes
from varta.audit.writes import Actor
from varta.cases.actions import checks
from varta.cases.actions.consent import require_consent
from varta.cases.models import (
    Case,
    ConsentPurpose,
    PlanItem,
    PlanItemStatus,
    Service,
    ServiceOutcome,
    ServiceType,
)
from varta.orgs.models import Membership, Organisation

MAX_COST = Decimal("10000000")
PROVIDER_OTHER_MAX = 200
PROJECT_CODE_MAX = 60


@dataclass
class ServiceInput:
    service_type: str
    started_on: date | None  # admission date of a rehabilitation-centre stay
    ended_on: date | None = None  # discharge date of a rehabilitation-centre stay
    provider: Organisation | None = None  # an organisation in Varta; None: the case's own (or provider_other)
    provider_other: str = ""  # a provider outside Varta, by name
    cost: Decimal | None = None
    currency: str = ""  # ISO 4217, required with a cost
    project_code: str = ""  # donor or project code
    outcome: str = ServiceOutcome.ONGOING
    plan_item: PlanItem | None = None  # the plan item this service answers (marked done)


def currency_codes() -> frozenset[str]:
    """ISO 4217 alphabetic codes (pycountry's list)."""
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def _dates(errors: checks.Errors, data: ServiceInput, today: date) -> None:
    stay = data.service_type == ServiceType.REHABILITATION_STAY
    if data.started_on is None:
        checks.add(errors, "started_on", _("Give the date of admission.") if stay else
                   _("Give the date the service began."))
    elif data.started_on > today:
        checks.add(errors, "started_on", _("A service is recorded once it has begun: this date is in the future. "
                                           "Plan future services on the plan tab."))
    if data.ended_on is not None:
        if data.ended_on > today:
            checks.add(errors, "ended_on", _("This date is in the future."))
        elif data.started_on is not None and data.ended_on < data.started_on:
            checks.add(errors, "ended_on", _("The service cannot end before it began."))
        if data.outcome == ServiceOutcome.ONGOING:
            checks.add(errors, "outcome", _("A service with an end date is no longer ongoing: say how it ended."))
    elif stay and data.outcome != ServiceOutcome.ONGOING:
        checks.add(errors, "ended_on", _("Give the date of discharge from the rehabilitation centre."))


def _cost(errors: checks.Errors, data: ServiceInput) -> None:
    data.currency = data.currency.strip().upper()
    if data.currency and data.currency not in currency_codes():
        checks.add(errors, "currency", _("“%(code)s” is not an ISO 4217 currency code (such as UAH, EUR, USD).")
                   % {"code": data.currency})
    if data.cost is None:
        data.currency = ""  # a currency alone says nothing
        return
    try:
        cost = Decimal(data.cost)
        exponent = cost.as_tuple().exponent
    except (InvalidOperation, TypeError, ValueError):
        checks.add(errors, "cost", _("Enter an amount such as 1250.50."))
        return
    if not cost.is_finite() or not isinstance(exponent, int):
        checks.add(errors, "cost", _("Enter an amount such as 1250.50."))
    elif cost < 0:
        checks.add(errors, "cost", _("The cost cannot be negative."))
    elif cost > MAX_COST:
        checks.add(errors, "cost", _("The cost is more than 10 million. Check the amount."))
    elif exponent < -2:
        checks.add(errors, "cost", _("Give the amount with at most two decimal places."))
    else:
        data.cost = cost
    if not data.currency and "currency" not in errors:
        checks.add(errors, "currency", _("Give the currency of the cost (such as UAH)."))


def _service_errors(case: Case, data: ServiceInput, *, today: date, new: bool,
                    previous_provider_id: int | None = None, previous_plan_item_id: int | None = None,
                    ) -> checks.Errors:
    errors: checks.Errors = {}
    checks.open_case(errors, case)
    checks.choice(errors, "service_type", data.service_type, ServiceType)
    checks.choice(errors, "outcome", data.outcome, ServiceOutcome)
    _dates(errors, data, today)
    _cost(errors, data)
    data.provider_other = data.provider_other.strip()
    data.project_code = data.project_code.strip()
    checks.text(errors, "provider_other", data.provider_other, max_length=PROVIDER_OTHER_MAX)
    checks.text(errors, "project_code", data.project_code, max_length=PROJECT_CODE_MAX)
    if data.provider is not None and data.provider.pk == case.organisation_id:
        data.provider = None
    if data.provider is not None and data.provider_other:
        checks.add(errors, "provider_other", _("Choose an organisation or name another provider, not both."))
    if data.plan_item is not None and data.plan_item.pk != previous_plan_item_id:
        if data.plan_item.case_id != case.pk:
            checks.add(errors, "plan_item", _("Choose one of this case's plan items."))
        elif data.plan_item.status == PlanItemStatus.CANCELLED:
            checks.add(errors, "plan_item", _("This plan item was cancelled."))
    if new:
        try:
            require_consent(case, ConsentPurpose.ASSISTANCE)
        except ValidationError as exc:
            checks.merge(errors, exc)
    if data.provider is not None and data.provider.pk != previous_provider_id:
        if not data.provider.is_active:
            checks.add(errors, "provider", _("This organisation is not active in Varta any more."))
        else:
            try:
                require_consent(case, ConsentPurpose.REFERRAL, recipient=data.provider, field="provider")
            except ValidationError as exc:
                checks.merge(errors, exc)
    return errors


def _fields(data: ServiceInput) -> dict[str, object]:
    return {"plan_item": data.plan_item, "service_type": data.service_type, "provider": data.provider,
            "provider_other": data.provider_other, "started_on": data.started_on, "ended_on": data.ended_on,
            "cost": data.cost, "currency": data.currency, "project_code": data.project_code,
            "outcome": data.outcome}


def _mark_done(actor: Actor, item: PlanItem | None) -> None:
    if item is not None and item.status == PlanItemStatus.PLANNED:
        writes.update(item, actor=actor, changes={"status": PlanItemStatus.DONE}, action="cases.plan_item.done")


def record_service(*, actor: Actor, membership: Membership, case: Case, data: ServiceInput) -> Service:
    require(membership, Action.CASE_WORK)
    checks.raise_if(_service_errors(case, data, today=timezone.localdate(), new=True))
    with transaction.atomic():
        service = writes.create(Service(organisation_id=case.organisation_id, case=case, **_fields(data)),
                                actor=actor)
        _mark_done(actor, data.plan_item)
    return service


def update_service(*, actor: Actor, membership: Membership, service: Service, data: ServiceInput) -> Service:
    """Correct a service. Consents are checked again only for what changes (a new provider)."""
    require(membership, Action.CASE_WORK)
    checks.raise_if(_service_errors(service.case, data, today=timezone.localdate(), new=False,
                                    previous_provider_id=service.provider_id,
                                    previous_plan_item_id=service.plan_item_id))
    with transaction.atomic():
        writes.update(service, actor=actor, changes=_fields(data))
        _mark_done(actor, data.plan_item)
    return service
