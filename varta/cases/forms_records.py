"""Forms of the case record tabs: screening, consents, needs and plan, services, follow-ups, notes and files.

Each form parses what was posted into the input the action takes (``ScreeningInput``, ``ConsentInput``,
``NeedInput``, ``PlanItemInput``, ``ServiceInput``, the follow-up answers); the action checks it as a whole and its
ValidationError is shown on the form with ``add_action_errors``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from varta.cases import reintegration
from varta.cases.actions.consent import ConsentInput
from varta.cases.actions.followups import MAX_COUNT, MAX_INTERVAL_MONTHS
from varta.cases.actions.notes import NOTE_MAX
from varta.cases.actions.plan import NeedInput, PlanItemInput
from varta.cases.actions.screening import ScreeningInput
from varta.cases.actions.services import MAX_COST, ServiceInput, currency_codes
from varta.cases.models import (
    Case,
    ConsentMethod,
    ConsentPurpose,
    Need,
    NeedDomain,
    NrmDecision,
    PlanItem,
    PlanItemStatus,
    Relationship,
    ServiceOutcome,
    ServiceType,
)
from varta.core.htcds import (
    DecisionMakingOrg,
    ForcedLabourIndustry,
    MethodOfControl,
    RecruitmentMethod,
    SexExploitationType,
    TraffickingStatus,
    TypeOfExploitation,
)
from varta.geo.forms import PcodeField
from varta.geo.models import Country
from varta.hotline.forms import add_action_errors, country_choices
from varta.orgs.models import Organisation

__all__ = ["add_action_errors"]

ISO_DATE = ["%Y-%m-%d"]
# Currencies a response in Ukraine or Moldova uses most, first in the list; then every other ISO 4217 code.
COMMON_CURRENCIES = ("UAH", "EUR", "USD", "MDL", "PLN", "RON", "GBP", "CHF", "CZK")


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def blank(label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label)]


def partner_organisations() -> QuerySet[Organisation]:
    """Active organisations of the response: a case can be referred to any of them (with the person's consent).

    Organisations are reference data every member sees (names only), not another organisation's records.
    """
    return Organisation.objects.filter(is_active=True).order_by("name")


def organisation_choices(own_id: int, *, consented: set[int] | None = None, empty: Any = None
                         ) -> list[tuple[str, str]]:
    """The own organisation first (no consent needed), then partners; those with a referral consent marked."""
    consented = consented or set()
    own: list[tuple[str, str]] = []
    others: list[tuple[str, str]] = []
    for org in partner_organisations():
        if org.pk == own_id:
            own.append((str(org.pk), str(_("%(name)s (your organisation)") % {"name": org.name})))
        elif org.pk in consented:
            others.append((str(org.pk), str(_("%(name)s — referral consent recorded") % {"name": org.name})))
        else:
            others.append((str(org.pk), org.name))
    first = [("", str(empty))] if empty is not None else []
    return [*first, *own, *others]


class _OrganisationMixin:
    """A choice field of organisation ids, cleaned into the ``Organisation`` row."""

    def _organisation(self, value: str) -> Organisation | None:
        if not value:
            return None
        try:
            return partner_organisations().get(pk=int(value))
        except (Organisation.DoesNotExist, ValueError):
            return None


# --- Screening ---------------------------------------------------------------------------------------------------


def _checks(label: Any, choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=label, choices=choices, required=False,
                                     widget=forms.CheckboxSelectMultiple)


class ScreeningForm(forms.Form):
    types_of_exploitation = _checks(_("Types of exploitation"), TypeOfExploitation.choices)
    forced_labour_industries = _checks(_("Forced-labour industries (ISIC)"), ForcedLabourIndustry.choices)
    sex_exploitation_types = _checks(_("Types of sexual exploitation"), SexExploitationType.choices)
    methods_of_control = _checks(_("Methods of control"), MethodOfControl.choices)
    recruitment_methods = _checks(_("Methods of recruitment"), RecruitmentMethod.choices)
    relationship = forms.ChoiceField(label=_("Relationship to the trafficker"), required=False,
                                     choices=[*blank(), *Relationship.choices])
    recruitment_country = forms.ChoiceField(label=_("Country of recruitment"), required=False)
    recruitment_place = PcodeField(label=_("Place of recruitment"), required=False,
                                   help_text=_("In Ukraine or another country with P-codes: type a name or a "
                                               "P-code."))
    exploitation_countries = forms.MultipleChoiceField(
        label=_("Countries of exploitation"), required=False,
        widget=forms.SelectMultiple(attrs={"size": "6"}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."))
    exploitation_place = PcodeField(label=_("Place of exploitation"), required=False,
                                    help_text=_("Type a name or a P-code."))
    exploitation_start = forms.DateField(label=_("Exploitation began"), required=False, input_formats=ISO_DATE,
                                         widget=date_input())
    exploitation_end = forms.DateField(label=_("Exploitation ended"), required=False, input_formats=ISO_DATE,
                                       widget=date_input())
    trafficking_status = forms.ChoiceField(label=_("Trafficking status"), required=False,
                                           choices=[*blank(), *TraffickingStatus.choices])
    decided_by = forms.ChoiceField(label=_("Decided by"), required=False,
                                   choices=[*blank(), *DecisionMakingOrg.choices])
    decided_on = forms.DateField(label=_("Decided on"), required=False, input_formats=ISO_DATE,
                                 widget=date_input())
    nrm_applied_on = forms.DateField(label=_("Applied at the local administration"), required=False,
                                     input_formats=ISO_DATE, widget=date_input())
    nrm_interview_on = forms.DateField(label=_("Interview"), required=False, input_formats=ISO_DATE,
                                       widget=date_input())
    nrm_decision = forms.ChoiceField(label=_("Ministry of Social Policy decision"), required=False,
                                     choices=[*blank(), *NrmDecision.choices])
    nrm_decision_on = forms.DateField(label=_("Decision date"), required=False, input_formats=ISO_DATE,
                                      widget=date_input())

    LISTS = ("types_of_exploitation", "forced_labour_industries", "sex_exploitation_types", "methods_of_control",
             "recruitment_methods")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = country_choices()
        self.fields["recruitment_country"].choices = countries  # type: ignore[attr-defined]
        self.fields["exploitation_countries"].choices = countries[1:]  # type: ignore[attr-defined]

    @staticmethod
    def initial_from(screening: Any) -> dict[str, Any]:
        if screening is None:
            return {}
        values = {name: getattr(screening, name) for name in ScreeningForm.base_fields}
        values["recruitment_country"] = screening.recruitment_country.iso2 if screening.recruitment_country else ""
        values["exploitation_countries"] = [c.iso2 for c in screening.exploitation_countries.all()]
        return values

    def to_input(self) -> ScreeningInput:
        data = self.cleaned_data
        by_iso2 = {c.iso2: c for c in Country.objects.filter(
            iso2__in=[data["recruitment_country"], *data["exploitation_countries"]])}
        return ScreeningInput(
            **{name: list(data[name]) for name in self.LISTS},
            relationship=data["relationship"], recruitment_country=by_iso2.get(data["recruitment_country"]),
            recruitment_place=data["recruitment_place"],
            exploitation_countries=[by_iso2[c] for c in data["exploitation_countries"] if c in by_iso2],
            exploitation_place=data["exploitation_place"], exploitation_start=data["exploitation_start"],
            exploitation_end=data["exploitation_end"], trafficking_status=data["trafficking_status"],
            decided_by=data["decided_by"], decided_on=data["decided_on"], nrm_applied_on=data["nrm_applied_on"],
            nrm_interview_on=data["nrm_interview_on"], nrm_decision=data["nrm_decision"],
            nrm_decision_on=data["nrm_decision_on"])


# --- Consents ----------------------------------------------------------------------------------------------------


class ConsentForm(_OrganisationMixin, forms.Form):
    purpose = forms.ChoiceField(label=_("The person consents to"), choices=[*blank(), *ConsentPurpose.choices])
    recipient = forms.ChoiceField(label=_("Organisation referred to"), required=False,
                                  help_text=_("Only for a referral: the organisation the person agrees to be "
                                              "referred to."))
    given_on = forms.DateField(label=_("Given on"), input_formats=ISO_DATE, widget=date_input())
    method = forms.ChoiceField(label=_("How it was given"), choices=[*blank(), *ConsentMethod.choices])

    def __init__(self, *args: Any, own_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"given_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in organisation_choices(own_id, empty="—") if value != str(own_id)]

    def to_input(self) -> ConsentInput:
        data = self.cleaned_data
        return ConsentInput(purpose=data["purpose"], given_on=data["given_on"], method=data["method"],
                            recipient=self._organisation(data["recipient"]))


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), input_formats=ISO_DATE, widget=date_input())


# --- Needs and plan ----------------------------------------------------------------------------------------------


class NeedForm(forms.Form):
    domain = forms.ChoiceField(label=_("Domain"), choices=[*blank(), *NeedDomain.choices])
    description = forms.CharField(label=_("What is needed"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def to_input(self) -> NeedInput:
        return NeedInput(domain=self.cleaned_data["domain"], description=self.cleaned_data["description"])


class PlanItemForm(_OrganisationMixin, forms.Form):
    need = forms.ChoiceField(label=_("For the need"), required=False)
    service_type = forms.ChoiceField(label=_("Service"), choices=[*blank(), *ServiceType.choices])
    provider = forms.ChoiceField(label=_("Provider"), required=False,
                                 help_text=_("Another organisation needs the person's referral consent naming it."))
    target_date = forms.DateField(label=_("Target date"), input_formats=ISO_DATE, widget=date_input())
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, case: Case, needs: list[Need], consented: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs = {str(n.pk): n for n in needs}
        self.fields["need"].choices = [  # type: ignore[attr-defined]
            *blank(_("— none —")),
            *((str(n.pk), f"{n.get_domain_display()}: {n.description[:60]}" if n.description
               else n.get_domain_display()) for n in needs)]
        self.fields["provider"].choices = organisation_choices(  # type: ignore[attr-defined]
            case.organisation_id, consented=consented)
        self.fields["provider"].initial = str(case.organisation_id)

    def to_input(self) -> PlanItemInput:
        data = self.cleaned_data
        return PlanItemInput(service_type=data["service_type"], target_date=data["target_date"],
                             need=self.needs.get(data["need"]), provider=self._organisation(data["provider"]),
                             note=data["note"])


class PlanItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=PlanItemStatus.choices)


# --- Services ----------------------------------------------------------------------------------------------------


def currency_choices() -> list[tuple[str, str]]:
    codes = currency_codes()
    common = [c for c in COMMON_CURRENCIES if c in codes]
    return [*blank(), *((c, c) for c in common), *((c, c) for c in sorted(codes - set(common)))]


class ServiceForm(_OrganisationMixin, forms.Form):
    service_type = forms.ChoiceField(label=_("Service"), choices=[*blank(), *ServiceType.choices])
    plan_item = forms.ChoiceField(label=_("Answers the plan item"), required=False,
                                  help_text=_("The plan item is marked done."))
    provider = forms.ChoiceField(label=_("Provider"), required=False,
                                 help_text=_("Another organisation needs the person's referral consent naming it."))
    provider_other = forms.CharField(label=_("Or a provider outside Varta"), required=False, max_length=200)
    started_on = forms.DateField(label=_("Began on (admission)"), input_formats=ISO_DATE, widget=date_input(),
                                 error_messages={"required": _("Give the date the service began.")})
    ended_on = forms.DateField(label=_("Ended on (discharge)"), required=False, input_formats=ISO_DATE,
                               widget=date_input(),
                               help_text=_("For a rehabilitation-centre stay: the discharge date."))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ServiceOutcome.choices, initial=ServiceOutcome.ONGOING)
    cost = forms.DecimalField(label=_("Cost"), required=False, min_value=0, max_value=MAX_COST, decimal_places=2,
                              max_digits=10, widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    project_code = forms.CharField(label=_("Donor or project code"), required=False, max_length=60)

    def __init__(self, *args: Any, case: Case, plan_items: list[PlanItem], consented: set[int],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan_items = {str(p.pk): p for p in plan_items}
        self.fields["plan_item"].choices = [  # type: ignore[attr-defined]
            *blank(_("— none —")),
            *((str(p.pk), f"{p.get_service_type_display()} · {p.target_date.isoformat()}") for p in plan_items)]
        self.fields["provider"].choices = organisation_choices(  # type: ignore[attr-defined]
            case.organisation_id, consented=consented)
        self.fields["currency"].choices = currency_choices()  # type: ignore[attr-defined]

    @staticmethod
    def initial_from(service: Any) -> dict[str, Any]:
        values = {name: getattr(service, name) for name in ("service_type", "provider_other", "started_on",
                                                            "ended_on", "outcome", "cost", "currency",
                                                            "project_code")}
        values["provider"] = str(service.provider_id or service.organisation_id)
        values["plan_item"] = str(service.plan_item_id or "")
        return values

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Said here too (the action checks it), so that it shows with the other fields' messages in one go.
        if data.get("cost") is not None and not data.get("currency") and "currency" not in self.errors:
            self.add_error("currency", _("Give the currency of the cost (such as UAH)."))
        return data

    def to_input(self) -> ServiceInput:
        data = self.cleaned_data
        return ServiceInput(
            service_type=data["service_type"], started_on=data["started_on"], ended_on=data["ended_on"],
            provider=self._organisation(data["provider"]), provider_other=data["provider_other"],
            cost=data["cost"], currency=data["currency"], project_code=data["project_code"],
            outcome=data["outcome"], plan_item=self.plan_items.get(data["plan_item"]))


# --- Follow-ups --------------------------------------------------------------------------------------------------


class ScheduleForm(forms.Form):
    first_on = forms.DateField(label=_("First follow-up on"), input_formats=ISO_DATE, widget=date_input(),
                               help_text=_("For example three months after assistance ends."))
    interval_months = forms.IntegerField(label=_("Then every (months)"), min_value=1, max_value=MAX_INTERVAL_MONTHS,
                                         initial=3)
    count = forms.IntegerField(label=_("Number of follow-ups"), min_value=1, max_value=MAX_COUNT, initial=3)


UNANSWERED = ""


class FollowUpForm(forms.Form):
    """The date and the questionnaire: one radio group (1–5, or no answer) per statement."""

    done_on = forms.DateField(label=_("Follow-up held on"), input_formats=ISO_DATE, widget=date_input())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(value), str(value)) for value, _label in reintegration.SCALE]
        for question in reintegration.QUESTIONS:
            self.fields[question.code] = forms.ChoiceField(
                label=str(question.text), required=False, widget=forms.RadioSelect,
                choices=[*choices, (UNANSWERED, _("no answer"))], initial=UNANSWERED)

    def dimensions(self) -> list[tuple[str, Any, list[forms.BoundField]]]:
        """The statements' fields grouped by dimension (value, label, fields), for the template."""
        return [(dimension.value, dimension.label, [self[q.code] for q in reintegration.questions_of(dimension)])
                for dimension in reintegration.Dimension]

    def answers(self) -> dict[str, str]:
        return {q.code: self.cleaned_data.get(q.code) or "" for q in reintegration.QUESTIONS}

    @staticmethod
    def initial_from(done_on: date | None, answers: dict[str, int]) -> dict[str, Any]:
        return {"done_on": done_on or timezone.localdate(),
                **{code: str(value) for code, value in answers.items()}}


# --- Notes and files ---------------------------------------------------------------------------------------------


class NoteForm(forms.Form):
    text = forms.CharField(label=_("New note"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Notes cannot be edited or deleted: to correct one, add a new note."))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), allow_empty_file=True,
                           help_text=_("PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) or plain text."))
