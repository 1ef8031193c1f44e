"""Persons and cases: register (after a search), correct, reveal, open from a hotline escalation, move through the
workflow, close with a supervisor's approval, reopen, reassign.

Inputs arrive as plain dataclasses from forms and the API alike. Each action runs in one transaction with its
audit events; events name fields, never values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from varta.accounts.models import User
from varta.accounts.permissions import Action, Role, can, require
from varta.audit import writes
from varta.audit.writes import Actor
from varta.cases import blind_index, workflow
from varta.cases.actions.consent import require_consent
from varta.cases.models import (
    WG_DOMAINS,
    Case,
    CaseSource,
    CaseStage,
    CaseTransition,
    ClosureReason,
    ConsentPurpose,
    IdDocumentType,
    Person,
    PersonCategory,
    PersonToken,
    WgLevel,
)
from varta.core.htcds import Gender
from varta.core.reveal import is_reason
from varta.core.validators import no_markup, normalise_phone
from varta.geo.models import AdminUnit, Country
from varta.hotline.models import AgeGroup, Displacement, Escalation, EscalationStatus
from varta.orgs.models import Membership

OLDEST_BIRTH_YEAR = 1900


@dataclass
class PersonInput:
    given_name: str = ""
    family_name: str = ""
    patronymic: str = ""
    birth_date: date | None = None
    birth_year: int | None = None  # when only the year is known
    phone: str = ""
    email: str = ""
    address: str = ""
    id_document_type: str = ""
    id_document_number: str = ""
    gender: str = Gender.UNKNOWN
    age_group: str = AgeGroup.UNKNOWN
    citizenship: Country | None = None
    displacement: str = Displacement.UNKNOWN
    location: AdminUnit | None = None
    disability: dict[str, str] = field(default_factory=dict)  # wg_seeing … → WgLevel value


@dataclass
class CaseInput:
    category: str
    source: str
    case_worker: User | None = None  # default: the acting user
    supervisor: User | None = None  # default: the organisation's only supervisor, if there is one
    referring_organisation: str = ""
    opened_on: date | None = None


def _choice(errors: dict[str, list[str]], name: str, value: str, choices: type[models.Choices]) -> None:
    if value not in {str(v) for v in choices.values}:
        errors.setdefault(name, []).append(_("“%(value)s” is not one of the allowed values.") % {"value": value})


def _text(errors: dict[str, list[str]], name: str, value: str) -> None:
    try:
        no_markup(value)
    except ValidationError as exc:
        errors.setdefault(name, []).extend(exc.messages)


def age_group_on(birth: date, today: date) -> str:
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    for group, upper in ((AgeGroup.UNDER_18, 17), (AgeGroup.AGE_18_24, 24), (AgeGroup.AGE_25_34, 34),
                         (AgeGroup.AGE_35_49, 49), (AgeGroup.AGE_50_64, 64)):
        if age <= upper:
            return group
    return AgeGroup.AGE_65_PLUS


def validate_person(data: PersonInput, *, today: date | None = None) -> PersonInput:
    """Check a person as a whole (one ValidationError naming every bad field); normalise phone and derived years."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    for name in ("given_name", "family_name", "patronymic", "address", "id_document_number"):
        value = getattr(data, name).strip()
        setattr(data, name, value)
        _text(errors, name, value)
        if len(value) > 200:
            errors.setdefault(name, []).append(_("This is too long (at most 200 characters)."))
    if not (data.given_name or data.family_name):
        errors.setdefault("family_name", []).append(
            _("Give at least a given name or a family name (a pseudonym is fine if the person prefers)."))
    for name, value, choices in (("gender", data.gender, Gender), ("age_group", data.age_group, AgeGroup),
                                 ("displacement", data.displacement, Displacement)):
        _choice(errors, name, value, choices)
    if data.id_document_type:
        _choice(errors, "id_document_type", data.id_document_type, IdDocumentType)
    if data.id_document_number and not data.id_document_type:
        errors.setdefault("id_document_type", []).append(_("Say which document this number belongs to."))
    for name, value in data.disability.items():
        if name not in dict(WG_DOMAINS):
            errors.setdefault("disability", []).append(_("Unknown disability question."))
        else:
            _choice(errors, name, value, WgLevel)
    if data.birth_date is not None:
        if data.birth_date > today:
            errors.setdefault("birth_date", []).append(_("The date of birth cannot be in the future."))
        elif data.birth_date.year < OLDEST_BIRTH_YEAR:
            errors.setdefault("birth_date", []).append(_("Check the year of birth."))
        else:
            if data.birth_year is not None and data.birth_year != data.birth_date.year:
                errors.setdefault("birth_year", []).append(_("The year of birth does not match the date of birth."))
            data.birth_year = data.birth_date.year
            data.age_group = age_group_on(data.birth_date, today)
    elif data.birth_year is not None and not OLDEST_BIRTH_YEAR <= data.birth_year <= today.year:
        errors.setdefault("birth_year", []).append(_("Check the year of birth."))
    if data.phone.strip():
        try:
            data.phone = normalise_phone(data.phone)
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.messages)
    if data.email.strip():
        data.email = data.email.strip()
        try:
            validate_email(data.email)
        except ValidationError:
            errors.setdefault("email", []).append(_("This is not an e-mail address."))
    if errors:
        raise ValidationError(errors)
    return data


