"""Hotline API: contacts with their consultations (list, create, read, update), reveal, escalate.

Thin views: the selectors scope and find (404 for another organisation's contact), the actions check and write.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.db.models import Exists, OuterRef, QuerySet, prefetch_related_objects
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from varta.accounts.models import User
from varta.accounts.permissions import Action
from varta.core.api_views import VartaAPIView
from varta.hotline import actions, selectors
from varta.hotline.actions import ContactInput
from varta.hotline.models import Contact, Escalation
from varta.hotline.serializers import (
    CONSULTATIONS,
    CallerDetailsOut,
    ConsultationOut,
    ContactFieldsIn,
    ContactFilterIn,
    ContactIn,
    ContactOut,
    EscalationOut,
    ReasonIn,
    RevealIn,
)
from varta.orgs.models import Membership

TAGS = ["hotline"]


class ContactPagination(CursorPagination):
    """Newest first, paged by key: no count and no offset over a long log."""

    ordering = ("-started_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def contact_rows(membership: Membership) -> QuerySet[Contact]:
    """The organisation's contacts with everything ContactOut shows, in a fixed number of queries."""
    return (selectors.contacts_visible(membership)
            .select_related("location", "operator")
            .prefetch_related(CONSULTATIONS)
            .annotate(is_escalated=Exists(Escalation.objects.filter(contact_id=OuterRef("pk")))))


def contact_out(membership: Membership, contact_id: int) -> dict[str, Any]:
    contact = selectors.access_contact(membership, contact_id)
    prefetch_related_objects([contact], CONSULTATIONS)
    return ContactOut(contact).data


class CreatedContactOut(ContactOut):
    """ContactOut of a contact just created, with the consultations the request wrote (no query)."""

    consultations = ConsultationOut(many=True, source="created_consultations")


def created_out(contact: Contact, data: ContactInput, operator: User) -> dict[str, Any]:
    """ContactOut of a contact just created from ``data``, without reading it back.

    Everything ContactOut shows is at hand: the contact as saved (place with its parents and country from
    validation), its consultations rebuilt by the action's own ``consultation_row`` (topics with their parents
    from validation), the operator who sent the request, and no escalation yet.
    """
    consultations = []
    for position, item in enumerate(data.consultations, start=1):
        row = actions.consultation_row(contact, item, position)
        row.category = item.topic.parent or item.topic
        consultations.append(row)
    if contact.operator_id == operator.pk:
        contact.operator = operator
    contact.is_escalated = False  # type: ignore[attr-defined]  # as contact_rows annotates it
    contact.created_consultations = consultations  # type: ignore[attr-defined]
    return CreatedContactOut(contact).data


class ContactListView(generics.ListAPIView[Contact], VartaAPIView):
    serializer_class = ContactOut
    pagination_class = ContactPagination

    @extend_schema(tags=TAGS, summary="List the organisation's contacts", parameters=[ContactFilterIn],
                   description="Newest first, with their consultations. Needs `hotline.contact.view`. Callers' "
                   "names and phone numbers are never listed.")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.acting(request, Action.HOTLINE_CONTACT_VIEW)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Contact]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular building the schema
            return Contact.objects.none()
        membership = self.acting(self.request, Action.HOTLINE_CONTACT_VIEW)
        filters = ContactFilterIn(data=self.request.query_params,
                                  context={"organisation_id": membership.organisation_id})
        filters.is_valid(raise_exception=True)
        return contact_rows(membership).filter(filters.criteria())

    @extend_schema(tags=TAGS, summary="Record a contact and its consultations", request=ContactIn,
                   responses={201: ContactOut,
                              200: OpenApiResponse(ContactOut, description="A contact with this `external_id` "
                                                   "exists already: it is returned, nothing is written.")},
                   description="Needs `hotline.contact.create`. Topics by code, the place by P-code, the country "
                   "by ISO2, indicators by HTCDS value names.")
    def post(self, request: Request) -> Response:
        membership = self.acting(request, Action.HOTLINE_CONTACT_CREATE)
        payload = ContactIn(data=request.data, context={"organisation_id": membership.organisation_id})
        payload.is_valid(raise_exception=True)
        data = payload.contact_input()
        if data.external_id:
            existing = selectors.contacts_visible(membership).filter(external_id=data.external_id).first()
            if existing is not None:
                return Response(contact_out(membership, existing.pk))
        try:  # the action's own transaction is the outermost one here: a failed insert leaves nothing behind
            contact = actions.contact_create(actor=self.actor(request), membership=membership, data=data)
        except IntegrityError:  # the same external id, sent twice at the same moment
            existing = selectors.contacts_visible(membership).filter(external_id=data.external_id).first()
            if existing is None or not data.external_id:
                raise
            return Response(contact_out(membership, existing.pk))
        return Response(created_out(contact, data, self.user(request)), status=status.HTTP_201_CREATED)


