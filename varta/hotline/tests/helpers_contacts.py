"""Helpers of the operator-screen, contact, call-back and escalation page tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.utils import timezone

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.hotline import actions
from varta.hotline.models import Callback, Consultation, Contact, Escalation
from varta.orgs.models import Membership

LOCAL = "%Y-%m-%dT%H:%M:%S"


def operator_of(org, role: Role = Role.HOTLINE_OPERATOR) -> tuple[Membership, Actor]:
    membership = org.membership(role)
    return membership, Actor(user=membership.user, organisation=membership.organisation)


def local(moment) -> str:
    return timezone.localtime(moment).strftime(LOCAL)


def form_data(topics, places, **overrides: Any) -> dict[str, Any]:
    """What the operator screen posts for a typical two-topic call (lists are repeated fields)."""
    data: dict[str, Any] = {
        "channel": "phone", "direction": "incoming", "caller_type": "person_concerned", "sex": "Feminine",
        "age_group": "25-34", "displacement": "idp", "location": places["hromada"].pcode, "country": "",
        "topic": [str(topics["job-offer-check"].pk), str(topics["travel-rules"].pk)],
        "outcome": ["information", "referred"], "referrals": ["", "Consulate in Warsaw"],
        "started_at": local(timezone.now() - timedelta(minutes=4)), "duration": "3:25", "language": "uk",
        "summary": "", "then": "new",
    }
    data.update(overrides)
    return data


def record_contact(org, contact_input, **overrides: Any) -> Contact:
    membership, actor = operator_of(org)
    return actions.contact_create(actor=actor, membership=membership, data=contact_input(**overrides))


def with_callback(org, contact_input, *, due_in: timedelta = timedelta(hours=1), **overrides: Any) -> Callback:
    membership, actor = operator_of(org)
    contact = record_contact(org, contact_input, callback_consent=True, caller_phone="+380671234567",
                             caller_name="Olena Callback", **overrides)
    callback = actions.callback_schedule(actor=actor, membership=membership, contact=contact,
                                         due_at=timezone.now() + timedelta(minutes=10), assigned_to=membership.user)
    if due_in != timedelta(minutes=10):
        # Past due times cannot be scheduled: move the row directly for "overdue" cases.
        Callback.objects.filter(pk=callback.pk).update(due_at=timezone.now() + due_in)
        callback.refresh_from_db()
    return callback


def counts() -> tuple[int, int, int, int, int]:
    return (Contact.objects.count(), Consultation.objects.count(), Callback.objects.count(),
            Escalation.objects.count(), AuditEvent.objects.count())


@contextmanager
def nothing_saved() -> Iterator[None]:
    """The block adds no contact, consultation, call-back, escalation or audit event."""
    before = counts()
    yield
    assert counts() == before
