"""Case management API: the records of a case — screening, consents, needs and plan items, services, follow-ups,
notes and attachments.

Every route reaches its rows through a visible case (``selectors.access_case`` / ``access_case_row``): another
organisation's id, or a case outside need-to-know, answers 404. Reading a case's records is an audit event, as
reading the case is (``cases.case.view``); downloading an attachment is one of its own
(``cases.attachment.download``). Each write is one action, which checks, writes and records in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from varta.accounts.permissions import Action
from varta.cases import selectors
from varta.cases.actions import cases as case_actions
from varta.cases.actions import consent as consent_actions
from varta.cases.actions import followups as follow_up_actions
from varta.cases.actions import notes as note_actions
from varta.cases.actions import plan as plan_actions
from varta.cases.actions import screening as screening_actions
from varta.cases.actions import services as service_actions
from varta.cases.models import Attachment, Case, Consent, FollowUp, Need, PlanItem, Screening, Service
from varta.cases.serializers import (
    AttachmentIn,
    AttachmentOut,
    ConsentIn,
    ConsentOut,
    FollowUpIn,
    FollowUpOut,
    FollowUpRecordIn,
    FollowUpSeriesIn,
    NeedIn,
    NeedOut,
    NoteIn,
    NoteOut,
    PlanItemIn,
    PlanItemOut,
    ScreeningIn,
    ScreeningOut,
    ServiceIn,
    ServiceOut,
    WithdrawIn,
)
from varta.core.api_views import VartaAPIView
from varta.orgs.models import Membership

TAGS = ["cases"]

NOT_VISIBLE = OpenApiResponse(description="Not found, or not yours to see (need-to-know): the same answer.")
REFUSED = OpenApiResponse(description="Your role does not allow this.")
INVALID = OpenApiResponse(description="Bad input: an object of field names, each with its messages (`case` when "
                          "the case is closed, the consent's field when a consent is missing); nothing is written.")
READ = "Needs `cases.view` and need-to-know; the read is an audit event (`cases.case.view`)."
WORK = "Needs `cases.work`; a closed case is read-only."


def read_case(view: VartaAPIView, request: Request, case_id: int) -> tuple[Membership, Case]:
    """The visible case (404 otherwise), its read recorded."""
    membership = view.acting(request, Action.CASE_VIEW)
    case = selectors.access_case(membership, case_id)
    case_actions.viewed(actor=view.actor(request), case=case)
    return membership, case


def work_case(view: VartaAPIView, request: Request, case_id: int) -> tuple[Membership, Case]:
    membership = view.acting(request, Action.CASE_WORK)
    return membership, selectors.access_case(membership, case_id)


def read_responses(out: Any) -> dict[int, Any]:
    return {200: out, 403: REFUSED, 404: NOT_VISIBLE}


def write_responses(out: Any, code: int = 200) -> dict[int, Any]:
    return {code: out, 400: INVALID, 403: REFUSED, 404: NOT_VISIBLE}


# --- Screening -----------------------------------------------------------------------------------------------


class ScreeningView(VartaAPIView):
    @extend_schema(tags=TAGS, responses=read_responses(ScreeningOut), summary="The case's screening",
                   description=f"HTCDS victim context and the national referral mechanism track; 404 while none "
                   f"is recorded. {READ}")
    def get(self, request: Request, case_id: int) -> Response:
        _membership, case = read_case(self, request, case_id)
        screening = Screening.objects.filter(case=case).prefetch_related("exploitation_countries").first()
        if screening is None:
            raise NotFound(_("No screening has been recorded for this case yet."))
        return Response(ScreeningOut(screening).data)

    @extend_schema(tags=TAGS, request=ScreeningIn, responses=write_responses(ScreeningOut),
                   summary="Record or correct the screening (the whole of it)",
                   description=f"Picklists by HTCDS value name, places by P-code, countries by ISO2. Fields left "
                   f"out are cleared. {WORK}")
    def put(self, request: Request, case_id: int) -> Response:
        membership, case = work_case(self, request, case_id)
        payload = ScreeningIn(data=request.data)
        payload.is_valid(raise_exception=True)
        screening = screening_actions.save_screening(actor=self.actor(request), membership=membership, case=case,
                                                     data=payload.screening_input())
        return Response(ScreeningOut(screening).data)


# --- Consents ------------------------------------------------------------------------------------------------


class ConsentListView(VartaAPIView):
    @extend_schema(tags=TAGS, responses=read_responses(ConsentOut(many=True)),
                   summary="The case's consents, withdrawn ones too", description=READ)
    def get(self, request: Request, case_id: int) -> Response:
        _membership, case = read_case(self, request, case_id)
        return Response(ConsentOut(case.consents.select_related("recipient"), many=True).data)

    @extend_schema(tags=TAGS, request=ConsentIn, responses=write_responses(ConsentOut, 201),
                   summary="Record a consent",
                   description=f"One purpose each; a referral consent names the organisation (`recipient`). {WORK}")
    def post(self, request: Request, case_id: int) -> Response:
        membership, case = work_case(self, request, case_id)
        payload = ConsentIn(data=request.data)
        payload.is_valid(raise_exception=True)
        consent = consent_actions.record_consent(actor=self.actor(request), membership=membership, case=case,
                                                 data=payload.consent_input())
        return Response(ConsentOut(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawView(VartaAPIView):
    @extend_schema(tags=TAGS, request=WithdrawIn, responses=write_responses(ConsentOut),
                   summary="Withdraw a consent",
                   description="A consent is withdrawn, never deleted. Needs `cases.work`.")
    def post(self, request: Request, consent_id: int) -> Response:
        membership = self.acting(request, Action.CASE_WORK)
        consent = selectors.access_case_row(membership, Consent, consent_id)
        payload = WithdrawIn(data=request.data)
        payload.is_valid(raise_exception=True)
        consent_actions.withdraw_consent(actor=self.actor(request), membership=membership, consent=consent,
                                         on=payload.validated_data["withdrawn_on"])
        return Response(ConsentOut(consent).data)


# --- Needs and plan ------------------------------------------------------------------------------------------


class NeedListView(VartaAPIView):
    @extend_schema(tags=TAGS, responses=read_responses(NeedOut(many=True)), summary="The case's needs",
                   description=READ)
    def get(self, request: Request, case_id: int) -> Response:
        _membership, case = read_case(self, request, case_id)
        return Response(NeedOut(case.needs.all(), many=True).data)

    @extend_schema(tags=TAGS, request=NeedIn, responses=write_responses(NeedOut, 201), summary="Add a need",
                   description=WORK)
    def post(self, request: Request, case_id: int) -> Response:
        membership, case = work_case(self, request, case_id)
        payload = NeedIn(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        actor = self.actor(request)
        with transaction.atomic():
            need = plan_actions.add_need(actor=actor, membership=membership, case=case, data=plan_actions.NeedInput(
                domain=data["domain"], description=data["description"]))
            if data.get("met"):
                plan_actions.set_need_met(actor=actor, membership=membership, need=need, met=True)
        return Response(NeedOut(need).data, status=status.HTTP_201_CREATED)


class NeedDetailView(VartaAPIView):
    @extend_schema(tags=TAGS, request=NeedIn, responses=write_responses(NeedOut),
                   summary="Correct a need, or mark it met", description=f"Fields left out keep their values. {WORK}")
    def patch(self, request: Request, need_id: int) -> Response:
        membership = self.acting(request, Action.CASE_WORK)
        need = selectors.access_case_row(membership, Need, need_id)
        payload = NeedIn(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        actor = self.actor(request)
        with transaction.atomic():
            if "domain" in data or "description" in data:
                plan_actions.update_need(actor=actor, membership=membership, need=need, data=plan_actions.NeedInput(
                    domain=data.get("domain", need.domain), description=data.get("description", need.description)))
            if "met" in data and data["met"] != need.met:
                plan_actions.set_need_met(actor=actor, membership=membership, need=need, met=data["met"])
        return Response(NeedOut(need).data)


class PlanItemListView(VartaAPIView):
    @extend_schema(tags=TAGS, responses=read_responses(PlanItemOut(many=True)),
                   summary="The case's plan: planned services with target dates", description=READ)
    def get(self, request: Request, case_id: int) -> Response:
        _membership, case = read_case(self, request, case_id)
        return Response(PlanItemOut(case.plan_items.select_related("provider"), many=True).data)

    @extend_schema(tags=TAGS, request=PlanItemIn, responses=write_responses(PlanItemOut, 201),
                   summary="Plan a service", description=WORK)
    def post(self, request: Request, case_id: int) -> Response:
        membership, case = work_case(self, request, case_id)
        payload = PlanItemIn(data=request.data, context={"case": case})
        payload.is_valid(raise_exception=True)
        item = plan_actions.add_plan_item(actor=self.actor(request), membership=membership, case=case,
                                          data=payload.plan_item_input())
        return Response(PlanItemOut(item).data, status=status.HTTP_201_CREATED)


class PlanItemDetailView(VartaAPIView):
    @extend_schema(tags=TAGS, request=PlanItemIn, responses=write_responses(PlanItemOut),
                   summary="Correct a plan item, or set its status (planned, done, cancelled)",
                   description=f"Fields left out keep their values; the referral consent is checked again only "
                   f"when the provider changes. {WORK}")
    def patch(self, request: Request, item_id: int) -> Response:
        membership = self.acting(request, Action.CASE_WORK)
        item = selectors.access_case_row(membership, PlanItem, item_id)
        payload = PlanItemIn(data=request.data, partial=True, context={"case": item.case})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        actor = self.actor(request)
        with transaction.atomic():
            if set(data) - {"status"}:
                plan_actions.update_plan_item(actor=actor, membership=membership, item=item,
                                              data=payload.plan_item_input(current=item))
            if "status" in data and data["status"] != item.status:
                plan_actions.set_plan_item_status(actor=actor, membership=membership, item=item,
                                                  status=data["status"])
        return Response(PlanItemOut(item).data)


# --- Services ------------------------------------------------------------------------------------------------


class ServiceListView(VartaAPIView):
    @extend_schema(tags=TAGS, responses=read_responses(ServiceOut(many=True)),
                   summary="Services delivered, newest first", description=READ)
    def get(self, request: Request, case_id: int) -> Response:
        _membership, case = read_case(self, request, case_id)
        return Response(ServiceOut(case.services.select_related("provider"), many=True).data)

    @extend_schema(tags=TAGS, request=ServiceIn, responses=write_responses(ServiceOut, 201),
                   summary="Record a service delivered",
                   description=f"Needs the person's consent to assistance, and for another organisation's service "
                   f"the referral consent naming it. A service that answers a plan item marks it done. {WORK}")
    def post(self, request: Request, case_id: int) -> Response:
        membership, case = work_case(self, request, case_id)
        payload = ServiceIn(data=request.data, context={"case": case})
        payload.is_valid(raise_exception=True)
        service = service_actions.record_service(actor=self.actor(request), membership=membership, case=case,
                                                 data=payload.service_input())
        return Response(ServiceOut(service).data, status=status.HTTP_201_CREATED)


class ServiceDetailView(VartaAPIView):
    @extend_schema(tags=TAGS, request=ServiceIn, responses=write_responses(ServiceOut),
                   summary="Correct a service",
                   description=f"Fields left out keep their values (a discharge date, an outcome, the cost). {WORK}")
    def patch(self, request: Request, service_id: int) -> Response:
        membership = self.acting(request, Action.CASE_WORK)
        service = selectors.access_case_row(membership, Service, service_id)
        payload = ServiceIn(data=request.data, partial=True, context={"case": service.case})
        payload.is_valid(raise_exception=True)
        service_actions.update_service(actor=self.actor(request), membership=membership, service=service,
                                       data=payload.service_input(current=service))
        return Response(ServiceOut(service).data)


# --- Follow-ups ----------------------------------------------------------------------------------------------


class FollowUpListView(VartaAPIView):
    @extend_schema(tags=TAGS, responses=read_responses(FollowUpOut(many=True)),
                   summary="The case's reintegration follow-ups, by due date", description=READ)
    def get(self, request: Request, case_id: int) -> Response:
        _membership, case = read_case(self, request, case_id)
        return Response(FollowUpOut(case.follow_ups.all(), many=True).data)

    @extend_schema(tags=TAGS, request=FollowUpIn, responses=write_responses(FollowUpOut, 201),
                   summary="Schedule a follow-up",
                   description=f"In the assistance or reintegration-monitoring stage, with the consent to "
                   f"follow-up contact. {WORK}")
    def post(self, request: Request, case_id: int) -> Response:
        membership, case = work_case(self, request, case_id)
        payload = FollowUpIn(data=request.data)
        payload.is_valid(raise_exception=True)
        follow_up = follow_up_actions.schedule_follow_up(actor=self.actor(request), membership=membership,
                                                         case=case, due_on=payload.validated_data["due_on"])
        return Response(FollowUpOut(follow_up).data, status=status.HTTP_201_CREATED)


class FollowUpSeriesView(VartaAPIView):
    @extend_schema(tags=TAGS, request=FollowUpSeriesIn, responses=write_responses(FollowUpOut(many=True), 201),
                   summary="Schedule follow-ups at intervals (say every 3 months, 4 times)",
                   description=f"All or none. {WORK}")
    def post(self, request: Request, case_id: int) -> Response:
        membership, case = work_case(self, request, case_id)
        payload = FollowUpSeriesIn(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        follow_ups = follow_up_actions.schedule_follow_ups(
            actor=self.actor(request), membership=membership, case=case, first_on=data["first_on"],
            interval_months=data["interval_months"], count=data["count"])
        return Response(FollowUpOut(follow_ups, many=True).data, status=status.HTTP_201_CREATED)


class FollowUpRecordView(VartaAPIView):
    @extend_schema(tags=TAGS, request=FollowUpRecordIn, responses=write_responses(FollowUpOut),
                   summary="Record a follow-up: the questionnaire and its scores",
                   description=f"Scores (0–1 per dimension and overall) are computed from the answers; recording "
                   f"again corrects them. {WORK}")
    def post(self, request: Request, follow_up_id: int) -> Response:
        membership = self.acting(request, Action.CASE_WORK)
        follow_up = selectors.access_case_row(membership, FollowUp, follow_up_id)
        payload = FollowUpRecordIn(data=request.data)
        payload.is_valid(raise_exception=True)
        follow_up_actions.record_follow_up(actor=self.actor(request), membership=membership, follow_up=follow_up,
                                           done_on=payload.validated_data["done_on"],
                                           answers=payload.validated_data["answers"])
        return Response(FollowUpOut(follow_up).data)


# --- Notes and attachments -----------------------------------------------------------------------------------


class NoteListView(VartaAPIView):
    @extend_schema(tags=TAGS, responses=read_responses(NoteOut(many=True)), summary="The case's notes, newest first",
                   description=READ)
    def get(self, request: Request, case_id: int) -> Response:
        _membership, case = read_case(self, request, case_id)
        return Response(NoteOut(case.notes.select_related("author"), many=True).data)

    @extend_schema(tags=TAGS, request=NoteIn, responses=write_responses(NoteOut, 201), summary="Add a note",
                   description=WORK)
    def post(self, request: Request, case_id: int) -> Response:
        membership, case = work_case(self, request, case_id)
        payload = NoteIn(data=request.data)
        payload.is_valid(raise_exception=True)
        note = note_actions.add_note(actor=self.actor(request), membership=membership, case=case,
                                     text=payload.validated_data["text"])
        return Response(NoteOut(note).data, status=status.HTTP_201_CREATED)


class AttachmentListView(VartaAPIView):
    parser_classes = [MultiPartParser]

    @extend_schema(tags=TAGS, responses=read_responses(AttachmentOut(many=True)),
                   summary="The case's files (names, types and sizes; not their content)", description=READ)
    def get(self, request: Request, case_id: int) -> Response:
        _membership, case = read_case(self, request, case_id)
        files = case.attachments.defer("content").select_related("uploaded_by")
        return Response(AttachmentOut(files, many=True).data)

    @extend_schema(tags=TAGS, request={"multipart/form-data": AttachmentIn},
                   responses=write_responses(AttachmentOut, 201), summary="Attach a file (multipart/form-data)",
                   description=f"Kept encrypted in the database. Programs are refused whatever their name. {WORK}")
    def post(self, request: Request, case_id: int) -> Response:
        membership, case = work_case(self, request, case_id)
        payload = AttachmentIn(data=request.data)
        payload.is_valid(raise_exception=True)
        attachment = note_actions.upload_attachment(actor=self.actor(request), membership=membership, case=case,
                                                    uploaded_file=payload.validated_data["file"])
        return Response(AttachmentOut(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDetailView(VartaAPIView):
    @extend_schema(tags=TAGS, request=None, responses={204: None, 400: INVALID, 403: REFUSED, 404: NOT_VISIBLE},
                   summary="Remove a file",
                   description="Its uploader or a supervisor; the audit trail keeps that it existed. Needs "
                   "`cases.view` (and `cases.work` for your own upload, or `cases.supervise`).")
    def delete(self, request: Request, attachment_id: int) -> Response:
        membership = self.acting(request, Action.CASE_VIEW)
        attachment = selectors.access_case_row(membership, Attachment, attachment_id)
        note_actions.delete_attachment(actor=self.actor(request), membership=membership, attachment=attachment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentDownloadView(VartaAPIView):
    @extend_schema(tags=TAGS, responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 403: REFUSED,
                                         404: NOT_VISIBLE},
                   summary="Download a file",
                   description="The file as it was attached, with its own content type. Needs `cases.view` and "
                   "need-to-know; each download is an audit event (`cases.attachment.download`).")
    def get(self, request: Request, attachment_id: int) -> HttpResponse:
        membership = self.acting(request, Action.CASE_VIEW)
        attachment = selectors.access_case_row(membership, Attachment, attachment_id)
        note_actions.download_attachment(actor=self.actor(request), membership=membership, attachment=attachment)
        response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
        response["Content-Disposition"] = content_disposition_header(True, attachment.file_name) or "attachment"
        response["Cache-Control"] = "no-store"
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        return response


urlpatterns = [
    path("<int:case_id>/screening/", ScreeningView.as_view(), name="api-cases-screening"),
    path("<int:case_id>/consents/", ConsentListView.as_view(), name="api-cases-consents"),
    path("consents/<int:consent_id>/withdraw/", ConsentWithdrawView.as_view(), name="api-cases-consent-withdraw"),
    path("<int:case_id>/needs/", NeedListView.as_view(), name="api-cases-needs"),
    path("needs/<int:need_id>/", NeedDetailView.as_view(), name="api-cases-need"),
    path("<int:case_id>/plan-items/", PlanItemListView.as_view(), name="api-cases-plan-items"),
    path("plan-items/<int:item_id>/", PlanItemDetailView.as_view(), name="api-cases-plan-item"),
    path("<int:case_id>/services/", ServiceListView.as_view(), name="api-cases-services"),
    path("services/<int:service_id>/", ServiceDetailView.as_view(), name="api-cases-service"),
    path("<int:case_id>/follow-ups/", FollowUpListView.as_view(), name="api-cases-follow-ups"),
    path("<int:case_id>/follow-ups/series/", FollowUpSeriesView.as_view(), name="api-cases-follow-up-series"),
    path("follow-ups/<int:follow_up_id>/record/", FollowUpRecordView.as_view(), name="api-cases-follow-up-record"),
    path("<int:case_id>/notes/", NoteListView.as_view(), name="api-cases-notes"),
    path("<int:case_id>/attachments/", AttachmentListView.as_view(), name="api-cases-attachments"),
    path("attachments/<int:attachment_id>/", AttachmentDetailView.as_view(), name="api-cases-attachment"),
    path("attachments/<int:attachment_id>/download/", AttachmentDownloadView.as_view(),
         name="api-cases-attachment-download"),
]
