"""API shapes of case management: input and output serializers, kept apart.

Input serializers check the shape of a request and turn codes into rows (P-code → AdminUnit, ISO2 → Country, user
id → a member of the acting organisation, organisation id → Organisation), naming any value they do not know; the
rules of persons, cases and their records are the actions' (the API builds the actions' input dataclasses and calls
them, so a page and the API refuse the same things).

Output serializers never carry a person's identifying fields (``Person.PERSONAL_FIELDS``): those leave only in
``personal``, which the views fill after an audited reveal (``actions.cases.reveal``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from varta.accounts.models import User
from varta.cases.actions.cases import CaseInput, PersonInput
from varta.cases.actions.consent import ConsentInput
from varta.cases.actions.plan import PlanItemInput
from varta.cases.actions.screening import ScreeningInput
from varta.cases.actions.services import ServiceInput
from varta.cases.models import (
    WG_DOMAINS,
    Attachment,
    Case,
    CaseNote,
    CaseSource,
    CaseStage,
    CaseTransition,
    ClosureReason,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    FollowUp,
    IdDocumentType,
    Need,
    NeedDomain,
    NrmDecision,
    Person,
    PersonCategory,
    PlanItem,
    PlanItemStatus,
    Relationship,
    Screening,
    Service,
    ServiceOutcome,
    ServiceType,
    WgLevel,
)
from varta.cases.search import Match
from varta.core.htcds import (
    DecisionMakingOrg,
    ForcedLabourIndustry,
    Gender,
    MethodOfControl,
    RecruitmentMethod,
    SexExploitationType,
    TraffickingStatus,
    TypeOfExploitation,
)
from varta.core.reveal import RevealReason
from varta.core.serializers import BuiltOnce, choices_of
from varta.geo.models import AdminUnit, Country
from varta.geo.selectors import unit_with_parents
from varta.hotline.models import AgeGroup, Displacement, Escalation
from varta.orgs.models import Membership, Organisation

MAX_ID = 2**63 - 1


# --- Codes → rows --------------------------------------------------------------------------------------------


def resolve_place(value: str | None) -> AdminUnit | None:
    if not value or not value.strip():
        return None
    code = value.strip().upper()
    unit = unit_with_parents(code)
    if unit is None:
        raise serializers.ValidationError(_("Unknown P-code “%(code)s”.") % {"code": code})
    return unit


def resolve_country(value: str | None) -> Country | None:
    if not value or not value.strip():
        return None
    code = value.strip().upper()
    country = Country.objects.filter(iso2=code).first()
    if country is None:
        raise serializers.ValidationError(_("Unknown country code “%(code)s”.") % {"code": code})
    return country


def member_of(organisation_id: int, user_id: int | None, message: Any) -> User | None:
    """A user with an active membership of the organisation (another organisation's user reads as unknown)."""
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, memberships__organisation_id=organisation_id,
                               memberships__is_active=True).first()
    if user is None:
        raise serializers.ValidationError(message)
    return user


def _id(*, required: bool = True, help_text: Any = None) -> serializers.IntegerField:
    return serializers.IntegerField(required=required, min_value=1, max_value=MAX_ID, help_text=help_text)


def _optional_id(help_text: Any = None) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID,
                                    help_text=help_text)


def _pcode(help_text: Any) -> serializers.CharField:
    return serializers.CharField(max_length=20, required=False, allow_null=True, allow_blank=True, default=None,
                                 help_text=help_text)


def _iso2(help_text: Any) -> serializers.CharField:
    return serializers.CharField(max_length=2, required=False, allow_null=True, allow_blank=True, default=None,
                                 help_text=help_text)


def _text(max_length: int, help_text: Any = None) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, allow_blank=True, default="", help_text=help_text)


# --- Persons -------------------------------------------------------------------------------------------------


class DisabilityIn(serializers.Serializer[dict[str, Any]]):
    """Washington Group short set: one answer per domain (1 no difficulty … 4 cannot do at all; blank: not asked)."""

    wg_seeing = serializers.ChoiceField(choices=choices_of(WgLevel), required=False)
    wg_hearing = serializers.ChoiceField(choices=choices_of(WgLevel), required=False)
    wg_walking = serializers.ChoiceField(choices=choices_of(WgLevel), required=False)
    wg_cognition = serializers.ChoiceField(choices=choices_of(WgLevel), required=False)
    wg_selfcare = serializers.ChoiceField(choices=choices_of(WgLevel), required=False)
    wg_communication = serializers.ChoiceField(choices=choices_of(WgLevel), required=False)


