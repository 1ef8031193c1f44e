"""Hotline API: call-backs — the queue, scheduling, cancelling and recording the call-back as a new contact."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, prefetch_related_objects
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from varta.accounts.models import User
from varta.accounts.permissions import Action
from varta.core.api_views import VartaAPIView
from varta.hotline import actions, selectors
from varta.hotline.models import Callback
from varta.hotline.serializers import (
    CONSULTATIONS,
    CallbackOut,
    CallbackQueueQuery,
    CallbackScheduleIn,
    ContactFieldsIn,
    ContactOut,
)

TAGS = ["hotline"]


class CallbackListView(generics.ListAPIView[Callback], VartaAPIView):
    serializer_class = CallbackOut

    @extend_schema(tags=TAGS, summary="Call-backs waiting: yours, or the team's with ?all=1",
                   parameters=[CallbackQueueQuery],
                   description="Scheduled call-backs, the earliest (overdue) first. Needs `hotline.contact.view`.")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.acting(request, Action.HOTLINE_CONTACT_VIEW)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Callback]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular building the schema
            return Callback.objects.none()
        membership = self.acting(self.request, Action.HOTLINE_CONTACT_VIEW)
        query = CallbackQueueQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.callback_queue(membership, everyone=query.validated_data["all"])

    @extend_schema(tags=TAGS, request=CallbackScheduleIn, responses={201: CallbackOut},
                   summary="Schedule a call-back",
                   description="The contact must have the caller's consent and phone number. Needs "
                   "`hotline.contact.create`.")
    def post(self, request: Request) -> Response:
        membership = self.acting(request, Action.HOTLINE_CONTACT_CREATE)
        payload = CallbackScheduleIn(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        errors: dict[str, list[str]] = {}
        contact = selectors.contacts_visible(membership).filter(pk=data["contact"]).first()
        if contact is None:
            errors["contact"] = [_("Unknown contact %(id)s.") % {"id": data["contact"]}]
        assigned_to: User | None = membership.user
        if "assigned_to" in data:
            assigned_to = User.objects.filter(pk=data["assigned_to"],
                                              memberships__organisation_id=membership.organisation_id).first()
            if assigned_to is None:
                errors["assigned_to"] = [_("The operator must be an active member of your organisation.")]
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        assert contact is not None
        assert assigned_to is not None
        callback = actions.callback_schedule(actor=self.actor(request), membership=membership, contact=contact,
                                             due_at=data["due_at"], assigned_to=assigned_to, note=data["note"])
        return Response(CallbackOut(callback).data, status=status.HTTP_201_CREATED)


class CallbackCancelView(VartaAPIView):
    @extend_schema(tags=TAGS, request=None, responses=CallbackOut, summary="Cancel a scheduled call-back")
    def post(self, request: Request, callback_id: int) -> Response:
        membership = self.acting(request, Action.HOTLINE_CONTACT_CREATE)
        callback = selectors.access_callback(membership, callback_id)
        actions.callback_cancel(actor=self.actor(request), membership=membership, callback=callback)
        return Response(CallbackOut(callback).data)


class CallbackCompleteView(VartaAPIView):
    @extend_schema(tags=TAGS, request=ContactFieldsIn, responses={201: ContactOut},
                   summary="Record the call-back as a new contact",
                   description="The body is a contact (as for POST contacts/); it is recorded with direction "
                   "`callback`, following the first contact, and the call-back is marked done.")
    def post(self, request: Request, callback_id: int) -> Response:
        membership = self.acting(request, Action.HOTLINE_CONTACT_CREATE)
        callback = selectors.access_callback(membership, callback_id)
        payload = ContactFieldsIn(data=request.data, context={"organisation_id": membership.organisation_id})
        payload.is_valid(raise_exception=True)
        contact = actions.callback_complete(actor=self.actor(request), membership=membership, callback=callback,
                                            data=payload.contact_input())
        contact = selectors.access_contact(membership, contact.pk)
        prefetch_related_objects([contact], CONSULTATIONS)
        return Response(ContactOut(contact).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("callbacks/", CallbackListView.as_view(), name="api-hotline-callbacks"),
    path("callbacks/<int:callback_id>/cancel/", CallbackCancelView.as_view(), name="api-hotline-callback-cancel"),
    path("callbacks/<int:callback_id>/complete/", CallbackCompleteView.as_view(),
         name="api-hotline-callback-complete"),
]
