"""REST endpoints for places under /api/v1/geo/: admin units (search, one by P-code) and ISO 3166 countries.

Generic views for their pagination; VartaAPIView for the acting membership, which must allow ``geo.view``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from varta.accounts.permissions import Action
from varta.core.api_views import VartaAPIView
from varta.geo import selectors
from varta.geo.models import AdminUnit, Country
from varta.geo.serializers import AdminUnitQuerySerializer, AdminUnitSerializer, CountrySerializer


class UnitsContext:
    """Country names for the paths of units outside Ukraine: one query per request, not one per unit."""

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "country_names": selectors.country_names()}  # type: ignore[misc]


@extend_schema(tags=["geo"])
class AdminUnitList(UnitsContext, generics.ListAPIView[AdminUnit], VartaAPIView):
    serializer_class = AdminUnitSerializer

    @extend_schema(
        summary="Search administrative units",
        description="Units whose English or Ukrainian name, or P-code, starts with `q` (larger units first); "
        "without `q`, every unit that matches the filters.",
        parameters=[AdminUnitQuerySerializer],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.acting(request, Action.GEO_VIEW)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AdminUnit]:
        params = AdminUnitQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        return selectors.units_matching(data.get("q", ""), country_iso3=data.get("country") or None,
                                        level=data.get("level"))


@extend_schema(tags=["geo"])
class AdminUnitDetail(UnitsContext, generics.RetrieveAPIView[AdminUnit], VartaAPIView):
    serializer_class = AdminUnitSerializer

    @extend_schema(
        summary="One administrative unit",
        description="The unit with this P-code (in any case), with its parent; 404 for an unknown P-code.",
        parameters=[OpenApiParameter("pcode", str, OpenApiParameter.PATH, description="P-code, e.g. UA2110023001")],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.acting(request, Action.GEO_VIEW)
        return super().get(request, *args, **kwargs)

    def get_object(self) -> AdminUnit:
        return selectors.access_unit(self.kwargs["pcode"])


@extend_schema(tags=["geo"])
class CountryList(generics.ListAPIView[Country], VartaAPIView):
    serializer_class = CountrySerializer

    @extend_schema(summary="ISO 3166 countries", description="Alpha-2 and alpha-3 codes, English and Ukrainian names.")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.acting(request, Action.GEO_VIEW)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Country]:
        return selectors.countries().order_by("name_en")


urlpatterns = [
    path("admin-units/", AdminUnitList.as_view(), name="api-geo-admin-units"),
    path("admin-units/<str:pcode>/", AdminUnitDetail.as_view(), name="api-geo-admin-unit"),
    path("countries/", CountryList.as_view(), name="api-geo-countries"),
]
