"""The downloadable template of a call log (CSV or XLSX): the header, two example rows and, in the XLSX, a sheet
of the values each picklist column accepts (the organisation's own topics included)."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl  # type: ignore[import-untyped]
from django.utils.translation import gettext as _

from varta.core.htcds import Gender, MethodOfControl, TypeOfExploitation
from varta.hotline.importer_rows import FIELDS
from varta.hotline.models import AgeGroup, CallerType, Channel, Direction, Displacement, Outcome
from varta.hotline.selectors import topic_choices

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_PICKLISTS: tuple[tuple[str, Any], ...] = (
    ("channel", Channel), ("direction", Direction), ("caller_type", CallerType), ("sex", Gender),
    ("age_group", AgeGroup), ("displacement", Displacement), ("outcomes", Outcome),
    ("methods_of_control", MethodOfControl), ("exploitation_types", TypeOfExploitation),
)


def template_rows() -> list[list[str]]:
    """The header (labels in the active language) and two example rows."""
    return [[str(f.label) for f in FIELDS], *([f.examples[i] for f in FIELDS] for i in (0, 1))]


def template_csv() -> bytes:
    """UTF-8 with a byte-order mark, so that Excel shows Cyrillic text correctly when it opens the file."""
    out = io.StringIO()
    csv.writer(out).writerows(template_rows())
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(organisation_id: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    log = book.create_sheet(_("Call log"))
    for row in template_rows():
        log.append(row)
    values = book.create_sheet(_("Accepted values"))
    values.append([_("Column"), _("Value to write"), _("Meaning")])
    labels = {f.key: str(f.label) for f in FIELDS}
    for key, choices in _PICKLISTS:
        for value, label in choices.choices:
            values.append([labels[key], value, str(label)])
    for topic in topic_choices(organisation_id):
        values.append([labels["topics"], topic.code, f"{topic.name_en} / {topic.name_uk}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
