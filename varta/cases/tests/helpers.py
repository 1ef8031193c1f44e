"""Helpers of the case management tests: acting members, a registered case, extra case workers."""

from __future__ import annotations

from datetime import date
from typing import Any

from conftest import PASSWORD
from varta.accounts import actions as account_actions
from varta.accounts.permissions import Role
from varta.audit import writes
from varta.audit.writes import Actor
from varta.cases.actions import cases as case_actions
from varta.cases.actions.cases import CaseInput, PersonInput
from varta.cases.actions.consent import ConsentInput, record_consent
from varta.cases.models import Case, CaseSource, ConsentMethod, ConsentPurpose, PersonCategory
from varta.orgs.models import Membership


def acting_as(org, role: Role = Role.CASE_WORKER) -> tuple[Membership, Actor]:
    membership = org.membership(role)
    return membership, Actor(user=membership.user, organisation=membership.organisation)


def person_input(**overrides: Any) -> PersonInput:
    values: dict[str, Any] = {
        "given_name": "Олександр", "family_name": "Шевченко", "patronymic": "Іванович",
        "birth_date": date(1990, 5, 17), "phone": "+380671234567", "email": "o.shev@example.org",
        "address": "вул. Хрещатик, 1, Київ", "id_document_type": "passport", "id_document_number": "FE123456",
        "gender": "Masculine",
    }
    values.update(overrides)
    return PersonInput(**values)


def register_case(org, role: Role = Role.CASE_WORKER, *, person: PersonInput | None = None,
                  **case_overrides: Any) -> Case:
    """Register a person and open a case as ``role`` of ``org`` (supervised by the org's supervisor)."""
    membership, actor = acting_as(org, role)
    data: dict[str, Any] = {"category": PersonCategory.POSSIBLE_VICTIM, "source": CaseSource.REFERRAL,
                            "supervisor": org.user(Role.CASE_SUPERVISOR)}
    data.update(case_overrides)
    return case_actions.register(actor=actor, membership=membership, person=person or person_input(),
                                 case=CaseInput(**data))


def give_consent(org, case: Case, purpose: str = ConsentPurpose.ASSISTANCE, *, recipient=None,
                 given_on: date | None = None):
    membership, actor = acting_as(org, Role.CASE_WORKER if case.case_worker_id == org.user(Role.CASE_WORKER).pk
                                  else Role.CASE_SUPERVISOR)
    return record_consent(actor=actor, membership=membership, case=case, data=ConsentInput(
        purpose=purpose, given_on=given_on or date.today(), method=ConsentMethod.WRITTEN, recipient=recipient))


def add_case_worker(org, username: str) -> Membership:
    """A second case worker in ``org`` (personas have one per role)."""
    system = Actor.system()
    user = account_actions.user_create(actor=system, username=username, full_name=username.replace("_", " "),
                                       password=PASSWORD)
    return writes.create(Membership(user=user, organisation=org.organisation, role=Role.CASE_WORKER), actor=system)