class PersonIn(serializers.Serializer[dict[str, Any]]):
    """A person as a case worker records them. The identifying fields are encrypted at rest and never shown back
    except through an audited reveal."""

    given_name = _text(200, _("As written, in Cyrillic or Latin."))
    family_name = _text(200, _("A given or a family name is needed (a pseudonym is fine)."))
    patronymic = _text(200)
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    birth_year = serializers.IntegerField(required=False, allow_null=True, default=None,
                                          help_text=_("When only the year is known; derived from the date of "
                                                      "birth otherwise."))
    phone = _text(40, _("E.g. +380671234567."))
    email = _text(254)
    address = _text(200)
    id_document_type = serializers.ChoiceField(choices=choices_of(IdDocumentType), allow_blank=True, default="")
    id_document_number = _text(200)
    gender = serializers.ChoiceField(choices=choices_of(Gender), default=Gender.UNKNOWN,
                                     help_text=_("HTCDS prs_Gender."))
    age_group = serializers.ChoiceField(choices=choices_of(AgeGroup), default=AgeGroup.UNKNOWN,
                                        help_text=_("Derived from the date of birth when it is given."))
    citizenship = _iso2(_("ISO 3166-1 alpha-2 code."))
    displacement = serializers.ChoiceField(choices=choices_of(Displacement), default=Displacement.UNKNOWN)
    location = _pcode(_("P-code of the person's current location."))
    disability = DisabilityIn(required=False)

    def validate_citizenship(self, value: str | None) -> Country | None:
        return resolve_country(value)

    def validate_location(self, value: str | None) -> AdminUnit | None:
        return resolve_place(value)

    def person_input(self, current: Person | None = None) -> PersonInput:
        return person_input(self.validated_data, current)


def person_input(validated: dict[str, Any], current: Person | None = None) -> PersonInput:
    """A validated PersonIn as a PersonInput; for a correction, fields left out keep ``current``'s values."""
    data = dict(validated)
    base = person_as_input(current) if current is not None else PersonInput()
    if "disability" in data:
        base.disability = {**base.disability, **data.pop("disability")}
    for name, value in data.items():
        setattr(base, name, value)
    if current is not None and "birth_date" in data and "birth_year" not in data:
        base.birth_year = None  # a new date of birth brings its own year
    return base


def nest_person_errors(errors: dict[str, list[str]]) -> dict[str, Any]:
    """A registration's errors shaped like its request: the person's fields under ``person``."""
    person_fields = set(PersonIn().fields) | {name for name, _label in WG_DOMAINS}
    nested: dict[str, Any] = {}
    for name, messages in errors.items():
        if name in person_fields:
            nested.setdefault("person", {})[name] = messages
        else:
            nested[name] = messages
    return nested


def person_as_input(person: Person) -> PersonInput:
    return PersonInput(
        given_name=person.given_name, family_name=person.family_name, patronymic=person.patronymic,
        birth_date=date.fromisoformat(person.birth_date) if person.birth_date else None, birth_year=person.birth_year,
        phone=person.phone, email=person.email, address=person.address, id_document_type=person.id_document_type,
        id_document_number=person.id_document_number, gender=person.gender, age_group=person.age_group,
        citizenship=person.citizenship, displacement=person.displacement, location=person.location,
        disability={name: getattr(person, name) for name, _label in WG_DOMAINS if getattr(person, name)})


class PersonalOut(serializers.Serializer[dict[str, Any]]):
    """A person's identifying fields, decrypted: only after an audited reveal, only the fields asked for."""

    given_name = serializers.CharField(required=False)
    family_name = serializers.CharField(required=False)
    patronymic = serializers.CharField(required=False)
    birth_date = serializers.CharField(required=False, help_text=_("yyyy-mm-dd, or blank."))
    phone = serializers.CharField(required=False)
    email = serializers.CharField(required=False)
    address = serializers.CharField(required=False)
    id_document_type = serializers.CharField(required=False)
    id_document_number = serializers.CharField(required=False)


def personal_of(person: Person, fields: list[str]) -> dict[str, str]:
    return {name: getattr(person, name) for name in Person.PERSONAL_FIELDS if name in fields}


class DisabilityOut(serializers.Serializer[dict[str, Any]]):
    wg_seeing = serializers.CharField()
    wg_hearing = serializers.CharField()
    wg_walking = serializers.CharField()
    wg_cognition = serializers.CharField()
    wg_selfcare = serializers.CharField()
    wg_communication = serializers.CharField()


