"""Forms of the case pages: list filters, the registration (person + case), the match search, reveal, the workflow
panel (move, closure, reassignment) and the person's correction.

The forms parse what was posted into the inputs the actions take (``PersonInput``, ``CaseInput``); the actions
check them as a whole and their ValidationError is shown on the form (``add_action_errors``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from varta.accounts.models import User
from varta.accounts.permissions import Role
from varta.cases.actions.cases import CaseInput, PersonInput
from varta.cases.models import (
    WG_DOMAINS,
    CaseSource,
    CaseStage,
    ClosureReason,
    IdDocumentType,
    Person,
    PersonCategory,
    WgLevel,
)
from varta.core.htcds import Gender
from varta.core.reveal import RevealReason
from varta.geo.forms import PcodeField
from varta.geo.models import Country
from varta.hotline.forms import add_action_errors, country_choices
from varta.hotline.models import AgeGroup, Displacement
from varta.orgs.models import Membership
from varta.orgs.selectors import members_of

__all__ = ["add_action_errors"]

ISO_DATE = ["%Y-%m-%d"]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _private(**attrs: Any) -> forms.TextInput:
    """A text input for a personal value: the browser must not remember or suggest it."""
    return forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", **attrs})


def member_name(user: User) -> str:
    return user.full_name or user.username


def case_members(membership: Membership) -> list[Membership]:
    """Active case workers and supervisors of the acting organisation (whom a case can be given to)."""
    return list(members_of(membership).filter(is_active=True,
                                              role__in=[Role.CASE_WORKER.value, Role.CASE_SUPERVISOR.value]))


def worker_choices(members: list[Membership]) -> list[tuple[str, str]]:
    return [(str(m.user_id), member_name(m.user)) for m in members
            if m.role in (Role.CASE_WORKER, Role.CASE_SUPERVISOR)]


def supervisor_choices(members: list[Membership]) -> list[tuple[str, str]]:
    return [(str(m.user_id), member_name(m.user)) for m in members if m.role == Role.CASE_SUPERVISOR]


class _MembersMixin:
    """Choice fields holding user ids of the organisation's active members; cleaned into ``User`` rows."""

    members: dict[int, Membership]

    def _user(self, value: str) -> User | None:
        if not value:
            return None
        try:
            member = self.members.get(int(value))
        except ValueError:
            member = None
        return member.user if member is not None else None


# --- Lists -------------------------------------------------------------------------------------------------------

OPEN = ""  # the stage filter's default: every open stage
ALL = "all"


@dataclass
class CaseFilter:
    stage: str = OPEN
    category: str = ""
    source: str = ""
    opened_from: date | None = None
    opened_to: date | None = None
    overdue: bool = False
    reference: str = ""
    case_worker_id: int | None = None


