"""Form fields that store P-codes and refuse unknown ones."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from varta.geo.models import AdminUnit
from varta.geo.search import is_pcode_shaped

MAX_PCODES = 500  # more than any form needs; bounds the lookup for a pasted list


class PcodeWidget(forms.TextInput):
    """A text input enhanced by static/geo/picker.js into a type-ahead picker; works without JavaScript.

    Without JavaScript the user types P-codes (several separated by commas). The script reads everything it
    needs from data-* attributes: the search URL, the translated messages, and the places already chosen.
    """

    def __init__(self, *, multiple: bool = False, attrs: dict[str, Any] | None = None) -> None:
        base = {"data-pcode-picker": "multiple" if multiple else "single", "autocomplete": "off",
                "spellcheck": "false", "data-search-url": reverse_lazy("geo:search")}
        super().__init__(attrs={**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, list | tuple):
            return ", ".join(v.pcode if isinstance(v, AdminUnit) else str(v) for v in value)
        if isinstance(value, AdminUnit):
            return value.pcode
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update({
            "data-selected": json.dumps(_chosen(value), ensure_ascii=False),
            "data-msg-empty": gettext("No place found"),
            "data-msg-error": gettext("The place search is not available. Type a P-code instead."),
            "data-msg-count": gettext("Places found: %(count)s"),
            "data-msg-remove": gettext("Remove %(name)s"),
            "data-msg-chosen": gettext("Chosen places"),
            "data-msg-picked": gettext("Chosen: %(name)s"),
        })
        return context


def _chosen(value: Any) -> list[dict[str, str]]:
    """The places in ``value`` (units, or P-codes as typed) with their names; unknown codes keep the code."""
    if not value:
        return []
    units: dict[str, AdminUnit] = {}
    codes: list[str] = []
    for item in value if isinstance(value, list | tuple) else [value]:
        if isinstance(item, AdminUnit):
            units[item.pcode] = item
            codes.append(item.pcode)
        else:
            codes.extend(_parse(str(item)))
    codes = list(dict.fromkeys(codes))[:MAX_PCODES]
    missing = [c for c in codes if c not in units]
    if missing:
        units.update({u.pcode: u for u in AdminUnit.objects.filter(pcode__in=[c for c in missing
                                                                                 if is_pcode_shaped(c)])})
    return [{"pcode": c, "name": units[c].display_name if c in units else c} for c in codes]


def _parse(raw: str) -> list[str]:
    return [p.strip().upper() for p in raw.replace(";", ",").replace("\n", ",").split(",") if p.strip()]


def _unknown_error(codes: list[str]) -> ValidationError:
    shown = ", ".join(codes[:10]) + (", …" if len(codes) > 10 else "")
    return ValidationError(_("Unknown P-code: %(codes)s. Pick a place from the list."),
                           code="unknown_pcode", params={"codes": shown})


class PcodeField(forms.CharField):
    widget = PcodeWidget

    def clean(self, value: Any) -> AdminUnit | None:
        raw = super().clean(value)
        codes = _parse(raw or "")
        if not codes:
            return None
        if len(codes) > 1:
            raise ValidationError(_("Choose one place only."), code="one_place")
        unit = AdminUnit.objects.filter(pcode=codes[0]).first() if is_pcode_shaped(codes[0]) else None
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
        if len(codes) > MAX_PCODES:
            raise ValidationError(_("Choose at most %(max)s places."), code="too_many_places",
                                  params={"max": MAX_PCODES})
        units = {u.pcode: u for u in AdminUnit.objects.filter(pcode__in=[c for c in codes if is_pcode_shaped(c)])}
        missing = [c for c in codes if c not in units]
        if missing:
            raise _unknown_error(missing)
        return [units[c] for c in codes]
