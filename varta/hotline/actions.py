"""Every write of the hotline: contacts with their consultations, call-backs, escalations, the taxonomy.

Inputs arrive as plain dataclasses from forms, the API and the importer alike, so every path applies the same
checks. Each action runs in one transaction with its audit events (``varta.audit.writes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from varta.accounts.models import User
from varta.accounts.permissions import Action, require
from varta.audit import writes
from varta.audit.writes import Actor
from varta.core.htcds import Gender, MethodOfControl, TypeOfExploitation
from varta.core.reveal import is_reason
from varta.core.validators import no_markup, normalise_phone
from varta.geo.models import AdminUnit, Country
from varta.hotline import rollups, selectors
from varta.hotline.models import (
    AgeGroup,
    Callback,
    CallbackStatus,
    CallerType,
    Channel,
    Consultation,
    Contact,
    Direction,
    Displacement,
    Escalation,
    EscalationStatus,
    Outcome,
    Topic,
)
from varta.orgs.models import Membership

MAX_DURATION_SECONDS = 24 * 3600
CLOCK_SKEW = timedelta(minutes=5)  # a start "in the future" within this margin is a clock difference, not an error


@dataclass
class ConsultationInput:
    topic: Topic
    outcome: str = Outcome.INFORMATION
    referrals: str = ""


@dataclass
class ContactInput:
    channel: str
    started_at: datetime
    duration_seconds: int | None = None
    direction: str = Direction.INCOMING
    language: str = "uk"
    caller_type: str = CallerType.ANONYMOUS
    sex: str = Gender.UNKNOWN
    age_group: str = AgeGroup.UNKNOWN
    displacement: str = Displacement.UNKNOWN
    location: AdminUnit | None = None
    country: Country | None = None
    methods_of_control: list[str] = field(default_factory=list)
    exploitation_types: list[str] = field(default_factory=list)
    risk_flag: bool = False
    callback_consent: bool = False
    caller_name: str = ""
    caller_phone: str = ""
    summary: str = ""
    external_id: str | None = None
    consultations: list[ConsultationInput] = field(default_factory=list)


@cache
def _values(choices: type[models.Choices]) -> frozenset[str]:
    return frozenset(str(v) for v in choices.values)  # Choices.values builds a new list at every call


def _choice(errors: dict[str, list[str]], name: str, value: str, choices: type[models.Choices]) -> None:
    if value not in _values(choices):
        errors.setdefault(name, []).append(_("Unknown value “%(value)s”.") % {"value": value})


def topic_usable(topic: Topic, organisation_id: int) -> bool:
    return topic.retired_at is None and topic.organisation_id in (None, organisation_id)


def validate_contact(data: ContactInput, *, organisation_id: int, now: datetime | None = None,
                     kept_topic_ids: frozenset[int] = frozenset()) -> ContactInput:
    """Check a contact as a whole; raise one ValidationError naming every bad field. Normalises the phone.

    ``kept_topic_ids``: topics the contact already has, allowed even if retired since (corrections of old contacts).
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    for name, value, choices in (("channel", data.channel, Channel), ("direction", data.direction, Direction),
                                 ("caller_type", data.caller_type, CallerType), ("sex", data.sex, Gender),
                                 ("age_group", data.age_group, AgeGroup),
                                 ("displacement", data.displacement, Displacement)):
        _choice(errors, name, value, choices)
    if data.started_at > now + CLOCK_SKEW:
        errors.setdefault("started_at", []).append(_("The start of a contact cannot be in the future."))
    if data.duration_seconds is not None and not 0 <= data.duration_seconds <= MAX_DURATION_SECONDS:
        errors.setdefault("duration_seconds", []).append(
            _("The duration must be between 0 and 24 hours."))
    for value in data.methods_of_control:
        _choice(errors, "methods_of_control", value, MethodOfControl)
    for value in data.exploitation_types:
        _choice(errors, "exploitation_types", value, TypeOfExploitation)
    for name in ("caller_name", "summary"):
        try:
            no_markup(getattr(data, name))
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
    if not data.callback_consent and (data.caller_name.strip() or data.caller_phone.strip()):
        errors.setdefault("callback_consent", []).append(
            _("A name or phone number may be recorded only when the caller agrees to a call-back."))
    if data.caller_phone.strip():
        try:
            data.caller_phone = normalise_phone(data.caller_phone)
        except ValidationError as exc:
            errors.setdefault("caller_phone", []).extend(exc.messages)
    if data.location is not None and data.country is not None and data.country.iso3 != data.location.country_iso3:
        errors.setdefault("country", []).append(_("Give either a place or a country abroad, not both."))
    if not data.consultations:
        errors.setdefault("consultations", []).append(_("Record at least one consultation topic."))
    for position, consultation in enumerate(data.consultations, start=1):
        if consultation.topic.pk not in kept_topic_ids and not topic_usable(consultation.topic, organisation_id):
            errors.setdefault("consultations", []).append(
                _("Topic %(position)s is unknown or retired.") % {"position": position})
        if consultation.outcome not in _values(Outcome):
            errors.setdefault("consultations", []).append(
                _("Outcome of topic %(position)s is unknown.") % {"position": position})
        try:
            no_markup(consultation.referrals)
        except ValidationError as exc:
            errors.setdefault("consultations", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return data


def oblast_of(unit: AdminUnit | None) -> AdminUnit | None:
    """The level-1 unit (oblast) a place lies in, or the place itself at level 1."""
    while unit is not None and unit.parent_id is not None:
        unit = unit.parent
    return unit


def contact_fields(data: ContactInput) -> dict[str, object]:
    """Contact column values from a validated input, with the denormalised ``oblast`` (also used by bulk paths)."""
    return {
        "channel": data.channel, "direction": data.direction, "started_at": data.started_at,
        "duration_seconds": data.duration_seconds, "language": data.language, "caller_type": data.caller_type,
        "sex": data.sex, "age_group": data.age_group, "displacement": data.displacement,
        "location": data.location, "oblast": oblast_of(data.location), "country": data.country,
        "methods_of_control": sorted(set(data.methods_of_control)),
        "exploitation_types": sorted(set(data.exploitation_types)),
        "risk_flag": data.risk_flag or bool(data.methods_of_control or data.exploitation_types),
        "callback_consent": data.callback_consent,
        "caller_name": data.caller_name.strip() if data.callback_consent else "",
        "caller_phone": data.caller_phone if data.callback_consent else "",
        "summary": data.summary.strip(),
    }


def consultation_row(contact: Contact, item: ConsultationInput, position: int) -> Consultation:
    """An unsaved consultation with its denormalised category and start (also used by bulk paths)."""
    topic = item.topic
    return Consultation(organisation_id=contact.organisation_id, contact=contact, topic=topic,
                        category_id=topic.parent_id or topic.pk, outcome=item.outcome,
                        referrals=item.referrals.strip(), started_at=contact.started_at, position=position)


def contact_create(*, actor: Actor, membership: Membership, data: ContactInput, operator: User | None = None,
                   follows: Contact | None = None) -> Contact:
    """Record a contact and its consultations. ``operator`` defaults to the acting user."""
    require(membership, Action.HOTLINE_CONTACT_CREATE)
    validate_contact(data, organisation_id=membership.organisation_id)
    # One chain-head lock for the contact and its consultations, sent with their INSERTs, and one round trip at the
    # end for the roll-ups, the events and the head: on PostgreSQL, two round trips between BEGIN and COMMIT.
    with writes.batch() as batch:
        contact = Contact(organisation_id=membership.organisation_id,
                          operator_id=operator.pk if operator is not None else membership.user_id,
                          external_id=data.external_id, follows=follows, **contact_fields(data))
        consultations = writes.create_with_children(
            contact, [consultation_row(contact, item, position) for position, item in enumerate(data.consultations, 1)],
            link="contact", actor=actor)
        delta = rollups.Delta().contact(contact)
        for consultation in consultations:
            delta.consultation(consultation)
        batch.execute_at_end(delta.statements())  # under the audit chain lock
    return contact


def contact_update(*, actor: Actor, membership: Membership, contact: Contact, data: ContactInput) -> Contact:
    """Correct a contact; its consultations are replaced by the given ones (names of changed fields audited)."""
    require(membership, Action.HOTLINE_CONTACT_CREATE)
    kept = frozenset(contact.consultations.values_list("topic_id", flat=True))
    validate_contact(data, organisation_id=membership.organisation_id, now=max(timezone.now(), contact.started_at),
                     kept_topic_ids=kept)
    with transaction.atomic():
        current = list(contact.consultations.order_by("position"))
        delta = rollups.Delta().contact(contact, -1)  # the row as it was: its cells come off the roll-ups
        for old in current:
            delta.consultation(old, -1)
        writes.update(contact, actor=actor, changes=contact_fields(data))
        delta.contact(contact)
        wanted = [consultation_row(contact, item, pos) for pos, item in enumerate(data.consultations, start=1)]
        for old, new in zip(current, wanted, strict=False):
            writes.update(old, actor=actor, changes={"topic": new.topic, "category_id": new.category_id,
                                                     "outcome": new.outcome, "referrals": new.referrals,
                                                     "started_at": new.started_at})
        for old in current[len(wanted):]:
            writes.delete(old, actor=actor)
        for new in wanted[len(current):]:
            writes.create(new, actor=actor)
        for consultation in wanted:
            delta.consultation(consultation)
        delta.save()  # after the audited writes: under the audit chain lock
    return contact


def contact_reveal(*, actor: Actor, membership: Membership, contact: Contact, reason: str) -> Contact:
    """Record that a user looked at the caller's name and phone (they are masked until then), and why.

    ``reason``: a ``varta.core.reveal.RevealReason``; it is part of the event's action
    (``hotline.contact.reveal.<reason>``).
    """
    require(membership, Action.HOTLINE_CONTACT_VIEW)
    if not is_reason(reason):
        raise ValidationError({"reason": [_("Choose why you need to see the caller's details.")]})
    writes.record(actor=actor, action=f"hotline.contact.reveal.{reason}", object_type=writes.object_type(contact),
                  object_id=contact.pk, changed=["caller_name", "caller_phone"])
    return contact


# --- Call-backs -------------------------------------------------------------------------------------------


def callback_schedule(*, actor: Actor, membership: Membership, contact: Contact, due_at: datetime,
                      assigned_to: User, note: str = "") -> Callback:
    require(membership, Action.HOTLINE_CONTACT_CREATE)
    errors: dict[str, list[str]] = {}
    if not contact.callback_consent or not contact.caller_phone:
        errors["contact"] = [_("A call-back needs the caller's consent and a phone number on the contact.")]
    if due_at < timezone.now() - CLOCK_SKEW:
        errors["due_at"] = [_("A call-back cannot be scheduled in the past.")]
    if not Membership.objects.filter(user=assigned_to, organisation_id=membership.organisation_id,
                                     is_active=True).exists():
        errors["assigned_to"] = [_("The operator must be an active member of your organisation.")]
    try:
        no_markup(note)
    except ValidationError as exc:
        errors["note"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return writes.create(Callback(organisation_id=membership.organisation_id, contact=contact, due_at=due_at,
                                  assigned_to=assigned_to, note=note.strip()), actor=actor)


def callback_complete(*, actor: Actor, membership: Membership, callback: Callback, data: ContactInput) -> Contact:
    """The call-back happened: record it as a new contact (direction call-back) that follows the first one."""
    if callback.status != CallbackStatus.SCHEDULED:
        raise ValidationError({"status": [_("This call-back is already closed.")]})
    data.direction = Direction.CALLBACK
    with transaction.atomic():
        contact = contact_create(actor=actor, membership=membership, data=data, follows=callback.contact)
        writes.update(callback, actor=actor, changes={"status": CallbackStatus.DONE, "result": contact},
                      action="hotline.callback.done")
    return contact


def callback_cancel(*, actor: Actor, membership: Membership, callback: Callback) -> Callback:
    require(membership, Action.HOTLINE_CONTACT_CREATE)
    if callback.status != CallbackStatus.SCHEDULED:
        raise ValidationError({"status": [_("This call-back is already closed.")]})
    return writes.update(callback, actor=actor, changes={"status": CallbackStatus.CANCELLED},
                         action="hotline.callback.cancel")


# --- Escalation ----------------------------------------------------------------------------------------------


def escalate(*, actor: Actor, membership: Membership, contact: Contact, reason: str) -> Escalation:
    """Hand a suspected trafficking situation to case management (a pending escalation, no data copied)."""
    require(membership, Action.HOTLINE_ESCALATE)
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Say briefly why this needs case management.")]
    else:
        try:
            no_markup(reason)
        except ValidationError as exc:
            errors["reason"] = exc.messages
    if Escalation.objects.filter(contact=contact).exists():
        errors["contact"] = [_("This contact has been escalated already.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if not contact.risk_flag:
            delta = rollups.Delta().contact(contact, -1)
            writes.update(contact, actor=actor, changes={"risk_flag": True})
            delta.contact(contact).save()  # after the audited write: under the audit chain lock
        return writes.create(Escalation(organisation_id=contact.organisation_id, contact=contact,
                                        escalated_by=membership.user, reason=reason.strip(),
                                        status=EscalationStatus.PENDING), actor=actor)


# --- Taxonomy --------------------------------------------------------------------------------------------------


def _taxonomy_scope(membership: Membership, organisation_wide: bool) -> int | None:
    """Standard terms belong to nobody (system admin); own terms to the acting organisation (org admin)."""
    if organisation_wide:
        require(membership, Action.TAXONOMY_MANAGE_STANDARD)
        return None
    require(membership, Action.TAXONOMY_MANAGE)
    return membership.organisation_id


def _name_errors(name_en: str, name_uk: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, value in (("name_en", name_en), ("name_uk", name_uk)):
        if not value.strip():
            errors[name] = [_("Give the name in both languages.")]
        else:
            try:
                no_markup(value)
            except ValidationError as exc:
                errors[name] = exc.messages
    return errors


def topic_create(*, actor: Actor, membership: Membership, parent: Topic | None, code: str, name_en: str,
                 name_uk: str, standard: bool = False, sort_order: int = 100) -> Topic:
    organisation_id = _taxonomy_scope(membership, standard)
    errors: dict[str, list[str]] = {}
    if parent is not None and (parent.parent_id is not None or parent.organisation_id is not None):
        errors["parent"] = [_("Choose a standard first-level category.")]
    if parent is None and not standard:
        errors["parent"] = [_("An organisation's own topic belongs under a standard category.")]
    # An own term may not reuse a standard code either: codes identify terms in imports and the API.
    if Topic.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation_id), code=code).exists():
        errors["code"] = [_("This code is taken.")]
    errors.update(_name_errors(name_en, name_uk))
    if errors:
        raise ValidationError(errors)
    selectors.TOPICS.forget()
    return writes.create(Topic(organisation_id=organisation_id, parent=parent, code=code, name_en=name_en.strip(),
                               name_uk=name_uk.strip(), sort_order=sort_order), actor=actor)


def topic_update(*, actor: Actor, membership: Membership, topic: Topic, name_en: str, name_uk: str,
                 sort_order: int) -> Topic:
    _taxonomy_scope(membership, topic.organisation_id is None)
    errors = _name_errors(name_en, name_uk)
    if errors:
        raise ValidationError(errors)
    selectors.TOPICS.forget()
    return writes.update(topic, actor=actor, changes={"name_en": name_en.strip(), "name_uk": name_uk.strip(),
                                                      "sort_order": sort_order})


def topic_set_retired(*, actor: Actor, membership: Membership, topic: Topic, retired: bool) -> Topic:
    """Retire (or bring back) a term: it leaves the pickers, old consultations keep it."""
    _taxonomy_scope(membership, topic.organisation_id is None)
    selectors.TOPICS.forget()
    return writes.update(topic, actor=actor, changes={"retired_at": timezone.now() if retired else None},
                         action="hotline.topic.retire" if retired else "hotline.topic.unretire")
