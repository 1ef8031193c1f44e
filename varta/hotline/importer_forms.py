"""Forms of the call-log import: the upload and the column mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from varta.hotline.importer_rows import FIELDS
from varta.hotline.models import Channel


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Call log (CSV or XLSX)"),
                           help_text=_("CSV in UTF-8 or Windows-1251, or an Excel workbook (XLSX, first sheet). The "
                                       "first row names the columns."))


class MappingForm(forms.Form):
    """One choice of column per Varta field, plus the options of the run."""

    default_channel = forms.ChoiceField(label=_("Channel of rows that name none"), required=False,
                                        choices=[("", "—"), *Channel.choices])
    duration_unit = forms.TypedChoiceField(label=_("A plain number in the duration column counts"), coerce=int,
                                           choices=[(1, _("seconds")), (60, _("minutes"))], initial=1)
    strict = forms.BooleanField(label=_("All or nothing: import no row at all if any row is rejected"),
                                required=False)

    def __init__(self, *args: Any, header: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        columns = [("", _("— not in the file —"))] + [
            (str(index), name or _("Column %(number)s") % {"number": index + 1}) for index, name in enumerate(header)]
        mapped: dict[str, forms.Field] = {}
        for f in FIELDS:
            label = f"{f.label} *" if f.required else str(f.label)
            mapped[f"col_{f.key}"] = forms.TypedChoiceField(label=label, help_text=str(f.help), choices=columns,
                                                            required=False, coerce=int, empty_value=None)
        self.fields = {**mapped, **self.fields}

    def columns(self) -> dict[str, int]:
        return {f.key: self.cleaned_data[f"col_{f.key}"] for f in FIELDS
                if self.cleaned_data.get(f"col_{f.key}") is not None}

    @staticmethod
    def initial_from(mapping: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {f"col_{key}": str(index) for key, index in mapping.get("columns", {}).items()}
        initial["default_channel"] = mapping.get("default_channel", "")
        initial["duration_unit"] = mapping.get("duration_unit", 1)
        return initial
