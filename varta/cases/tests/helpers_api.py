"""Helpers of the case management API tests: token clients per role, JSON calls, the state nothing may change in."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from varta.accounts import actions as account_actions
from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.cases.models import (
    Attachment,
    Case,
    CaseNote,
    CaseTransition,
    Consent,
    FollowUp,
    Need,
    Person,
    PlanItem,
    Screening,
    Service,
)
from varta.orgs.models import Membership

API = "/api/v1/cases/"

# Strings of the default person (helpers.person_input) that identify them: never in an answer without a reveal.
PERSONAL_VALUES = ("Олександр", "Шевченко", "Іванович", "1990-05-17", "380671234567", "o.shev@example.org",
                   "Хрещатик", "FE123456")


def client_for(membership: Membership) -> APIClient:
    """An API client authenticated with a token of ``membership`` (the integration's way in)."""
    raw = account_actions.api_token_issue(actor=Actor.system(), membership=membership, name="test").raw
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def client_of(org: Any, role: Role = Role.CASE_WORKER) -> APIClient:
    return client_for(org.membership(role))


def audit_count() -> int:
    """Audit events, less the issuing of the tests' own tokens."""
    return AuditEvent.objects.exclude(action="accounts.apitoken.issue").count()


def state() -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    return (
        audit_count(),
        sorted(Person.objects.values_list("pk", "given_name", "family_name", "phone", "birth_date", "gender")),
        sorted(Case.objects.values_list("pk", "stage", "case_worker_id", "supervisor_id", "closure_reason",
                                        "closure_requested_at")),
        CaseTransition.objects.count(),
        sorted(Screening.objects.values_list("pk", "types_of_exploitation", "exploitation_start", "updated_at")),
        sorted(Consent.objects.values_list("pk", "purpose", "withdrawn_on")),
        sorted(Need.objects.values_list("pk", "domain", "description", "met")),
        sorted(PlanItem.objects.values_list("pk", "service_type", "target_date", "status", "provider_id", "note")),
        sorted(Service.objects.values_list("pk", "service_type", "started_on", "ended_on", "cost", "outcome")),
        sorted(FollowUp.objects.values_list("pk", "due_on", "done_on", "overall_score")),
        CaseNote.objects.count(),
        Attachment.objects.count(),
    )


def leaks(response: Any, values: tuple[str, ...] = PERSONAL_VALUES) -> list[str]:
    text = response.content.decode("utf-8", "replace")
    return [value for value in values if value in text]


def events(action: str, **filters: Any) -> int:
    return AuditEvent.objects.filter(action=action, **filters).count()
