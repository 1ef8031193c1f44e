"""Isolation entries of the case management API (tests/test_isolation.py): B calls every route with A's ids.

Organisation A gets a registered person with a case carrying a row of every kind (screening, consents, a need, a
plan item, a service, a follow-up, a note, an attachment) and a pending hotline escalation; B's users, over a
session and a token, must neither see A's strings nor change A's rows — searching for A's person by name included.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.isolation import Route, World
from varta.accounts.permissions import Role
from varta.audit.writes import Actor
from varta.cases.actions import cases as case_actions
from varta.cases.actions import followups as follow_up_actions
from varta.cases.actions import notes as note_actions
from varta.cases.actions import plan as plan_actions
from varta.cases.actions import services as service_actions
from varta.cases.actions.cases import CaseInput, PersonInput
from varta.cases.actions.consent import ConsentInput, record_consent
from varta.cases.actions.screening import ScreeningInput, save_screening
from varta.cases.models import (
    Attachment,
    Case,
    CaseNote,
    CaseStage,
    CaseTransition,
    Consent,
    FollowUp,
    Need,
    Person,
    PlanItem,
    Screening,
    Service,
)
from varta.hotline import actions as hotline_actions
from varta.hotline.actions import ConsultationInput, ContactInput
from varta.hotline.models import Escalation, Topic

GIVEN, FAMILY = "Isoliana", "Apiarchuk"
MARKERS = [GIVEN, FAMILY, "671114477", "ISO-AA-778899", "Isolation API need of A", "Isolation API plan of A",
           "Isolation API note of A", "isolation-api-file-of-a", "ISOLATION-API-PROJECT"]


def _case(w: World) -> dict[str, Any]:
    return {"case_id": w.objects["api_case"].pk}


def _person(w: World) -> dict[str, Any]:
    return {"person_id": w.objects["api_case"].person_id}


def _row(name: str, kwarg: str) -> Any:
    return lambda w: {kwarg: w.objects[name].pk}


def _register(w: World) -> dict[str, Any]:
    # A's escalation id: B must be told it does not know it, never convert it.
    return {"person": {"given_name": "Taken", "family_name": "Over"}, "category": "at_risk", "source": "hotline",
            "escalation": w.objects["api_escalation"].pk}


def _open(w: World) -> dict[str, Any]:
    return {"category": "at_risk", "source": "outreach"}


def _search(w: World) -> dict[str, Any]:
    return {"given_name": GIVEN, "family_name": FAMILY}


def _person_body(w: World) -> dict[str, Any]:
    return {"given_name": "Taken", "family_name": "Over", "phone": "+380501112233"}


def _assign(w: World) -> dict[str, Any]:
    return {"case_worker": w.member_a.user_id, "supervisor": w.objects["api_case"].supervisor_id}


def _screening(w: World) -> dict[str, Any]:
    return {"types_of_exploitation": ["ForcedLabour"], "exploitation_countries": ["PL"]}


def _consent(w: World) -> dict[str, Any]:
    return {"purpose": "statistics", "given_on": date.today().isoformat(), "method": "written"}


def _today(w: World) -> dict[str, Any]:
    return {"due_on": date.today().isoformat(), "started_on": date.today().isoformat(), "service_type": "medical",
            "target_date": date.today().isoformat(), "domain": "health", "text": "Taken over", "status": "done",
            "met": True, "outcome": "completed", "ended_on": date.today().isoformat()}


def _series(w: World) -> dict[str, Any]:
    return {"first_on": date.today().isoformat(), "interval_months": 1, "count": 2}


def _record(w: World) -> dict[str, Any]:
    from varta.cases import reintegration

    return {"done_on": date.today().isoformat(), "answers": {q.code: 1 for q in reintegration.QUESTIONS}}


ROUTES: dict[str, Route] = {
    "api-cases-persons": Route(),
    "api-cases-person-search": Route(methods=("POST",), body=_search, json=True,
                                     why="B searches its own organisation only (A's person is never found)"),
    "api-cases-person": Route(methods=("GET", "PATCH"), kwargs=_person, body=_person_body, json=True),
    "api-cases-person-cases": Route(methods=("POST",), kwargs=_person, body=_open, json=True),
    "api-cases": Route(methods=("GET", "POST"), body=_register, json=True),
    "api-cases-case": Route(kwargs=_case),
    "api-cases-move": Route(methods=("POST",), kwargs=_case, body=lambda w: {"stage": "planning"}, json=True),
    "api-cases-request-closure": Route(methods=("POST",), kwargs=_case,
                                       body=lambda w: {"closure_reason": "declined"}, json=True),
    "api-cases-approve-closure": Route(methods=("POST",), kwargs=_case, json=True),
    "api-cases-reject-closure": Route(methods=("POST",), kwargs=_case, json=True),
    "api-cases-reopen": Route(methods=("POST",), kwargs=_case, json=True),
    "api-cases-assign": Route(methods=("POST",), kwargs=_case, body=_assign, json=True),
    "api-cases-screening": Route(methods=("GET", "PUT"), kwargs=_case, body=_screening, json=True),
    "api-cases-consents": Route(methods=("GET", "POST"), kwargs=_case, body=_consent, json=True),
    "api-cases-consent-withdraw": Route(methods=("POST",), kwargs=_row("api_consent", "consent_id"), json=True),
    "api-cases-needs": Route(methods=("GET", "POST"), kwargs=_case, body=_today, json=True),
    "api-cases-need": Route(methods=("PATCH",), kwargs=_row("api_need", "need_id"), body=_today, json=True),
    "api-cases-plan-items": Route(methods=("GET", "POST"), kwargs=_case, body=_today, json=True),
    "api-cases-plan-item": Route(methods=("PATCH",), kwargs=_row("api_plan_item", "item_id"), body=_today,
                                 json=True),
    "api-cases-services": Route(methods=("GET", "POST"), kwargs=_case, body=_today, json=True),
    "api-cases-service": Route(methods=("PATCH",), kwargs=_row("api_service", "service_id"), body=_today,
                               json=True),
    "api-cases-follow-ups": Route(methods=("GET", "POST"), kwargs=_case, body=_today, json=True),
    "api-cases-follow-up-series": Route(methods=("POST",), kwargs=_case, body=_series, json=True),
    "api-cases-follow-up-record": Route(methods=("POST",), kwargs=_row("api_follow_up", "follow_up_id"),
                                        body=_record, json=True),
    "api-cases-notes": Route(methods=("GET", "POST"), kwargs=_case, body=_today, json=True),
    "api-cases-attachments": Route(methods=("GET", "POST"), kwargs=_case, json=True,
                                   why="an upload is multipart; B is refused before its body is read"),
    "api-cases-attachment": Route(methods=("DELETE",), kwargs=_row("api_attachment", "attachment_id"), json=True),
    "api-cases-attachment-download": Route(kwargs=_row("api_attachment", "attachment_id")),
}


def populate(world: World, personas: Any) -> None:
    worker = personas.a.membership(Role.CASE_WORKER)
    actor = Actor(user=worker.user, organisation=worker.organisation)
    today = date.today()
    case = case_actions.register(actor=actor, membership=worker, person=PersonInput(
        given_name=GIVEN, family_name=FAMILY, birth_date=date(1991, 3, 4), phone="+380671114477",
        id_document_type="passport", id_document_number="ISO-AA-778899", gender="Feminine"),
        case=CaseInput(category="possible_victim", source="referral", opened_on=today - timedelta(days=100),
                       supervisor=personas.a.user(Role.CASE_SUPERVISOR)))
    for purpose in ("assistance", "follow_up"):
        consent = record_consent(actor=actor, membership=worker, case=case, data=ConsentInput(
            purpose=purpose, given_on=today - timedelta(days=90), method="written"))
    save_screening(actor=actor, membership=worker, case=case, data=ScreeningInput(
        types_of_exploitation=["SexualExploitation"], exploitation_start=today - timedelta(days=400)))
    for stage in (CaseStage.SCREENING, CaseStage.PLANNING, CaseStage.ASSISTANCE):
        case_actions.move(actor=actor, membership=worker, case=case, to_stage=stage)
    need = plan_actions.add_need(actor=actor, membership=worker, case=case, data=plan_actions.NeedInput(
        domain="legal", description="Isolation API need of A"))
    item = plan_actions.add_plan_item(actor=actor, membership=worker, case=case, data=plan_actions.PlanItemInput(
        service_type="legal_aid", target_date=today + timedelta(days=10), need=need, note="Isolation API plan of A"))
    service = service_actions.record_service(actor=actor, membership=worker, case=case,
                                             data=service_actions.ServiceInput(
                                                 service_type="rehabilitation_stay",
                                                 started_on=today - timedelta(days=20),
                                                 project_code="ISOLATION-API-PROJECT"))
    follow_up = follow_up_actions.schedule_follow_up(actor=actor, membership=worker, case=case,
                                                     due_on=today - timedelta(days=1))
    note_actions.add_note(actor=actor, membership=worker, case=case, text="Isolation API note of A")
    attachment = note_actions.upload_attachment(actor=actor, membership=worker, case=case, uploaded_file=(
        SimpleUploadedFile("isolation-api-file-of-a.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")))
    case_actions.request_closure(actor=actor, membership=worker, case=case, reason="goals_met")

    operator = personas.a.membership(Role.HOTLINE_OPERATOR)
    operator_actor = Actor(user=operator.user, organisation=operator.organisation)
    contact = hotline_actions.contact_create(actor=operator_actor, membership=operator, data=ContactInput(
        channel="phone", started_at=timezone.now() - timedelta(minutes=10),
        consultations=[ConsultationInput(topic=Topic.objects.get(organisation__isnull=True,
                                                                 code="job-offer-check"))]))
    escalation = hotline_actions.escalate(actor=operator_actor, membership=operator, contact=contact,
                                          reason="Isolation API escalation")

    world.objects.update(api_case=case, api_consent=consent, api_need=need, api_plan_item=item,
                         api_service=service, api_follow_up=follow_up, api_attachment=attachment,
                         api_escalation=escalation)
    world.markers.extend(MARKERS)
    org = world.org_a

    def snapshot() -> Any:
        return (
            sorted((p.pk, p.given_name, p.family_name, p.phone, p.id_document_number, p.location_id)
                   for p in Person.objects.filter(organisation=org)),
            sorted(Case.objects.filter(organisation=org).values_list(
                "pk", "person_id", "stage", "case_worker_id", "supervisor_id", "closure_reason",
                "closure_requested_at", "closed_at")),
            CaseTransition.objects.filter(organisation=org).count(),
            sorted(Screening.objects.filter(organisation=org).values_list("pk", "types_of_exploitation",
                                                                          "updated_at")),
            sorted(Consent.objects.filter(organisation=org).values_list("pk", "purpose", "withdrawn_on")),
            sorted((n.pk, n.domain, n.description, n.met) for n in Need.objects.filter(organisation=org)),
            sorted(PlanItem.objects.filter(organisation=org).values_list("pk", "status", "target_date")),
            sorted(Service.objects.filter(organisation=org).values_list("pk", "ended_on", "outcome")),
            sorted(FollowUp.objects.filter(organisation=org).values_list("pk", "due_on", "done_on")),
            CaseNote.objects.filter(organisation=org).count(),
            sorted(Attachment.objects.filter(organisation=org).values_list("pk", flat=True)),
            sorted(Escalation.objects.filter(organisation=org).values_list("pk", "status")),
        )

    world.snapshots.append(snapshot)