class CaseFilterForm(_MembersMixin, forms.Form):
    q = forms.CharField(label=_("Reference"), required=False, max_length=24,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "size": "12"}))
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    category = forms.ChoiceField(label=_("Person category"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)
    worker = forms.ChoiceField(label=_("Case worker"), required=False)
    opened_from = forms.DateField(label=_("Opened from"), required=False, input_formats=ISO_DATE,
                                  widget=_date_input())
    opened_to = forms.DateField(label=_("Opened to"), required=False, input_formats=ISO_DATE, widget=_date_input())
    overdue = forms.BooleanField(label=_("Overdue items only"), required=False)

    def __init__(self, data: Any, *, members: list[Membership] | None = None) -> None:
        super().__init__(data)
        self.fields["stage"].choices = [  # type: ignore[attr-defined]
            (OPEN, _("Open cases")), *CaseStage.choices, (ALL, _("All stages"))]
        self.fields["category"].choices = [("", _("All categories")), *PersonCategory.choices]  # type: ignore[attr-defined]
        self.fields["source"].choices = [("", _("All sources")), *CaseSource.choices]  # type: ignore[attr-defined]
        if members is None:
            del self.fields["worker"]
            self.members = {}
        else:
            self.members = {m.user_id: m for m in members}
            self.fields["worker"].choices = [  # type: ignore[attr-defined]
                ("", _("All case workers")), *worker_choices(members)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("opened_from"), data.get("opened_to")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."))
        return data

    def criteria(self) -> CaseFilter:
        data = self.cleaned_data
        worker = data.get("worker") or ""
        return CaseFilter(stage=data.get("stage") or OPEN, category=data.get("category") or "",
                          source=data.get("source") or "", opened_from=data.get("opened_from"),
                          opened_to=data.get("opened_to"), overdue=bool(data.get("overdue")),
                          reference=(data.get("q") or "").strip(),
                          case_worker_id=int(worker) if worker else None)


# --- Person -------------------------------------------------------------------------------------------------------


class PersonForm(forms.Form):
    """The person: personal fields (encrypted, masked elsewhere) and the attributes kept for statistics."""

    family_name = forms.CharField(label=_("Family name"), required=False, max_length=200, widget=_private())
    given_name = forms.CharField(label=_("Given name"), required=False, max_length=200, widget=_private())
    patronymic = forms.CharField(label=_("Patronymic"), required=False, max_length=200, widget=_private())
    birth_date = forms.DateField(label=_("Date of birth"), required=False, input_formats=ISO_DATE,
                                 widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"},
                                                        format="%Y-%m-%d"))
    birth_year = forms.IntegerField(label=_("or year of birth"), required=False, min_value=1900, max_value=2100,
                                    widget=forms.NumberInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
                                    help_text=_("When only the year is known."))
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial=Gender.UNKNOWN)
    age_group = forms.ChoiceField(label=_("Age group"), choices=AgeGroup.choices, initial=AgeGroup.UNKNOWN,
                                  help_text=_("Set from the date of birth when it is known."))
    citizenship = forms.ChoiceField(label=_("Citizenship"), required=False)
    displacement = forms.ChoiceField(label=_("Displacement status"), choices=Displacement.choices,
                                     initial=Displacement.UNKNOWN)
    location = PcodeField(label=_("Current location"), required=False,
                          help_text=_("Hromada, raion or oblast: type a name in Ukrainian or English, or a P-code."))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40,
                            widget=_private(inputmode="tel"))
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254, widget=_private(inputmode="email"))
    address = forms.CharField(label=_("Address"), required=False, max_length=200, widget=_private())
    id_document_type = forms.ChoiceField(label=_("Identity document"), required=False)
    id_document_number = forms.CharField(label=_("Document number"), required=False, max_length=200,
                                         widget=_private())

    # The action names these fields; the form shows their messages next to the same names.
    PERSONAL = ("family_name", "given_name", "patronymic", "birth_date", "phone", "email", "address",
                "id_document_type", "id_document_number")

    def __init__(self, data: Any = None, *, initial: dict[str, Any] | None = None) -> None:
        super().__init__(data, initial=initial)
        self.fields["citizenship"].choices = country_choices()  # type: ignore[attr-defined]
        self.fields["id_document_type"].choices = [("", "—"), *IdDocumentType.choices]  # type: ignore[attr-defined]
        for name, label in WG_DOMAINS:
            self.fields[name] = forms.ChoiceField(label=label, choices=WgLevel.choices, required=False)

    @property
    def disability_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _label in WG_DOMAINS]

    @property
    def identity_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("family_name", "given_name", "patronymic", "birth_date", "birth_year")]

    @property
    def contact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("phone", "email", "address", "id_document_type", "id_document_number")]

    @property
    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("gender", "age_group", "citizenship", "displacement", "location")]

    def clean_citizenship(self) -> Country | None:
        code = self.cleaned_data.get("citizenship") or ""
        return Country.objects.filter(iso2=code).first() if code else None

    def names(self) -> list[str]:
        """The names as posted (for the match search), even when another field is invalid."""
        return [str(self.data.get(n, ""))[:200] for n in ("given_name", "family_name", "patronymic")]

    def to_input(self) -> PersonInput:
        data = self.cleaned_data
        return PersonInput(
            given_name=data.get("given_name") or "", family_name=data.get("family_name") or "",
            patronymic=data.get("patronymic") or "", birth_date=data.get("birth_date"),
            birth_year=data.get("birth_year"), phone=data.get("phone") or "", email=data.get("email") or "",
            address=data.get("address") or "", id_document_type=data.get("id_document_type") or "",
            id_document_number=data.get("id_document_number") or "", gender=data.get("gender") or Gender.UNKNOWN,
            age_group=data.get("age_group") or AgeGroup.UNKNOWN, citizenship=data.get("citizenship"),
            displacement=data.get("displacement") or Displacement.UNKNOWN, location=data.get("location"),
            disability={name: data.get(name) or "" for name, _label in WG_DOMAINS if data.get(name)})


