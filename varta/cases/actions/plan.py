"""Needs (by domain) and the plan that answers them: planned services with target dates.

A plan item is overdue while it is planned and its target date has passed (``selectors.overdue_plan_items``). A
plan item whose provider is another organisation needs the person's referral consent naming that organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from varta.accounts.permissions import Action, require
from varta.audit import writes
from varta.audit.writes import Actor
from varta.cases.actions import checks
from varta.cases.actions.consent import require_consent
from varta.cases.models import Case, ConsentPurpose, Need, NeedDomain, PlanItem, PlanItemStatus, ServiceType
from varta.orgs.models import Membership, Organisation

DESCRIPTION_MAX = 2000
NOTE_MAX = 2000
PLAN_HORIZON = timedelta(days=5 * 366)  # a target date further ahead is a typing mistake


@dataclass
class NeedInput:
    domain: str
    description: str = ""


@dataclass
class PlanItemInput:
    service_type: str
    target_date: date | None
    need: Need | None = None
    provider: Organisation | None = None  # None: the case's own organisation
    note: str = ""


def _need_errors(case: Case, data: NeedInput) -> checks.Errors:
    errors: checks.Errors = {}
    checks.open_case(errors, case)
    checks.choice(errors, "domain", data.domain, NeedDomain)
    data.description = data.description.strip()
    checks.text(errors, "description", data.description, max_length=DESCRIPTION_MAX)
    return errors


def add_need(*, actor: Actor, membership: Membership, case: Case, data: NeedInput) -> Need:
    require(membership, Action.CASE_WORK)
    checks.raise_if(_need_errors(case, data))
    return writes.create(Need(organisation_id=case.organisation_id, case=case, domain=data.domain,
                              description=data.description), actor=actor)


def update_need(*, actor: Actor, membership: Membership, need: Need, data: NeedInput) -> Need:
    require(membership, Action.CASE_WORK)
    checks.raise_if(_need_errors(need.case, data))
    return writes.update(need, actor=actor, changes={"domain": data.domain, "description": data.description})


def set_need_met(*, actor: Actor, membership: Membership, need: Need, met: bool) -> Need:
    require(membership, Action.CASE_WORK)
    errors: checks.Errors = {}
    checks.open_case(errors, need.case)
    checks.raise_if(errors)
    return writes.update(need, actor=actor, changes={"met": met}, action="cases.need.met" if met else None)


def _plan_item_errors(case: Case, data: PlanItemInput, *, today: date,
                      previous_provider_id: int | None = None) -> checks.Errors:
    errors: checks.Errors = {}
    checks.open_case(errors, case)
    checks.choice(errors, "service_type", data.service_type, ServiceType)
    if data.target_date is None:
        checks.add(errors, "target_date", _("Give the date by which the service should be delivered."))
    elif data.target_date > today + PLAN_HORIZON:
        checks.add(errors, "target_date", _("The target date is more than five years ahead. Check the year."))
    if data.need is not None and data.need.case_id != case.pk:
        checks.add(errors, "need", _("Choose one of this case's needs."))
    data.note = data.note.strip()
    checks.text(errors, "note", data.note, max_length=NOTE_MAX)
    provider = data.provider
    if provider is not None and provider.pk == case.organisation_id:
        data.provider = provider = None  # the case's own organisation is the default provider
    if provider is not None and provider.pk != previous_provider_id:
        if not provider.is_active:
            checks.add(errors, "provider", _("This organisation is not active in Varta any more."))
        else:
            try:
                require_consent(case, ConsentPurpose.REFERRAL, recipient=provider, field="provider")
            except ValidationError as exc:
                checks.merge(errors, exc)
    return errors


def add_plan_item(*, actor: Actor, membership: Membership, case: Case, data: PlanItemInput) -> PlanItem:
    """Plan a service (by the case's own organisation, or by another one the person agreed to be referred to)."""
    require(membership, Action.CASE_WORK)
    checks.raise_if(_plan_item_errors(case, data, today=timezone.localdate()))
    assert data.target_date is not None
    return writes.create(PlanItem(organisation_id=case.organisation_id, case=case, need=data.need,
                                  service_type=data.service_type, provider=data.provider,
                                  target_date=data.target_date, note=data.note), actor=actor)


def update_plan_item(*, actor: Actor, membership: Membership, item: PlanItem, data: PlanItemInput) -> PlanItem:
    """Correct a plan item. The referral consent is checked again only when the provider changes."""
    require(membership, Action.CASE_WORK)
    checks.raise_if(_plan_item_errors(item.case, data, today=timezone.localdate(),
                                      previous_provider_id=item.provider_id))
    return writes.update(item, actor=actor, changes={
        "need": data.need, "service_type": data.service_type, "provider": data.provider,
        "target_date": data.target_date, "note": data.note})


def set_plan_item_status(*, actor: Actor, membership: Membership, item: PlanItem, status: str) -> PlanItem:
    """Planned, done or cancelled (a mistaken status can be set back)."""
    require(membership, Action.CASE_WORK)
    errors: checks.Errors = {}
    checks.open_case(errors, item.case)
    checks.choice(errors, "status", status, PlanItemStatus)
    checks.raise_if(errors)
    return writes.update(item, actor=actor, changes={"status": status}, action=f"cases.plan_item.{status}")
