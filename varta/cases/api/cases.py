"""Case management API: persons and cases — search before register, register, open, read (with an audited reveal),
correct, and move through the workflow (move, closure request and approval, reopen, reassign).

Thin views: the selectors decide what the acting membership may see (need-to-know; 404 for any other id), the
actions check and write. Every read of one case or person is an audit event; identifying fields leave only with a
reveal reason (``?reveal=<reason>``), which is itself recorded with the fields it showed. Lists never carry them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Prefetch, QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from varta.accounts.permissions import Action
from varta.cases import selectors
from varta.cases.actions import cases as case_actions
from varta.cases.models import Case, CaseTransition, Person
from varta.cases.search import find_persons
from varta.cases.serializers import (
    AssignIn,
    CaseDetailOut,
    CaseFieldsIn,
    CaseFilterIn,
    CaseOut,
    ClosureRequestIn,
    MoveIn,
    PersonDetailOut,
    PersonIn,
    PersonMatchOut,
    PersonOut,
    PersonSearchIn,
    RegisterIn,
    RevealQuery,
    match_out,
    nest_person_errors,
    overdue_condition,
    person_input,
    personal_of,
)
from varta.core.api_views import VartaAPIView
from varta.orgs.models import Membership

TAGS = ["cases"]

REVEAL = (
    "Identifying fields (names, date of birth, phone, e-mail, address, identity document) are left out unless the "
    "request gives a reason: `?reveal=<reason>` (one of `contact`, `service`, `documents`, `verify`, "
    "`supervision`, `subject_request`), optionally with `&reveal_fields=phone,email` to see only some. The reveal is "
    "written to the audit trail as `cases.person.reveal.<reason>` with the names of the fields shown (never "
    "their values); the answer then carries them in `personal`. Every read is also an audit event."
)
NOT_VISIBLE = OpenApiResponse(description="Not found, or not yours to see (need-to-know): the same answer.")
REFUSED = OpenApiResponse(description="Your role does not allow this.")
INVALID = OpenApiResponse(description="Bad input: an object of field names, each with its messages; nothing "
                          "is written.")


class CasePagination(CursorPagination):
    """Newest first (by the day opened), paged by key: no count and no offset over a long caseload."""

    ordering = ("-opened_on", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class PersonPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def case_rows(membership: Membership) -> QuerySet[Case]:
    """The visible cases with everything CaseOut shows, in a fixed number of queries."""
    return (selectors.cases_visible(membership).select_related("case_worker", "supervisor")
            .annotate(is_overdue=ExpressionWrapper(overdue_condition(), output_field=BooleanField())))


def case_out(membership: Membership, case_id: int, personal: dict[str, str] | None = None) -> dict[str, Any]:
    case = case_rows(membership).select_related("person__location").prefetch_related(
        Prefetch("transitions", queryset=CaseTransition.objects.select_related("by").order_by("at", "pk"))).get(
        pk=case_id)
    return CaseDetailOut(case, context={"personal": personal}).data


def revealed(request: Request, view: VartaAPIView, membership: Membership, case: Case) -> dict[str, str] | None:
    """The identifying fields the request asks for with a reason (the reveal recorded), or None."""
    query = RevealQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    fields = query.revealed_fields()
    if fields is None:
        return None
    case_actions.reveal(actor=view.actor(request), membership=membership, case=case,
                        reason=query.validated_data["reveal"], fields=fields)
    return personal_of(case.person, fields)


# --- Persons -------------------------------------------------------------------------------------------------


class PersonSearchView(VartaAPIView):
    @extend_schema(tags=TAGS, request=PersonSearchIn, responses={200: PersonMatchOut(many=True), 400: INVALID,
                                                                 403: REFUSED},
                   summary="Search before you register: possible existing persons",
                   description="Names as the person gives them (Cyrillic or Latin, typos tolerated) and the date "
                   "of birth if known. Persons of your organisation, best first, without names or dates of birth: "
                   "open a visible match with `GET persons/{id}/?reveal=verify` to compare; for a match you may "
                   "not see, ask the case worker named in its cases. Needs `cases.register`; each search is an "
                   "audit event (`cases.person.search`, without the terms).")
    def post(self, request: Request) -> Response:
        membership = self.acting(request, Action.CASE_REGISTER)
        payload = PersonSearchIn(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        matches = find_persons(membership, names=[data["given_name"], data["family_name"], data["patronymic"]],
                               birth_date=data["birth_date"])
        return Response([PersonMatchOut(match_out(m)).data for m in matches])


class PersonListView(generics.ListAPIView[Person], VartaAPIView):
    serializer_class = PersonOut
    pagination_class = PersonPagination

    @extend_schema(tags=TAGS, summary="List the persons of the cases you may see",
                   description="Newest first; attributes kept for statistics only, never a name or another "
                   "identifying field. Needs `cases.view`.")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.acting(request, Action.CASE_VIEW)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Person]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular building the schema
            return Person.objects.none()
        membership = self.acting(self.request, Action.CASE_VIEW)
        return selectors.persons_visible(membership).select_related("location")


class PersonDetailView(VartaAPIView):
    @extend_schema(tags=TAGS, parameters=[RevealQuery],
                   responses={200: PersonDetailOut, 400: INVALID, 403: REFUSED, 404: NOT_VISIBLE},
                   summary="One person, with the cases of theirs you may see",
                   description=f"Needs `cases.view`; the person must have a case you may see. {REVEAL}")
    def get(self, request: Request, person_id: int) -> Response:
        membership = self.acting(request, Action.CASE_VIEW)
        person = selectors.access_person(membership, person_id)
        cases = list(selectors.cases_visible(membership).filter(person=person).order_by("-opened_on", "-pk"))
        personal = revealed(request, self, membership, cases[0]) if cases else None
        case_actions.person_viewed(actor=self.actor(request), person=person)
        return Response(PersonDetailOut(person, context={"personal": personal, "cases": cases}).data)

    @extend_schema(tags=TAGS, request=PersonIn, responses={200: PersonDetailOut, 400: INVALID, 403: REFUSED,
                                                           404: NOT_VISIBLE},
                   summary="Correct some of a person's fields",
                   description="Fields left out keep their values; `disability` answers are merged. Needs "
                   "`cases.work`. The answer does not repeat the identifying fields (read them with a reveal).")
    def patch(self, request: Request, person_id: int) -> Response:
        membership = self.acting(request, Action.CASE_WORK)
        person = selectors.access_person(membership, person_id)
        payload = PersonIn(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        case_actions.person_update(actor=self.actor(request), membership=membership, person=person,
                                   data=payload.person_input(current=person))
        cases = list(selectors.cases_visible(membership).filter(person=person).order_by("-opened_on", "-pk"))
        return Response(PersonDetailOut(person, context={"personal": None, "cases": cases}).data)


class PersonCasesView(VartaAPIView):
    @extend_schema(tags=TAGS, request=CaseFieldsIn, responses={201: CaseDetailOut, 400: INVALID, 403: REFUSED,
                                                               404: NOT_VISIBLE},
                   summary="Open another case for a person already registered",
                   description="A return to assistance or a new escalation. Needs `cases.register`; the person "
                   "must have a case you may see.")
    def post(self, request: Request, person_id: int) -> Response:
        membership = self.acting(request, Action.CASE_REGISTER)
        person = selectors.access_person(membership, person_id)
        payload = CaseFieldsIn(data=request.data, context={"membership": membership})
        payload.is_valid(raise_exception=True)
        case = case_actions.open_case(actor=self.actor(request), membership=membership, person=person,
                                      case=payload.case_input(), escalation=payload.validated_data["escalation"])
        return Response(case_out(membership, case.pk), status=status.HTTP_201_CREATED)


# --- Cases ---------------------------------------------------------------------------------------------------


class CaseListView(generics.ListAPIView[Case], VartaAPIView):
    serializer_class = CaseOut
    pagination_class = CasePagination

    @extend_schema(tags=TAGS, parameters=[CaseFilterIn], summary="List the cases you may see",
                   description="A case worker's own cases, a supervisor's team's, an org admin's whole "
                   "organisation's (need-to-know). Newest first, with filters; never an identifying field of the "
                   "person. Needs `cases.view`.")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.acting(request, Action.CASE_VIEW)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Case]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular building the schema
            return Case.objects.none()
        membership = self.acting(self.request, Action.CASE_VIEW)
        filters = CaseFilterIn(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return case_rows(membership).filter(filters.criteria())

    @extend_schema(tags=TAGS, request=RegisterIn, responses={201: CaseDetailOut, 400: INVALID, 403: REFUSED},
                   summary="Register a person and open their first case",
                   description="Search first (`POST persons/search/`): a person already registered gets a new "
                   "case with `POST persons/{id}/cases/`. The place is a P-code, citizenship an ISO2 code, the "
                   "case worker and supervisor user ids of your organisation. Needs `cases.register`. The answer "
                   "does not repeat the identifying fields.")
    def post(self, request: Request) -> Response:
        membership = self.acting(request, Action.CASE_REGISTER)
        payload = RegisterIn(data=request.data, context={"membership": membership})
        payload.is_valid(raise_exception=True)
        try:
            case = case_actions.register(actor=self.actor(request), membership=membership,
                                         person=person_input(payload.validated_data["person"]),
                                         case=payload.case_input(), escalation=payload.validated_data["escalation"])
        except ValidationError as exc:  # shaped like the request: the person's fields under "person"
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            return Response(nest_person_errors(errors), status=status.HTTP_400_BAD_REQUEST)
        return Response(case_out(membership, case.pk), status=status.HTTP_201_CREATED)


class CaseDetailView(VartaAPIView):
    @extend_schema(tags=TAGS, parameters=[RevealQuery],
                   responses={200: CaseDetailOut, 400: INVALID, 403: REFUSED, 404: NOT_VISIBLE},
                   summary="One case, its person's attributes and its workflow history",
                   description=f"Needs `cases.view` and need-to-know. {REVEAL}")
    def get(self, request: Request, case_id: int) -> Response:
        membership = self.acting(request, Action.CASE_VIEW)
        case = selectors.access_case(membership, case_id)
        personal = revealed(request, self, membership, case)
        case_actions.viewed(actor=self.actor(request), case=case)
        return Response(case_out(membership, case.pk, personal))


class CaseMoveView(VartaAPIView):
    @extend_schema(tags=TAGS, request=MoveIn, responses={200: CaseDetailOut, 400: INVALID, 403: REFUSED,
                                                         404: NOT_VISIBLE},
                   summary="Move the case one step on (or one back)",
                   description="registered → screening → assistance planning → assistance → reintegration "
                   "monitoring; never a skipped step. Moving into assistance needs the consent to assistance. "
                   "Needs `cases.work`.")
    def post(self, request: Request, case_id: int) -> Response:
        membership = self.acting(request, Action.CASE_WORK)
        case = selectors.access_case(membership, case_id)
        payload = MoveIn(data=request.data)
        payload.is_valid(raise_exception=True)
        case_actions.move(actor=self.actor(request), membership=membership, case=case,
                          to_stage=payload.validated_data["stage"])
        return Response(case_out(membership, case.pk))


class CaseClosureRequestView(VartaAPIView):
    @extend_schema(tags=TAGS, request=ClosureRequestIn, responses={200: CaseDetailOut, 400: INVALID,
                                                                   403: REFUSED, 404: NOT_VISIBLE},
                   summary="Ask to close the case, with a reason",
                   description="The case closes when someone else who supervises it approves. Needs `cases.work`.")
    def post(self, request: Request, case_id: int) -> Response:
        membership = self.acting(request, Action.CASE_WORK)
        case = selectors.access_case(membership, case_id)
        payload = ClosureRequestIn(data=request.data)
        payload.is_valid(raise_exception=True)
        case_actions.request_closure(actor=self.actor(request), membership=membership, case=case,
                                     reason=payload.validated_data["closure_reason"])
        return Response(case_out(membership, case.pk))


class CaseSuperviseView(VartaAPIView):
    """Approve or turn down a closure request, or reopen a closed case (``cases.supervise``)."""

    operation = staticmethod(case_actions.approve_closure)

    def post(self, request: Request, case_id: int) -> Response:
        membership = self.acting(request, Action.CASE_SUPERVISE)
        case = selectors.access_case(membership, case_id)
        self.operation(actor=self.actor(request), membership=membership, case=case)
        return Response(case_out(membership, case.pk))


def _supervise(summary: str, description: str) -> Any:
    return extend_schema(tags=TAGS, request=None, summary=summary, description=description,
                         responses={200: CaseDetailOut, 400: INVALID, 403: REFUSED, 404: NOT_VISIBLE})


class CaseClosureApproveView(CaseSuperviseView):
    operation = staticmethod(case_actions.approve_closure)

    @_supervise("Approve the closure request: the case closes",
                "The case's supervisor or an org admin, not the person who asked. Needs `cases.supervise`.")
    def post(self, request: Request, case_id: int) -> Response:
        return super().post(request, case_id)


class CaseClosureRejectView(CaseSuperviseView):
    operation = staticmethod(case_actions.reject_closure)

    @_supervise("Turn down the closure request: the case stays open", "Needs `cases.supervise`.")
    def post(self, request: Request, case_id: int) -> Response:
        return super().post(request, case_id)


class CaseReopenView(CaseSuperviseView):
    operation = staticmethod(case_actions.reopen)

    @_supervise("Reopen a closed case",
                "It goes back to the stage it was closed from. Not for an anonymised case. Needs `cases.supervise`.")
    def post(self, request: Request, case_id: int) -> Response:
        return super().post(request, case_id)


class CaseAssignView(VartaAPIView):
    @extend_schema(tags=TAGS, request=AssignIn, responses={200: CaseDetailOut, 400: INVALID, 403: REFUSED,
                                                           404: NOT_VISIBLE},
                   summary="Give the case another case worker or supervisor",
                   description="The case's supervisor or an org admin. Needs `cases.supervise`.")
    def post(self, request: Request, case_id: int) -> Response:
        membership = self.acting(request, Action.CASE_SUPERVISE)
        case = selectors.access_case(membership, case_id)
        payload = AssignIn(data=request.data, context={"membership": membership})
        payload.is_valid(raise_exception=True)
        case_actions.assign(actor=self.actor(request), membership=membership, case=case,
                            case_worker=payload.validated_data["case_worker"],
                            supervisor=payload.validated_data["supervisor"])
        return Response(case_out(membership, case.pk))


urlpatterns = [
    path("persons/", PersonListView.as_view(), name="api-cases-persons"),
    path("persons/search/", PersonSearchView.as_view(), name="api-cases-person-search"),
    path("persons/<int:person_id>/", PersonDetailView.as_view(), name="api-cases-person"),
    path("persons/<int:person_id>/cases/", PersonCasesView.as_view(), name="api-cases-person-cases"),
    path("", CaseListView.as_view(), name="api-cases"),
    path("<int:case_id>/", CaseDetailView.as_view(), name="api-cases-case"),
    path("<int:case_id>/move/", CaseMoveView.as_view(), name="api-cases-move"),
    path("<int:case_id>/request-closure/", CaseClosureRequestView.as_view(), name="api-cases-request-closure"),
    path("<int:case_id>/approve-closure/", CaseClosureApproveView.as_view(), name="api-cases-approve-closure"),
    path("<int:case_id>/reject-closure/", CaseClosureRejectView.as_view(), name="api-cases-reject-closure"),
    path("<int:case_id>/reopen/", CaseReopenView.as_view(), name="api-cases-reopen"),
    path("<int:case_id>/assign/", CaseAssignView.as_view(), name="api-cases-assign"),
]
