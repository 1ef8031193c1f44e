"""API shapes of the hotline's contacts, call-backs and taxonomy: input and output serializers, kept apart.

Input serializers check the shape of a request and turn codes into rows (topic code → Topic, P-code → AdminUnit,
ISO2 → Country), naming any value they do not know; the rules of a contact itself are the actions' (the API builds
``ContactInput`` and calls them, so a form, the importer and the API refuse the same things).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from varta.core.htcds import Gender, MethodOfControl, TypeOfExploitation
from varta.core.reveal import RevealReason
from varta.core.serializers import BuiltOnce, SharedFields, choices_of
from varta.core.validators import no_markup
from varta.geo.models import AdminUnit, Country
from varta.geo.selectors import unit_with_parents
from varta.hotline import selectors
from varta.hotline.actions import ConsultationInput, ContactInput
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
    Outcome,
    Topic,
)

# Codes of topics: lower-case words joined by hyphens, as the standard ones ("job-offer-check").
TOPIC_CODE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

# The consultations of contacts as the API shows them: in order, with their topic and category (no N+1).
CONSULTATIONS = Prefetch("consultations", queryset=Consultation.objects.select_related("topic", "category")
                         .order_by("position"))


def standard_code_taken(code: str) -> bool:
    """An organisation's own term may not reuse a standard term's code (a code must name one topic)."""
    return Topic.objects.filter(organisation__isnull=True, code=code).exists()


def tree_order(topics: Iterable[Topic]) -> list[Topic]:
    """Categories by their sort order, each followed by its terms (``parent`` must be loaded)."""

    def key(topic: Topic) -> tuple[int, str, int, int, str]:
        category = topic.parent or topic
        return (category.sort_order, category.name_en, topic.parent_id is not None, topic.sort_order, topic.name_en)

    return sorted(topics, key=key)


def local_day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- Contacts -------------------------------------------------------------------------------------------------


class ConsultationIn(BuiltOnce, serializers.Serializer[dict[str, Any]]):
    topic = serializers.CharField(max_length=60, help_text=_("Code of a topic (standard or the organisation's own)."))
    outcome = serializers.ChoiceField(choices=choices_of(Outcome), default=Outcome.INFORMATION)
    referrals = serializers.CharField(max_length=2000, allow_blank=True, default="",
                                      help_text=_("Where the caller was referred (free text)."))


class ContactFieldsIn(BuiltOnce, serializers.Serializer[dict[str, Any]]):
    """A contact as an operator records it. Needs ``organisation_id`` in the context (to resolve topic codes)."""

    channel = serializers.ChoiceField(choices=choices_of(Channel))
    direction = serializers.ChoiceField(choices=choices_of(Direction), default=Direction.INCOMING)
    started_at = serializers.DateTimeField()
    duration_seconds = serializers.IntegerField(required=False, allow_null=True, default=None,
                                                help_text=_("0 to 86,400."))
    language = serializers.CharField(max_length=8, default="uk", help_text=_("Language of the contact, e.g. uk."))
    caller_type = serializers.ChoiceField(choices=choices_of(CallerType), default=CallerType.ANONYMOUS)
    sex = serializers.ChoiceField(choices=choices_of(Gender), default=Gender.UNKNOWN, help_text=_("HTCDS prs_Gender."))
    age_group = serializers.ChoiceField(choices=choices_of(AgeGroup), default=AgeGroup.UNKNOWN)
    displacement = serializers.ChoiceField(choices=choices_of(Displacement), default=Displacement.UNKNOWN)
    place = serializers.CharField(max_length=20, required=False, allow_null=True, allow_blank=True, default=None,
                                  help_text=_("P-code of the caller's place (oblast down to settlement)."))
    country = serializers.CharField(max_length=2, required=False, allow_null=True, allow_blank=True, default=None,
                                    help_text=_("ISO 3166-1 alpha-2 code of the country, when the caller is "
                                                "abroad."))
    methods_of_control = serializers.ListField(child=serializers.ChoiceField(choices=choices_of(MethodOfControl)),
                                               default=list, help_text=_("HTCDS MethodOfControl value names."))
    exploitation_types = serializers.ListField(child=serializers.ChoiceField(choices=choices_of(TypeOfExploitation)),
                                               default=list, help_text=_("HTCDS TypeOfExploitation value names."))
    risk_flag = serializers.BooleanField(default=False)
    callback_consent = serializers.BooleanField(default=False)
    caller_name = serializers.CharField(max_length=200, required=False, allow_blank=True, write_only=True,
                                        help_text=_("Only with call-back consent. Never shown back: see reveal. "
                                                    "Left out of an update: kept."))
    caller_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, write_only=True,
                                         help_text=_("Only with call-back consent, e.g. +380671234567. Left out "
                                                     "of an update: kept."))
    summary = serializers.CharField(max_length=4000, allow_blank=True, default="")
    consultations = ConsultationIn(many=True, help_text=_("One or more consultations, in order."))

    def _organisation_id(self) -> int:
        return int(self.context["organisation_id"])

    def validate_place(self, value: str | None) -> AdminUnit | None:
        if not value or not value.strip():
            return None
        code = value.strip().upper()
        unit = unit_with_parents(code)
        if unit is None:
            raise serializers.ValidationError(_("Unknown P-code “%(code)s”.") % {"code": code})
        return unit

    def validate_country(self, value: str | None) -> Country | None:
        if not value or not value.strip():
            return None
        code = value.strip().upper()
        country = Country.objects.filter(iso2=code).first()
        if country is None:
            raise serializers.ValidationError(_("Unknown country code “%(code)s”.") % {"code": code})
        return country

    def validate_consultations(self, value: list[dict[str, Any]]) -> list[ConsultationInput]:
        codes = [item["topic"].strip() for item in value]
        topics = selectors.topics_by_code(self._organisation_id(), codes)
        unknown = [code for code in dict.fromkeys(codes) if code not in topics]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown topic code: %(codes)s.") % {"codes": ", ".join(f"“{c}”" for c in unknown)})
        return [ConsultationInput(topic=topics[code], outcome=item["outcome"], referrals=item["referrals"])
                for code, item in zip(codes, value, strict=True)]

    def contact_input(self, current: Contact | None = None) -> ContactInput:
        """The validated request as a ContactInput; for an update, fields left out keep ``current``'s values."""
        data = dict(self.validated_data)
        base = contact_as_input(current) if current is not None else ContactInput(channel="",
                                                                                  started_at=timezone.now())
        if "place" in data:
            data["location"] = data.pop("place")
        for name, value in data.items():
            setattr(base, name, value)
        if not base.callback_consent and not ({"caller_name", "caller_phone"} & set(data)):
            base.caller_name = base.caller_phone = ""  # consent withdrawn: the details go with it
        if current is not None:
            base.external_id = current.external_id
        return base