class PersonOut(BuiltOnce, serializers.ModelSerializer[Person]):
    """A person's non-identifying attributes (kept in clear for statistics)."""

    citizenship = serializers.CharField(source="citizenship_id", allow_null=True, help_text=_("ISO 3166-1 alpha-2."))
    location = serializers.CharField(source="location_id", allow_null=True, help_text=_("P-code."))
    location_name = serializers.CharField(source="location.display_name", allow_null=True, default=None)
    disability = serializers.SerializerMethodField()
    has_disability = serializers.BooleanField(read_only=True, help_text=_(
        "Washington Group cut-off: a lot of difficulty, or cannot do at all, in at least one domain."))
    anonymised = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "gender", "birth_year", "age_group", "citizenship", "displacement", "location",
                  "location_name", "disability", "has_disability", "anonymised", "created_at"]
        read_only_fields = fields

    @extend_schema_field(DisabilityOut)
    def get_disability(self, person: Person) -> dict[str, str]:
        return {name: getattr(person, name) for name, _label in WG_DOMAINS}

    def get_anonymised(self, person: Person) -> bool:
        return person.anonymised_at is not None


class PersonRevealedOut(PersonOut):
    personal = serializers.SerializerMethodField(help_text=_(
        "The identifying fields: null unless the request asked for them with ?reveal=<reason> (an audited view)."))

    class Meta(PersonOut.Meta):
        fields = [*PersonOut.Meta.fields, "personal"]
        read_only_fields = fields

    @extend_schema_field(PersonalOut(allow_null=True))
    def get_personal(self, person: Person) -> dict[str, str] | None:
        personal: dict[str, str] | None = self.context.get("personal")
        return personal


class CaseBriefOut(serializers.ModelSerializer[Case]):
    class Meta:
        model = Case
        fields = ["id", "reference", "stage", "opened_on"]
        read_only_fields = fields


class PersonDetailOut(PersonRevealedOut):
    cases = serializers.SerializerMethodField(help_text=_("The person's cases you may see."))

    class Meta(PersonRevealedOut.Meta):
        fields = [*PersonRevealedOut.Meta.fields, "cases"]
        read_only_fields = fields

    @extend_schema_field(CaseBriefOut(many=True))
    def get_cases(self, person: Person) -> list[dict[str, Any]]:
        return list(CaseBriefOut(self.context.get("cases", []), many=True).data)


class RevealQuery(serializers.Serializer[dict[str, Any]]):
    reveal = serializers.ChoiceField(
        choices=choices_of(RevealReason), required=False,
        help_text=_("Why you need the person's identifying fields. With a reason the answer includes them "
                    "(`personal`) and the reveal is written to the audit trail with the reason and the fields; "
                    "without one they are left out."))
    reveal_fields = serializers.CharField(
        required=False, max_length=300,
        help_text=_("Comma-separated names of the identifying fields to reveal (default: all of them): %(names)s.")
        % {"names": ", ".join(Person.PERSONAL_FIELDS)})

    def validate_reveal_fields(self, value: str) -> list[str]:
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in Person.PERSONAL_FIELDS]
        if unknown:
            raise serializers.ValidationError(_("Unknown field: %(names)s.") % {"names": ", ".join(unknown)})
        return names

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("reveal_fields") and not attrs.get("reveal"):
            raise serializers.ValidationError({"reveal": [_("Say why you need to see the personal details.")]})
        return attrs

    def revealed_fields(self) -> list[str] | None:
        """The fields asked for, or None when nothing is to be revealed."""
        if not self.validated_data.get("reveal"):
            return None
        return self.validated_data.get("reveal_fields") or list(Person.PERSONAL_FIELDS)


class PersonSearchIn(serializers.Serializer[dict[str, Any]]):
    given_name = _text(200)
    family_name = _text(200)
    patronymic = _text(200)
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not any(attrs[name].strip() for name in ("given_name", "family_name", "patronymic")):
            raise serializers.ValidationError({"family_name": [_("Type at least one name to search for.")]})
        return attrs