class ContactDetailView(VartaAPIView):
    @extend_schema(tags=TAGS, responses=ContactOut, summary="One contact (404 if not your organisation's)")
    def get(self, request: Request, contact_id: int) -> Response:
        membership = self.acting(request, Action.HOTLINE_CONTACT_VIEW)
        return Response(contact_out(membership, contact_id))

    def _update(self, request: Request, contact_id: int, *, partial: bool) -> Response:
        membership = self.acting(request, Action.HOTLINE_CONTACT_CREATE)
        contact = selectors.access_contact(membership, contact_id)
        payload = ContactFieldsIn(data=request.data, partial=partial,
                                  context={"organisation_id": membership.organisation_id})
        payload.is_valid(raise_exception=True)
        actions.contact_update(actor=self.actor(request), membership=membership, contact=contact,
                               data=payload.contact_input(current=contact))
        return Response(contact_out(membership, contact_id))

    @extend_schema(tags=TAGS, request=ContactFieldsIn, responses=ContactOut, summary="Correct a contact",
                   description="Replaces the contact and its consultations. The caller's name and phone stay as "
                   "they are unless given (or consent is withdrawn); the external id never changes.")
    def put(self, request: Request, contact_id: int) -> Response:
        return self._update(request, contact_id, partial=False)

    @extend_schema(tags=TAGS, request=ContactFieldsIn, responses=ContactOut, summary="Correct some fields",
                   description="Fields left out keep their values; `consultations`, when given, replaces them "
                   "all.")
    def patch(self, request: Request, contact_id: int) -> Response:
        return self._update(request, contact_id, partial=True)


class ContactRevealView(VartaAPIView):
    @extend_schema(tags=TAGS, request=RevealIn, responses=CallerDetailsOut,
                   summary="See the caller's name and phone (an audited view)",
                   description="Records who looked, when, at which contact and why (one of the reveal reasons).")
    def post(self, request: Request, contact_id: int) -> Response:
        membership = self.acting(request, Action.HOTLINE_CONTACT_VIEW)
        contact = selectors.access_contact(membership, contact_id)
        payload = RevealIn(data=request.data)
        payload.is_valid(raise_exception=True)
        actions.contact_reveal(actor=self.actor(request), membership=membership, contact=contact,
                               reason=payload.validated_data["reason"])
        return Response(CallerDetailsOut({"id": contact.pk, "caller_name": contact.caller_name,
                                          "caller_phone": contact.caller_phone}).data)


class ContactEscalateView(VartaAPIView):
    @extend_schema(tags=TAGS, request=ReasonIn, responses={201: EscalationOut},
                   summary="Escalate to case management",
                   description="Creates a pending escalation (no personal data copied) and sets the risk flag.")
    def post(self, request: Request, contact_id: int) -> Response:
        membership = self.acting(request, Action.HOTLINE_ESCALATE)
        contact = selectors.access_contact(membership, contact_id)
        payload = ReasonIn(data=request.data)
        payload.is_valid(raise_exception=True)
        escalation = actions.escalate(actor=self.actor(request), membership=membership, contact=contact,
                                      reason=payload.validated_data["reason"])
        return Response(EscalationOut(escalation).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("contacts/", ContactListView.as_view(), name="api-hotline-contacts"),
    path("contacts/<int:contact_id>/", ContactDetailView.as_view(), name="api-hotline-contact"),
    path("contacts/<int:contact_id>/reveal/", ContactRevealView.as_view(), name="api-hotline-contact-reveal"),
    path("contacts/<int:contact_id>/escalate/", ContactEscalateView.as_view(), name="api-hotline-contact-escalate"),
]