class ContactIn(ContactFieldsIn):
    external_id = serializers.CharField(max_length=100, required=False, allow_null=True, allow_blank=True,
                                        default=None,
                                        help_text=_("Your system's id of the contact. Sending the same id again "
                                                    "returns the contact recorded the first time (200)."))

    def validate_external_id(self, value: str | None) -> str | None:
        return value.strip() or None if value else None


def contact_as_input(contact: Contact) -> ContactInput:
    consultations = [ConsultationInput(topic=c.topic, outcome=c.outcome, referrals=c.referrals)
                     for c in contact.consultations.select_related("topic").order_by("position")]
    return ContactInput(
        channel=contact.channel, started_at=contact.started_at, duration_seconds=contact.duration_seconds,
        direction=contact.direction, language=contact.language, caller_type=contact.caller_type, sex=contact.sex,
        age_group=contact.age_group, displacement=contact.displacement, location=contact.location,
        country=contact.country, methods_of_control=list(contact.methods_of_control),
        exploitation_types=list(contact.exploitation_types), risk_flag=contact.risk_flag,
        callback_consent=contact.callback_consent, caller_name=contact.caller_name,
        caller_phone=contact.caller_phone, summary=contact.summary, external_id=contact.external_id,
        consultations=consultations)


class ContactFilterIn(serializers.Serializer[dict[str, Any]]):
    date_from = serializers.DateField(required=False, help_text=_("First day (local date), inclusive."))
    date_to = serializers.DateField(required=False, help_text=_("Last day (local date), inclusive."))
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    operator = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                                        help_text=_("User id of the operator."))
    risk_flag = serializers.BooleanField(required=False, allow_null=True, default=None)
    oblast = serializers.CharField(required=False, max_length=20, help_text=_("P-code of a first-level unit."))
    topic = serializers.CharField(required=False, max_length=60, help_text=_("Code of a topic."))
    category = serializers.CharField(required=False, max_length=60, help_text=_("Code of a first-level topic."))

    def validate_oblast(self, value: str) -> str:
        code = value.strip().upper()
        if not AdminUnit.objects.filter(pcode=code, parent__isnull=True).exists():
            raise serializers.ValidationError(_("Unknown oblast P-code “%(code)s”.") % {"code": code})
        return code

    def _topic(self, code: str) -> Topic:
        topic = selectors.topics_by_code(int(self.context["organisation_id"]), [code.strip()]).get(code.strip())
        if topic is None:
            raise serializers.ValidationError(_("Unknown topic code “%(code)s”.") % {"code": code.strip()})
        return topic

    def validate_topic(self, value: str) -> Topic:
        return self._topic(value)

    def validate_category(self, value: str) -> Topic:
        topic = self._topic(value)
        if topic.parent_id is not None:
            raise serializers.ValidationError(_("“%(code)s” is not a first-level topic.") % {"code": topic.code})
        return topic

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError(_("The start date is after the end date."))
        return attrs

    def criteria(self) -> Q:
        """The filters as one condition on Contact."""
        data = self.validated_data
        condition = Q()
        if data.get("date_from"):
            condition &= Q(started_at__gte=local_day_start(data["date_from"]))
        if data.get("date_to"):
            condition &= Q(started_at__lt=local_day_start(data["date_to"] + timedelta(days=1)))
        if data.get("channel"):
            condition &= Q(channel=data["channel"])
        if data.get("operator"):
            condition &= Q(operator_id=data["operator"])
        if data.get("risk_flag") is not None:
            condition &= Q(risk_flag=data["risk_flag"])
        if data.get("oblast"):
            condition &= Q(oblast_id=data["oblast"])
        if data.get("topic"):
            condition &= Q(pk__in=Consultation.objects.filter(topic=data["topic"]).values("contact_id"))
        if data.get("category"):
            condition &= Q(pk__in=Consultation.objects.filter(category=data["category"]).values("contact_id"))
        return condition


