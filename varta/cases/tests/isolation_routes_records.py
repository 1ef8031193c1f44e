"""Isolation entries for the record tabs of a case: screening, consents, needs and plan, services, follow-ups,
notes and files (tests/test_isolation.py).

Organisation A gets a case in reintegration monitoring with consents, a screening, a need, a plan item, a service,
a follow-up, a note and an attachment, each carrying a marker; B's users call every route with A's ids and must
neither see A's strings nor change A's rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.isolation import Route, World
from varta.cases.actions import followups, notes, plan, screening, services
from varta.cases.actions.plan import NeedInput, PlanItemInput
from varta.cases.actions.screening import ScreeningInput
from varta.cases.actions.services import ServiceInput
from varta.cases.models import (
    Attachment,
    CaseNote,
    CaseStage,
    Consent,
    ConsentPurpose,
    FollowUp,
    Need,
    PlanItem,
    Screening,
    Service,
)
from varta.cases.tests.helpers import acting_as, person_input
from varta.cases.tests.helpers_records import PDF_BYTES, all_answers, case_at

MARKERS = ["Recordia", "Isolation need of A", "Isolation plan note of A", "Isolation clinic of A", "ISOPROJ-A",
           "Isolation note of A", "isolation-file-of-a", "Isolation attachment of A"]
TODAY = date.today()


def _case(w: World) -> dict[str, Any]:
    return {"case_id": w.objects["records_case"].pk}


def _row(key: str, name: str) -> Any:
    return lambda w: {"case_id": w.objects["records_case"].pk, name: w.objects[key].pk}


def _service_body(w: World) -> dict[str, Any]:
    return {"service_type": "legal_aid", "provider": "", "started_on": TODAY.isoformat(), "outcome": "ongoing",
            "provider_other": "taken over", "cost": "1", "currency": "UAH"}


def _follow_up_body(w: World) -> dict[str, Any]:
    return {"done_on": TODAY.isoformat(), **{code: "1" for code in all_answers()}}


def _upload_body(w: World) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("taken-over.pdf", PDF_BYTES, content_type="application/pdf")}


ROUTES: dict[str, Route] = {
    "cases:screening": Route(methods=("GET", "POST"), kwargs=_case,
                             body=lambda w: {"types_of_exploitation": ["ForcedBegging"]}),
    "cases:consents": Route(methods=("GET", "POST"), kwargs=_case,
                            body=lambda w: {"purpose": "statistics", "given_on": TODAY.isoformat(),
                                            "method": "verbal"}),
    "cases:consent_withdraw": Route(methods=("POST",), kwargs=_row("records_consent", "consent_id"),
                                    body=lambda w: {"withdrawn_on": TODAY.isoformat()}),
    "cases:plan": Route(kwargs=_case),
    "cases:need_add": Route(methods=("POST",), kwargs=_case,
                            body=lambda w: {"domain": "legal", "description": "taken over"}),
    "cases:need_met": Route(methods=("POST",), kwargs=_row("records_need", "need_id"), body=lambda w: {"met": "1"}),
    "cases:plan_item_add": Route(methods=("POST",), kwargs=_case,
                                 body=lambda w: {"service_type": "cash", "target_date": TODAY.isoformat()}),
    "cases:plan_item_status": Route(methods=("POST",), kwargs=_row("records_item", "item_id"),
                                    body=lambda w: {"status": "cancelled"}),
    "cases:services": Route(kwargs=_case),
    "cases:service_add": Route(methods=("GET", "POST"), kwargs=_case, body=_service_body),
    "cases:service_edit": Route(methods=("GET", "POST"), kwargs=_row("records_service", "service_id"),
                                body=_service_body),
    "cases:follow_ups": Route(kwargs=_case),
    "cases:follow_ups_schedule": Route(methods=("POST",), kwargs=_case,
                                       body=lambda w: {"first_on": (TODAY + timedelta(days=40)).isoformat(),
                                                       "interval_months": "1", "count": "2"}),
    "cases:follow_up_record": Route(methods=("GET", "POST"), kwargs=_row("records_follow_up", "follow_up_id"),
                                    body=_follow_up_body),
    "cases:notes": Route(kwargs=_case),
    "cases:note_add": Route(methods=("POST",), kwargs=_case, body=lambda w: {"text": "taken over"}),
    "cases:attachment_upload": Route(methods=("POST",), kwargs=_case, body=_upload_body),
    "cases:attachment_download": Route(kwargs=_row("records_attachment", "attachment_id")),
    "cases:attachment_delete": Route(methods=("POST",), kwargs=_row("records_attachment", "attachment_id")),
}


def populate(world: World, personas: Any) -> None:
    case = case_at(personas.a, CaseStage.MONITORING, consents=(ConsentPurpose.ASSISTANCE, ConsentPurpose.FOLLOW_UP),
                   person=person_input(given_name="Recordia", family_name="Isolova", phone="+380671230000",
                                       id_document_number="FE000111"))
    membership, actor = acting_as(personas.a)
    screening.save_screening(actor=actor, membership=membership, case=case, data=ScreeningInput(
        types_of_exploitation=["ForcedLabour"]))
    need = plan.add_need(actor=actor, membership=membership, case=case,
                         data=NeedInput(domain="health", description="Isolation need of A"))
    item = plan.add_plan_item(actor=actor, membership=membership, case=case, data=PlanItemInput(
        service_type="medical", target_date=TODAY, need=need, note="Isolation plan note of A"))
    service = services.record_service(actor=actor, membership=membership, case=case, data=ServiceInput(
        service_type="medical", started_on=TODAY - timedelta(days=3), provider_other="Isolation clinic of A",
        cost=Decimal("100"), currency="UAH", project_code="ISOPROJ-A"))
    follow_up = followups.schedule_follow_up(actor=actor, membership=membership, case=case,
                                             due_on=TODAY + timedelta(days=20))
    notes.add_note(actor=actor, membership=membership, case=case, text="Isolation note of A")
    attachment = notes.upload_attachment(actor=actor, membership=membership, case=case, uploaded_file=(
        SimpleUploadedFile("isolation-file-of-a.txt", b"Isolation attachment of A", content_type="text/plain")))
    world.objects.update({
        "records_case": case, "records_consent": case.consents.get(purpose=ConsentPurpose.FOLLOW_UP),
        "records_need": need, "records_item": item, "records_service": service, "records_follow_up": follow_up,
        "records_attachment": attachment})
    world.markers.extend(MARKERS)
    world.snapshots.append(lambda: _snapshot(world))


def _snapshot(world: World) -> Any:
    org = world.org_a.pk
    return (
        sorted(Screening.objects.filter(organisation_id=org).values_list("pk", "types_of_exploitation")),
        sorted(Consent.objects.filter(organisation_id=org).values_list("pk", "purpose", "withdrawn_on")),
        sorted((n.pk, n.domain, n.description, n.met) for n in Need.objects.filter(organisation_id=org)),
        sorted(PlanItem.objects.filter(organisation_id=org).values_list("pk", "status", "target_date")),
        sorted(Service.objects.filter(organisation_id=org).values_list("pk", "service_type", "provider_other",
                                                                       "cost")),
        sorted(FollowUp.objects.filter(organisation_id=org).values_list("pk", "due_on", "done_on")),
        CaseNote.objects.filter(organisation_id=org).count(),
        sorted(Attachment.objects.filter(organisation_id=org).values_list("pk", flat=True)),
    )
