"""ISO 3166-1 countries with English and Ukrainian names, from pycountry (iso-codes and its translations)."""

from __future__ import annotations

import gettext
from typing import Any

import pycountry

FIELDS = ("iso3", "name_en", "name_uk")


def country_rows() -> list[dict[str, str]]:
    uk = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["uk"], fallback=True)
    rows = []
    for country in pycountry.countries:
        # Prefer the everyday name in both languages ("Moldova", "Молдова" over "Republic of Moldova"), when
        # iso-codes translates it; otherwise translate the short official one.
        common = getattr(country, "common_name", None)
        name_uk = uk.gettext(common) if common and uk.gettext(common) != common else uk.gettext(country.name)
        rows.append({"iso2": country.alpha_2, "iso3": country.alpha_3, "name_en": common or country.name,
                     "name_uk": name_uk})
    return rows


def load_countries(model: Any) -> int:
    """Insert missing countries and update changed names; returns how many rows were written."""
    rows = country_rows()
    existing = {r["iso2"]: r for r in model.objects.values("iso2", *FIELDS)}
    model.objects.bulk_create([model(**r) for r in rows if r["iso2"] not in existing])
    changed = [r for r in rows if r["iso2"] in existing and any(existing[r["iso2"]][f] != r[f] for f in FIELDS)]
    for r in changed:
        model.objects.filter(iso2=r["iso2"]).update(**{f: r[f] for f in FIELDS})
    return len(rows) - len(existing) + len(changed)