def person_fields(data: PersonInput) -> dict[str, object]:
    fields: dict[str, object] = {
        "given_name": data.given_name, "family_name": data.family_name, "patronymic": data.patronymic,
        "birth_date": data.birth_date.isoformat() if data.birth_date else "", "birth_year": data.birth_year,
        "phone": data.phone, "email": data.email, "address": data.address,
        "id_document_type": data.id_document_type, "id_document_number": data.id_document_number,
        "gender": data.gender, "age_group": data.age_group, "citizenship": data.citizenship,
        "displacement": data.displacement, "location": data.location,
    }
    for name, _label in WG_DOMAINS:
        fields[name] = data.disability.get(name, "")
    return fields


def write_tokens(person: Person) -> None:
    """(Re)write the blind-index tokens of a person under the newest key (derived data: no audit event)."""
    PersonToken.objects.filter(person=person).delete()
    PersonToken.objects.bulk_create(
        PersonToken(organisation_id=person.organisation_id, person=person, key_id=kid, kind=kind, token=tok)
        for kid, kind, tok in blind_index.tokens_for(
            names=(person.given_name, person.family_name, person.patronymic), birth_date=person.birth_date))


def _member_with_role(user: User | None, organisation_id: int, roles: set[Role]) -> bool:
    return user is not None and Membership.objects.filter(user=user, organisation_id=organisation_id, is_active=True,
                                                          role__in=[r.value for r in roles]).exists()


def default_supervisor(organisation_id: int) -> User | None:
    """The organisation's supervisor when there is exactly one (else the worker must choose)."""
    ids = list(Membership.objects.filter(organisation_id=organisation_id, role=Role.CASE_SUPERVISOR,
                                         is_active=True).values_list("user_id", flat=True)[:2])
    return User.objects.get(pk=ids[0]) if len(ids) == 1 else None


def next_reference(organisation_id: int, year: int) -> str:
    """``<year>-<n>``, n counting the organisation's cases of that year (under the audit lock: no race)."""
    prefix = f"{year}-"
    count = Case.objects.filter(organisation_id=organisation_id, reference__startswith=prefix).count()
    return f"{prefix}{count + 1:05d}"


