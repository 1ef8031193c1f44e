"""Forms of the hotline pages: the operator screen (a contact with its topics), filters, call-backs, reveals.

The operator form posts its consultations as repeated fields ``topic`` / ``outcome`` / ``referrals`` (one of each
per row, in order): without JavaScript the page shows a few rows of selects, with it static/hotline/operator.js
builds the rows from a type-ahead picker. Either way the form turns the post into the ``ContactInput`` that
``actions.contact_create`` and ``actions.contact_update`` check as a whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from varta.core.htcds import Gender, MethodOfControl, TypeOfExploitation
from varta.core.reveal import RevealReason
from varta.geo.forms import PcodeField
from varta.geo.models import AdminUnit, Country
from varta.hotline.actions import MAX_DURATION_SECONDS, ConsultationInput, ContactInput
from varta.hotline.models import (
    AgeGroup,
    CallerType,
    Channel,
    Contact,
    Direction,
    Displacement,
    Outcome,
    Topic,
)
from varta.orgs.models import Membership

DATETIME_LOCAL = "%Y-%m-%dT%H:%M:%S"
DATETIME_MINUTES = "%Y-%m-%dT%H:%M"
DATETIME_INPUTS = [DATETIME_LOCAL, "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
ISO_DATE = ["%Y-%m-%d"]
BLANK_ROWS_WITHOUT_JS = 3  # rows of topic selects a page without JavaScript offers for a new contact
MAX_TOPIC_ROWS = 30
_DURATION = re.compile(r"^(?:(\d{1,2}):)?(\d{1,4}):([0-5]\d)$|^(\d{1,4})$")

# Languages a conversation is held in, most frequent first; an imported contact may carry another code.
CONVERSATION_LANGUAGES = [("uk", _("Ukrainian")), ("ru", _("Russian")), ("en", _("English")),
                          ("ro", _("Romanian")), ("pl", _("Polish")), ("de", _("German")), ("other", _("Other"))]


def add_action_errors(form: forms.Form, exc: ValidationError, *, rename: dict[str, str] | None = None,
                      skip: tuple[str, ...] = ()) -> None:
    """Show an action's ValidationError on ``form``: each message next to the field it names (renamed where the
    form calls the field differently), messages about anything else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, messages in exc.message_dict.items():
        if key in skip:
            continue
        name = (rename or {}).get(key, key)
        form.add_error(name if name in form.fields else None, messages)


