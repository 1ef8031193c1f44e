"""Hotline API: ``GET /api/v1/hotline/statistics/`` — the figures of the statistics page, as JSON."""

from __future__ import annotations

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from varta.core.api_views import VartaAPIView
from varta.hotline.serializers_stats import StatsFilterIn, StatsOut
from varta.hotline.statistics import figures_for, require_stats


class StatisticsView(VartaAPIView):
    @extend_schema(
        tags=["hotline"], summary="Hotline statistics for a period, organisation, place and channel",
        parameters=[StatsFilterIn], responses=StatsOut,
        description="Totals and breakdowns (topic, outcome, channel, caller, sex, age group, displacement, oblast, "
        "risk flag, HTCDS indicators, ISO week, month, and organisation for aggregate roles) with the sentence "
        "\"N consultations in response to M calls since DATE\" in the request's language. `stats.view_org`: the "
        "acting organisation's exact figures. `stats.view_aggregate`: every organisation's figures, or one "
        "organisation's, after disclosure control — a suppressed count is `null` with `\"suppressed\": true`. "
        "Other roles: 403.")
    def get(self, request: Request) -> Response:
        membership = require_stats(self.acting(request))
        filters = StatsFilterIn(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return Response(StatsOut(figures_for(membership, filters.criteria())).data)


urlpatterns: list[URLPattern] = [
    path("statistics/", StatisticsView.as_view(), name="api-hotline-statistics"),
]
