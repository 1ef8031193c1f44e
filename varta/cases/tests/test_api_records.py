"""API: the records of a case — screening, consents, needs and plan, services, follow-ups, notes, attachments;
good and bad input, consents enforced, need-to-know, roles, audit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from varta.accounts.permissions import Role
from varta.cases.actions import cases as case_actions
from varta.cases.actions import followups as follow_up_actions
from varta.cases.actions import notes as note_actions
from varta.cases.actions import plan as plan_actions
from varta.cases.actions import services as service_actions
from varta.cases.models import (
    Attachment,
    CaseStage,
    ClosureReason,
    Consent,
    ConsentPurpose,
    FollowUp,
    Need,
    PlanItem,
    Screening,
    Service,
)
from varta.cases.tests.helpers import acting_as, add_case_worker, give_consent, register_case
from varta.cases.tests.helpers_api import API, client_for, client_of, events, state
from varta.cases.tests.helpers_records import PDF_BYTES, all_answers, case_at, upload

pytestmark = pytest.mark.django_db

TODAY = date.today()


def iso(days: int = 0) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


@pytest.fixture
def second_worker(personas):
    return add_case_worker(personas.a, "a_second_worker")


@pytest.fixture
def worker(personas):
    return client_of(personas.a)


def close(org: Any, case: Any) -> None:
    membership, actor = acting_as(org)
    supervisor, supervisor_actor = acting_as(org, Role.CASE_SUPERVISOR)
    case_actions.request_closure(actor=actor, membership=membership, case=case, reason=ClosureReason.GOALS_MET)
    case_actions.approve_closure(actor=supervisor_actor, membership=supervisor, case=case)


# --- Screening -----------------------------------------------------------------------------------------------


def screening_body(**overrides: Any) -> dict[str, Any]:
    body = {"types_of_exploitation": ["ForcedLabour"], "forced_labour_industries": ["F_Construction"],
            "methods_of_control": ["DebtBondage", "WithholdsDocuments"], "relationship": "recruiter",
            "recruitment_country": "ua", "exploitation_countries": ["pl", "DE"], "exploitation_start": iso(-300),
            "exploitation_end": iso(-200), "nrm_applied_on": iso(-100), "nrm_interview_on": iso(-90),
            "nrm_decision": "granted", "nrm_decision_on": iso(-60)}
    body.update(overrides)
    return body


def test_it_records_reads_and_corrects_the_screening(personas, worker):
    case = register_case(personas.a)
    assert worker.get(f"{API}{case.pk}/screening/").status_code == 404  # none yet

    response = worker.put(f"{API}{case.pk}/screening/", screening_body(), format="json")

    assert response.status_code == 200, response.content
    screening = Screening.objects.get()
    assert screening.methods_of_control == ["DebtBondage", "WithholdsDocuments"]
    assert sorted(screening.exploitation_countries.values_list("iso2", flat=True)) == ["DE", "PL"]
    out = worker.get(f"{API}{case.pk}/screening/").json()
    assert out["exploitation_countries"] == ["DE", "PL"]
    assert out["exploitation_days"] == 101
    assert out["nrm_decision"] == "granted"
    assert events("cases.case.view", object_id=str(case.pk)) >= 2

    corrected = worker.put(f"{API}{case.pk}/screening/", screening_body(exploitation_countries=["PL"],
                                                                        nrm_decision="", nrm_decision_on=None),
                           format="json")
    assert corrected.status_code == 200
    assert corrected.json()["exploitation_countries"] == ["PL"]
    assert Screening.objects.count() == 1


@pytest.mark.parametrize(("overrides", "field"), [
    ({"exploitation_end": iso(-400)}, "exploitation_end"),
    ({"exploitation_start": iso(3)}, "exploitation_start"),
    ({"types_of_exploitation": ["Unicorns"]}, "types_of_exploitation"),
    ({"types_of_exploitation": ["SexualExploitation"]}, "forced_labour_industries"),
    ({"relationship": "neighbour"}, "relationship"),
    ({"exploitation_countries": ["PL", "ZZ"]}, "exploitation_countries"),
    ({"recruitment_place": "UA99"}, "recruitment_place"),
    ({"nrm_interview_on": iso(-120)}, "nrm_interview_on"),
    ({"nrm_decision_on": None}, "nrm_decision_on"),
])
def test_it_refuses_a_bad_screening_and_writes_nothing(personas, worker, overrides, field):
    case = register_case(personas.a)
    worker.put(f"{API}{case.pk}/screening/", screening_body(), format="json")
    before = state()

    response = worker.put(f"{API}{case.pk}/screening/", screening_body(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert state() == before
    assert sorted(Screening.objects.get().exploitation_countries.values_list("iso2", flat=True)) == ["DE", "PL"]


# --- Consents ------------------------------------------------------------------------------------------------


def test_it_records_lists_and_withdraws_consents(personas, worker):
    case = register_case(personas.a)

    given = worker.post(f"{API}{case.pk}/consents/", {"purpose": "follow_up", "given_on": iso(-2),
                                                      "method": "verbal"}, format="json")
    referral = worker.post(f"{API}{case.pk}/consents/", {"purpose": "referral", "given_on": iso(),
                                                         "method": "written",
                                                         "recipient": personas.b.organisation.pk}, format="json")

    assert given.status_code == 201, given.content
    assert referral.status_code == 201, referral.content
    assert referral.json()["recipient_name"] == "Beta Help"
    listed = worker.get(f"{API}{case.pk}/consents/").json()
    assert {c["purpose"] for c in listed} == {"follow_up", "referral"}
    assert all(c["active"] for c in listed)

    withdrawn = worker.post(f"{API}consents/{given.json()['id']}/withdraw/", {}, format="json")

    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawn_on"] == iso()
    assert withdrawn.json()["active"] is False
    assert worker.post(f"{API}consents/{given.json()['id']}/withdraw/", {}, format="json").status_code == 400
    assert events("cases.consent.withdraw") == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"purpose": "assistance", "given_on": iso(1), "method": "written"}, "given_on"),
    ({"purpose": "marketing", "given_on": iso(), "method": "written"}, "purpose"),
    ({"purpose": "assistance", "given_on": iso(), "method": "telepathy"}, "method"),
    ({"purpose": "assistance", "method": "written"}, "given_on"),
    ({"purpose": "referral", "given_on": iso(), "method": "written"}, "recipient"),
    ({"purpose": "assistance", "given_on": iso(), "method": "written", "recipient": 1}, "recipient"),
    ({"purpose": "referral", "given_on": iso(), "method": "written", "recipient": 10**9}, "recipient"),
])
def test_it_refuses_a_bad_consent_and_writes_nothing(personas, worker, body, field):
    case = register_case(personas.a)
    before = state()

    response = worker.post(f"{API}{case.pk}/consents/", body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert state() == before


def test_it_refuses_a_withdrawal_before_the_consent_was_given(personas, worker):
    case = register_case(personas.a)
    consent = give_consent(personas.a, case, ConsentPurpose.FOLLOW_UP, given_on=TODAY - timedelta(days=2))

    response = worker.post(f"{API}consents/{consent.pk}/withdraw/", {"withdrawn_on": iso(-5)}, format="json")

    assert response.status_code == 400
    assert "withdrawn_on" in response.json()
    assert Consent.objects.get().withdrawn_on is None


# --- Needs and plan ------------------------------------------------------------------------------------------


def test_it_adds_and_corrects_needs(personas, worker):
    case = case_at(personas.a, CaseStage.PLANNING)

    created = worker.post(f"{API}{case.pk}/needs/", {"domain": "shelter", "description": "Needs a safe place"},
                          format="json")

    assert created.status_code == 201, created.content
    need = Need.objects.get()
    assert need.description == "Needs a safe place"
    corrected = worker.patch(f"{API}needs/{need.pk}/", {"met": True}, format="json")
    assert corrected.status_code == 200
    assert corrected.json()["met"] is True
    assert corrected.json()["domain"] == "shelter"
    renamed = worker.patch(f"{API}needs/{need.pk}/", {"domain": "legal"}, format="json")
    assert renamed.json()["description"] == "Needs a safe place"
    assert [n["domain"] for n in worker.get(f"{API}{case.pk}/needs/").json()] == ["legal"]
    assert events("cases.need.met") == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"domain": "luck"}, "domain"),
    ({"domain": "health", "description": "<script>alert(1)</script>"}, "description"),
    ({"description": "no domain"}, "domain"),
])
def test_it_refuses_a_bad_need(personas, worker, body, field):
    case = case_at(personas.a, CaseStage.PLANNING)
    before = state()

    response = worker.post(f"{API}{case.pk}/needs/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert state() == before


def test_it_plans_services_and_marks_them_done(personas, worker):
    case = case_at(personas.a, CaseStage.PLANNING)
    need = worker.post(f"{API}{case.pk}/needs/", {"domain": "health"}, format="json").json()

    created = worker.post(f"{API}{case.pk}/plan-items/", {"service_type": "medical", "target_date": iso(-1),
                                                          "need": need["id"], "note": "Clinic"}, format="json")

    assert created.status_code == 201, created.content
    assert created.json()["overdue"] is True
    assert created.json()["need"] == need["id"]
    item = PlanItem.objects.get()
    done = worker.patch(f"{API}plan-items/{item.pk}/", {"status": "done"}, format="json")
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert done.json()["overdue"] is False
    moved = worker.patch(f"{API}plan-items/{item.pk}/", {"target_date": iso(30), "status": "planned"},
                         format="json")
    assert moved.json()["target_date"] == iso(30)
    assert moved.json()["note"] == "Clinic"
    assert [p["id"] for p in worker.get(f"{API}{case.pk}/plan-items/").json()] == [item.pk]


def test_it_refuses_another_organisations_service_without_the_referral_consent(personas, worker):
    case = case_at(personas.a, CaseStage.PLANNING)
    body = {"service_type": "legal_aid", "target_date": iso(10), "provider": personas.b.organisation.pk}
    before = state()

    refused = worker.post(f"{API}{case.pk}/plan-items/", body, format="json")

    assert refused.status_code == 400
    assert "Beta Help" in refused.json()["provider"][0]
    assert state() == before
    give_consent(personas.a, case, ConsentPurpose.REFERRAL, recipient=personas.b.organisation)
    assert worker.post(f"{API}{case.pk}/plan-items/", body, format="json").status_code == 201


@pytest.mark.parametrize(("body", "field"), [
    ({"service_type": "magic", "target_date": iso(3)}, "service_type"),
    ({"service_type": "medical"}, "target_date"),
    ({"service_type": "medical", "target_date": iso(6 * 366)}, "target_date"),
    ({"service_type": "medical", "target_date": iso(3), "need": 10**9}, "need"),
    ({"service_type": "medical", "target_date": iso(3), "provider": 10**9}, "provider"),
])
def test_it_refuses_a_bad_plan_item(personas, worker, body, field):
    case = case_at(personas.a, CaseStage.PLANNING)
    before = state()

    response = worker.post(f"{API}{case.pk}/plan-items/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert state() == before


def test_it_refuses_a_need_of_another_case_in_a_plan_item(personas, worker):
    case = case_at(personas.a, CaseStage.PLANNING)
    other = register_case(personas.a)
    membership, actor = acting_as(personas.a)
    foreign = plan_actions.add_need(actor=actor, membership=membership, case=other,
                                    data=plan_actions.NeedInput(domain="legal"))

    response = worker.post(f"{API}{case.pk}/plan-items/", {"service_type": "legal_aid", "target_date": iso(3),
                                                           "need": foreign.pk}, format="json")

    assert response.status_code == 400
    assert "need" in response.json()


# --- Services ------------------------------------------------------------------------------------------------


def test_it_records_and_corrects_a_rehabilitation_stay(personas, worker):
    case = case_at(personas.a, CaseStage.ASSISTANCE)

    created = worker.post(f"{API}{case.pk}/services/", {
        "service_type": "rehabilitation_stay", "started_on": iso(-20), "cost": "1250.50", "currency": "uah",
        "project_code": "EU-TRAFF-7"}, format="json")

    assert created.status_code == 201, created.content
    assert created.json()["length_of_stay"] is None
    service = Service.objects.get()
    assert (service.cost, service.currency) == (Decimal("1250.50"), "UAH")
    discharged = worker.patch(f"{API}services/{service.pk}/", {"ended_on": iso(-6), "outcome": "completed"},
                              format="json")
    assert discharged.status_code == 200, discharged.content
    assert discharged.json()["length_of_stay"] == 14
    assert discharged.json()["project_code"] == "EU-TRAFF-7"
    assert [s["id"] for s in worker.get(f"{API}{case.pk}/services/").json()] == [service.pk]


def test_it_refuses_a_service_without_the_consent_to_assistance(personas, worker):
    case = register_case(personas.a)
    before = state()

    response = worker.post(f"{API}{case.pk}/services/", {"service_type": "medical", "started_on": iso(-1)},
                           format="json")

    assert response.status_code == 400
    assert "Assistance" in response.json()["consent"][0]
    assert state() == before


def test_a_service_answering_a_plan_item_marks_it_done(personas, worker):
    case = case_at(personas.a, CaseStage.ASSISTANCE)
    item = worker.post(f"{API}{case.pk}/plan-items/", {"service_type": "psychosocial", "target_date": iso(5)},
                       format="json").json()

    response = worker.post(f"{API}{case.pk}/services/", {"service_type": "psychosocial", "started_on": iso(),
                                                         "plan_item": item["id"]}, format="json")

    assert response.status_code == 201
    assert PlanItem.objects.get().status == "done"


@pytest.mark.parametrize(("body", "field"), [
    ({"service_type": "medical", "started_on": iso(2)}, "started_on"),
    ({"service_type": "medical", "started_on": iso(-2), "ended_on": iso(-5), "outcome": "completed"}, "ended_on"),
    ({"service_type": "medical", "started_on": iso(-2), "cost": "100"}, "currency"),
    ({"service_type": "medical", "started_on": iso(-2), "cost": "100", "currency": "XYZ"}, "currency"),
    ({"service_type": "medical", "started_on": iso(-2), "cost": "-1", "currency": "UAH"}, "cost"),
    ({"service_type": "medical", "started_on": iso(-2), "cost": "1.234", "currency": "UAH"}, "cost"),
    ({"service_type": "haircut", "started_on": iso(-2)}, "service_type"),
    ({"service_type": "medical", "started_on": iso(-2), "plan_item": 10**9}, "plan_item"),
    ({"service_type": "medical", "started_on": iso(-2), "provider_other": "<b>x</b>"}, "provider_other"),
])
def test_it_refuses_a_bad_service_and_writes_nothing(personas, worker, body, field):
    case = case_at(personas.a, CaseStage.ASSISTANCE)
    before = state()

    response = worker.post(f"{API}{case.pk}/services/", body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert state() == before


# --- Follow-ups ----------------------------------------------------------------------------------------------


def test_it_schedules_and_records_follow_ups_with_scores(personas, worker):
    case = case_at(personas.a, CaseStage.MONITORING, consents=(ConsentPurpose.ASSISTANCE, ConsentPurpose.FOLLOW_UP))

    one = worker.post(f"{API}{case.pk}/follow-ups/", {"due_on": iso(-10)}, format="json")
    series = worker.post(f"{API}{case.pk}/follow-ups/series/", {"first_on": iso(30), "interval_months": 3,
                                                                "count": 3}, format="json")

    assert one.status_code == 201, one.content
    assert one.json()["overdue"] is True
    assert series.status_code == 201, series.content
    assert len(series.json()) == 3
    assert FollowUp.objects.count() == 4

    recorded = worker.post(f"{API}follow-ups/{one.json()['id']}/record/", {"done_on": iso(-9),
                                                                          "answers": all_answers(5)},
                           format="json")

    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["overall_score"] == "1.00"
    assert recorded.json()["overdue"] is False
    listed = worker.get(f"{API}{case.pk}/follow-ups/").json()
    assert listed[0]["due_on"] == iso(-10)


def test_it_refuses_a_follow_up_without_the_consent_to_follow_up_contact(personas, worker):
    case = case_at(personas.a, CaseStage.MONITORING)
    before = state()

    response = worker.post(f"{API}{case.pk}/follow-ups/", {"due_on": iso(10)}, format="json")

    assert response.status_code == 400
    assert "Follow-up contact" in response.json()["consent"][0]
    assert state() == before


@pytest.mark.parametrize(("body", "field"), [
    ({"first_on": iso(10), "interval_months": 0, "count": 3}, "interval_months"),
    ({"first_on": iso(10), "interval_months": 3, "count": 40}, "count"),
    ({"first_on": iso(-1000), "interval_months": 3, "count": 2}, "first_on"),
    ({"interval_months": 3, "count": 2}, "first_on"),
])
def test_it_refuses_a_bad_series_and_schedules_none(personas, worker, body, field):
    case = case_at(personas.a, CaseStage.MONITORING, consents=(ConsentPurpose.ASSISTANCE, ConsentPurpose.FOLLOW_UP))
    before = state()

    response = worker.post(f"{API}{case.pk}/follow-ups/series/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert state() == before


@pytest.mark.parametrize(("body", "field"), [
    ({"done_on": iso(1), "answers": all_answers()}, "done_on"),
    ({"done_on": iso(), "answers": {**all_answers(), "eco_income": 9}}, "eco_income"),
    ({"done_on": iso(), "answers": {"eco_income": 3}}, "social"),
    ({"done_on": iso(), "answers": {**all_answers(), "favourite_colour": 3}}, "answers"),
    ({"done_on": iso()}, "answers"),
])
def test_it_refuses_a_bad_follow_up_record(personas, worker, body, field):
    case = case_at(personas.a, CaseStage.MONITORING, consents=(ConsentPurpose.ASSISTANCE, ConsentPurpose.FOLLOW_UP))
    membership, actor = acting_as(personas.a)
    follow_up = follow_up_actions.schedule_follow_up(actor=actor, membership=membership, case=case, due_on=TODAY)
    before = state()

    response = worker.post(f"{API}follow-ups/{follow_up.pk}/record/", body, format="json")

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert state() == before


# --- Notes and attachments -----------------------------------------------------------------------------------


def test_it_adds_and_lists_notes(personas, worker):
    case = register_case(personas.a)

    created = worker.post(f"{API}{case.pk}/notes/", {"text": "  Called the shelter.  "}, format="json")

    assert created.status_code == 201
    assert created.json()["text"] == "Called the shelter."
    assert created.json()["author"] == personas.a.user(Role.CASE_WORKER).pk
    assert [n["text"] for n in worker.get(f"{API}{case.pk}/notes/").json()] == ["Called the shelter."]


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "   "}, {"text": "<img src=x onerror=alert(1)>"}, {}])
def test_it_refuses_an_empty_or_marked_up_note(personas, worker, body):
    case = register_case(personas.a)
    before = state()

    response = worker.post(f"{API}{case.pk}/notes/", body, format="json")

    assert response.status_code == 400
    assert "text" in response.json()
    assert state() == before


def test_a_closed_case_takes_no_new_records(personas, worker):
    case = case_at(personas.a, CaseStage.MONITORING, consents=(ConsentPurpose.ASSISTANCE, ConsentPurpose.FOLLOW_UP))
    close(personas.a, case)
    before = state()

    for path, body in (("notes/", {"text": "Late note"}), ("needs/", {"domain": "health"}),
                       ("plan-items/", {"service_type": "medical", "target_date": iso(3)}),
                       ("services/", {"service_type": "medical", "started_on": iso(-1)}),
                       ("follow-ups/", {"due_on": iso(3)}),
                       ("consents/", {"purpose": "statistics", "given_on": iso(), "method": "written"})):
        response = worker.post(f"{API}{case.pk}/{path}", body, format="json")
        assert response.status_code == 400, path
        assert "case" in response.json(), (path, response.json())
    assert worker.put(f"{API}{case.pk}/screening/", screening_body(), format="json").status_code == 400
    assert state() == before


def test_it_attaches_lists_downloads_and_removes_a_file(personas, worker):
    case = register_case(personas.a)

    created = worker.post(f"{API}{case.pk}/attachments/", {"file": upload("Довідка.pdf")}, format="multipart")

    assert created.status_code == 201, created.content
    attachment = Attachment.objects.get()
    assert created.json()["file_name"] == "Довідка.pdf"
    assert created.json()["content_type"] == "application/pdf"
    listed = worker.get(f"{API}{case.pk}/attachments/")
    assert [a["id"] for a in listed.json()] == [attachment.pk]
    assert b"%PDF" not in listed.content

    download = worker.get(f"{API}attachments/{attachment.pk}/download/")

    assert download.status_code == 200
    assert download.content == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert events("cases.attachment.download", object_id=str(attachment.pk)) == 1

    removed = worker.delete(f"{API}attachments/{attachment.pk}/")
    assert removed.status_code == 204
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(("name", "content"), [
    ("invoice.pdf", b"MZ\x90\x00\x03" + b"\x00" * 60),
    ("empty.pdf", b""),
    ("archive.docx", b"PK\x03\x04" + b"\x00" * 30),
])
def test_it_refuses_a_file_that_is_not_an_allowed_document(personas, worker, name, content):
    case = register_case(personas.a)
    before = state()

    response = worker.post(f"{API}{case.pk}/attachments/",
                           {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
                           format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()
    assert state() == before


def test_it_refuses_a_file_over_the_limit(personas, worker, settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 1024
    case = register_case(personas.a)

    response = worker.post(f"{API}{case.pk}/attachments/", {"file": upload(content=PDF_BYTES + b" " * 2000)},
                           format="multipart")

    assert response.status_code == 400
    assert "limit" in response.json()["file"][0]
    assert not Attachment.objects.exists()


def test_it_lets_only_the_uploader_or_a_supervisor_remove_a_file(personas, worker):
    case = register_case(personas.a)
    membership, actor = acting_as(personas.a, Role.CASE_SUPERVISOR)
    attachment = note_actions.upload_attachment(actor=actor, membership=membership, case=case,
                                                uploaded_file=upload())

    assert worker.delete(f"{API}attachments/{attachment.pk}/").status_code == 403
    assert Attachment.objects.exists()
    assert client_of(personas.a, Role.CASE_SUPERVISOR).delete(f"{API}attachments/{attachment.pk}/").status_code == 204


# --- Need-to-know and roles over every record route ----------------------------------------------------------


@pytest.fixture
def full_case(personas):
    """A case of A's first case worker with one row of every kind."""
    case = case_at(personas.a, CaseStage.MONITORING, consents=(ConsentPurpose.ASSISTANCE, ConsentPurpose.FOLLOW_UP))
    membership, actor = acting_as(personas.a)
    need = plan_actions.add_need(actor=actor, membership=membership, case=case,
                                 data=plan_actions.NeedInput(domain="legal", description="Secret need"))
    item = plan_actions.add_plan_item(actor=actor, membership=membership, case=case, data=plan_actions.PlanItemInput(
        service_type="legal_aid", target_date=TODAY + timedelta(days=5), note="Secret plan"))
    service = service_actions.record_service(actor=actor, membership=membership, case=case,
                                             data=service_actions.ServiceInput(service_type="medical",
                                                                               started_on=TODAY))
    follow_up = follow_up_actions.schedule_follow_up(actor=actor, membership=membership, case=case, due_on=TODAY)
    note_actions.add_note(actor=actor, membership=membership, case=case, text="Secret note")
    attachment = note_actions.upload_attachment(actor=actor, membership=membership, case=case,
                                                uploaded_file=upload("secret.pdf"))
    consent = case.consents.first()
    return {"case": case, "need": need, "item": item, "service": service, "follow_up": follow_up,
            "attachment": attachment, "consent": consent}