class DateTimeLocalInput(forms.DateTimeInput):
    """A browser date-time picker in local time; ``seconds`` for a start time, minutes for an appointment."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None, *, seconds: bool = True) -> None:
        super().__init__(attrs={"step": "1" if seconds else "60", **(attrs or {})},
                         format=DATETIME_LOCAL if seconds else DATETIME_MINUTES)


def local_now() -> datetime:
    return timezone.localtime().replace(microsecond=0)


def format_duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def parse_duration(raw: str) -> int | None:
    """"4:30" → 270, "1:02:03" → 3723, "7" (minutes) → 420; ValueError for anything else."""
    text = raw.strip()
    if not text:
        return None
    match = _DURATION.match(text)
    if not match:
        raise ValueError(text)
    hours, minutes, seconds, only_minutes = match.groups()
    if only_minutes is not None:
        return int(only_minutes) * 60
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


@dataclass
class TopicRow:
    """One consultation row as posted (or as recorded): the topic id is kept as text to re-show what was sent."""

    topic: str = ""
    outcome: str = Outcome.INFORMATION
    referrals: str = ""
    name: str = ""  # the topic's name and category, to show the row again
    category: str = ""


@dataclass
class TopicOption:
    id: int
    name: str
    category: str  # the first-level term's name; empty for a category used as a topic itself
    terms: str  # the term's names in both languages: typed text matches either language
    within: str  # its category's names in both languages (a weaker match)


def topic_options(topics: list[Topic]) -> list[TopicOption]:
    """``selectors.topic_choices`` in the active language, second-level terms with their category."""
    return [TopicOption(id=t.pk, name=t.name, category=t.parent.name if t.parent is not None else "",
                        terms=f"{t.name_en} {t.name_uk}",
                        within=f"{t.parent.name_en} {t.parent.name_uk}" if t.parent is not None else "")
            for t in topics]


def topic_groups(options: list[TopicOption]) -> list[tuple[str, list[TopicOption]]]:
    """The options grouped by category, for the selects of the page without JavaScript."""
    groups: dict[str, list[TopicOption]] = {}
    for option in options:
        groups.setdefault(option.category or option.name, []).append(option)
    return list(groups.items())


def topics_json(options: list[TopicOption]) -> list[dict[str, Any]]:
    """What operator.js filters as the operator types (embedded with json_script)."""
    return [{"id": o.id, "name": o.name, "category": o.category, "terms": o.terms, "within": o.within}
            for o in options]


def country_choices() -> list[tuple[str, str]]:
    countries = sorted(Country.objects.all(), key=lambda c: c.name.casefold())
    return [("", "—"), *((c.iso2, c.name) for c in countries)]


class ContactForm(forms.Form):
    """The operator screen: a contact, its topics and (for a new contact) a call-back and an escalation."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE,
                                widget=forms.RadioSelect)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, initial=Direction.INCOMING,
                                  widget=forms.RadioSelect)
    caller_type = forms.ChoiceField(label=_("Caller"), choices=CallerType.choices, initial=CallerType.ANONYMOUS)
    sex = forms.ChoiceField(label=_("Sex"), choices=Gender.choices, initial=Gender.UNKNOWN)
    age_group = forms.ChoiceField(label=_("Age group"), choices=AgeGroup.choices, initial=AgeGroup.UNKNOWN)
    displacement = forms.ChoiceField(label=_("Displacement"), choices=Displacement.choices,
                                     initial=Displacement.UNKNOWN)
    location = PcodeField(label=_("Place"), required=False,
                          help_text=_("Hromada, raion or oblast: type a name in Ukrainian or English, or a P-code."))
    country = forms.ChoiceField(label=_("Country (when abroad)"), required=False)
    methods_of_control = forms.MultipleChoiceField(label=_("Methods of control"), choices=MethodOfControl.choices,
                                                   required=False, widget=forms.CheckboxSelectMultiple)
    exploitation_types = forms.MultipleChoiceField(label=_("Types of exploitation"),
                                                   choices=TypeOfExploitation.choices, required=False,
                                                   widget=forms.CheckboxSelectMultiple)
    risk_flag = forms.BooleanField(label=_("Suspected trafficking or exploitation"), required=False)
    callback_consent = forms.BooleanField(label=_("The caller agrees to a call-back"), required=False)
    caller_name = forms.CharField(label=_("Caller's name"), required=False, max_length=200,
                                  widget=forms.TextInput(attrs={"autocomplete": "off", "data-draft": "never"}))
    caller_phone = forms.CharField(label=_("Phone to call back"), required=False, max_length=40,
                                   widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel",
                                                                 "data-draft": "never"}))
    callback_due_at = forms.DateTimeField(label=_("Call back at"), required=False, input_formats=DATETIME_INPUTS,
                                          widget=DateTimeLocalInput(seconds=False))
    escalate = forms.BooleanField(label=_("Escalate to case management"), required=False)
    escalate_reason = forms.CharField(label=_("Why escalate"), required=False, max_length=500)
    summary = forms.CharField(label=_("Notes"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3, "data-draft": "never"}))
    started_at = forms.DateTimeField(label=_("Start"), input_formats=DATETIME_INPUTS, widget=DateTimeLocalInput())
    duration = forms.CharField(label=_("Duration (minutes:seconds)"), required=False, max_length=12,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    language = forms.ChoiceField(label=_("Language of the conversation"), choices=CONVERSATION_LANGUAGES,
                                 initial="uk")

    # Action error keys that name a differently named field here.
    ERROR_FIELDS = {"duration_seconds": "duration", "due_at": "callback_due_at", "reason": "escalate_reason"}

    def __init__(self, data: Any = None, *, topics: list[Topic],
                 contact: Contact | None = None, can_escalate: bool = False, initial: dict[str, Any] | None = None,
                 topic_rows: list[TopicRow] | None = None) -> None:
        super().__init__(data, initial=initial)
        self.contact = contact  # the contact being edited: its caller details stay unless new ones are typed
        self.topics = {t.pk: t for t in topics}
        self.topic_errors: list[str] = []
        self.fields["country"].choices = country_choices()  # type: ignore[attr-defined]
        if data is not None:
            self.topic_rows = self._posted_rows(data)
        else:
            self.topic_rows = list(topic_rows or [])
        for row in self.topic_rows:
            topic = self.topics.get(int(row.topic)) if row.topic.isdigit() else None
            if topic is not None:
                row.name, row.category = topic.name, topic.parent.name if topic.parent is not None else ""
        if contact is not None:
            # Corrections happen on their own pages: call-backs are scheduled and escalations made from the contact.
            for name in ("callback_due_at", "escalate", "escalate_reason"):
                del self.fields[name]
            self.fields["caller_name"].help_text = _("Leave empty to keep the recorded name.")
            self.fields["caller_phone"].help_text = _("Leave empty to keep the recorded number.")
            language = self.initial.get("language") or contact.language
            choices = dict(CONVERSATION_LANGUAGES)
            if language not in choices:
                self.fields["language"].choices = [*CONVERSATION_LANGUAGES, (language, language)]  # type: ignore[attr-defined]
        elif not can_escalate:
            del self.fields["escalate"]
            del self.fields["escalate_reason"]

    @staticmethod
    def _posted_rows(data: Any) -> list[TopicRow]:
        topics, outcomes, referrals = (data.getlist(name) for name in ("topic", "outcome", "referrals"))
        count = min(max(len(topics), len(outcomes), len(referrals)), MAX_TOPIC_ROWS)
        rows = []
        for i in range(count):
            row = TopicRow(topic=(topics[i] if i < len(topics) else "").strip(),
                           outcome=outcomes[i] if i < len(outcomes) else Outcome.INFORMATION,
                           referrals=referrals[i] if i < len(referrals) else "")
            if row.topic or row.referrals.strip():
                rows.append(row)
        return rows

    def rows_for_display(self) -> list[TopicRow]:
        """The rows to show without JavaScript: the chosen ones and a few empty ones."""
        blank = BLANK_ROWS_WITHOUT_JS if self.contact is None else 1
        return [*self.topic_rows, *(TopicRow() for _ in range(blank))]

    def clean_duration(self) -> int | None:
        raw = self.cleaned_data.get("duration") or ""
        try:
            return parse_duration(raw)
        except ValueError:
            raise ValidationError(_("Write the duration as minutes:seconds, for example 4:30."),
                                  code="duration") from None

    def clean_country(self) -> Country | None:
        code = self.cleaned_data.get("country") or ""
        return Country.objects.filter(iso2=code).first() if code else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        consultations: list[ConsultationInput] = []
        for position, row in enumerate(self.topic_rows, start=1):
            topic = self.topics.get(int(row.topic)) if row.topic.isdigit() else None
            if topic is None:
                self.topic_errors.append(gettext("Topic %(position)s is unknown or retired.") % {"position": position})
                continue
            consultations.append(ConsultationInput(topic=topic, outcome=row.outcome, referrals=row.referrals))
        if not self.topic_rows:
            # The action says the same; said here too, it shows with the other fields' errors in one go.
            self.topic_errors.append(gettext("Record at least one consultation topic."))
        data["consultations"] = consultations
        if "escalate" in self.fields and data.get("escalate") and not (data.get("escalate_reason") or "").strip():
            self.add_error("escalate_reason", _("Say briefly why this needs case management."))
        if "callback_due_at" in self.fields and data.get("callback_consent"):
            if not (data.get("caller_phone") or "").strip():
                self.add_error("caller_phone", _("Give the number to call back."))
            if not data.get("callback_due_at"):
                self.add_error("callback_due_at", _("Say when to call back."))
        return data

    def add_action_errors(self, exc: ValidationError) -> None:
        """Put an action's errors next to the fields they name; topic errors above the topics."""
        if hasattr(exc, "error_dict") and "consultations" in exc.message_dict:
            self.topic_errors.extend(exc.message_dict["consultations"])
        add_action_errors(self, exc, rename=self.ERROR_FIELDS, skip=("consultations",))

    def is_valid(self) -> bool:
        return super().is_valid() and not self.topic_errors

    def to_input(self, *, now: datetime | None = None) -> ContactInput:
        data = self.cleaned_data
        started_at: datetime = data["started_at"]
        duration = data.get("duration")
        if duration is None and self.contact is None:
            # Without JavaScript nobody filled the duration: the time since the page opened is the best guess.
            elapsed = int(((now or timezone.now()) - started_at).total_seconds())
            duration = elapsed if 0 <= elapsed <= MAX_DURATION_SECONDS else None
        consent = bool(data.get("callback_consent"))
        name = (data.get("caller_name") or "").strip()
        phone = (data.get("caller_phone") or "").strip()
        if self.contact is not None and consent:
            name = name or self.contact.caller_name
            phone = phone or self.contact.caller_phone
        return ContactInput(
            channel=data["channel"], direction=data["direction"], started_at=started_at,
            duration_seconds=duration, language=data.get("language") or "uk", caller_type=data["caller_type"],
            sex=data["sex"], age_group=data["age_group"], displacement=data["displacement"],
            location=data.get("location"), country=data.get("country"),
            methods_of_control=list(data.get("methods_of_control") or []),
            exploitation_types=list(data.get("exploitation_types") or []),
            risk_flag=bool(data.get("risk_flag")), callback_consent=consent, caller_name=name, caller_phone=phone,
            summary=data.get("summary") or "", consultations=list(data["consultations"]))


def contact_initial(contact: Contact) -> dict[str, Any]:
    """The edit form's values: everything recorded except the caller's name and phone (never put in a page)."""
    return {
        "channel": contact.channel, "direction": contact.direction, "caller_type": contact.caller_type,
        "sex": contact.sex, "age_group": contact.age_group, "displacement": contact.displacement,
        "location": contact.location, "country": contact.country_id or "",
        "methods_of_control": contact.methods_of_control, "exploitation_types": contact.exploitation_types,
        "risk_flag": contact.risk_flag, "callback_consent": contact.callback_consent, "summary": contact.summary,
        "started_at": timezone.localtime(contact.started_at).replace(microsecond=0),
        "duration": format_duration(contact.duration_seconds), "language": contact.language,
    }


def contact_topic_rows(contact: Contact) -> list[TopicRow]:
    return [TopicRow(topic=str(c.topic_id), outcome=c.outcome, referrals=c.referrals)
            for c in contact.consultations.order_by("position")]


def follow_up_initial(first: Contact) -> dict[str, Any]:
    """A call-back's contact starts with the caller's profile from the first one (no personal details)."""
    return {
        "channel": Channel.PHONE, "direction": Direction.CALLBACK, "caller_type": first.caller_type,
        "sex": first.sex, "age_group": first.age_group, "displacement": first.displacement,
        "location": first.location, "country": first.country_id or "", "language": first.language,
        "started_at": local_now(),
    }


# --- Contacts list ----------------------------------------------------------------------------------------------


@dataclass
class ContactFilter:
    date_from: Any = None
    date_to: Any = None
    channel: str = ""
    category: Topic | None = None
    operator_id: int | None = None
    risk_flag: bool | None = None
    oblast: AdminUnit | None = None


class ContactFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, input_formats=ISO_DATE,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), required=False, input_formats=ISO_DATE,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    category = forms.ModelChoiceField(label=_("Topic"), required=False, queryset=Topic.objects.none(),
                                      empty_label=_("All topics"))
    operator = forms.ChoiceField(label=_("Operator"), required=False)
    risk = forms.ChoiceField(label=_("Risk flag"), required=False,
                             choices=[("", _("All")), ("yes", _("Flagged")), ("no", _("Not flagged"))])
    oblast = forms.ModelChoiceField(label=_("Oblast"), required=False, queryset=AdminUnit.objects.none(),
                                    empty_label=_("All oblasts"))

    def __init__(self, data: Any, *, members: list[Membership]) -> None:
        super().__init__(data)
        self.fields["channel"].choices = [("", _("All channels")), *Channel.choices]  # type: ignore[attr-defined]
        self.fields["category"].queryset = Topic.objects.filter(  # type: ignore[attr-defined]
            parent__isnull=True, organisation__isnull=True).order_by("sort_order")
        self.fields["operator"].choices = [  # type: ignore[attr-defined]
            ("", _("All operators")), *((str(m.user_id), m.user.full_name or m.user.username) for m in members)]
        self.fields["oblast"].queryset = AdminUnit.objects.filter(  # type: ignore[attr-defined]
            country_iso3="UKR", level=1).order_by("name_en")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."))
        return data

    def criteria(self) -> ContactFilter:
        data = self.cleaned_data
        risk = data.get("risk") or ""
        operator = data.get("operator") or ""
        return ContactFilter(date_from=data.get("date_from"), date_to=data.get("date_to"),
                             channel=data.get("channel") or "", category=data.get("category"),
                             operator_id=int(operator) if operator else None,
                             risk_flag={"yes": True, "no": False}.get(risk), oblast=data.get("oblast"))


