"""Hotline pages: the statistics page and its CSV export (HXL-tagged), for any period, organisation and place.

The export is long: one row per line of every breakdown, under a header row and an HXL hashtag row:

    #date+start #date+end       the period (local dates, both included)
    #org+name                   the organisation the figures are about, or "All organisations"
    #loc+code                   the place filter's P-code (any level), empty for everywhere
    #contact+channel+filter     the channel filter, empty for all channels
    #meta+breakdown             topic, outcome, channel, caller_type, sex, age_group, displacement, oblast, risk,
                                methods_of_control, exploitation_types, week, month, organisation ("total" first)
    #indicator+code             the line's stable code (choice value, P-code, topic code, 2025-W03, 2025-01)
    #indicator+name             the line's label in the user's language
    #sector+name                for topic lines: the first-level category
    #adm1+code                  for oblast lines: the oblast's P-code
    #indicator+num+contacts     a count (plain integer), empty when suppressed or not counted for that line
    #meta+suppressed+contacts   "true" when disclosure control hid the count
    #indicator+num+consultations, #meta+suppressed+consultations   the same for consultations

Text cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) get a leading quote.
"""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from varta.accounts.permissions import Action, can
from varta.core.http import VartaRequest, acting
from varta.geo.forms import PcodeField
from varta.hotline.models import Channel
from varta.hotline.statistics import (
    ABROAD,
    CONSULTATIONS,
    CONTACTS,
    NOT_RECORDED,
    Breakdown,
    FigureFilter,
    HotlineFigures,
    cell_text,
    default_period,
    figures_for,
    organisations_with_figures,
    require_stats,
    suppressed_text,
)
from varta.orgs.models import Organisation

ISO_DATE = ["%Y-%m-%d"]


class StatsFilterForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, input_formats=ISO_DATE,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, input_formats=ISO_DATE,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    # Options are set by the view: only organisations whose figures can be shown by name are offered.
    organisation = forms.TypedChoiceField(label=gettext_lazy("Organisation"), required=False, coerce=int,
                                          empty_value=None)
    place = PcodeField(label=gettext_lazy("Place"), required=False,
                       help_text=gettext_lazy("An oblast, raion or hromada: its contacts and everything below it."))
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False,
                                choices=[("", gettext_lazy("All channels")), *Channel.choices])

    def __init__(self, *args: Any, aggregate: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not aggregate:
            del self.fields["organisation"]  # own organisation only
        else:
            field = self.fields["organisation"]
            assert isinstance(field, forms.TypedChoiceField)
            # Any active organisation is valid (its figures are disclosure-controlled); the list shows the named.
            field.choices = [("", _("All organisations")),
                             *Organisation.objects.filter(is_active=True).values_list("pk", "name")]

    def offer(self, organisations: list[tuple[int, str]]) -> None:
        """Show only ``organisations`` (and the chosen one) in the organisation list."""
        field = self.fields.get("organisation")
        if not isinstance(field, forms.TypedChoiceField):
            return
        chosen = self.cleaned_data.get("organisation") if self.is_bound and hasattr(self, "cleaned_data") else None
        offered = dict(organisations)
        if chosen is not None and chosen not in offered:
            offered[chosen] = Organisation.objects.filter(pk=chosen).values_list("name", flat=True).first() or ""
        field.choices = [("", _("All organisations")), *sorted(offered.items(), key=lambda item: item[1])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def criteria(self) -> FigureFilter:
        if not self.is_bound:
            return FigureFilter()
        data = self.cleaned_data
        return FigureFilter(date_from=data.get("date_from"), date_to=data.get("date_to"),
                            organisation_id=data.get("organisation"), place=data.get("place"),
                            channel=data.get("channel") or "")


def _form(request: VartaRequest) -> tuple[StatsFilterForm, bool]:
    membership = require_stats(acting(request))
    aggregate = can(membership, Action.STATS_AGGREGATE)
    start, end = default_period(membership)
    form = StatsFilterForm(request.GET or None, aggregate=aggregate, initial={"date_from": start, "date_to": end})
    return form, aggregate


MEASURE_TITLES = {CONTACTS: gettext_lazy("Contacts"), CONSULTATIONS: gettext_lazy("Consultations")}


def tables(figures: HotlineFigures) -> list[dict[str, Any]]:
    """The breakdowns as the template shows them: texts already localised, bar widths as classes."""
    def cells(values: tuple[Any, ...], widths: tuple[int, ...]) -> list[dict[str, Any]]:
        return [{"text": cell_text(cell, figures.threshold), "suppressed": cell.suppressed,
                 "width": widths[i] if i < len(widths) else 0} for i, cell in enumerate(values)]

    result = []
    for breakdown in figures.breakdowns:
        result.append({
            "key": breakdown.key, "title": breakdown.title, "note": breakdown.note,
            "measures": [MEASURE_TITLES[m] for m in breakdown.measures],
            "rows": [{"label": line.label, "level": line.level, "cells": cells(line.cells, line.widths)}
                     for line in breakdown.lines],
            "totals": None if not breakdown.additive else cells(_totals(breakdown), ()),
        })
    return result


def _totals(breakdown: Breakdown) -> tuple[Any, ...]:
    return tuple(total for total in breakdown.totals if total is not None)


def statistics(request: VartaRequest) -> HttpResponse:
    form, aggregate = _form(request)
    membership = acting(request)
    if form.is_bound and not form.is_valid():
        form.offer([])
        return render(request, "hotline/stats_page.html", {"form": form, "figures": None}, status=400)
    criteria = form.criteria()
    figures = figures_for(membership, criteria)
    if aggregate:
        form.offer(list(figures.organisations_named) if criteria.organisation_id is None
                   else organisations_with_figures(figures.criteria))
    return render(request, "hotline/stats_page.html", {
        "form": form, "figures": figures, "aggregate": aggregate, "tables": tables(figures),
        "contacts": cell_text(figures.contacts, figures.threshold),
        "consultations": cell_text(figures.consultations, figures.threshold),
        "hidden_text": suppressed_text(figures.threshold),
        "export_query": request.GET.urlencode(),
    })


# --- CSV export -------------------------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value: str) -> str:
    """Neutralise spreadsheet formulas: a text cell starting with = + - @ (or tab, CR) gets a leading quote."""
    return "'" + value if value.startswith(FORMULA_START) else value


# (column header, HXL hashtag). The value columns are plain integers; a suppressed count is empty, flagged true.
EXPORT_COLUMNS = [
    (gettext_lazy("Period start"), "#date+start"),
    (gettext_lazy("Period end"), "#date+end"),
    (gettext_lazy("Organisation"), "#org+name"),
    (gettext_lazy("Place (P-code)"), "#loc+code"),
    (gettext_lazy("Channel"), "#contact+channel+filter"),
    (gettext_lazy("Breakdown"), "#meta+breakdown"),
    (gettext_lazy("Code"), "#indicator+code"),
    (gettext_lazy("Label"), "#indicator+name"),
    (gettext_lazy("Category"), "#sector+name"),
    (gettext_lazy("Oblast (P-code)"), "#adm1+code"),
    (gettext_lazy("Contacts"), "#indicator+num+contacts"),
    (gettext_lazy("Contacts suppressed"), "#meta+suppressed+contacts"),
    (gettext_lazy("Consultations"), "#indicator+num+consultations"),
    (gettext_lazy("Consultations suppressed"), "#meta+suppressed+consultations"),
]


def export_rows(figures: HotlineFigures) -> list[list[str]]:
    """The export as rows of text: header, HXL hashtags, the totals, then every line of every breakdown."""
    criteria = figures.criteria
    common = [
        figures.first_day.isoformat() if figures.first_day else "",
        figures.last_day.isoformat(),
        figures.organisation_name or _("All organisations"),
        criteria.place.pcode if criteria.place else "",
        criteria.channel,
    ]
    rows = [[str(title) for title, _tag in EXPORT_COLUMNS], [tag for _title, tag in EXPORT_COLUMNS]]

    def values(measures: tuple[str, ...], cells: tuple[Any, ...]) -> list[str]:
        by_measure = dict(zip(measures, cells, strict=True))
        out: list[str] = []
        for measure in (CONTACTS, CONSULTATIONS):
            cell = by_measure.get(measure)
            if cell is None:
                out += ["", ""]
            else:
                out += ["" if cell.suppressed else str(cell.value), "true" if cell.suppressed else "false"]
        return out

    rows.append([*common, "total", "total", _("All contacts and consultations"), "", "",
                 *values((CONTACTS, CONSULTATIONS), (figures.contacts, figures.consultations))])
    for breakdown in figures.breakdowns:
        category = ""
        for line in breakdown.lines:
            if breakdown.key == "topic" and line.level == 0:
                category = line.label
            rows.append([*common, breakdown.key, line.key, line.label,
                         category if breakdown.key == "topic" else "",
                         line.key if breakdown.key == "oblast" and line.key not in (ABROAD, NOT_RECORDED) else "",
                         *values(breakdown.measures, line.cells)])
    return [[safe(cell) for cell in row] for row in rows]


def statistics_export(request: VartaRequest) -> HttpResponse:
    form, _aggregate = _form(request)
    if form.is_bound and not form.is_valid():
        errors = "; ".join(f"{form.fields[name].label if name in form.fields else name}: "
                           + " ".join(str(m) for m in messages) for name, messages in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    figures = figures_for(acting(request), form.criteria())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    period = "-".join(d.isoformat() for d in (figures.first_day, figures.last_day) if d is not None)
    response["Content-Disposition"] = f'attachment; filename="hotline-statistics-{period}.csv"'
    response.write("\ufeff")  # a BOM, so spreadsheet programs read the Ukrainian labels as UTF-8
    csv.writer(response).writerows(export_rows(figures))
    return response


urlpatterns: list[URLPattern] = [
    path("statistics/", statistics, name="stats"),
    path("statistics/export.csv", statistics_export, name="stats_export"),
]