class MatchCaseOut(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField(allow_null=True, help_text=_("Null for a case you may not see."))
    reference = serializers.CharField()
    stage = serializers.ChoiceField(choices=choices_of(CaseStage))
    case_worker = serializers.CharField(help_text=_("The case worker's name: ask them about the person."))
    visible = serializers.BooleanField()


class PersonMatchOut(serializers.Serializer[dict[str, Any]]):
    """A possible existing person: never a name or a date of birth (see GET persons/{id}/?reveal=verify)."""

    person = serializers.IntegerField(help_text=_("Id of the person."))
    score = serializers.FloatField(help_text=_("How alike the names are, 0 to 1 (a bonus for the same date of "
                                               "birth)."))
    birth_date_matches = serializers.BooleanField(help_text=_("Only said for a person you may see."))
    visible = serializers.BooleanField(help_text=_(
        "Whether you may open the person's record (one of their cases is yours). If not, ask the case worker "
        "named in `cases` instead of registering the person again."))
    cases = MatchCaseOut(many=True, help_text=_("The person's cases in your organisation, newest first."))


def match_out(match: Match) -> dict[str, Any]:
    return {"person": match.person_id, "score": match.score, "birth_date_matches": match.birth_date_matches,
            "visible": match.visible,
            "cases": [{"id": c.case_id if c.visible else None, "reference": c.reference, "stage": c.stage,
                       "case_worker": c.case_worker, "visible": c.visible} for c in match.cases]}


# --- Cases ---------------------------------------------------------------------------------------------------


class CaseFieldsIn(serializers.Serializer[dict[str, Any]]):
    """A case being opened. Needs ``membership`` in the context (to resolve users and escalations)."""

    category = serializers.ChoiceField(choices=choices_of(PersonCategory))
    source = serializers.ChoiceField(choices=choices_of(CaseSource))  # type: ignore[assignment]  # (Field.source)
    case_worker = _optional_id(_("User id; yourself when left out."))
    supervisor = _optional_id(_("User id; the organisation's supervisor when it has only one."))
    referring_organisation = _text(200)
    opened_on = serializers.DateField(required=False, allow_null=True, default=None,
                                      help_text=_("Today when left out."))
    escalation = _optional_id(_("Id of the pending hotline escalation this case answers."))

    def _membership(self) -> Membership:
        membership: Membership = self.context["membership"]
        return membership

    def validate_case_worker(self, value: int | None) -> User | None:
        return member_of(self._membership().organisation_id, value,
                         _("Choose a case worker of your organisation."))

    def validate_supervisor(self, value: int | None) -> User | None:
        return member_of(self._membership().organisation_id, value, _("Choose a supervisor of your organisation."))

    def validate_escalation(self, value: int | None) -> Escalation | None:
        if value is None:
            return None
        from varta.hotline import selectors as hotline_selectors

        escalation = hotline_selectors.escalations_visible(self._membership()).select_related("contact").filter(
            pk=value).first()
        if escalation is None:
            raise serializers.ValidationError(_("Unknown escalation %(id)s.") % {"id": value})
        return escalation

    def case_input(self) -> CaseInput:
        data = self.validated_data
        return CaseInput(category=data["category"], source=data["source"], case_worker=data["case_worker"],
                         supervisor=data["supervisor"], referring_organisation=data["referring_organisation"],
                         opened_on=data["opened_on"])


class RegisterIn(CaseFieldsIn):
    person = PersonIn(help_text=_("The person to register (search first: POST persons/search/)."))


class TransitionOut(serializers.ModelSerializer[CaseTransition]):
    by = serializers.IntegerField(source="by_id", help_text=_("User id."))
    by_name = serializers.CharField(source="by.full_name")
    approved_by = serializers.IntegerField(source="approved_by_id", allow_null=True,
                                           help_text=_("The supervisor who approved a closure."))

    class Meta:
        model = CaseTransition
        fields = ["from_stage", "to_stage", "by", "by_name", "approved_by", "at"]
        read_only_fields = fields


class CaseOut(BuiltOnce, serializers.ModelSerializer[Case]):
    """A case without anything that identifies the person (the person is an id here)."""

    person = serializers.IntegerField(source="person_id")
    case_worker = serializers.IntegerField(source="case_worker_id", help_text=_("User id."))
    case_worker_name = serializers.CharField(source="case_worker.full_name")
    supervisor = serializers.IntegerField(source="supervisor_id", help_text=_("User id."))
    supervisor_name = serializers.CharField(source="supervisor.full_name")
    escalation = serializers.IntegerField(source="escalation_id", allow_null=True,
                                          help_text=_("The hotline escalation the case answers."))
    closure_requested_by = serializers.IntegerField(source="closure_requested_by_id", allow_null=True)
    closure_pending = serializers.BooleanField(read_only=True)
    overdue = serializers.SerializerMethodField(help_text=_("A planned service or a follow-up is past its date."))
    anonymised = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "reference", "person", "category", "source", "stage", "stage_changed_at", "opened_on",
                  "case_worker", "case_worker_name", "supervisor", "supervisor_name", "referring_organisation",
                  "escalation", "closure_reason", "closure_requested_by", "closure_requested_at",
                  "closure_pending", "closed_at", "overdue", "anonymised", "created_at"]
        read_only_fields = fields

    def get_overdue(self, case: Case) -> bool:
        annotated = getattr(case, "is_overdue", None)
        if annotated is not None:
            return bool(annotated)
        return Case.objects.filter(pk=case.pk).filter(overdue_condition()).exists()

    def get_anonymised(self, case: Case) -> bool:
        return case.anonymised_at is not None


