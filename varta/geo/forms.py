"""Form fields that store P-codes and refuse unknown ones."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from varta.geo.models import AdminUnit


class PcodeWidget(forms.TextInput):
    """A text input enhanced by static/geo/picker.js into a type-ahead picker; works without JavaScript."""

    def __init__(self, *, multiple: bool = False, attrs: dict[str, Any] | None = None) -> None:
        base = {"data-pcode-picker": "multiple" if multiple else "single", "autocomplete": "off",
                "spellcheck": "false"}
        super().__init__(attrs={**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, list | tuple):
            return ", ".join(v.pcode if isinstance(v, AdminUnit) else str(v) for v in value)
        if isinstance(value, AdminUnit):
            return value.pcode
        return super().format_value(value)


def _parse(raw: str) -> list[str]:
    return [p.strip().upper() for p in raw.replace(";", ",").replace("\n", ",").split(",") if p.strip()]


def _unknown_error(codes: list[str]) -> ValidationError:
    return ValidationError(_("Unknown P-code: %(codes)s. Pick a place from the list."),
                           code="unknown_pcode", params={"codes": ", ".join(codes)})


class PcodeField(forms.CharField):
    widget = PcodeWidget

    def clean(self, value: Any) -> AdminUnit | None:
        raw = super().clean(value)
        codes = _parse(raw or "")
        if not codes:
            return None
        if len(codes) > 1:
            raise ValidationError(_("Choose one place only."), code="one_place")
        unit = AdminUnit.objects.filter(pcode=codes[0]).first()
        if unit is None:
            raise _unknown_error(codes)
        return unit


class PcodeListField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PcodeWidget(multiple=True))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[AdminUnit]:
        raw = super().clean(value)
        codes = list(dict.fromkeys(_parse(raw or "")))
        units = {u.pcode: u for u in AdminUnit.objects.filter(pcode__in=codes)}
        missing = [c for c in codes if c not in units]
        if missing:
            raise _unknown_error(missing)
        return [units[c] for c in codes]