class ConsultationOut(SharedFields, serializers.ModelSerializer[Consultation]):
    topic = serializers.CharField(source="topic.code", help_text=_("Code of the topic."))
    topic_name = serializers.CharField(source="topic.name", help_text=_("In the request's language."))
    category = serializers.CharField(source="category.code", help_text=_("Code of the first-level topic."))

    class Meta:
        model = Consultation
        fields = ["position", "topic", "topic_name", "category", "outcome", "referrals"]
        read_only_fields = fields


class ContactOut(SharedFields, serializers.ModelSerializer[Contact]):
    """A contact without the caller's name and phone (see reveal): only whether they were recorded."""

    place = serializers.CharField(source="location_id", allow_null=True, help_text=_("P-code."))
    place_name = serializers.CharField(source="location.display_name", allow_null=True, default=None)
    oblast = serializers.CharField(source="oblast_id", allow_null=True, help_text=_("P-code of the first-level "
                                                                                   "unit of the place."))
    country = serializers.CharField(source="country_id", allow_null=True, help_text=_("ISO 3166-1 alpha-2."))
    operator = serializers.IntegerField(source="operator_id", allow_null=True, help_text=_("User id."))
    operator_name = serializers.CharField(source="operator.full_name", allow_null=True, default=None)
    follows = serializers.IntegerField(source="follows_id", allow_null=True,
                                       help_text=_("The contact this one follows up (a call-back)."))
    methods_of_control = serializers.ListField(child=serializers.CharField())
    exploitation_types = serializers.ListField(child=serializers.CharField())
    has_caller_details = serializers.SerializerMethodField(
        help_text=_("Whether a name or phone number was recorded (POST …/reveal/ to see them)."))
    escalated = serializers.SerializerMethodField()
    consultations = ConsultationOut(many=True)

    class Meta:
        model = Contact
        fields = ["id", "external_id", "channel", "direction", "started_at", "duration_seconds", "operator",
                  "operator_name", "language", "caller_type", "sex", "age_group", "displacement", "place",
                  "place_name", "oblast", "country", "methods_of_control", "exploitation_types", "risk_flag",
                  "callback_consent", "has_caller_details", "summary", "follows", "escalated", "consultations",
                  "created_at", "updated_at"]
        read_only_fields = fields

    def get_has_caller_details(self, contact: Contact) -> bool:
        return bool(contact.caller_name or contact.caller_phone)

    def get_escalated(self, contact: Contact) -> bool:
        annotated = getattr(contact, "is_escalated", None)
        if annotated is not None:
            return bool(annotated)
        return Escalation.objects.filter(contact_id=contact.pk).exists()


class ReasonIn(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=500, allow_blank=True)


class RevealIn(serializers.Serializer[dict[str, Any]]):
    reason = serializers.ChoiceField(choices=choices_of(RevealReason),
                                     help_text=_("Why you need the caller's details; recorded in the audit trail."))


