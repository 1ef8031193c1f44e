"""Loading administrative units from the CSV files shipped in varta/geo/data (see data/ATTRIBUTION.md).

Ukraine comes from ukr_adm1..4.csv (oblast → raion → hromada → settlement, English and Ukrainian names,
centroids); every other country's ADM1 and ADM2 units from global_pcodes_adm1_2.csv (English names only). The
load is a sync: rows missing from the table are inserted, rows whose values differ are updated, everything else
is left alone, so a second run writes nothing. Units no longer in the files are kept (organisations and records
may point at them) and only counted.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django.db import transaction

from varta.audit.writes import Actor, record
from varta.geo.countries import load_countries
from varta.geo.models import AdminUnit, Country
from varta.geo.search import normalise
from varta.geo.selectors import UNITS

DATA_DIR = Path(__file__).resolve().parent / "data"
UKRAINE_FILES = {1: "ukr_adm1.csv", 2: "ukr_adm2.csv", 3: "ukr_adm3.csv", 4: "ukr_adm4.csv"}
GLOBAL_FILE = "global_pcodes_adm1_2.csv"
# Parent columns to try, nearest first: 31 Crimean settlements name a pre-reform hromada that is not in
# ukr_adm3.csv, and hang from their raion instead.
UKRAINE_PARENT_COLUMNS = {1: (), 2: ("adm1_pcode",), 3: ("adm2_pcode", "adm1_pcode"),
                          4: ("adm3_pcode", "adm2_pcode", "adm1_pcode")}



class UnitValues(NamedTuple):
    """The columns a load writes; compares equal to the plain tuple read back from the table."""

    country_iso3: str
    level: int
    parent_id: str | None
    name_en: str
    name_uk: str
    search_en: str
    search_uk: str
    lat: float | None
    lon: float | None


FIELDS = UnitValues._fields
CHUNK = 2000


@dataclass
class LoadResult:
    ukraine: dict[int, int] = field(default_factory=dict)  # level → units in the files
    other_countries: int = 0
    other_units: dict[int, int] = field(default_factory=dict)  # level → units in the files
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_files: int = 0
    countries: int = 0
    countries_written: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.countries_written)

    def summary(self) -> str:
        """For the audit event's object_id (at most 64 characters)."""
        text = f"{self.total} units: {self.created} new, {self.updated} changed"
        if self.countries_written:
            text += f"; {self.countries_written} countries"
        return text[:64]


def _float(raw: str) -> float | None:
    raw = raw.strip()
    return float(raw) if raw else None


def _read(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def ukraine_rows(data_dir: Path = DATA_DIR) -> dict[str, UnitValues]:
    """P-code → values for Ukraine's four levels, parents before children."""
    rows: dict[str, UnitValues] = {}
    for level, filename in UKRAINE_FILES.items():
        for r in _read(data_dir / filename):
            parent = next((r[c] for c in UKRAINE_PARENT_COLUMNS[level] if r[c] in rows), None)
            name_en, name_uk = r["name_en"].strip(), r["name_uk"].strip()
            rows[r["pcode"].strip()] = UnitValues("UKR", level, parent, name_en, name_uk, normalise(name_en),
                                                  normalise(name_uk), _float(r["lat"]), _float(r["lon"]))
    return rows


def global_rows(data_dir: Path = DATA_DIR, *, countries: Collection[str] | None = None) -> dict[str, UnitValues]:
    """P-code → values for every country's ADM1 and ADM2 units except Ukraine (its own files are authoritative).

    ``countries`` (ISO3 codes) limits the load, for tests.
    """
    adm1: dict[str, UnitValues] = {}
    adm2: dict[str, UnitValues] = {}
    for r in _read(data_dir / GLOBAL_FILE):
        iso3, pcode = r["Location"].strip(), r["P-Code"].strip()
        if iso3 == "UKR" or (countries is not None and iso3 not in countries):
            continue
        name = r["Name"].strip() or pcode  # two Jamaican ADM2 rows have no name
        level = int(r["Admin Level"])
        values = UnitValues(iso3, level, r["Parent P-Code"].strip() or None, name, "", normalise(name), "",
                            None, None)
        if level == 1:
            adm1[pcode] = values._replace(parent_id=None)  # its "parent" is the country's ISO3 code
        else:
            adm2[pcode] = values
    for pcode, v in adm2.items():
        if v.parent_id not in adm1:
            adm2[pcode] = v._replace(parent_id=None)
    return {**adm1, **adm2}


def sync_units(rows: dict[str, UnitValues]) -> tuple[int, int, int]:
    """Insert missing units, update differing ones; (created, updated, unchanged). Call inside a transaction."""
    existing: dict[str, tuple[object, ...]] = {
        row[0]: tuple(row[1:])
        for row in AdminUnit.objects.order_by().values_list("pcode", *FIELDS).iterator(chunk_size=5000)
    }
    new = [pcode for pcode in rows if pcode not in existing]
    changed = [pcode for pcode, values in rows.items() if pcode in existing and existing[pcode] != values]
    del existing
    # Rows come parents first, and foreign keys are checked at commit, so ordered inserts are enough. Model
    # instances are built a chunk at a time: tens of thousands alive at once make the garbage collector crawl.
    for start in range(0, len(new), CHUNK):
        AdminUnit.objects.bulk_create([AdminUnit(pcode=p, **rows[p]._asdict()) for p in new[start:start + CHUNK]])
    for start in range(0, len(changed), CHUNK):
        AdminUnit.objects.bulk_update([AdminUnit(pcode=p, **rows[p]._asdict()) for p in changed[start:start + CHUNK]],
                                      list(FIELDS), batch_size=500)
    return len(new), len(changed), len(rows) - len(new) - len(changed)


def load(*, data_dir: Path = DATA_DIR, other_countries: Collection[str] | None = None) -> LoadResult:
    """Load (or refresh) every unit in one transaction; one audit event ``geo.load`` if anything changed.

    ``other_countries`` (ISO3 codes) limits the countries taken from the global list; None takes them all.
    """
    result = LoadResult()
    rows = ukraine_rows(data_dir)
    for v in rows.values():
        result.ukraine[v.level] = result.ukraine.get(v.level, 0) + 1
    if other_countries is None or other_countries:
        other = global_rows(data_dir, countries=other_countries)
        result.other_countries = len({v.country_iso3 for v in other.values()})
        for v in other.values():
            result.other_units[v.level] = result.other_units.get(v.level, 0) + 1
        rows.update(other)
    with transaction.atomic():
        result.countries_written = load_countries(Country)
        result.countries = Country.objects.count()
        result.created, result.updated, result.unchanged = sync_units(rows)
        result.not_in_files = AdminUnit.objects.count() - len(rows)
        if result.changed:
            record(actor=Actor.system(), action="geo.load", object_type="geo.adminunit", object_id=result.summary())
            UNITS.forget()
    return result


def ensure_loaded() -> LoadResult | None:
    """Load the units unless the table already holds some (``varta quickstart`` calls this on every start)."""
    if AdminUnit.objects.exists():
        return None
    return load()
