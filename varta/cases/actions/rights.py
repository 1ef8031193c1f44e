"""Data-subject rights and retention: export everything about one person (access request); anonymise closed cases
once their retention period has passed, keeping only what statistics need (docs/cases.md, "Rights and retention").

Anonymisation erases: every identifying field of the person (once none of their cases is still kept in full),
their blind-index tokens, the case's notes and attachments, and every other encrypted text of rows that belong
to the case (need descriptions, plan item notes, …). It keeps: gender, age group (the birth year goes), citizenship,
displacement, disability answers, the location generalised to its oblast, the category, source, stages and dates,
screening picklists (places generalised to oblasts), consents, services with types, dates and costs, follow-up
scores. Each step is audited; events name fields, never values.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from varta.accounts.models import User
from varta.accounts.permissions import Action, require
from varta.audit import chain, writes
from varta.audit.writes import Actor
from varta.cases import selectors
from varta.cases.actions.cases import age_group_on
from varta.cases.actions.screening import LISTS
from varta.cases.models import (
    WG_DOMAINS,
    Attachment,
    Case,
    CaseNote,
    Person,
    PersonToken,
    Screening,
)
from varta.core.crypto import EncryptedBinaryField, EncryptedTextField
from varta.geo.models import AdminUnit
from varta.hotline.actions import oblast_of
from varta.hotline.models import AgeGroup
from varta.orgs.models import Membership

EXPORT_FORMAT = "varta.subject_access.v1"
# Attachments up to this size travel inside the JSON (base64); larger ones are listed, and handed over as files.
ATTACHMENT_INLINE_MAX = 2 * 1024 * 1024


# --- Access request: everything about one person ---------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _user(user: User | None) -> str | None:
    return (user.full_name or user.username) if user is not None else None


def _choice(obj: models.Model, name: str) -> dict[str, Any]:
    value = getattr(obj, name)
    label = str(getattr(obj, f"get_{name}_display")()) if value not in ("", None) else ""
    return {name: value, f"{name}_label": label}


def _place(unit: AdminUnit | None) -> dict[str, str] | None:
    return None if unit is None else {"pcode": unit.pcode, "name": unit.name}


def _person(person: Person) -> dict[str, Any]:
    data: dict[str, Any] = {"id": person.pk}
    for name in Person.PERSONAL_FIELDS:
        data[name] = getattr(person, name)
    data.update(_choice(person, "gender"))
    data["birth_year"] = person.birth_year
    data.update(_choice(person, "age_group"))
    data["citizenship"] = (None if person.citizenship is None
                           else {"iso2": person.citizenship.iso2, "name": person.citizenship.name})
    data.update(_choice(person, "displacement"))
    data["disability"] = {name: {"answer": getattr(person, name), "question": str(label),
                                 "answer_label": str(getattr(person, f"get_{name}_display")())}
                          for name, label in WG_DOMAINS if getattr(person, name)}
    data["location"] = _place(person.location)
    data["registered_at"] = _iso(person.created_at)
    data["registered_by"] = _user(person.created_by)
    data["anonymised_at"] = _iso(person.anonymised_at)
    return data


def _screening(screening: Screening | None) -> dict[str, Any] | None:
    if screening is None:
        return None
    data: dict[str, Any] = {}
    for name, choices in LISTS:
        labels = dict(choices.choices)
        data[name] = [{"value": v, "label": str(labels.get(v, v))} for v in getattr(screening, name)]
    data.update(_choice(screening, "relationship"))
    data["recruitment_country"] = screening.recruitment_country_id
    data["recruitment_place"] = _place(screening.recruitment_place)
    data["exploitation_countries"] = sorted(c.iso2 for c in screening.exploitation_countries.all())
    data["exploitation_place"] = _place(screening.exploitation_place)
    for name in ("exploitation_start", "exploitation_end", "decided_on", "nrm_applied_on", "nrm_interview_on",
                 "nrm_decision_on"):
        data[name] = _iso(getattr(screening, name))
    data.update(_choice(screening, "trafficking_status"))
    data.update(_choice(screening, "decided_by"))
    data.update(_choice(screening, "nrm_decision"))
    return data


def _money(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _attachment(attachment: Attachment) -> dict[str, Any]:
    data: dict[str, Any] = {"file_name": attachment.file_name, "content_type": attachment.content_type,
                            "size": attachment.size, "uploaded_at": _iso(attachment.created_at),
                            "uploaded_by": _user(attachment.uploaded_by)}
    if attachment.size <= ATTACHMENT_INLINE_MAX:
        data["content_base64"] = base64.b64encode(attachment.content or b"").decode("ascii")
    else:
        data["content_base64"] = None
        data["content_note"] = _("Too large to include here: hand the file itself over from the case's notes and "
                                 "files.")
    return data


def _case(case: Case) -> dict[str, Any]:
    data: dict[str, Any] = {"reference": case.reference}
    for name in ("category", "source", "stage", "closure_reason"):
        data.update(_choice(case, name))
    data.update({
        "referring_organisation": case.referring_organisation, "opened_on": _iso(case.opened_on),
        "closed_at": _iso(case.closed_at), "anonymised_at": _iso(case.anonymised_at),
        "case_worker": _user(case.case_worker), "supervisor": _user(case.supervisor),
        "from_hotline_escalation": case.escalation_id is not None,
        "transitions": [{"from_stage": t.from_stage, "to_stage": t.to_stage, "at": _iso(t.at), "by": _user(t.by),
                         "approved_by": _user(t.approved_by)} for t in case.transitions.select_related("by",
                                                                                                 "approved_by")],
        "screening": _screening(Screening.objects.filter(case=case).select_related(
            "recruitment_place", "exploitation_place").first()),
        "consents": [{**_choice(c, "purpose"), **_choice(c, "method"), "recipient": c.recipient.name if c.recipient
                      else None, "given_on": _iso(c.given_on), "withdrawn_on": _iso(c.withdrawn_on)}
                     for c in case.consents.select_related("recipient")],
        "needs": [{**_choice(n, "domain"), "description": n.description, "met": n.met,
                   "recorded_at": _iso(n.created_at)} for n in case.needs.all()],
        "plan_items": [{**_choice(p, "service_type"), **_choice(p, "status"),
                        "provider": p.provider.name if p.provider else None, "target_date": _iso(p.target_date),
                        "note": p.note} for p in case.plan_items.select_related("provider")],
        "services": [{**_choice(s, "service_type"), **_choice(s, "outcome"),
                      "provider": s.provider.name if s.provider else (s.provider_other or None),
                      "started_on": _iso(s.started_on), "ended_on": _iso(s.ended_on),
                      "length_of_stay_days": s.length_of_stay, "cost": _money(s.cost), "currency": s.currency,
                      "project_code": s.project_code} for s in case.services.select_related("provider")],
        "follow_ups": [{"due_on": _iso(f.due_on), "done_on": _iso(f.done_on), "answers": f.answers,
                        "scores": {"economic": _money(f.economic_score), "social": _money(f.social_score),
                                   "psychosocial": _money(f.psychosocial_score),
                                   "overall": _money(f.overall_score)}} for f in case.follow_ups.all()],
        "notes": [{"written_at": _iso(n.created_at), "author": _user(n.author), "text": n.text}
                  for n in case.notes.select_related("author")],
        "attachments": [_attachment(a) for a in case.attachments.select_related("uploaded_by")],
    })
    return data


def subject_access_export(*, actor: Actor, membership: Membership, person: Person) -> dict[str, Any]:
    """Everything Varta holds about one person in the acting organisation (an access request), audited.

    Attachments up to ``ATTACHMENT_INLINE_MAX`` are included as base64; larger ones are listed without content.
    """
    require(membership, Action.CASE_SUBJECT_RIGHTS)
    cases = list(selectors.cases_visible(membership).filter(person_id=person.pk)
                 .select_related("case_worker", "supervisor").order_by("opened_on", "pk"))
    if person.organisation_id != membership.organisation_id or not cases:
        raise PermissionDenied(_("This person is not one of your organisation's."))
    export = {
        "format": EXPORT_FORMAT,
        "generated_at": _iso(timezone.now()),
        "organisation": membership.organisation.name,
        "person": _person(Person.objects.select_related("citizenship", "location", "created_by").get(pk=person.pk)),
        "cases": [_case(case) for case in cases],
    }
    writes.record(actor=actor, action="cases.person.subject_access", object_type=writes.object_type(Person),
                  object_id=person.pk, changed=["person", "cases"])
    return export


# --- Retention: anonymise closed cases after the retention period ----------------------------------------------


def _expired(case: Case, now: datetime) -> bool:
    return selectors.expired_cases(now=now).filter(pk=case.pk).exists()


def anonymise_case(*, actor: Actor, membership: Membership, case: Case, now: datetime | None = None) -> Case:
    """Anonymise one closed case of the acting organisation whose retention period has passed."""
    require(membership, Action.CASE_SUBJECT_RIGHTS)
    now = now or timezone.now()
    if case.organisation_id != membership.organisation_id:
        raise PermissionDenied(_("This case is not one of your organisation's."))
    case.refresh_from_db(fields=["stage", "closed_at", "anonymised_at"])
    if case.anonymised_at is not None:
        raise ValidationError({"case": [_("Case %(reference)s is anonymised already.")
                                        % {"reference": case.reference}]})
    if not _expired(case, now):
        raise ValidationError({"case": [_("Case %(reference)s is not closed, or its retention period has not "
                                          "passed yet.") % {"reference": case.reference}]})
    return _anonymise(actor=actor, case=case, now=now)


def anonymise_expired(*, actor: Actor, now: datetime | None = None, dry_run: bool = False) -> list[Case]:
    """Every organisation's expired cases (the system's retention job, ``varta anonymise-expired``)."""
    if actor.user is not None:
        raise PermissionDenied("Only the system anonymises every organisation's expired cases.")
    now = now or timezone.now()
    cases = list(selectors.expired_cases(now=now).select_related("organisation"))
    if not dry_run:
        for case in cases:
            _anonymise(actor=Actor(user=None, organisation=case.organisation), case=case, now=now)
    return cases


def _blank_encrypted(case: Case) -> list[str]:
    """Blank every encrypted value of the other rows that belong to the case; the names of what was blanked."""
    blanked: list[str] = []
    for rel in Case._meta.related_objects:
        model = rel.related_model
        if model in (CaseNote, Attachment) or not isinstance(model, type) or rel.many_to_many:
            continue
        rows = model._default_manager.filter(**{rel.field.name: case})
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField):
                count = rows.exclude(**{f.name: ""}).update(**{f.name: ""})
            elif isinstance(f, EncryptedBinaryField) and f.null:
                count = rows.exclude(**{f"{f.name}__isnull": True}).update(**{f.name: None})
            else:
                continue
            if count:
                blanked.append(f"{model._meta.model_name}.{f.name}")
    return blanked


def _age_group(person: Person, case: Case) -> str:
    if person.age_group != AgeGroup.UNKNOWN:
        return person.age_group
    if person.birth_date:
        return age_group_on(date.fromisoformat(person.birth_date), case.opened_on)
    if person.birth_year:
        return age_group_on(date(person.birth_year, 7, 1), case.opened_on)
    return AgeGroup.UNKNOWN


def _anonymise_person(*, actor: Actor, person: Person, case: Case, now: datetime) -> None:
    changes: dict[str, Any] = {name: "" for name in Person.PERSONAL_FIELDS}
    changes.update(age_group=_age_group(person, case), birth_year=None, location=oblast_of(person.location),
                   anonymised_at=now)
    PersonToken.objects.filter(person=person).delete()
    writes.update(person, actor=actor, changes=changes, action="cases.person.anonymise")


def _anonymise(*, actor: Actor, case: Case, now: datetime) -> Case:
    with transaction.atomic():
        chain.lock_head()  # first, as every audited writer: then the state read below cannot change under us
        case = Case.objects.select_related("person", "person__location").get(pk=case.pk)
        if case.anonymised_at is not None:
            return case
        erased: list[str] = []
        if CaseNote.objects.filter(case=case).delete()[0]:
            erased.append("casenote")
        if Attachment.objects.filter(case=case).delete()[0]:
            erased.append("attachment")
        erased.extend(_blank_encrypted(case))
        screening = Screening.objects.filter(case=case).select_related("recruitment_place",
                                                                       "exploitation_place").first()
        if screening is not None:
            writes.update(screening, actor=actor, action="cases.screening.anonymise", changes={
                "recruitment_place": oblast_of(screening.recruitment_place),
                "exploitation_place": oblast_of(screening.exploitation_place)})
        if erased:
            writes.record(actor=actor, action="cases.case.anonymise.erase", object_type=writes.object_type(case),
                          object_id=case.pk, changed=erased)
        writes.update(case, actor=actor, changes={"anonymised_at": now}, action="cases.case.anonymise")
        person = case.person
        if person.anonymised_at is None and not Case.objects.filter(
                person=person, anonymised_at__isnull=True).exclude(pk=case.pk).exists():
            _anonymise_person(actor=actor, person=person, case=case, now=now)
    return case