class CallerDetailsOut(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField()
    caller_name = serializers.CharField()
    caller_phone = serializers.CharField()


class EscalationOut(serializers.ModelSerializer[Escalation]):
    contact = serializers.IntegerField(source="contact_id")
    escalated_by = serializers.IntegerField(source="escalated_by_id")

    class Meta:
        model = Escalation
        fields = ["id", "contact", "escalated_by", "reason", "status", "created_at"]
        read_only_fields = fields


# --- Call-backs ----------------------------------------------------------------------------------------------


class CallbackQueueQuery(serializers.Serializer[dict[str, Any]]):
    all = serializers.BooleanField(required=False, default=False,
                                   help_text=_("1: the whole team's queue, not only yours."))


class CallbackScheduleIn(serializers.Serializer[dict[str, Any]]):
    contact = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text=_("Id of the contact to "
                                                                                     "call back."))
    due_at = serializers.DateTimeField()
    assigned_to = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                                           help_text=_("User id of the operator; yourself when left out."))
    note = serializers.CharField(max_length=300, allow_blank=True, default="")


class CallbackOut(serializers.ModelSerializer[Callback]):
    contact = serializers.IntegerField(source="contact_id")
    assigned_to = serializers.IntegerField(source="assigned_to_id", help_text=_("User id."))
    assigned_to_name = serializers.CharField(source="assigned_to.full_name")
    result = serializers.IntegerField(source="result_id", allow_null=True,
                                      help_text=_("The contact that recorded the call-back."))
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Callback
        fields = ["id", "contact", "due_at", "assigned_to", "assigned_to_name", "status", "note", "result",
                  "overdue", "created_at"]
        read_only_fields = fields

    def get_overdue(self, callback: Callback) -> bool:
        return callback.status == CallbackStatus.SCHEDULED and callback.due_at < timezone.now()


# --- Taxonomy ------------------------------------------------------------------------------------------------


class TopicListQuery(serializers.Serializer[dict[str, Any]]):
    include_retired = serializers.BooleanField(required=False, default=False)


class TopicOut(serializers.ModelSerializer[Topic]):
    parent = serializers.SlugRelatedField(  # type: ignore[assignment,var-annotated]  # (a field named like Field.parent)
        slug_field="code", read_only=True, allow_null=True,
                                          help_text=_("Code of the first-level topic; null for a category."))
    standard = serializers.SerializerMethodField(help_text=_("Shared by every organisation."))
    retired = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = ["id", "code", "name_en", "name_uk", "parent", "standard", "retired", "sort_order"]
        read_only_fields = fields

    def get_standard(self, topic: Topic) -> bool:
        return topic.organisation_id is None

    def get_retired(self, topic: Topic) -> bool:
        return topic.retired_at is not None


def _name(label: Any) -> serializers.CharField:
    # Blank passes here: the action names the missing language.
    return serializers.CharField(max_length=150, label=label, allow_blank=True, validators=[no_markup])


class TopicCreateIn(serializers.Serializer[dict[str, Any]]):
    parent = serializers.CharField(  # type: ignore[assignment]  # a field named like Field.parent
        max_length=60, required=False, allow_null=True, default=None,
                                   help_text=_("Code of a standard first-level topic; null for a new standard "
                                               "category."))
    code = serializers.CharField(max_length=60, help_text=_("Lower-case letters, digits and hyphens."))
    name_en = _name(_("name (English)"))
    name_uk = _name(_("name (Ukrainian)"))
    standard = serializers.BooleanField(default=False, help_text=_("A standard term every organisation shares "
                                                                   "(system admins)."))
    sort_order = serializers.IntegerField(min_value=0, max_value=32767, default=100)

    def validate_code(self, value: str) -> str:
        code = value.strip().lower()
        if not TOPIC_CODE.match(code):
            raise serializers.ValidationError(_("Use lower-case letters, digits and hyphens only."))
        return code

    def validate_parent(self, value: str | None) -> Topic | None:
        if not value:
            return None
        parent = Topic.objects.filter(organisation__isnull=True, parent__isnull=True, code=value.strip()).first()
        if parent is None:
            raise serializers.ValidationError(
                _("Unknown standard category “%(code)s”.") % {"code": value.strip()})
        return parent

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs["standard"] and standard_code_taken(attrs["code"]):
            raise serializers.ValidationError({"code": [_("This code is taken.")]})
        return attrs


class TopicUpdateIn(serializers.Serializer[dict[str, Any]]):
    name_en = _name(_("name (English)"))
    name_uk = _name(_("name (Ukrainian)"))
    sort_order = serializers.IntegerField(min_value=0, max_value=32767)
    retired = serializers.BooleanField(help_text=_("true retires the term (it leaves the pickers, old "
                                                   "consultations keep it); false brings it back."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