def person_initial(person: Person) -> dict[str, Any]:
    """The edit form's values: personal values included, so only after an audited reveal."""
    initial: dict[str, Any] = {name: getattr(person, name) for name in PersonForm.PERSONAL}
    initial.update({"birth_year": person.birth_year, "gender": person.gender, "age_group": person.age_group,
                    "citizenship": person.citizenship.iso2 if person.citizenship else "",
                    "displacement": person.displacement, "location": person.location})
    initial.update({name: getattr(person, name) for name, _label in WG_DOMAINS})
    return initial


def person_input_initial(data: PersonInput) -> dict[str, Any]:
    """Initial values of the registration form from an escalation's ``PersonInput``."""
    return {"given_name": data.given_name, "gender": data.gender, "age_group": data.age_group,
            "displacement": data.displacement, "location": data.location}


class MatchSearchForm(forms.Form):
    """What register.js posts to the match search: names and the date of birth (never in a URL)."""

    given_name = forms.CharField(required=False, max_length=200)
    family_name = forms.CharField(required=False, max_length=200)
    patronymic = forms.CharField(required=False, max_length=200)
    birth_date = forms.DateField(required=False, input_formats=ISO_DATE)


# --- Case ---------------------------------------------------------------------------------------------------------


class CaseForm(_MembersMixin, forms.Form):
    """The case part of a registration (also used to open a new case for a person already registered)."""

    category = forms.ChoiceField(label=_("Person category"),
                                 error_messages={"required": _("Choose the person's category.")})
    source = forms.ChoiceField(label=_("Source"), error_messages={"required": _("Say how the case came to you.")})
    referring_organisation = forms.CharField(label=_("Referring organisation"), required=False, max_length=200)
    case_worker = forms.ChoiceField(label=_("Case worker"), required=False)
    supervisor = forms.ChoiceField(label=_("Supervisor"), required=False)
    opened_on = forms.DateField(label=_("Opened on"), required=False, input_formats=ISO_DATE, widget=_date_input(),
                                help_text=_("Today unless the case was opened on paper earlier."))

    def __init__(self, data: Any = None, *, members: list[Membership], initial: dict[str, Any] | None = None
                 ) -> None:
        super().__init__(data, initial=initial)
        self.members = {m.user_id: m for m in members}
        self.fields["category"].choices = [("", "—"), *PersonCategory.choices]  # type: ignore[attr-defined]
        self.fields["source"].choices = [("", "—"), *CaseSource.choices]  # type: ignore[attr-defined]
        self.fields["case_worker"].choices = worker_choices(members)  # type: ignore[attr-defined]
        self.fields["supervisor"].choices = [("", "—"), *supervisor_choices(members)]  # type: ignore[attr-defined]

    def to_input(self) -> CaseInput:
        data = self.cleaned_data
        return CaseInput(category=data["category"], source=data["source"],
                         case_worker=self._user(data.get("case_worker") or ""),
                         supervisor=self._user(data.get("supervisor") or ""),
                         referring_organisation=data.get("referring_organisation") or "",
                         opened_on=data.get("opened_on"))


class RevealForm(forms.Form):
    prefix = "reveal"
    reason = forms.ChoiceField(label=_("Why do you need the personal details?"),
                               error_messages={"required": _("Say why you need to see the personal details."),
                                               "invalid_choice": _("Choose one of the reasons.")})

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        self.fields["reason"].choices = [("", "—"), *RevealReason.choices]  # type: ignore[attr-defined]


class ClosureForm(forms.Form):
    closure_reason = forms.ChoiceField(label=_("Reason for closing"), required=False)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        self.fields["closure_reason"].choices = [("", "—"), *ClosureReason.choices]  # type: ignore[attr-defined]


class AssignForm(_MembersMixin, forms.Form):
    case_worker = forms.ChoiceField(label=_("Case worker"))
    supervisor = forms.ChoiceField(label=_("Supervisor"))

    def __init__(self, data: Any = None, *, members: list[Membership], initial: dict[str, Any] | None = None
                 ) -> None:
        super().__init__(data, initial=initial)
        self.members = {m.user_id: m for m in members}
        self.fields["case_worker"].choices = worker_choices(members)  # type: ignore[attr-defined]
        self.fields["supervisor"].choices = supervisor_choices(members)  # type: ignore[attr-defined]

    def users(self) -> tuple[User | None, User | None]:
        return self._user(self.cleaned_data["case_worker"]), self._user(self.cleaned_data["supervisor"])
