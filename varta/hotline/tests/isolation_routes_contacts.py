"""Isolation entries for the operator screen, contact pages, call-backs and escalations (tests/test_isolation.py).

Organisation A gets a contact with call-back consent, caller details, notes and referrals, a scheduled call-back,
an escalated contact and one not yet escalated; B's users call every route with their ids and must neither see
A's strings nor change A's rows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.isolation import Route, World
from varta.accounts.permissions import Role
from varta.audit.writes import Actor
from varta.hotline import actions
from varta.hotline.actions import ConsultationInput, ContactInput
from varta.hotline.models import Callback, Consultation, Contact, Escalation, Topic

MARKERS = ["Isolation Caller Olena", "Isolation notes of A", "Isolation referral of A", "Isolation escalation of A",
           "Isolation call-back note of A", "671112233"]


def _contact(w: World) -> dict[str, Any]:
    return {"contact_id": w.objects["contacts_contact"].pk}


def _unescalated(w: World) -> dict[str, Any]:
    return {"contact_id": w.objects["contacts_unescalated"].pk}


def _callback(w: World) -> dict[str, Any]:
    return {"callback_id": w.objects["contacts_callback"].pk}


def _contact_body(w: World) -> dict[str, Any]:
    topic = w.objects["contacts_topic"]
    return {"channel": "viber", "direction": "incoming", "caller_type": "anonymous", "sex": "NonSpecifiedUnknown",
            "age_group": "unknown", "displacement": "unknown", "location": "", "country": "",
            "topic": [str(topic.pk)], "outcome": ["information"], "referrals": ["taken over"],
            "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S"), "duration": "1:00",
            "language": "uk", "summary": "taken over", "callback_consent": "on", "caller_phone": "+380671234567",
            "callback_due_at": (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "escalate": "on", "escalate_reason": "taken over"}


def _callback_body(w: World) -> dict[str, Any]:
    return {"due_at": (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "assigned_to": w.objects["contacts_operator"].pk, "note": "taken over"}


ROUTES: dict[str, Route] = {
    "hotline:contact_new": Route(methods=("GET", "POST"), body=_contact_body,
                                 why="B records its own contact; A's call-backs are refused by ?callback (tested)"),
    "hotline:contact_list": Route(),
    "hotline:contact_detail": Route(kwargs=_contact),
    "hotline:contact_edit": Route(methods=("GET", "POST"), kwargs=_contact, body=_contact_body),
    "hotline:contact_reveal": Route(methods=("POST",), kwargs=_contact, body=lambda w: {"reveal-reason": "contact"}),
    "hotline:callbacks": Route(),
    "hotline:callback_new": Route(methods=("GET", "POST"), kwargs=_contact, body=_callback_body),
    "hotline:callback_reveal": Route(methods=("POST",), kwargs=_callback, body=lambda w: {"team": "1"}),
    "hotline:callback_cancel": Route(methods=("POST",), kwargs=_callback),
    "hotline:escalations": Route(),
    "hotline:contact_escalate": Route(methods=("POST",), kwargs=_unescalated,
                                      body=lambda w: {"escalate-reason": "taken over"}),
}


def populate(world: World, personas: Any) -> None:
    membership = personas.a.membership(Role.HOTLINE_OPERATOR)
    actor = Actor(user=membership.user, organisation=membership.organisation)
    topic = Topic.objects.get(organisation__isnull=True, code="job-offer-check")

    def record(**fields: Any) -> Contact:
        data = ContactInput(channel="phone", started_at=timezone.now() - timedelta(minutes=5),
                            consultations=[ConsultationInput(topic=topic, outcome="referred",
                                                             referrals="Isolation referral of A")], **fields)
        return actions.contact_create(actor=actor, membership=membership, data=data)

    contact = record(callback_consent=True, caller_name="Isolation Caller Olena", caller_phone="+380671112233",
                     summary="Isolation notes of A")
    callback = actions.callback_schedule(actor=actor, membership=membership, contact=contact,
                                         due_at=timezone.now() + timedelta(hours=1), assigned_to=membership.user,
                                         note="Isolation call-back note of A")
    escalated = record()
    actions.escalate(actor=actor, membership=membership, contact=escalated, reason="Isolation escalation of A")
    world.objects.update({"contacts_contact": contact, "contacts_callback": callback,
                          "contacts_unescalated": record(), "contacts_topic": topic,
                          "contacts_operator": membership.user})
    world.markers.extend(MARKERS)
    world.snapshots.append(lambda: _snapshot(world))


def _snapshot(world: World) -> Any:
    org = world.org_a.pk
    return (
        sorted(Contact.objects.filter(organisation_id=org).values_list(
            "pk", "channel", "direction", "started_at", "duration_seconds", "caller_type", "risk_flag",
            "callback_consent", "caller_name", "caller_phone", "summary", "updated_at")),
        sorted(Consultation.objects.filter(organisation_id=org).values_list("pk", "contact_id", "topic_id",
                                                                            "outcome", "referrals")),
        sorted(Callback.objects.filter(organisation_id=org).values_list("pk", "status", "due_at", "note",
                                                                        "assigned_to_id", "result_id")),
        sorted(Escalation.objects.filter(organisation_id=org).values_list("pk", "contact_id", "reason", "status")),
        Contact.objects.filter(organisation_id=org).count(),
    )
