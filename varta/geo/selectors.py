"""Reads of places. Geography is reference data: every user may read it, no organisation owns it."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from varta.geo.models import AdminUnit, Country
from varta.geo.search import normalise


def search_units(query: str, *, country_iso3: str | None = None, max_level: int | None = None,
                 limit: int = 20) -> list[AdminUnit]:
    """Units whose English or Ukrainian name (or P-code) starts with ``query``; larger units first."""
    term = normalise(query)
    if not term:
        return []
    condition = Q(search_en__startswith=term) | Q(search_uk__startswith=term)
    if term.replace(" ", "").isalnum() and term[:2].isalpha() and any(c.isdigit() for c in term):
        condition |= Q(pcode__startswith=query.strip().upper())
    units = AdminUnit.objects.filter(condition).select_related("parent", "parent__parent")
    if country_iso3:
        units = units.filter(country_iso3=country_iso3)
    if max_level is not None:
        units = units.filter(level__lte=max_level)
    return list(units.order_by("level", "search_en", "pcode")[:limit])


def units_by_pcodes(pcodes: list[str]) -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(pcode__in=pcodes)


def access_unit(pcode: str) -> AdminUnit:
    try:
        return AdminUnit.objects.select_related("parent").get(pcode=pcode.strip().upper())
    except AdminUnit.DoesNotExist:
        raise Http404 from None


def countries() -> QuerySet[Country]:
    return Country.objects.all()
