"""Place pages: search and browse administrative units, one unit with its parents and children, and the JSON
search behind the place picker (static/geo/picker.js)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from varta.accounts.permissions import Action
from varta.core.http import VartaRequest, acting
from varta.geo import selectors
from varta.geo.models import AdminUnit

BROWSE_LIMIT = 50
PICKER_LIMIT = 20
CHILDREN_PER_PAGE = 100
MAX_QUERY_LENGTH = 100


def _query(request: VartaRequest) -> str:
    return request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]


def _rows(units: list[AdminUnit]) -> list[dict[str, Any]]:
    names = selectors.country_names(units)
    return [{"unit": u, "path": selectors.unit_path(u, names)} for u in units]


def browse(request: VartaRequest) -> HttpResponse:
    acting(request, Action.GEO_VIEW)
    q = _query(request)
    country = selectors.country_by_code(request.GET.get("country", "")[:3]) if request.GET.get("country") else None
    if q:
        units = selectors.search_units(q, country_iso3=country.iso3 if country else None, limit=BROWSE_LIMIT)
    else:
        units = list(selectors.top_units(country.iso3 if country else selectors.HOME_COUNTRY))
    return render(request, "geo/browse.html", {
        "q": q, "country": country, "countries": selectors.countries_with_units(), "rows": _rows(units),
        "limit": BROWSE_LIMIT, "limited": bool(q) and len(units) == BROWSE_LIMIT,
    })


def unit(request: VartaRequest, pcode: str) -> HttpResponse:
    acting(request, Action.GEO_VIEW)
    place = selectors.access_unit(pcode)
    names = selectors.country_names([place])
    country = selectors.country_by_code(place.country_iso3)
    children = Paginator(selectors.children_of(place), CHILDREN_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "geo/unit.html", {
        "unit": place, "ancestors": list(reversed(place.ancestors)), "path": selectors.unit_path(place, names),
        "country": country, "children": children,
    })


def unit_json(unit: AdminUnit, path: str) -> dict[str, Any]:
    return {"pcode": unit.pcode, "name": unit.display_name, "name_en": unit.name_en, "name_uk": unit.name_uk,
            "level": unit.level, "level_label": unit.level_label, "path": path}


def search(request: VartaRequest) -> JsonResponse:
    """At most 20 units matching ``q``, names in the active language: the place picker's suggestions."""
    acting(request, Action.GEO_VIEW)
    units = selectors.search_units(_query(request), limit=PICKER_LIMIT)
    names = selectors.country_names(units)
    return JsonResponse([unit_json(u, selectors.unit_path(u, names)) for u in units], safe=False)
