"""Screening: the HTCDS victim context and the national referral mechanism (NRM) track of a case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from varta.accounts.permissions import Action, require
from varta.audit import writes
from varta.audit.writes import Actor
from varta.cases.models import Case, NrmDecision, Relationship, Screening
from varta.core.htcds import (
    DecisionMakingOrg,
    ForcedLabourIndustry,
    MethodOfControl,
    RecruitmentMethod,
    SexExploitationType,
    TraffickingStatus,
    TypeOfExploitation,
)
from varta.geo.models import AdminUnit, Country
from varta.orgs.models import Membership


@dataclass
class ScreeningInput:
    types_of_exploitation: list[str] = field(default_factory=list)
    forced_labour_industries: list[str] = field(default_factory=list)
    sex_exploitation_types: list[str] = field(default_factory=list)
    methods_of_control: list[str] = field(default_factory=list)
    recruitment_methods: list[str] = field(default_factory=list)
    relationship: str = ""
    recruitment_country: Country | None = None
    recruitment_place: AdminUnit | None = None
    exploitation_countries: list[Country] = field(default_factory=list)
    exploitation_place: AdminUnit | None = None
    exploitation_start: date | None = None
    exploitation_end: date | None = None
    trafficking_status: str = ""
    decided_by: str = ""
    decided_on: date | None = None
    nrm_applied_on: date | None = None
    nrm_interview_on: date | None = None
    nrm_decision: str = ""
    nrm_decision_on: date | None = None


LISTS: tuple[tuple[str, type[models.Choices]], ...] = (
    ("types_of_exploitation", TypeOfExploitation), ("forced_labour_industries", ForcedLabourIndustry),
    ("sex_exploitation_types", SexExploitationType), ("methods_of_control", MethodOfControl),
    ("recruitment_methods", RecruitmentMethod),
)


def _allowed(choices: type[models.Choices]) -> set[str]:
    return {str(v) for v in choices.values}


def validate_screening(data: ScreeningInput, *, today: date | None = None) -> ScreeningInput:
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    for name, choices in LISTS:
        values = getattr(data, name)
        unknown = [v for v in values if v not in _allowed(choices)]
        if unknown:
            errors[name] = [_("Unknown value: %(values)s.") % {"values": ", ".join(map(str, unknown))}]
        setattr(data, name, sorted(set(values) - set(unknown)))
    for name, value, choices in (("relationship", data.relationship, Relationship),
                                 ("trafficking_status", data.trafficking_status, TraffickingStatus),
                                 ("decided_by", data.decided_by, DecisionMakingOrg),
                                 ("nrm_decision", data.nrm_decision, NrmDecision)):
        if value and value not in _allowed(choices):
            errors[name] = [_("“%(value)s” is not one of the allowed values.") % {"value": value}]
    if data.forced_labour_industries and TypeOfExploitation.FORCED_LABOUR not in data.types_of_exploitation:
        errors.setdefault("forced_labour_industries", []).append(
            _("An industry is recorded only for forced labour."))
    if data.sex_exploitation_types and TypeOfExploitation.SEXUAL_EXPLOITATION not in data.types_of_exploitation:
        errors.setdefault("sex_exploitation_types", []).append(
            _("A type of sexual exploitation is recorded only for sexual exploitation."))
    for name in ("exploitation_start", "exploitation_end", "decided_on", "nrm_applied_on", "nrm_interview_on",
                 "nrm_decision_on"):
        value = getattr(data, name)
        if value is not None and value > today:
            errors.setdefault(name, []).append(_("This date is in the future."))
    if data.exploitation_start and data.exploitation_end and data.exploitation_end < data.exploitation_start:
        errors.setdefault("exploitation_end", []).append(_("The exploitation cannot end before it began."))
    if (data.decided_by or data.decided_on) and not data.trafficking_status:
        errors.setdefault("trafficking_status", []).append(_("Record the decision the date and decider refer to."))
    # The NRM track is a sequence: application → interview → decision by the Ministry of Social Policy.
    if data.nrm_interview_on and not data.nrm_applied_on:
        errors.setdefault("nrm_applied_on", []).append(_("An interview follows an application: give its date."))
    if data.nrm_applied_on and data.nrm_interview_on and data.nrm_interview_on < data.nrm_applied_on:
        errors.setdefault("nrm_interview_on", []).append(_("The interview cannot come before the application."))
    decided = data.nrm_decision in (NrmDecision.GRANTED, NrmDecision.REFUSED)
    if decided and not data.nrm_decision_on:
        errors.setdefault("nrm_decision_on", []).append(_("Give the date of the decision."))
    if data.nrm_decision_on and not decided:
        errors.setdefault("nrm_decision", []).append(_("Say what was decided on that date."))
    if decided and not data.nrm_applied_on:
        errors.setdefault("nrm_applied_on", []).append(_("A decision follows an application: give its date."))
    last_step = data.nrm_interview_on or data.nrm_applied_on
    if data.nrm_decision_on and last_step and data.nrm_decision_on < last_step:
        errors.setdefault("nrm_decision_on", []).append(_("The decision cannot come before the earlier steps."))
    if data.recruitment_place is not None and data.recruitment_country is not None and \
            data.recruitment_place.country_iso3 != data.recruitment_country.iso3:
        errors.setdefault("recruitment_place", []).append(_("This place is not in the country of recruitment."))
    if errors:
        raise ValidationError(errors)
    return data


def screening_fields(data: ScreeningInput) -> dict[str, object]:
    return {name: getattr(data, name) for name in (
        "types_of_exploitation", "forced_labour_industries", "sex_exploitation_types", "methods_of_control",
        "recruitment_methods", "relationship", "recruitment_country", "recruitment_place", "exploitation_place",
        "exploitation_start", "exploitation_end", "trafficking_status", "decided_by", "decided_on",
        "nrm_applied_on", "nrm_interview_on", "nrm_decision", "nrm_decision_on")}


def save_screening(*, actor: Actor, membership: Membership, case: Case, data: ScreeningInput) -> Screening:
    """Create or correct the case's screening (one per case)."""
    require(membership, Action.CASE_WORK)
    if case.is_closed:
        raise ValidationError({"case": [_("This case is closed.")]})
    validate_screening(data)
    with transaction.atomic():
        screening = Screening.objects.filter(case=case).first()
        if screening is None:
            screening = writes.create(Screening(organisation_id=case.organisation_id, case=case,
                                                **screening_fields(data)), actor=actor)
        else:
            writes.update(screening, actor=actor, changes=screening_fields(data))
        current = sorted(screening.exploitation_countries.values_list("pk", flat=True))
        wanted = sorted({c.pk for c in data.exploitation_countries})
        if current != wanted:
            writes.set_m2m(screening, "exploitation_countries", wanted, actor=actor)
    return screening