def record_routes(rows: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    case = rows["case"].pk
    return [
        ("get", f"{API}{case}/screening/", {}), ("put", f"{API}{case}/screening/", screening_body()),
        ("get", f"{API}{case}/consents/", {}),
        ("post", f"{API}{case}/consents/", {"purpose": "statistics", "given_on": iso(), "method": "written"}),
        ("post", f"{API}consents/{rows['consent'].pk}/withdraw/", {}),
        ("get", f"{API}{case}/needs/", {}), ("post", f"{API}{case}/needs/", {"domain": "health"}),
        ("patch", f"{API}needs/{rows['need'].pk}/", {"met": True}),
        ("get", f"{API}{case}/plan-items/", {}),
        ("post", f"{API}{case}/plan-items/", {"service_type": "medical", "target_date": iso(3)}),
        ("patch", f"{API}plan-items/{rows['item'].pk}/", {"status": "done"}),
        ("get", f"{API}{case}/services/", {}),
        ("post", f"{API}{case}/services/", {"service_type": "medical", "started_on": iso()}),
        ("patch", f"{API}services/{rows['service'].pk}/", {"outcome": "completed", "ended_on": iso()}),
        ("get", f"{API}{case}/follow-ups/", {}), ("post", f"{API}{case}/follow-ups/", {"due_on": iso(40)}),
        ("post", f"{API}{case}/follow-ups/series/", {"first_on": iso(50), "interval_months": 1, "count": 2}),
        ("post", f"{API}follow-ups/{rows['follow_up'].pk}/record/", {"done_on": iso(), "answers": all_answers()}),
        ("get", f"{API}{case}/notes/", {}), ("post", f"{API}{case}/notes/", {"text": "Taken over"}),
        ("get", f"{API}{case}/attachments/", {}),
        ("delete", f"{API}attachments/{rows['attachment'].pk}/", {}),
        ("get", f"{API}attachments/{rows['attachment'].pk}/download/", {}),
    ]


def call(client: Any, method: str, url: str, body: dict[str, Any]) -> Any:
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, format="json")