def _case_errors(data: CaseInput, membership: Membership, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    _choice(errors, "category", data.category, PersonCategory)
    _choice(errors, "source", data.source, CaseSource)
    _text(errors, "referring_organisation", data.referring_organisation)
    if data.opened_on is not None and data.opened_on > today:
        errors.setdefault("opened_on", []).append(_("A case cannot be opened in the future."))
    if not _member_with_role(data.case_worker, membership.organisation_id,
                             {Role.CASE_WORKER, Role.CASE_SUPERVISOR}):
        errors.setdefault("case_worker", []).append(_("Choose a case worker of your organisation."))
    if data.supervisor is None:
        errors.setdefault("supervisor", []).append(_("Choose the supervisor of this case."))
    elif not _member_with_role(data.supervisor, membership.organisation_id, {Role.CASE_SUPERVISOR}):
        errors.setdefault("supervisor", []).append(_("Choose a supervisor of your organisation."))
    return errors


def _open(*, actor: Actor, membership: Membership, person: Person, data: CaseInput, today: date,
          escalation: Escalation | None = None) -> Case:
    now = timezone.now()
    case = writes.create(Case(
        organisation_id=membership.organisation_id, reference=next_reference(membership.organisation_id, today.year),
        person=person, case_worker=data.case_worker, supervisor=data.supervisor, category=data.category,
        source=data.source, referring_organisation=data.referring_organisation.strip(), escalation=escalation,
        stage=CaseStage.REGISTERED, stage_changed_at=now, opened_on=data.opened_on or today), actor=actor)
    writes.create(CaseTransition(organisation_id=case.organisation_id, case=case, from_stage="",
                                 to_stage=CaseStage.REGISTERED, by=membership.user, at=now), actor=actor)
    return case


def _prepare(data: CaseInput, membership: Membership) -> None:
    data.case_worker = data.case_worker or membership.user
    data.supervisor = data.supervisor or default_supervisor(membership.organisation_id)


def register(*, actor: Actor, membership: Membership, person: PersonInput, case: CaseInput,
             escalation: Escalation | None = None) -> Case:
    """Register a new person and open their first case (after the worker searched for the person)."""
    require(membership, Action.CASE_REGISTER)
    today = timezone.localdate()
    _prepare(case, membership)
    errors: dict[str, list[str]] = {}
    try:
        validate_person(person, today=today)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    errors.update(_case_errors(case, membership, today))
    if escalation is not None:
        errors.update(_escalation_errors(escalation, membership))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = writes.create(Person(organisation_id=membership.organisation_id, created_by=membership.user,
                                   **person_fields(person)), actor=actor)
        write_tokens(row)
        opened = _open(actor=actor, membership=membership, person=row, data=case, today=today,
                       escalation=escalation)
        if escalation is not None:
            writes.update(escalation, actor=actor, changes={"status": EscalationStatus.CONVERTED},
                          action="hotline.escalation.convert")
    return opened


def open_case(*, actor: Actor, membership: Membership, person: Person, case: CaseInput,
              escalation: Escalation | None = None) -> Case:
    """Open another case for a person already registered (a return to assistance, a new escalation)."""
    require(membership, Action.CASE_REGISTER)
    today = timezone.localdate()
    _prepare(case, membership)
    errors = _case_errors(case, membership, today)
    if person.organisation_id != membership.organisation_id or person.anonymised_at is not None:
        errors.setdefault("person", []).append(_("This person cannot get a new case."))
    if escalation is not None:
        errors.update(_escalation_errors(escalation, membership))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        opened = _open(actor=actor, membership=membership, person=person, data=case, today=today,
                       escalation=escalation)
        if escalation is not None:
            writes.update(escalation, actor=actor, changes={"status": EscalationStatus.CONVERTED},
                          action="hotline.escalation.convert")
    return opened


def _escalation_errors(escalation: Escalation, membership: Membership) -> dict[str, list[str]]:
    if escalation.organisation_id != membership.organisation_id or escalation.status != EscalationStatus.PENDING:
        return {"escalation": [_("This escalation is not waiting for a case any more.")]}
    return {}


def escalation_person(escalation: Escalation) -> PersonInput:
    """What an escalated contact tells about the person: only what the operator recorded, nothing more.

    The caller's name is copied only when the caller was the person concerned (a relative's name is not the
    survivor's); the phone never is (it was given for a call-back, not for a case).
    """
    contact = escalation.contact
    concerned = contact.caller_type == "person_concerned"
    return PersonInput(
        given_name=contact.caller_name if concerned else "", gender=contact.sex, age_group=contact.age_group,
        displacement=contact.displacement, location=contact.location)


def person_update(*, actor: Actor, membership: Membership, person: Person, data: PersonInput) -> Person:
    require(membership, Action.CASE_WORK)
    if person.anonymised_at is not None:
        raise ValidationError({"person": [_("This person's record has been anonymised.")]})
    validate_person(data)
    with transaction.atomic():
        writes.update(person, actor=actor, changes=person_fields(data))
        write_tokens(person)
    return person


def reveal(*, actor: Actor, membership: Membership, case: Case, reason: str, fields: list[str] | None = None) -> Case:
    """Record that the user chose to see the person's personal fields (masked until then), and why."""
    require(membership, Action.CASE_VIEW)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why you need to see the personal details.")]})
    if not is_reason(reason):
        raise ValidationError({"reason": [_("Choose one of the reasons.")]})
    writes.record(actor=actor, action=f"cases.person.reveal.{reason}", object_type=writes.object_type(case.person),
                  object_id=case.person_id, changed=fields or list(Person.PERSONAL_FIELDS))
    return case


def viewed(*, actor: Actor, case: Case, what: str = "case") -> None:
    """Every view of a case (its page, its API record) is an audit event."""
    writes.record(actor=actor, action=f"cases.{what}.view", object_type=writes.object_type(case), object_id=case.pk)


def person_viewed(*, actor: Actor, person: Person) -> None:
    """A read of a person's record on its own (the API's persons/<id>/), as ``viewed`` is for a case."""
    writes.record(actor=actor, action="cases.person.view", object_type=writes.object_type(person),
                  object_id=person.pk)


# --- Workflow --------------------------------------------------------------------------------------------------


def _transition(*, actor: Actor, membership: Membership, case: Case, to_stage: str,
                approved_by: User | None = None, extra: dict[str, object] | None = None) -> Case:
    now = timezone.now()
    with transaction.atomic():
        writes.create(CaseTransition(organisation_id=case.organisation_id, case=case, from_stage=case.stage,
                                     to_stage=to_stage, by=membership.user, approved_by=approved_by, at=now),
                      actor=actor)
        writes.update(case, actor=actor, changes={"stage": to_stage, "stage_changed_at": now, **(extra or {})},
                      action=f"cases.case.{to_stage}")
    return case


def move(*, actor: Actor, membership: Membership, case: Case, to_stage: str) -> Case:
    """One step forward, or one step back to correct a mistake. Closing has its own path (request, approve)."""
    require(membership, Action.CASE_WORK)
    if to_stage == CaseStage.CLOSED:
        raise ValidationError({"stage": [_("A case is closed by a closure request and a supervisor's approval.")]})
    if case.is_closed:
        raise ValidationError({"stage": [_("This case is closed. A supervisor can reopen it.")]})
    if to_stage not in {str(v) for v in CaseStage.values} or not workflow.may_move(case.stage, to_stage):
        raise ValidationError({"stage": [_("A case moves one step at a time: from “%(current)s” it can go to "
                                           "“%(next)s”.") % {"current": case.get_stage_display(),
                                                            "next": _stage_label(workflow.next_stage(case.stage))}]})
    if to_stage == CaseStage.ASSISTANCE:
        require_consent(case, ConsentPurpose.ASSISTANCE)
    return _transition(actor=actor, membership=membership, case=case, to_stage=to_stage)


def _stage_label(stage: CaseStage | None) -> str:
    return str(stage.label) if stage is not None else "—"


def request_closure(*, actor: Actor, membership: Membership, case: Case, reason: str) -> Case:
    require(membership, Action.CASE_WORK)
    if case.is_closed:
        raise ValidationError({"stage": [_("This case is closed already.")]})
    if reason not in {str(v) for v in ClosureReason.values}:
        raise ValidationError({"closure_reason": [_("Choose the reason for closing the case.")]})
    return writes.update(case, actor=actor, changes={"closure_reason": reason, "closure_requested_by": membership.user,
                                                     "closure_requested_at": timezone.now()},
                         action="cases.case.closure_request")


def _may_supervise(membership: Membership, case: Case) -> bool:
    if not can(membership, Action.CASE_SUPERVISE):
        return False
    return membership.role == Role.ORG_ADMIN or case.supervisor_id == membership.user_id


def approve_closure(*, actor: Actor, membership: Membership, case: Case) -> Case:
    require(membership, Action.CASE_SUPERVISE)
    if not case.closure_pending:
        raise ValidationError({"stage": [_("Nobody has asked to close this case.")]})
    if not _may_supervise(membership, case):
        raise ValidationError({"stage": [_("Only the case's supervisor or an organisation admin can approve.")]})
    if case.closure_requested_by_id == membership.user_id:
        raise ValidationError({"stage": [_("Someone else must approve a closure you asked for.")]})
    return _transition(actor=actor, membership=membership, case=case, to_stage=CaseStage.CLOSED,
                       approved_by=membership.user, extra={"closed_at": timezone.now()})


def reject_closure(*, actor: Actor, membership: Membership, case: Case) -> Case:
    require(membership, Action.CASE_SUPERVISE)
    if not case.closure_pending or not _may_supervise(membership, case):
        raise ValidationError({"stage": [_("There is no closure request for you to turn down.")]})
    return writes.update(case, actor=actor, changes={"closure_reason": "", "closure_requested_by": None,
                                                     "closure_requested_at": None},
                         action="cases.case.closure_reject")


def reopen(*, actor: Actor, membership: Membership, case: Case) -> Case:
    require(membership, Action.CASE_SUPERVISE)
    if not case.is_closed:
        raise ValidationError({"stage": [_("Only a closed case can be reopened.")]})
    if case.anonymised_at is not None:
        raise ValidationError({"stage": [_("An anonymised case cannot be reopened.")]})
    if not _may_supervise(membership, case):
        raise ValidationError({"stage": [_("Only the case's supervisor or an organisation admin can reopen it.")]})
    last = case.transitions.filter(to_stage=CaseStage.CLOSED).order_by("-at", "-pk").first()
    back_to = last.from_stage if last is not None and last.from_stage else CaseStage.ASSISTANCE
    return _transition(actor=actor, membership=membership, case=case, to_stage=back_to,
                       extra={"closed_at": None, "closure_reason": "", "closure_requested_by": None,
                              "closure_requested_at": None})


def assign(*, actor: Actor, membership: Membership, case: Case, case_worker: User, supervisor: User) -> Case:
    require(membership, Action.CASE_SUPERVISE)
    errors: dict[str, list[str]] = {}
    if not _may_supervise(membership, case):
        errors["supervisor"] = [_("Only the case's supervisor or an organisation admin can reassign it.")]
    if not _member_with_role(case_worker, membership.organisation_id, {Role.CASE_WORKER, Role.CASE_SUPERVISOR}):
        errors["case_worker"] = [_("Choose a case worker of your organisation.")]
    if not _member_with_role(supervisor, membership.organisation_id, {Role.CASE_SUPERVISOR}):
        errors["supervisor"] = [_("Choose a supervisor of your organisation.")]
    if errors:
        raise ValidationError(errors)
    return writes.update(case, actor=actor, changes={"case_worker": case_worker, "supervisor": supervisor},
                         action="cases.case.assign")