# --- Reveal, call-backs, escalation -------------------------------------------------------------------------


class RevealForm(forms.Form):
    prefix = "reveal"  # the contact's page holds this form and the escalation's, each with a reason
    reason = forms.ChoiceField(label=_("Why do you need the caller's details?"),
                               choices=[("", "—"), *RevealReason.choices],
                               error_messages={"required": _("Choose why you need to see the caller's details."),
                                               "invalid_choice": _("Choose why you need to see the caller's details.")})


class CallbackForm(forms.Form):
    due_at = forms.DateTimeField(label=_("Call back at"), input_formats=DATETIME_INPUTS,
                                 widget=DateTimeLocalInput(seconds=False),
                                 error_messages={"required": _("Say when to call back.")})
    assigned_to = forms.ChoiceField(label=_("Operator"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300,
                           help_text=_("For example the best time to call. No personal details."))

    def __init__(self, data: Any = None, *, operators: list[Membership], initial: dict[str, Any] | None = None
                 ) -> None:
        super().__init__(data, initial=initial)
        self.operators = {m.user_id: m for m in operators}
        self.fields["assigned_to"].choices = [  # type: ignore[attr-defined]
            (str(m.user_id), m.user.full_name or m.user.username) for m in operators]

    def clean_assigned_to(self) -> Any:
        return self.operators[int(self.cleaned_data["assigned_to"])].user  # one of the choices: checked above


class EscalateForm(forms.Form):
    prefix = "escalate"
    reason = forms.CharField(label=_("Why escalate"), max_length=500,
                             help_text=_("What case management needs to know first. No more personal details than "
                                         "the contact already holds."),
                             error_messages={"required": _("Say briefly why this needs case management.")})


def default_callback_time() -> datetime:
    """An hour from now, on the minute: a sensible first suggestion for a call-back."""
    return (local_now() + timedelta(hours=1)).replace(second=0)