SECRETS = ("Secret need", "Secret plan", "Secret note", "secret.pdf", "%PDF")


def test_it_answers_404_on_every_record_route_outside_need_to_know(personas, full_case, second_worker):
    clients = [client_for(second_worker), client_of(personas.b), client_of(personas.b, Role.CASE_SUPERVISOR)]
    b_admin = client_of(personas.b, Role.ORG_ADMIN)  # reads (and supervises) B's cases, never works on them
    before = state()

    for method, url, body in record_routes(full_case):
        for client in clients:
            response = call(client, method, url, body)
            assert response.status_code == 404, (method, url, response.status_code)
            assert not any(s in response.content.decode("utf-8", "replace") for s in SECRETS)
        response = call(b_admin, method, url, body)
        assert response.status_code == (404 if method in ("get", "delete") else 403), (method, url)
    assert state() == before


@pytest.mark.parametrize("role", [Role.TASKFORCE_COORDINATOR, Role.HOTLINE_OPERATOR, Role.INFORMATION_MANAGER,
                                  Role.SYSTEM_ADMIN], ids=lambda r: r.value)
def test_it_refuses_every_record_route_to_roles_without_cases(personas, full_case, role):
    client = client_of(personas.a, role)
    before = state()

    for method, url, body in record_routes(full_case):
        response = call(client, method, url, body)
        assert response.status_code == 403, (method, url, response.status_code)
    assert state() == before


def test_an_org_admin_reads_records_but_does_not_write_them(personas, full_case):
    admin = client_of(personas.a, Role.ORG_ADMIN)
    routes = [(m, url, body) for m, url, body in record_routes(full_case) if m != "delete"]  # supervisors may
    before = state()

    for method, url, body in routes:
        response = call(admin, method, url, body)
        if method != "get":
            assert response.status_code == 403, (method, url)
        elif "screening" in url:
            assert response.status_code == 404  # none recorded
        else:
            assert response.status_code == 200, url
    reads = [url for method, url, _body in routes if method == "get" and "download" not in url]
    assert events("cases.case.view") == len(reads)  # every read recorded, the screening's too
    assert events("cases.attachment.download") == 1
    assert state()[1:] == before[1:]
