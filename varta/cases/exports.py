"""Case list exports (CSV, XLSX): non-personal columns only, spreadsheet formulas neutralised, audited.

A list export carries no name, date of birth, contact detail, document or note: only what statistics keep in clear
(category, gender, age group, citizenship, displacement, oblast) and the case's own bookkeeping. CSV is streamed
row by row; XLSX is built with openpyxl's write-only workbook. Any text cell a spreadsheet would run as a formula
(starting with = + - @, a tab or a carriage return) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

import openpyxl  # type: ignore[import-untyped]
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from varta.audit import writes
from varta.audit.writes import Actor
from varta.cases.models import Case, Service
from varta.geo.models import AdminUnit

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000

# (key, header). Values are codes (picklist values as stored, ISO 3166 alpha-2, P-codes), stable across languages.
COLUMNS: tuple[tuple[str, Any], ...] = (
    ("reference", _("Reference")),
    ("stage", _("Stage")),
    ("category", _("Person category")),
    ("source", _("Source")),
    ("gender", _("Gender")),
    ("age_group", _("Age group")),
    ("citizenship", _("Citizenship")),
    ("displacement", _("Displacement status")),
    ("oblast", _("Oblast (P-code)")),
    ("opened_on", _("Opened on")),
    ("closed_on", _("Closed on")),
    ("case_worker", _("Case worker")),
    ("services", _("Services")),
)

_VALUES = ("reference", "stage", "category", "source", "person__gender", "person__age_group",
           "person__citizenship__iso2", "person__displacement", "person__location_id", "opened_on", "closed_at",
           "case_worker__username", "services_count")


def safe(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (CSV injection): = + - @ tab CR get a leading quote."""
    return "'" + value if value.startswith(FORMULA_START) else value


def header() -> list[str]:
    return [str(label) for _key, label in COLUMNS]


class _Oblasts:
    """Location P-code → oblast P-code, looked up once per distinct place (a few thousand at most)."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}

    def __call__(self, pcode: str | None) -> str:
        if not pcode:
            return ""
        if pcode not in self.known:
            unit = AdminUnit.objects.filter(pk=pcode).select_related("parent__parent__parent").first()
            while unit is not None and unit.parent is not None:
                unit = unit.parent
            self.known[pcode] = unit.pcode if unit is not None else ""
        return self.known[pcode]


def rows(cases: QuerySet[Case]) -> Iterator[list[str | int]]:
    """The export's data rows (no header), read in chunks without loading (or decrypting) any person."""
    services = (Service.objects.filter(case=OuterRef("pk")).order_by().values("case")
                .annotate(n=Count("pk")).values("n"))
    oblast = _Oblasts()
    queryset = (cases.annotate(services_count=Coalesce(Subquery(services, output_field=IntegerField()), 0))
                .order_by("opened_on", "pk").values_list(*_VALUES))
    for (reference, stage, category, source, gender, age_group, citizenship, displacement, location, opened_on,
         closed_at, worker, services_count) in queryset.iterator(chunk_size=CHUNK):
        closed = timezone.localtime(closed_at).date().isoformat() if closed_at else ""
        yield [reference, stage, category, source, gender, age_group, citizenship or "", displacement,
               oblast(location), opened_on.isoformat(), closed, worker, services_count]


def _cells(row: Iterable[str | int]) -> list[str | int]:
    return [safe(cell) if isinstance(cell, str) else cell for cell in row]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(data: Iterable[Iterable[str | int]]) -> Iterator[str]:
    """CSV text line by line: UTF-8 byte-order mark first (Excel then reads Cyrillic right), header, rows."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header())
    for row in data:
        yield writer.writerow(_cells(row))


def xlsx_bytes(data: Iterable[Iterable[str | int]]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(str(_("Cases")))
    sheet.append(header())
    for row in data:
        sheet.append(_cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def record_export(*, actor: Actor) -> None:
    """An export is an audit event: who exported which columns (never values)."""
    writes.record(actor=actor, action="cases.export", object_type=writes.object_type(Case),
                  changed=[key for key, _label in COLUMNS])
