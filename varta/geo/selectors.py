"""Reads of places. Geography is reference data: every user may read it, no organisation owns it."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language

from varta.core.cache import ReferenceCache
from varta.geo.models import AdminUnit, Country
from varta.geo.search import is_pcode_shaped, normalise

HOME_COUNTRY = "UKR"
# Enough to name every ancestor of a Ukrainian settlement without further queries.
WITH_PARENTS = ("parent", "parent__parent", "parent__parent__parent")


# The words that follow a Ukrainian unit's name ("Uzhhorodskyi raion", "Ужгородська громада"), as normalised.
UKRAINE_KIND_WORDS = {"oblast": 1, "область": 1, "raion": 2, "rayon": 2, "район": 2, "hromada": 3, "громада": 3}


def _name_starts(term: str) -> Q:
    return Q(search_en__startswith=term) | Q(search_uk__startswith=term)


def _name_and_kind(term: str) -> Q | None:
    """For "uzhhorodskyi r…": units named "uzhhorodskyi…" of a kind whose word starts with "r" (the raion)."""
    head, _, last = term.rpartition(" ")
    levels = sorted({level for word, level in UKRAINE_KIND_WORDS.items() if word.startswith(last)})
    if not head or not levels:
        return None
    return _name_starts(head) & Q(country_iso3=HOME_COUNTRY, level__in=levels)


def _looks_like_pcode(term: str) -> bool:
    compact = term.replace(" ", "")
    return is_pcode_shaped(compact) and compact[:2].isalpha() and any(c.isdigit() for c in compact)


def units_matching(query: str, *, country_iso3: str | None = None, level: int | None = None,
                   max_level: int | None = None) -> QuerySet[AdminUnit]:
    """Units whose English or Ukrainian name (or P-code) starts with ``query``; larger units first.

    An empty query matches every unit (the filters still apply).
    """
    units = AdminUnit.objects.select_related(*WITH_PARENTS)
    term = normalise(query)
    if term:
        condition = _name_starts(term)
        with_kind = _name_and_kind(term)
        if with_kind is not None:
            condition |= with_kind
        if _looks_like_pcode(term):
            condition |= Q(pcode__startswith=term.replace(" ", "").upper())
        units = units.filter(condition)
    if country_iso3:
        units = units.filter(country_iso3=country_iso3.upper())
    if level is not None:
        units = units.filter(level=level)
    if max_level is not None:
        units = units.filter(level__lte=max_level)
    return units.order_by("level", "search_en", "pcode")


def search_units(query: str, *, country_iso3: str | None = None, max_level: int | None = None,
                 limit: int = 20) -> list[AdminUnit]:
    """At most ``limit`` units matching ``query`` (nothing for an empty query)."""
    if not normalise(query):
        return []
    return list(units_matching(query, country_iso3=country_iso3, max_level=max_level)[:limit])


def units_by_pcodes(pcodes: list[str]) -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(pcode__in=pcodes)


# Units by P-code with their parents, for the write paths that resolve one per request (a hotline contact's
# place). A P-code names one unit for good and units are never deleted (varta/geo/loader.py only adds and
# updates), so a cached unit is always a valid reference; what can age is a name or a parent after a new edition
# of the gazetteer is loaded. ``load`` clears this process's cache; other server processes see the change within
# UNITS.seconds. Unknown codes are not cached: a unit loaded a moment ago is found at once.
UNITS = ReferenceCache[str, AdminUnit](maxsize=8192, seconds=300)


def unit_with_parents(pcode: str) -> AdminUnit | None:
    """The unit with this P-code (any spacing or case) and its parents, or None. Treat it as read-only: it is
    shared with other requests."""
    code = pcode.strip().upper()
    unit = UNITS.get(code)
    if unit is None:
        try:
            unit = AdminUnit.objects.select_related(*WITH_PARENTS).get(pcode=code)
        except AdminUnit.DoesNotExist:
            return None
        UNITS.put(code, unit)
    return unit


def access_unit(pcode: str) -> AdminUnit:
    """The unit with this P-code and its parents; Http404 for an unknown one."""
    pcode = pcode.strip().upper()
    if not is_pcode_shaped(pcode):
        raise Http404
    try:
        return AdminUnit.objects.select_related(*WITH_PARENTS).get(pcode=pcode)
    except AdminUnit.DoesNotExist:
        raise Http404 from None


def children_of(unit: AdminUnit) -> QuerySet[AdminUnit]:
    """Direct children, by name in the active language."""
    by_name = "search_uk" if (get_language() or "en").startswith("uk") else "search_en"
    return unit.children.order_by(by_name, "search_en", "pcode")


def top_units(country_iso3: str) -> QuerySet[AdminUnit]:
    """A country's first-level units (Ukraine's oblasts)."""
    by_name = "search_uk" if (get_language() or "en").startswith("uk") else "search_en"
    return AdminUnit.objects.filter(country_iso3=country_iso3, level=1).order_by(by_name, "search_en", "pcode")


def countries() -> QuerySet[Country]:
    return Country.objects.all()


def countries_with_units() -> list[Country]:
    """Countries that have administrative units loaded, by name in the active language."""
    iso3s = AdminUnit.objects.filter(level=1).order_by().values_list("country_iso3", flat=True).distinct()
    return sorted(Country.objects.filter(iso3__in=list(iso3s)), key=lambda c: c.name)


def country_by_code(code: str) -> Country | None:
    """The country with this ISO 3166 alpha-2 or alpha-3 code."""
    code = code.strip().upper()
    if len(code) not in (2, 3) or not (code.isascii() and code.isalpha()):
        return None
    field = "iso2" if len(code) == 2 else "iso3"
    return Country.objects.filter(**{field: code}).first()


def country_names(units: Iterable[AdminUnit] | None = None) -> dict[str, str]:
    """ISO3 → country name (active language), for the countries of ``units`` outside the home country (whose
    paths name their country), or for every country when ``units`` is None."""
    countries = Country.objects.all()
    if units is not None:
        iso3s = {u.country_iso3 for u in units if u.country_iso3 != HOME_COUNTRY}
        if not iso3s:
            return {}
        countries = countries.filter(iso3__in=iso3s)
    return {c.iso3: c.name for c in countries}


def unit_path(unit: AdminUnit, names: dict[str, str]) -> str:
    """The unit's parents, nearest first, then its country unless it is in the home country (Ukraine)."""
    return unit.path("" if unit.country_iso3 == HOME_COUNTRY else names.get(unit.country_iso3, ""))
