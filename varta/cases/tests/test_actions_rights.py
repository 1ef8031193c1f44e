"""Data-subject rights and retention: the access-request export, anonymisation of expired cases, the cron command."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.cases.actions import cases as case_actions
from varta.cases.actions import rights
from varta.cases.actions.cases import CaseInput
from varta.cases.models import (
    Attachment,
    Case,
    CaseNote,
    CaseSource,
    FollowUp,
    Need,
    Person,
    PersonCategory,
    PersonToken,
    PlanItem,
    Screening,
    Service,
)
from varta.cases.tests.helpers import acting_as
from varta.cases.tests.helpers_rights import (
    ATTACHMENT_TEXTS,
    NEED_TEXT,
    NOTE_TEXTS,
    PERSONS,
    PLAN_NOTE,
    close,
    full_case,
)

pytestmark = pytest.mark.django_db
EXPIRED = 1827  # days since closure: past the default retention of 1826 days


def _export(org, case: Case) -> dict[str, Any]:
    membership, actor = acting_as(org, Role.ORG_ADMIN)
    return rights.subject_access_export(actor=actor, membership=membership, person=case.person)


def test_it_exports_everything_about_a_person(personas):
    case = full_case(personas.a)
    data = json.loads(json.dumps(_export(personas.a, case), ensure_ascii=False))  # JSON all the way through
    person = data["person"]
    assert (person["given_name"], person["family_name"], person["phone"], person["id_document_number"]) == (
        PERSONS[0]["given_name"], PERSONS[0]["family_name"], PERSONS[0]["phone"], PERSONS[0]["id_document_number"])
    assert person["birth_date"] == "1987-11-23"
    assert person["birth_year"] == 1987
    assert person["citizenship"]["iso2"] == "UA"
    assert person["location"]["pcode"] == "UA6104015"
    assert person["disability"]["wg_walking"]["answer"] == "3"
    [exported] = data["cases"]
    assert exported["reference"] == case.reference
    assert exported["stage"] == "monitoring"
    assert [t["to_stage"] for t in exported["transitions"]] == [
        "registered", "screening", "planning", "assistance", "monitoring"]
    assert exported["screening"]["methods_of_control"][0] == {"value": "DebtBondage", "label": "Debt bondage"}
    assert exported["screening"]["exploitation_countries"] == ["PL"]
    assert {c["purpose"] for c in exported["consents"]} == {"assistance", "follow_up"}
    assert exported["needs"][0]["description"] == NEED_TEXT
    assert exported["plan_items"][0]["note"] == PLAN_NOTE
    assert exported["services"][0]["cost"] == "1250.50"
    assert exported["services"][0]["length_of_stay_days"] == 30
    assert exported["follow_ups"][0]["scores"]["overall"] == "0.75"
    assert exported["notes"][0]["text"] == NOTE_TEXTS[0]
    content = base64.b64decode(exported["attachments"][0]["content_base64"])
    assert ATTACHMENT_TEXTS[0].encode() in content
    event = AuditEvent.objects.get(action="cases.person.subject_access")
    assert (event.object_id, event.changed_fields) == (str(case.person_id), ["cases", "person"])


def test_it_lists_a_large_attachment_without_its_content(personas, monkeypatch):
    case = full_case(personas.a)
    monkeypatch.setattr(rights, "ATTACHMENT_INLINE_MAX", 10)
    [attachment] = _export(personas.a, case)["cases"][0]["attachments"]
    assert attachment["content_base64"] is None
    assert attachment["file_name"] == "scan.pdf"


def test_it_exports_every_case_of_the_person(personas):
    case = full_case(personas.a)
    close(personas.a, case)
    membership, actor = acting_as(personas.a, Role.CASE_WORKER)
    case_actions.open_case(actor=actor, membership=membership, person=case.person, case=CaseInput(
        category=PersonCategory.ACTUAL_VICTIM, source=CaseSource.SELF_REFERRAL,
        supervisor=personas.a.user(Role.CASE_SUPERVISOR)))
    assert [c["stage"] for c in _export(personas.a, case)["cases"]] == ["closed", "registered"]


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.TASKFORCE_COORDINATOR])
def test_it_requires_the_subject_rights_permission(personas, role):
    case = full_case(personas.a)
    membership, actor = acting_as(personas.a, role)
    with pytest.raises(PermissionDenied):
        rights.subject_access_export(actor=actor, membership=membership, person=case.person)
    assert not AuditEvent.objects.filter(action="cases.person.subject_access").exists()


def test_it_refuses_another_organisations_person(personas):
    case = full_case(personas.a)
    membership, actor = acting_as(personas.b, Role.ORG_ADMIN)
    with pytest.raises(PermissionDenied):
        rights.subject_access_export(actor=actor, membership=membership, person=case.person)


def _stored(model, pk: int, columns: list[str]) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return list(cursor.fetchone())


def test_it_anonymises_a_closed_case_past_retention(personas):
    case = close(personas.a, full_case(personas.a), days_ago=EXPIRED)
    person_id = case.person_id
    membership, actor = acting_as(personas.a, Role.ORG_ADMIN)
    rights.anonymise_case(actor=actor, membership=membership, case=case)

    person = Person.objects.get(pk=person_id)
    assert _stored(Person, person_id, list(Person.PERSONAL_FIELDS)) == [""] * len(Person.PERSONAL_FIELDS)
    assert person.anonymised_at is not None
    assert person.birth_year is None
    # The statistical attributes stay: gender, age group, citizenship, displacement, disability, oblast.
    assert (person.gender, person.age_group, person.citizenship_id, person.wg_walking, person.location_id) == (
        "Feminine", "35-49", "UA", "3", "UA61")
    assert not PersonToken.objects.filter(person_id=person_id).exists()
    assert not CaseNote.objects.filter(case=case).exists()
    assert not Attachment.objects.filter(case=case).exists()
    assert list(Need.objects.filter(case=case).values_list("domain", "description")) == [("health", "")]
    assert list(PlanItem.objects.filter(case=case).values_list("service_type", "note")) == [("medical", "")]
    service = Service.objects.get(case=case)
    assert (service.service_type, str(service.cost), service.currency) == ("rehabilitation_stay", "1250.50", "UAH")
    assert FollowUp.objects.get(case=case).overall_score is not None
    screening = Screening.objects.get(case=case)
    assert (screening.recruitment_place_id, screening.methods_of_control) == ("UA61", ["DebtBondage",
                                                                                     "WithholdsDocuments"])
    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert case.stage == "closed"
    assert case.category == "possible_victim"
    actions = set(AuditEvent.objects.filter(object_id__in=[str(case.pk), str(person_id)]).values_list("action",
                                                                                                     flat=True))
    assert {"cases.case.anonymise", "cases.case.anonymise.erase", "cases.person.anonymise"} <= actions
    erase = AuditEvent.objects.get(action="cases.case.anonymise.erase")
    assert erase.changed_fields == ["attachment", "casenote", "need.description", "planitem.note"]
    supervisor, supervisor_actor = acting_as(personas.a, Role.CASE_SUPERVISOR)
    with pytest.raises(ValidationError):  # nothing left to reopen
        case_actions.reopen(actor=supervisor_actor, membership=supervisor, case=case)


def test_it_leaves_no_ciphertext_of_the_anonymised_case(personas):
    case = close(personas.a, full_case(personas.a), days_ago=EXPIRED)
    membership, actor = acting_as(personas.a, Role.ORG_ADMIN)
    rights.anonymise_case(actor=actor, membership=membership, case=case)
    with connection.cursor() as cursor:
        for table, column, key in (("cases_person", "given_name", "id"), ("cases_need", "description", "case_id"),
                                   ("cases_planitem", "note", "case_id")):
            owner = case.person_id if key == "id" else case.pk
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {key} = %s AND {column} LIKE 'v1.%%'",
                           [owner])
            assert cursor.fetchone()[0] == 0, table


@pytest.mark.parametrize("days_ago", [0, 1000])
def test_it_refuses_a_case_inside_its_retention_period(personas, days_ago):
    case = close(personas.a, full_case(personas.a), days_ago=days_ago)
    membership, actor = acting_as(personas.a, Role.ORG_ADMIN)
    with pytest.raises(ValidationError) as exc:
        rights.anonymise_case(actor=actor, membership=membership, case=case)
    assert "retention period has not passed" in exc.value.message_dict["case"][0]
    assert Person.objects.get(pk=case.person_id).given_name == PERSONS[0]["given_name"]
    assert CaseNote.objects.filter(case=case).exists()


def test_it_refuses_an_open_case_and_a_case_anonymised_already(personas, settings):
    settings.CASE_RETENTION_DAYS = 1
    open_case = full_case(personas.a)
    membership, actor = acting_as(personas.a, Role.ORG_ADMIN)
    with pytest.raises(ValidationError):
        rights.anonymise_case(actor=actor, membership=membership, case=open_case)
    closed = close(personas.a, full_case(personas.a, 1), days_ago=2)
    rights.anonymise_case(actor=actor, membership=membership, case=closed)
    with pytest.raises(ValidationError, match="anonymised already"):
        rights.anonymise_case(actor=actor, membership=membership, case=closed)


def test_it_keeps_the_person_while_another_of_their_cases_is_kept(personas):
    first = close(personas.a, full_case(personas.a), days_ago=EXPIRED)
    membership, actor = acting_as(personas.a, Role.CASE_WORKER)
    case_actions.open_case(actor=actor, membership=membership, person=first.person, case=CaseInput(
        category=PersonCategory.ACTUAL_VICTIM, source=CaseSource.SELF_REFERRAL,
        supervisor=personas.a.user(Role.CASE_SUPERVISOR)))
    admin, admin_actor = acting_as(personas.a, Role.ORG_ADMIN)
    rights.anonymise_case(actor=admin_actor, membership=admin, case=first)
    person = Person.objects.get(pk=first.person_id)
    assert person.given_name == PERSONS[0]["given_name"]
    assert person.anonymised_at is None
    assert PersonToken.objects.filter(person=person).exists()
    assert not CaseNote.objects.filter(case=first).exists()


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.CASE_SUPERVISOR])
def test_it_lets_only_an_org_admin_anonymise(personas, role):
    case = close(personas.a, full_case(personas.a), days_ago=EXPIRED)
    membership, actor = acting_as(personas.a, role)
    with pytest.raises(PermissionDenied):
        rights.anonymise_case(actor=actor, membership=membership, case=case)
    b_admin, b_actor = acting_as(personas.b, Role.ORG_ADMIN)
    with pytest.raises(PermissionDenied):
        rights.anonymise_case(actor=b_actor, membership=b_admin, case=case)
    assert Case.objects.get(pk=case.pk).anonymised_at is None


def test_it_anonymises_every_organisations_expired_cases_from_the_command(personas):
    expired_a = close(personas.a, full_case(personas.a), days_ago=EXPIRED)
    recent_a = close(personas.a, full_case(personas.a, 1), days_ago=30)
    expired_b = close(personas.b, full_case(personas.b, 1), days_ago=EXPIRED + 100)
    out = io.StringIO()
    call_command("anonymise_expired", "--dry-run", stdout=out)
    assert "2 closed cases due for anonymisation" in out.getvalue()
    assert expired_a.reference in out.getvalue()
    assert not Case.objects.filter(anonymised_at__isnull=False).exists()

    out = io.StringIO()
    call_command("anonymise_expired", stdout=out)
    assert "2 closed cases anonymised" in out.getvalue()
    anonymised = set(Case.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True))
    assert anonymised == {expired_a.pk, expired_b.pk}
    assert Person.objects.get(pk=recent_a.person_id).given_name == PERSONS[1]["given_name"]
    event = AuditEvent.objects.get(action="cases.case.anonymise", object_id=str(expired_b.pk))
    assert (event.actor_id, event.organisation_id) == (None, personas.b.organisation.pk)


def test_it_runs_the_retention_job_for_the_system_only(personas):
    with pytest.raises(PermissionDenied):
        rights.anonymise_expired(actor=Actor(user=personas.a.user(Role.ORG_ADMIN), organisation=None))
