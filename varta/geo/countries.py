"""ISO 3166-1 countries with English and Ukrainian names, from pycountry (iso-codes and its translations)."""

from __future__ import annotations

import gettext
from typing import Any

import pycountry


def country_rows() -> list[dict[str, str]]:
    uk = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["uk"], fallback=True)
    rows = []
    for country in pycountry.countries:
        # Prefer the everyday name ("Moldova" over "Moldova, Republic of"); translate the official one.
        name_en = getattr(country, "common_name", None) or country.name
        rows.append({"iso2": country.alpha_2, "iso3": country.alpha_3, "name_en": name_en,
                     "name_uk": uk.gettext(country.name)})
    return rows


def load_countries(model: Any) -> int:
    rows = country_rows()
    existing = set(model.objects.values_list("iso2", flat=True))
    model.objects.bulk_create([model(**r) for r in rows if r["iso2"] not in existing])
    for r in rows:
        if r["iso2"] in existing:
            model.objects.filter(iso2=r["iso2"]).update(name_en=r["name_en"], name_uk=r["name_uk"], iso3=r["iso3"])
    return len(rows)
