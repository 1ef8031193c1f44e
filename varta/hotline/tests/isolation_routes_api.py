"""Isolation entries of the hotline API (contacts, call-backs, taxonomy): B calls them with A's ids and bodies."""

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

MARKERS = ["Alpha API caller Oksana", "Alpha API secret summary", "Alpha API own term"]


def _contact(w: World) -> dict[str, Any]:
    return {"contact_id": w.objects["api_contact"].pk}


def _callback(w: World) -> dict[str, Any]:
    return {"callback_id": w.objects["api_callback"].pk}


def _topic(w: World) -> dict[str, Any]:
    return {"topic_id": w.objects["api_topic"].pk}


def _contact_body(w: World) -> dict[str, Any]:
    # A's external id: B must get a contact of its own, never A's "existing" one.
    return {"channel": "phone", "started_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
            "external_id": "alpha-api-ext-1", "summary": "Taken over",
            "consultations": [{"topic": "travel-rules"}]}


def _reason(w: World) -> dict[str, Any]:
    return {"reason": "Taken over"}


def _schedule(w: World) -> dict[str, Any]:
    return {"contact": w.objects["api_contact"].pk, "due_at": (timezone.now() + timedelta(hours=1)).isoformat()}


def _topic_body(w: World) -> dict[str, Any]:
    return {"parent": "documents", "code": "b-api-term", "name_en": "Taken over", "name_uk": "Захоплено",
            "retired": True}


ROUTES: dict[str, Route] = {
    "api-hotline-contacts": Route(methods=("GET", "POST"), body=_contact_body, json=True),
    "api-hotline-contact": Route(methods=("GET", "PUT", "PATCH"), kwargs=_contact, body=_contact_body, json=True),
    "api-hotline-contact-reveal": Route(methods=("POST",), kwargs=_contact, body=_reason, json=True),
    "api-hotline-contact-escalate": Route(methods=("POST",), kwargs=_contact, body=_reason, json=True),
    "api-hotline-callbacks": Route(methods=("GET", "POST"), body=_schedule, json=True),
    "api-hotline-callback-cancel": Route(methods=("POST",), kwargs=_callback, json=True),
    "api-hotline-callback-complete": Route(methods=("POST",), kwargs=_callback, body=_contact_body, json=True),
    "api-hotline-topics": Route(methods=("GET", "POST"), body=_topic_body, json=True),
    "api-hotline-topic": Route(methods=("PATCH",), kwargs=_topic, body=_topic_body, json=True),
}


def populate(world: World, personas: Any) -> None:
    operator = personas.a.membership(Role.HOTLINE_OPERATOR)
    actor = Actor(user=operator.user, organisation=operator.organisation)
    standard = {t.code: t for t in Topic.objects.filter(organisation__isnull=True)}
    admin = personas.a.membership(Role.ORG_ADMIN)
    own = actions.topic_create(actor=Actor(user=admin.user, organisation=admin.organisation), membership=admin,
                               parent=standard["safe-migration"], code="alpha-api-term", name_en=MARKERS[2],
                               name_uk=MARKERS[2])
    contact = actions.contact_create(actor=actor, membership=operator, data=ContactInput(
        channel="phone", started_at=timezone.now() - timedelta(hours=1), callback_consent=True,
        caller_name=MARKERS[0], caller_phone="+380671234567", summary=MARKERS[1], external_id="alpha-api-ext-1",
        consultations=[ConsultationInput(topic=own), ConsultationInput(topic=standard["travel-rules"])]))
    callback = actions.callback_schedule(actor=actor, membership=operator, contact=contact,
                                         due_at=timezone.now() + timedelta(hours=2), assigned_to=operator.user)
    world.objects.update(api_contact=contact, api_callback=callback, api_topic=own)
    world.markers.extend(MARKERS)
    org = world.org_a

    def snapshot() -> Any:
        return (
            sorted(Contact.objects.filter(organisation=org).values_list(
                "pk", "channel", "started_at", "duration_seconds", "risk_flag", "summary", "caller_name",
                "caller_phone", "callback_consent", "updated_at", "external_id")),
            sorted(Consultation.objects.filter(organisation=org).values_list("pk", "contact_id", "topic_id",
                                                                             "outcome", "position")),
            sorted(Callback.objects.filter(organisation=org).values_list("pk", "status", "due_at", "result_id")),
            sorted(Escalation.objects.filter(organisation=org).values_list("pk", "status")),
            sorted(Topic.objects.filter(organisation=org).values_list("pk", "code", "name_en", "name_uk",
                                                                      "sort_order", "retired_at")),
            sorted(Topic.objects.filter(organisation__isnull=True).values_list("pk", "name_en", "retired_at")),
        )

    world.snapshots.append(snapshot)