class CaseDetailOut(CaseOut):
    person_details = PersonRevealedOut(source="person", help_text=_(
        "The person's attributes; their identifying fields only with ?reveal=<reason>."))
    transitions = TransitionOut(many=True, help_text=_("Every move through the workflow: who and when."))

    class Meta(CaseOut.Meta):
        fields = [*CaseOut.Meta.fields, "person_details", "transitions"]
        read_only_fields = fields


def overdue_condition(today: date | None = None) -> Q:
    """A case with a planned service past its target date (open cases) or a follow-up past its due date (cases
    not anonymised): the same rule as ``selectors.overdue_plan_items`` and ``selectors.overdue_follow_ups``."""
    today = today or timezone.localdate()
    late_item = Exists(PlanItem.objects.filter(case_id=OuterRef("pk"), status=PlanItemStatus.PLANNED,
                                               target_date__lt=today))
    late_follow_up = Exists(FollowUp.objects.filter(case_id=OuterRef("pk"), done_on__isnull=True,
                                                    due_on__lt=today))
    return (Q(late_item) & ~Q(stage=CaseStage.CLOSED)) | (Q(late_follow_up) & Q(anonymised_at__isnull=True))


class CaseFilterIn(serializers.Serializer[dict[str, Any]]):
    stage = serializers.ChoiceField(choices=choices_of(CaseStage), required=False)
    category = serializers.ChoiceField(choices=choices_of(PersonCategory), required=False)
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a field named like Field.source
        choices=choices_of(CaseSource), required=False)
    case_worker = _id(required=False, help_text=_("User id of the case worker."))
    opened_from = serializers.DateField(required=False, help_text=_("Opened on or after this day."))
    opened_to = serializers.DateField(required=False, help_text=_("Opened on or before this day."))
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None,
                                       help_text=_("1: only cases with an overdue plan item or follow-up; 0: only "
                                                   "cases without."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("opened_from"), attrs.get("opened_to")
        if start and end and start > end:
            raise serializers.ValidationError({"opened_to": [_("The start date is after the end date.")]})
        return attrs

    def criteria(self) -> Q:
        data = self.validated_data
        condition = Q()
        for name in ("stage", "category", "source"):
            if data.get(name):
                condition &= Q(**{name: data[name]})
        if data.get("case_worker"):
            condition &= Q(case_worker_id=data["case_worker"])
        if data.get("opened_from"):
            condition &= Q(opened_on__gte=data["opened_from"])
        if data.get("opened_to"):
            condition &= Q(opened_on__lte=data["opened_to"])
        if data.get("overdue") is not None:
            condition &= overdue_condition() if data["overdue"] else ~overdue_condition()
        return condition


class MoveIn(serializers.Serializer[dict[str, Any]]):
    stage = serializers.ChoiceField(choices=choices_of(CaseStage), help_text=_(
        "The next stage, or the previous one to correct a mistake. Closing is asked for with request-closure."))


class ClosureRequestIn(serializers.Serializer[dict[str, Any]]):
    closure_reason = serializers.ChoiceField(choices=choices_of(ClosureReason))


class AssignIn(serializers.Serializer[dict[str, Any]]):
    """Needs ``membership`` in the context."""

    case_worker = _id(help_text=_("User id of a case worker of your organisation."))
    supervisor = _id(help_text=_("User id of a supervisor of your organisation."))

    def validate_case_worker(self, value: int) -> User | None:
        return member_of(self.context["membership"].organisation_id, value,
                         _("Choose a case worker of your organisation."))

    def validate_supervisor(self, value: int) -> User | None:
        return member_of(self.context["membership"].organisation_id, value,
                         _("Choose a supervisor of your organisation."))


# --- Screening -----------------------------------------------------------------------------------------------


def _picks(choices: Any, help_text: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=choices_of(choices)), default=list,
                                 help_text=help_text)


def _choice(choices: Any, help_text: Any = None) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices_of(choices), allow_blank=True, default="", help_text=help_text)


def _day() -> serializers.DateField:
    return serializers.DateField(required=False, allow_null=True, default=None)


