"""``GET /api/v1/audit/events/``: the audit trail, with the viewer's filters and scoping."""

from __future__ import annotations

from typing import cast

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from varta.accounts.permissions import Action
from varta.audit import selectors
from varta.audit.models import AuditEvent
from varta.audit.serializers import AuditEventFilterSerializer, AuditEventSerializer
from varta.core.http import VartaRequest, acting


class AuditEventPagination(CursorPagination):
    """Newest first, paged by key: no count and no offset over a long trail."""

    ordering = ("-occurred_at", "-seq")
    page_size = selectors.PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 500


class AuditEventList(ListAPIView[AuditEvent]):
    serializer_class = AuditEventSerializer
    pagination_class = AuditEventPagination

    @extend_schema(
        summary="List audit events",
        description="Org admins get their organisation's events, system admins every event. Other roles: 403.",
        parameters=[AuditEventFilterSerializer],
        tags=["audit"],
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular building the schema
            return AuditEvent.objects.none()
        membership = acting(cast(VartaRequest, self.request._request), Action.AUDIT_VIEW_ORG)
        filters = AuditEventFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.events_for(membership, filters.criteria())


urlpatterns = [
    path("events/", AuditEventList.as_view(), name="api-audit-events"),
]
