"""API shapes of the hotline statistics: the filters in, the figures out (hidden counts as null, flagged)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from varta.core.disclosure import Cell
from varta.geo.models import AdminUnit
from varta.hotline.models import Channel
from varta.hotline.statistics import Breakdown, FigureFilter, HotlineFigures, Line
from varta.orgs.models import Organisation


class StatsFilterIn(serializers.Serializer[dict[str, Any]]):
    """Without dates: the last twelve complete months (stats.view_aggregate) or the current year so far."""

    date_from = serializers.DateField(required=False, help_text=_("First day (local date, Europe/Kyiv), included."))
    date_to = serializers.DateField(required=False, help_text=_("Last day (local date, Europe/Kyiv), included."))
    organisation = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1,
        help_text=_("Organisation id. Roles with stats.view_aggregate: any organisation (disclosure control "
                    "applies); other roles: their own organisation only."))
    place = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                  help_text=_("P-code of an oblast or any unit below it (e.g. UA21, UA2110023)."))
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)

    def validate_place(self, value: str) -> AdminUnit | None:
        code = value.strip().upper()
        if not code:
            return None
        unit = AdminUnit.objects.filter(pcode=code).first()
        if unit is None:
            raise serializers.ValidationError(_("Unknown P-code: %(codes)s. Pick a place from the list.")
                                              % {"codes": code})
        return unit

    def validate_organisation(self, value: int) -> int:
        if not Organisation.objects.filter(pk=value, is_active=True).exists():
            raise serializers.ValidationError(_("Unknown organisation."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": [_("The end date is before the start date.")]})
        return attrs

    def criteria(self) -> FigureFilter:
        data = self.validated_data
        return FigureFilter(date_from=data.get("date_from"), date_to=data.get("date_to"),
                            organisation_id=data.get("organisation"), place=data.get("place"),
                            channel=data.get("channel") or "")


class CellOut(serializers.Serializer[Cell]):
    value = serializers.IntegerField(allow_null=True, help_text=_("null when suppressed."))
    suppressed = serializers.BooleanField(help_text=_("Hidden by disclosure control (small count, or a count that "
                                                      "would give a small one away)."))


class LineOut(serializers.Serializer[Line]):
    key = serializers.CharField(help_text=_("Stable code: choice value, P-code, topic code, 2025-W03, 2025-01."))
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    level = serializers.IntegerField(help_text=_("1 for a topic under its category."))
    cells = CellOut(many=True, help_text=_("One per measure of the breakdown."))


class BreakdownOut(serializers.Serializer[Breakdown]):
    key = serializers.CharField()
    title = serializers.CharField()
    measures = serializers.ListField(child=serializers.ChoiceField(choices=["contacts", "consultations"]))
    additive = serializers.BooleanField(help_text=_("false: one contact may count in several lines."))
    totals = serializers.ListField(child=CellOut(allow_null=True),
                                   help_text=_("One per measure; null where the lines add up to nothing."))
    note = serializers.CharField()
    lines = LineOut(many=True)


class StatsFiltersOut(serializers.Serializer[FigureFilter]):
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True)
    place = serializers.CharField(source="place.pcode", allow_null=True, default=None)
    channel = serializers.CharField()


class StatsOut(serializers.Serializer[HotlineFigures]):
    filters = StatsFiltersOut(source="criteria")
    controlled = serializers.BooleanField(help_text=_("true: the figures passed disclosure control."))
    threshold = serializers.IntegerField(help_text=_("Counts from 1 to this minus one are suppressed."))
    first_day = serializers.DateField(allow_null=True, help_text=_("The period's first day, or the first day with "
                                                                   "a contact."))
    last_day = serializers.DateField()
    organisation_name = serializers.CharField(allow_null=True)
    sentence = serializers.CharField(help_text=_("\"N consultations in response to M calls since DATE\", in the "
                                                 "request's language."))
    contacts = CellOut()
    consultations = CellOut()
    breakdowns = BreakdownOut(many=True)
