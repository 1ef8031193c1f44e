"""API shapes of places: input (query parameters) and output serializers, kept apart."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from varta.geo import selectors
from varta.geo.models import AdminUnit, Country


class AdminUnitQuerySerializer(serializers.Serializer[dict[str, Any]]):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100,
                              help_text=_("Beginning of a name in Ukrainian or English, or of a P-code."))
    country = serializers.CharField(required=False, allow_blank=True, max_length=3,
                                    help_text=_("ISO 3166 alpha-2 or alpha-3 code of the country."))
    level = serializers.IntegerField(required=False, min_value=1, max_value=5,
                                     help_text=_("Administrative level: in Ukraine 1 oblast, 2 raion, 3 hromada, "
                                                 "4 settlement."))

    def validate_country(self, value: str) -> str:
        """The country's ISO3 code (the P-code lists use it); empty for no filter."""
        if not value.strip():
            return ""
        country = selectors.country_by_code(value)
        if country is None:
            raise serializers.ValidationError(_("Unknown country code."))
        return country.iso3


class AdminUnitSerializer(serializers.ModelSerializer[AdminUnit]):
    name = serializers.CharField(source="display_name", read_only=True,
                                 help_text=_("Name in the request's language, with the kind of unit."))
    level_label = serializers.CharField(read_only=True)
    parent_pcode = serializers.CharField(source="parent_id", read_only=True, allow_null=True,
                                   help_text=_("P-code of the parent unit."))
    path = serializers.SerializerMethodField(help_text=_("The parent units, nearest first."))

    class Meta:
        model = AdminUnit
        fields = ["pcode", "name", "name_en", "name_uk", "level", "level_label", "country_iso3", "parent_pcode", "path",
                  "lat", "lon"]
        read_only_fields = fields

    def get_path(self, unit: AdminUnit) -> str:
        return selectors.unit_path(unit, self.context.get("country_names", {}))


class CountrySerializer(serializers.ModelSerializer[Country]):
    class Meta:
        model = Country
        fields = ["iso2", "iso3", "name_en", "name_uk"]
        read_only_fields = fields