class ScreeningIn(serializers.Serializer[dict[str, Any]]):
    """The whole screening (it replaces the one recorded before)."""

    types_of_exploitation = _picks(TypeOfExploitation, _("HTCDS vic_TypeOfExploitation value names."))
    forced_labour_industries = _picks(ForcedLabourIndustry, _("ISIC tier 1 (HTCDS vic_ForcedLabourIndustry); only "
                                                              "with forced labour."))
    sex_exploitation_types = _picks(SexExploitationType, _("HTCDS vic_TypeOfSexExploitation; only with sexual "
                                                           "exploitation."))
    methods_of_control = _picks(MethodOfControl, _("HTCDS vic_Methods_of_Control value names."))
    recruitment_methods = _picks(RecruitmentMethod, _("HTCDS vic_MethodOfRecruitment value names."))
    relationship = _choice(Relationship, _("Relationship of the person to the trafficker."))
    recruitment_country = _iso2(_("ISO 3166-1 alpha-2 code."))
    recruitment_place = _pcode(_("P-code."))
    exploitation_countries = serializers.ListField(child=serializers.CharField(max_length=2), default=list,
                                                   help_text=_("ISO 3166-1 alpha-2 codes."))
    exploitation_place = _pcode(_("P-code."))
    exploitation_start = _day()
    exploitation_end = _day()
    trafficking_status = _choice(TraffickingStatus, _("HTCDS vic_TraffickingStatus."))
    decided_by = _choice(DecisionMakingOrg, _("HTCDS vic_TraffickingStatusDecisionMakingOrg."))
    decided_on = _day()
    nrm_applied_on = _day()
    nrm_interview_on = _day()
    nrm_decision = _choice(NrmDecision, _("Victim status decided by the Ministry of Social Policy."))
    nrm_decision_on = _day()

    def validate_recruitment_country(self, value: str | None) -> Country | None:
        return resolve_country(value)

    def validate_recruitment_place(self, value: str | None) -> AdminUnit | None:
        return resolve_place(value)

    def validate_exploitation_place(self, value: str | None) -> AdminUnit | None:
        return resolve_place(value)

    def validate_exploitation_countries(self, value: list[str]) -> list[Country]:
        codes = list(dict.fromkeys(code.strip().upper() for code in value if code.strip()))
        found = {c.iso2: c for c in Country.objects.filter(iso2__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise serializers.ValidationError(_("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)})
        return [found[code] for code in codes]

    def screening_input(self) -> ScreeningInput:
        return ScreeningInput(**self.validated_data)


class ScreeningOut(serializers.ModelSerializer[Screening]):
    case = serializers.IntegerField(source="case_id")
    recruitment_country = serializers.CharField(source="recruitment_country_id", allow_null=True)
    recruitment_place = serializers.CharField(source="recruitment_place_id", allow_null=True)
    exploitation_countries = serializers.SerializerMethodField(help_text=_("ISO 3166-1 alpha-2 codes."))
    exploitation_place = serializers.CharField(source="exploitation_place_id", allow_null=True)
    exploitation_days = serializers.IntegerField(read_only=True, allow_null=True)
    types_of_exploitation = serializers.ListField(child=serializers.CharField())
    forced_labour_industries = serializers.ListField(child=serializers.CharField())
    sex_exploitation_types = serializers.ListField(child=serializers.CharField())
    methods_of_control = serializers.ListField(child=serializers.CharField())
    recruitment_methods = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Screening
        fields = ["case", "types_of_exploitation", "forced_labour_industries", "sex_exploitation_types",
                  "methods_of_control", "recruitment_methods", "relationship", "recruitment_country",
                  "recruitment_place", "exploitation_countries", "exploitation_place", "exploitation_start",
                  "exploitation_end", "exploitation_days", "trafficking_status", "decided_by", "decided_on",
                  "nrm_applied_on", "nrm_interview_on", "nrm_decision", "nrm_decision_on", "updated_at"]
        read_only_fields = fields

    def get_exploitation_countries(self, screening: Screening) -> list[str]:
        return sorted(screening.exploitation_countries.values_list("iso2", flat=True))


# --- Consents ------------------------------------------------------------------------------------------------


class ConsentIn(serializers.Serializer[dict[str, Any]]):
    purpose = serializers.ChoiceField(choices=choices_of(ConsentPurpose))
    given_on = serializers.DateField()
    method = serializers.ChoiceField(choices=choices_of(ConsentMethod))
    recipient = _optional_id(_("Id of the organisation a referral consent names."))

    def validate_recipient(self, value: int | None) -> Organisation | None:
        if value is None:
            return None
        organisation = Organisation.objects.filter(pk=value, is_active=True).first()
        if organisation is None:
            raise serializers.ValidationError(_("Unknown organisation %(id)s.") % {"id": value})
        return organisation

    def consent_input(self) -> ConsentInput:
        return ConsentInput(**self.validated_data)


class WithdrawIn(serializers.Serializer[dict[str, Any]]):
    withdrawn_on = serializers.DateField(required=False, allow_null=True, default=None,
                                         help_text=_("Today when left out."))


class ConsentOut(serializers.ModelSerializer[Consent]):
    case = serializers.IntegerField(source="case_id")
    recipient = serializers.IntegerField(source="recipient_id", allow_null=True)
    recipient_name = serializers.CharField(source="recipient.name", allow_null=True, default=None)
    recorded_by = serializers.IntegerField(source="recorded_by_id", help_text=_("User id."))
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Consent
        fields = ["id", "case", "purpose", "recipient", "recipient_name", "given_on", "method", "recorded_by",
                  "withdrawn_on", "active"]
        read_only_fields = fields


# --- Needs and plan ------------------------------------------------------------------------------------------


def case_row(model: type[Any], case: Case, row_id: int | None, message: Any) -> Any:
    """A row of ``model`` that belongs to ``case`` (a need, a plan item), or a field error."""
    if row_id is None:
        return None
    row = model._default_manager.filter(case_id=case.pk, pk=row_id).first()
    if row is None:
        raise serializers.ValidationError(message)
    return row


def active_organisation(value: int | None) -> Organisation | None:
    if value is None:
        return None
    organisation = Organisation.objects.filter(pk=value, is_active=True).first()
    if organisation is None:
        raise serializers.ValidationError(_("Unknown organisation %(id)s.") % {"id": value})
    return organisation


class NeedIn(serializers.Serializer[dict[str, Any]]):
    domain = serializers.ChoiceField(choices=choices_of(NeedDomain))
    description = _text(2000, _("Encrypted at rest."))
    met = serializers.BooleanField(required=False, help_text=_("Whether the need has been met."))


class NeedOut(serializers.ModelSerializer[Need]):
    case = serializers.IntegerField(source="case_id")

    class Meta:
        model = Need
        fields = ["id", "case", "domain", "description", "met", "created_at"]
        read_only_fields = fields


class PlanItemIn(serializers.Serializer[dict[str, Any]]):
    """Needs ``case`` in the context (to find the need)."""

    service_type = serializers.ChoiceField(choices=choices_of(ServiceType))
    target_date = serializers.DateField()
    need = _optional_id(_("Id of the case's need this item answers."))
    provider = _optional_id(_(
        "Id of the organisation that provides the service; your own when left out. Another organisation needs "
        "the person's referral consent naming it."))
    note = _text(2000, _("Encrypted at rest."))
    status = serializers.ChoiceField(choices=choices_of(PlanItemStatus), required=False,
                                     help_text=_("Only when correcting an item; a new item is planned."))

    def validate_need(self, value: int | None) -> Need | None:
        return case_row(Need, self.context["case"], value, _("Choose one of this case's needs."))

    def validate_provider(self, value: int | None) -> Organisation | None:
        return active_organisation(value)

    def plan_item_input(self, current: PlanItem | None = None) -> PlanItemInput:
        data = dict(self.validated_data)
        data.pop("status", None)
        if current is None:
            return PlanItemInput(**data)
        base = PlanItemInput(service_type=current.service_type, target_date=current.target_date, need=current.need,
                             provider=current.provider, note=current.note)
        for name, value in data.items():
            setattr(base, name, value)
        return base


class PlanItemOut(serializers.ModelSerializer[PlanItem]):
    case = serializers.IntegerField(source="case_id")
    need = serializers.IntegerField(source="need_id", allow_null=True)
    provider = serializers.IntegerField(source="provider_id", allow_null=True,
                                        help_text=_("Null: the case's own organisation."))
    provider_name = serializers.CharField(source="provider.name", allow_null=True, default=None)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = PlanItem
        fields = ["id", "case", "need", "service_type", "provider", "provider_name", "target_date", "status",
                  "note", "overdue"]
        read_only_fields = fields

    def get_overdue(self, item: PlanItem) -> bool:
        return item.status == PlanItemStatus.PLANNED and item.target_date < timezone.localdate()


# --- Services ------------------------------------------------------------------------------------------------


class ServiceIn(serializers.Serializer[dict[str, Any]]):
    """Needs ``case`` in the context (to find the plan item)."""

    service_type = serializers.ChoiceField(choices=choices_of(ServiceType))
    started_on = serializers.DateField(help_text=_("The admission date of a rehabilitation-centre stay."))
    ended_on = serializers.DateField(required=False, allow_null=True, default=None,
                                     help_text=_("The discharge date of a rehabilitation-centre stay."))
    provider = _optional_id(_(
        "Id of the organisation that gave the service; your own when left out. Another organisation needs the "
        "person's referral consent naming it."))
    provider_other = _text(200, _("A provider outside Varta, by name (instead of `provider`)."))
    cost = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, default=None)
    currency = _text(3, _("ISO 4217 code (UAH, EUR, USD…); required with a cost."))
    project_code = _text(60, _("Donor or project code."))
    outcome = serializers.ChoiceField(choices=choices_of(ServiceOutcome), default=ServiceOutcome.ONGOING)
    plan_item = _optional_id(_("Id of the plan item this service answers (it is marked done)."))

    def validate_plan_item(self, value: int | None) -> PlanItem | None:
        return case_row(PlanItem, self.context["case"], value, _("Choose one of this case's plan items."))

    def validate_provider(self, value: int | None) -> Organisation | None:
        return active_organisation(value)

    def service_input(self, current: Service | None = None) -> ServiceInput:
        data = dict(self.validated_data)
        if current is None:
            return ServiceInput(**data)
        base = ServiceInput(
            service_type=current.service_type, started_on=current.started_on, ended_on=current.ended_on,
            provider=current.provider, provider_other=current.provider_other, cost=current.cost,
            currency=current.currency, project_code=current.project_code, outcome=current.outcome,
            plan_item=current.plan_item)
        for name, value in data.items():
            setattr(base, name, value)
        return base


class ServiceOut(serializers.ModelSerializer[Service]):
    case = serializers.IntegerField(source="case_id")
    plan_item = serializers.IntegerField(source="plan_item_id", allow_null=True)
    provider = serializers.IntegerField(source="provider_id", allow_null=True,
                                        help_text=_("Null: the case's own organisation, or `provider_other`."))
    provider_name = serializers.CharField(source="provider.name", allow_null=True, default=None)
    length_of_stay = serializers.IntegerField(read_only=True, allow_null=True,
                                              help_text=_("Days, for a rehabilitation-centre stay that is over."))

    class Meta:
        model = Service
        fields = ["id", "case", "plan_item", "service_type", "provider", "provider_name", "provider_other",
                  "started_on", "ended_on", "length_of_stay", "cost", "currency", "project_code", "outcome",
                  "created_at"]
        read_only_fields = fields


# --- Follow-ups ----------------------------------------------------------------------------------------------


class FollowUpIn(serializers.Serializer[dict[str, Any]]):
    due_on = serializers.DateField()


class FollowUpSeriesIn(serializers.Serializer[dict[str, Any]]):
    first_on = serializers.DateField(help_text=_("The first follow-up's due date."))
    interval_months = serializers.IntegerField(help_text=_("Months between two follow-ups (1 to 24)."))
    count = serializers.IntegerField(help_text=_("How many follow-ups (1 to 12)."))


class FollowUpRecordIn(serializers.Serializer[dict[str, Any]]):
    done_on = serializers.DateField()
    answers = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        help_text=_("Question code → answer from 1 (not at all true) to 5 (completely true); null or left out: "
                    "unanswered. At least three answers per dimension. Errors are keyed by question code, by "
                    "dimension (too few answers) or `answers` (an unknown code). The questions and the scoring "
                    "rule: docs/reintegration.md."))


class FollowUpOut(serializers.ModelSerializer[FollowUp]):
    case = serializers.IntegerField(source="case_id")
    overdue = serializers.SerializerMethodField()
    answers = serializers.DictField(child=serializers.IntegerField())

    class Meta:
        model = FollowUp
        fields = ["id", "case", "due_on", "done_on", "overdue", "answers", "economic_score", "social_score",
                  "psychosocial_score", "overall_score"]
        read_only_fields = fields

    def get_overdue(self, follow_up: FollowUp) -> bool:
        return follow_up.done_on is None and follow_up.due_on < timezone.localdate()


# --- Notes and attachments -----------------------------------------------------------------------------------


class NoteIn(serializers.Serializer[dict[str, Any]]):
    text = serializers.CharField(max_length=20_000, help_text=_("Encrypted at rest. Notes are never edited: a "
                                                                "correction is a new note."))


class NoteOut(serializers.ModelSerializer[CaseNote]):
    case = serializers.IntegerField(source="case_id")
    author = serializers.IntegerField(source="author_id", help_text=_("User id."))
    author_name = serializers.CharField(source="author.full_name")

    class Meta:
        model = CaseNote
        fields = ["id", "case", "author", "author_name", "text", "created_at"]
        read_only_fields = fields


class AttachmentIn(serializers.Serializer[dict[str, Any]]):
    file = serializers.FileField(help_text=_(
        "PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) or plain text, up to the size limit (9 MB by default). The "
        "type is decided by the content, never by the name."))


class AttachmentOut(serializers.ModelSerializer[Attachment]):
    case = serializers.IntegerField(source="case_id")
    uploaded_by = serializers.IntegerField(source="uploaded_by_id", help_text=_("User id."))
    uploaded_by_name = serializers.CharField(source="uploaded_by.full_name")

    class Meta:
        model = Attachment
        fields = ["id", "case", "file_name", "content_type", "size", "uploaded_by", "uploaded_by_name",
                  "created_at"]
        read_only_fields = fields
