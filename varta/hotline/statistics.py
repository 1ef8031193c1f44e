"""Hotline statistics for any period, organisation, place and channel: ``figures_for(membership, criteria)``.

Who sees what:

- ``stats.view_org`` (operators, supervisors, information managers, org admins): their own organisation's
  figures, exact — they stay inside the organisation.
- ``stats.view_aggregate`` (task-force coordinator, system admin): figures across every organisation, or one
  organisation's. These leave the organisation, so they pass disclosure control (varta/core/disclosure.py): counts
  below ``SMALL_CELL_THRESHOLD`` are hidden, with secondary suppression so totals cannot give them away. Topics
  of an organisation's own taxonomy roll up to "own topics" under their category, and organisations with fewer
  contacts than the threshold are counted together as "other organisations" rather than named. A system admin
  who picks their own organisation sees it exact, as with ``stats.view_org``.

How: from the daily roll-ups (``ContactDay``, ``ConsultationDay``: varta/hotline/rollups.py, written in the same
transaction as the rows) whenever they can answer, else from the rows themselves. Periods are local dates
(``TIME_ZONE``, Europe/Kyiv), both days included, so a period is always whole roll-up days.

- Roll-ups answer every figure for any period, organisation, channel and a place that is an oblast: three queries
  over ``ContactDay`` (per organisation × oblast × abroad; per channel with the sums of the profile and HTCDS
  indicator columns; per day) and one over ``ConsultationDay`` (per organisation × topic with one sum per
  outcome).
- Raw rows answer the rest: a place below oblast level (raion, hromada) reads every figure from the rows; a
  place or channel filter reads the consultations from the rows (``ConsultationDay`` carries neither, which keeps
  it a few rows per organisation and day), the contact figures still from ``ContactDay``.

The raw path (:func:`_query_raw`, ``compute(..., source="raw")``) stays callable: four GROUP BY queries over the
contacts and one over the consultations (which carry organisation, category and start time, so they need no join
unless a place or channel filter asks for one). The tests check that both paths give identical figures. Either
way Python adds up grouped rows — never the contacts themselves. Weeks are ISO weeks (Monday to Sunday), counted
from contacts per local day. The time series counts contacts; topics and outcomes count consultations.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncHour
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext, pgettext

from varta.accounts.permissions import Action, can
from varta.core.disclosure import (
    Cell,
    Equation,
    protect,
    protect_breakdown,
    protect_tree,
    threshold_setting,
)
from varta.core.htcds import Gender, MethodOfControl, TypeOfExploitation
from varta.geo.models import AdminUnit
from varta.hotline.models import (
    CONTACT_DAY_COLUMNS,
    OUTCOME_COLUMNS,
    AgeGroup,
    CallerType,
    Channel,
    Consultation,
    ConsultationDay,
    Contact,
    ContactDay,
    Displacement,
    Outcome,
    Topic,
)
from varta.orgs.models import Membership, Organisation

CONTACTS = "contacts"
CONSULTATIONS = "consultations"
ABROAD = "abroad"
NOT_RECORDED = "not-recorded"
OTHER_ORGANISATIONS = "other"
FLAGGED, NOT_FLAGGED = "flagged", "not-flagged"
_LAST_DAY = date.max - timedelta(days=1)


def local_midnight(day: date) -> datetime:
    """The start of a local day (TIME_ZONE) as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@dataclass(frozen=True)
class FigureFilter:
    date_from: date | None = None  # local dates, both included
    date_to: date | None = None
    organisation_id: int | None = None
    place: AdminUnit | None = None  # an oblast or any unit below it: contacts whose place has its P-code prefix
    channel: str = ""


@dataclass(frozen=True)
class Line:
    key: str  # a stable code: choice value, P-code, topic code, ISO week "2025-W03", month "2025-01"
    label: str  # in the active language
    cells: tuple[Cell, ...]  # one per measure of the breakdown
    level: int = 0  # 1: a topic under its category
    widths: tuple[int, ...] = ()  # bar widths in % of the breakdown's largest shown value, in steps of 5


@dataclass(frozen=True)
class Breakdown:
    key: str
    title: str
    measures: tuple[str, ...]  # CONTACTS and/or CONSULTATIONS
    lines: tuple[Line, ...]
    totals: tuple[Cell | None, ...]  # None: multi-response counts, which add up to nothing
    note: str = ""

    @property
    def additive(self) -> bool:
        return all(total is not None for total in self.totals)


@dataclass(frozen=True)
class HotlineFigures:
    criteria: FigureFilter
    controlled: bool  # disclosure control applied (figures that leave the organisation)
    threshold: int
    contacts: Cell
    consultations: Cell
    first_day: date | None  # the period's first day, or the first day with a contact when open
    last_day: date
    organisation_name: str | None  # the one organisation these figures are about, if one
    breakdowns: tuple[Breakdown, ...]
    organisations_named: tuple[tuple[int, str], ...] = ()  # organisations shown by name (aggregate view)

    def breakdown(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)

    def sentence(self) -> str:
        """"35,000 consultations in response to 8,000 calls since 1 January 2025", localised."""
        consultations = count_phrase(self.consultations, self.threshold, lambda n: ngettext(
            "%(count)s consultation", "%(count)s consultations", n))
        calls = count_phrase(self.contacts, self.threshold, lambda n: npgettext(
            "in response to …", "%(count)s call", "%(count)s calls", n))
        if self.first_day is None:
            return _("No contacts recorded yet.")
        start = date_format(self.first_day, "DATE_FORMAT")
        if self.criteria.date_to is None or self.criteria.date_to >= timezone.localdate():
            return _("%(consultations)s in response to %(calls)s since %(date)s.") % {
                "consultations": consultations, "calls": calls, "date": start}
        return _("%(consultations)s in response to %(calls)s from %(start)s to %(end)s.") % {
            "consultations": consultations, "calls": calls, "start": start,
            "end": date_format(self.last_day, "DATE_FORMAT")}


def suppressed_text(threshold: int) -> str:
    """How a hidden count reads on screen: "<5"."""
    return pgettext("a hidden small count", "<%(threshold)s") % {"threshold": threshold}


def cell_text(cell: Cell, threshold: int) -> str:
    if cell.suppressed or cell.value is None:
        return suppressed_text(threshold)
    return number_format(cell.value, force_grouping=True)


def count_phrase(cell: Cell, threshold: int, phrase: Callable[[int], str]) -> str:
    """A plural phrase for a count: its form follows the number (the threshold when the count is hidden)."""
    n = threshold if cell.suppressed or cell.value is None else cell.value
    return phrase(n) % {"count": cell_text(cell, threshold)}


# --- Who sees what ---------------------------------------------------------------------------------------


def require_stats(membership: Membership) -> Membership:
    """403 unless the role may see some statistics (its own organisation's, or aggregate ones)."""
    if not (can(membership, Action.STATS_ORG) or can(membership, Action.STATS_AGGREGATE)):
        raise PermissionDenied(_("Your role does not allow this."))
    return membership


def default_period(membership: Membership) -> tuple[date, date | None]:
    """The period shown when none is asked for.

    Figures that leave the organisation cover the last twelve complete months: closed periods do not change
    between two readings, so one day's contacts cannot be worked out from two figures a day apart. Inside the
    organisation: the current year so far.
    """
    today = timezone.localdate()
    if can(membership, Action.STATS_AGGREGATE):
        this_month = today.replace(day=1)
        return this_month.replace(year=this_month.year - 1), this_month - timedelta(days=1)
    return today.replace(month=1, day=1), None


def figures_for(membership: Membership, criteria: FigureFilter) -> HotlineFigures:
    """The figures ``membership`` may see for ``criteria`` (PermissionDenied without a stats action).

    Without dates, the period is :func:`default_period`'s."""
    if criteria.date_from is None and criteria.date_to is None:
        start, end = default_period(membership)
        criteria = replace(criteria, date_from=start, date_to=end)
    if can(membership, Action.STATS_AGGREGATE):
        own = criteria.organisation_id == membership.organisation_id and can(membership, Action.STATS_ORG)
        return compute(criteria, controlled=not own, per_organisation=criteria.organisation_id is None,
                       own_topics_of=membership.organisation_id if own else None)
    if can(membership, Action.STATS_ORG):
        if criteria.organisation_id not in (None, membership.organisation_id):
            raise PermissionDenied(_("Your role shows your own organisation's figures only."))
        scoped = FigureFilter(date_from=criteria.date_from, date_to=criteria.date_to,
                              organisation_id=membership.organisation_id, place=criteria.place,
                              channel=criteria.channel)
        return compute(scoped, controlled=False, per_organisation=False, own_topics_of=membership.organisation_id)
    raise PermissionDenied(_("Your role does not allow this."))


def organisations_with_figures(criteria: FigureFilter, *, threshold: int | None = None) -> list[tuple[int, str]]:
    """Organisations with at least ``threshold`` contacts in the period (others are never named), by name."""
    limit = threshold_setting() if threshold is None else threshold
    unfiltered = FigureFilter(date_from=criteria.date_from, date_to=criteria.date_to, place=criteria.place,
                              channel=criteria.channel)
    counts: list[int]
    if _rollups_answer(unfiltered):
        counts = list(_contact_days(unfiltered).values("organisation_id").annotate(n=Sum("contacts"))
                      .filter(n__gte=max(limit, 1)).values_list("organisation_id", flat=True))
    else:
        counts = list(_contacts(unfiltered).values("organisation_id").annotate(n=Count("pk"))
                      .filter(n__gte=max(limit, 1)).values_list("organisation_id", flat=True))
    return list(Organisation.objects.filter(pk__in=counts).order_by("name").values_list("pk", "name"))


# --- The queries -----------------------------------------------------------------------------------------------


def _period(criteria: FigureFilter) -> Q:
    q = Q()
    if criteria.date_from is not None:
        q &= Q(started_at__gte=local_midnight(criteria.date_from))
    if criteria.date_to is not None:
        q &= Q(started_at__lt=local_midnight(min(criteria.date_to, _LAST_DAY) + timedelta(days=1)))
    return q


def _by_contact(criteria: FigureFilter, prefix: str = "") -> Q:
    """The filters that read the contact itself: place (P-code prefix) and channel."""
    q = Q()
    if criteria.place is not None:
        q &= (Q(**{f"{prefix}oblast_id": criteria.place.pcode}) if criteria.place.level == 1
              else Q(**{f"{prefix}location__pcode__startswith": criteria.place.pcode}))
    if criteria.channel:
        q &= Q(**{f"{prefix}channel": criteria.channel})
    return q


def _own(criteria: FigureFilter) -> Q:
    q = _period(criteria)
    if criteria.organisation_id is not None:
        q &= Q(organisation_id=criteria.organisation_id)
    return q


def _contacts(criteria: FigureFilter) -> QuerySet[Contact]:
    return Contact.objects.filter(_own(criteria) & _by_contact(criteria)).order_by()


def _consultations(criteria: FigureFilter) -> QuerySet[Consultation]:
    # Consultations carry organisation and start time; only a place or channel filter needs their contact.
    return Consultation.objects.filter(_own(criteria) & _by_contact(criteria, "contact__")).order_by()


def _hour_bucket() -> Any:
    # SQLite keeps UTC datetimes as text: cutting "YYYY-MM-DD HH" is far cheaper than Django's per-row function.
    if connection.vendor == "sqlite":
        return Substr("started_at", 1, 13)
    return TruncHour("started_at", tzinfo=UTC)


def _local_day(bucket: Any, zone: tzinfo) -> date:
    if isinstance(bucket, str):
        parsed = parse_datetime(f"{bucket}:00:00")
        assert parsed is not None
        bucket = parsed
    if bucket.tzinfo is None:
        bucket = bucket.replace(tzinfo=UTC)
    return bucket.astimezone(zone).date()


@dataclass
class _Rows:
    """The grouped rows of the five queries."""

    consultations: list[dict[str, Any]] = field(default_factory=list)  # organisation, topic, outcome → n
    # "channel", "caller_type", "sex", "age_group", "displacement" → value → contacts
    profile: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    places: list[dict[str, Any]] = field(default_factory=list)  # organisation, oblast → n, abroad, risk
    indicators: Counter[str] = field(default_factory=Counter)  # "moc_DebtBondage" → risk-flagged contacts
    days: Counter[date] = field(default_factory=Counter)  # local day → contacts


_PROFILE = ("channel", "caller_type", "sex", "age_group", "displacement")


def _query_raw(criteria: FigureFilter) -> _Rows:
    """The grouped rows, from the contacts and consultations themselves."""
    contacts = _contacts(criteria)
    rows = _Rows()
    rows.consultations = _raw_consultations(criteria)
    for row in contacts.values(*_PROFILE).annotate(n=Count("pk")):
        for key in _PROFILE:
            rows.profile[key][row[key]] += row["n"]
    rows.places = list(contacts.values("organisation_id", "oblast_id").annotate(
        n=Count("pk"), abroad=Count("pk", filter=Q(oblast_id__isnull=True, country_id__isnull=False)),
        risk=Count("pk", filter=Q(risk_flag=True))))
    # Indicator lists are short and repeat: group by the lists, then count each value of each group.
    for row in (contacts.filter(risk_flag=True).values("methods_of_control", "exploitation_types")
                .annotate(n=Count("pk"))):
        for prefix, column in (("moc", "methods_of_control"), ("toe", "exploitation_types")):
            for value in set(row[column] or ()):
                rows.indicators[f"{prefix}_{value}"] += row["n"]
    zone = timezone.get_current_timezone()
    for row in contacts.values(hour=_hour_bucket()).annotate(n=Count("pk")):
        rows.days[_local_day(row["hour"], zone)] += row["n"]
    return rows


def _raw_consultations(criteria: FigureFilter) -> list[dict[str, Any]]:
    return list(_consultations(criteria).values("organisation_id", "topic_id", "outcome").annotate(n=Count("pk")))


def _rollups_answer(criteria: FigureFilter) -> bool:
    """Whether the roll-ups carry every filter: a place, if any, is an oblast."""
    return criteria.place is None or criteria.place.level == 1


def _days(criteria: FigureFilter) -> Q:
    q = Q()
    if criteria.date_from is not None:
        q &= Q(day__gte=criteria.date_from)
    if criteria.date_to is not None:
        q &= Q(day__lte=criteria.date_to)
    if criteria.organisation_id is not None:
        q &= Q(organisation_id=criteria.organisation_id)
    return q


def _contact_days(criteria: FigureFilter) -> QuerySet[ContactDay]:
    q = _days(criteria)
    if criteria.place is not None:
        q &= Q(oblast=criteria.place.pcode)
    if criteria.channel:
        q &= Q(channel=criteria.channel)
    return ContactDay.objects.filter(q).order_by()


def _query_rollups(criteria: FigureFilter) -> _Rows:
    """The same grouped rows as :func:`_query_raw`, from the daily roll-ups (the place an oblast, if any)."""
    days = _contact_days(criteria)
    rows = _Rows()
    if criteria.place is None and not criteria.channel:
        for row in (ConsultationDay.objects.filter(_days(criteria)).order_by().values("organisation_id", "topic_id")
                    .annotate(**{column: Sum(column) for column in OUTCOME_COLUMNS.values()})):
            rows.consultations += [{"organisation_id": row["organisation_id"], "topic_id": row["topic_id"],
                                    "outcome": outcome, "n": row[column]}
                                   for outcome, column in OUTCOME_COLUMNS.items() if row[column]]
    else:
        rows.consultations = _raw_consultations(criteria)
    columns = [column for columns in CONTACT_DAY_COLUMNS.values() for column in columns.values()]
    for row in days.values("channel").annotate(contacts_n=Sum("contacts"),
                                               **{column: Sum(column) for column in columns}):
        rows.profile["channel"][row["channel"]] += row["contacts_n"]
        for name, by_value in CONTACT_DAY_COLUMNS.items():
            counter = rows.profile[name] if name in _PROFILE else None
            prefix = "moc" if name == "methods_of_control" else "toe"
            for value, column in by_value.items():
                if counter is not None:
                    counter[value] += row[column]
                else:
                    rows.indicators[f"{prefix}_{value}"] += row[column]
    for row in days.values("organisation_id", "oblast", "abroad").annotate(n=Sum("contacts"), risk=Sum("risk")):
        if not row["n"]:
            continue  # cells emptied by corrections: the raw rows have no group for them
        rows.places.append({"organisation_id": row["organisation_id"], "oblast_id": row["oblast"] or None,
                            "n": row["n"], "abroad": row["n"] if row["abroad"] else 0, "risk": row["risk"]})
    for row in days.values("day").annotate(n=Sum("contacts")):
        if row["n"]:
            rows.days[row["day"]] += row["n"]
    return rows


# --- From grouped rows to protected breakdowns ------------------------------------------------------------------


def _widths(lines: list[Line]) -> list[Line]:
    """Bar widths per measure, relative to the largest shown value (CSS classes w0 … w100, in steps of 5)."""
    if not lines:
        return lines
    measures = len(lines[0].cells)
    largest = [max((ln.cells[i].value or 0 for ln in lines), default=0) for i in range(measures)]
    return [Line(key=ln.key, label=ln.label, cells=ln.cells, level=ln.level,
                 widths=tuple(round((c.value or 0) * 20 / largest[i]) * 5 if largest[i] else 0
                              for i, c in enumerate(ln.cells)))
            for ln in lines]


def _simple(key: str, title: str, measure: str, counts: Mapping[str, int], labels: Mapping[str, str], *,
            total: int | None, controlled: bool, threshold: int, note: str = "") -> Breakdown:
    protected = protect_breakdown(counts, total, threshold=threshold, controlled=controlled)
    lines = [Line(key=k, label=labels.get(k, k), cells=(protected.cells[k],)) for k in counts]
    return Breakdown(key=key, title=title, measures=(measure,), lines=tuple(_widths(lines)),
                     totals=(protected.total,), note=note)


def _choice_counts(rows: Iterable[Mapping[str, Any]], column: str, choices: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(choices, 0)
    for row in rows:
        counts[row[column]] = counts.get(row[column], 0) + row["n"]
    return counts


def _labels(choices: type) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices.choices}  # type: ignore[attr-defined]


def _topic_tree(rows: list[dict[str, Any]], *, own_topics_of: int | None, controlled: bool,
                threshold: int) -> Breakdown:
    """Consultations by category and topic. Outside the organisation, own topics roll up as "own topics"."""
    counts: Counter[int] = Counter()
    for row in rows:
        counts[row["topic_id"]] += row["n"]
    topics = {t.pk: t for t in Topic.objects.filter(
        Q(organisation__isnull=True) | Q(pk__in=list(counts)) | Q(organisation_id=own_topics_of))}
    categories = sorted((t for t in topics.values() if t.parent_id is None and t.organisation_id is None),
                        key=lambda t: (t.sort_order, t.name_en))
    tree: dict[int, dict[str, int]] = {c.pk: {} for c in categories}
    labels: dict[str, str] = {}
    children: dict[int, list[Topic]] = defaultdict(list)
    for t in topics.values():
        if t.parent_id is not None:
            children[t.parent_id].append(t)
    for category in categories:
        branch = tree[category.pk]
        shown = [t for t in sorted(children[category.pk], key=lambda t: (t.sort_order, t.name_en))
                 if t.organisation_id is None or t.organisation_id == own_topics_of]
        for t in shown:
            if t.retired_at is None or counts[t.pk]:
                code = t.code if t.code not in branch else f"{t.code}-{t.pk}"  # an own term reusing a code
                branch[code] = counts[t.pk]
                labels[code] = t.name
        own = sum(counts[t.pk] for t in children[category.pk] if t not in shown)
        if own:
            branch["own-topics"] = own
            labels["own-topics"] = _("Organisations' own topics")
        if counts[category.pk] or not branch:  # consultations on the category itself (e.g. "Other")
            branch[category.code] = counts[category.pk]
            labels[category.code] = category.name if len(branch) == 1 else _("%(category)s (not specified "
                                                                             "further)") % {"category": category.name}
    protected = protect_tree(tree, threshold=threshold, controlled=controlled)
    lines: list[Line] = []
    for category in categories:
        lines.append(Line(key=category.code, label=category.name, cells=(protected.parents[category.pk],)))
        branch = tree[category.pk]
        if list(branch) == [category.code]:
            continue  # a category without topics is its own only line
        lines += [Line(key=code, label=labels[code], cells=(protected.children[(category.pk, code)],), level=1)
                  for code in branch]
    return Breakdown(key="topic", title=_("Consultations by topic"), measures=(CONSULTATIONS,),
                     lines=tuple(_widths(lines)), totals=(protected.total,))


def _time_series(days: Counter[date], first: date | None, last: date, *, controlled: bool,
                 threshold: int) -> list[Breakdown]:
    """Contacts by ISO week and by month, clipped to the period, protected together.

    Weeks and months are two partitions of the same days. Where their boundaries meet (the period's ends, and
    each month that starts on a Monday) the weeks and the months in between add up to the same unpublished
    subtotal: those equations go to disclosure control with the rest, so a hidden month cannot be worked out
    from the weeks that make it up.
    """
    if first is None or first > last:
        return []
    week_of: dict[date, str] = {}
    month_of: dict[date, str] = {}
    week_labels: dict[str, str] = {}
    month_labels: dict[str, str] = {}
    weeks: Counter[str] = Counter()
    months: Counter[str] = Counter()
    segment_of: dict[date, int] = {}
    segment = 0
    day = first
    while day <= last:
        iso = day.isocalendar()
        week, month = f"{iso.year}-W{iso.week:02d}", f"{day.year}-{day.month:02d}"
        if week not in week_labels:
            week_labels[week] = _("Week from %(date)s") % {"date": date_format(day, "SHORT_DATE_FORMAT")}
        if month not in month_labels:
            month_labels[month] = date_format(day, "YEAR_MONTH_FORMAT")
        if day > first and day.day == 1 and day.weekday() == 0:
            segment += 1
        week_of[day], month_of[day], segment_of[day] = week, month, segment
        weeks[week] += days.get(day, 0)
        months[month] += days.get(day, 0)
        day += timedelta(days=1)
    total = sum(weeks.values())
    if controlled:
        values: dict[Any, int] = {("week", k): v for k, v in weeks.items()}
        values.update({("month", k): v for k, v in months.items()})
        values["total"] = total
        parts: dict[int, tuple[set[Any], set[Any]]] = defaultdict(lambda: (set(), set()))
        for d, seg in segment_of.items():
            parts[seg][0].add(("week", week_of[d]))
            parts[seg][1].add(("month", month_of[d]))
        equations: list[Equation[Any]] = []
        for seg, (seg_weeks, seg_months) in parts.items():
            values[("segment", seg)] = sum(values[k] for k in seg_weeks)
            equations.append(Equation(parts=tuple(sorted(seg_weeks)), total=("segment", seg)))
            equations.append(Equation(parts=tuple(sorted(seg_months)), total=("segment", seg)))
        equations.append(Equation(parts=tuple(("segment", seg) for seg in parts), total="total"))
        cells = protect(values, equations, threshold=threshold, keep={"total"},
                        unpublished={("segment", seg) for seg in parts})
    else:
        cells = {("week", k): Cell(value=v) for k, v in weeks.items()}
        cells.update({("month", k): Cell(value=v) for k, v in months.items()})
        cells["total"] = Cell(value=total)
    result = []
    for name, title, series, labels in (("week", _("Contacts by week"), weeks, week_labels),
                                        ("month", _("Contacts by month"), months, month_labels)):
        lines = [Line(key=k, label=labels[k], cells=(cells[(name, k)],)) for k in series]
        result.append(Breakdown(key=name, title=title, measures=(CONTACTS,), lines=tuple(_widths(lines)),
                                totals=(cells["total"],)))
    return result


def _places(rows: list[dict[str, Any]], place: AdminUnit | None, *, controlled: bool,
            threshold: int) -> Breakdown:
    counts: Counter[str] = Counter()
    abroad = not_recorded = 0
    for row in rows:
        if row["oblast_id"] is None:
            abroad += row["abroad"]
            not_recorded += row["n"] - row["abroad"]
        else:
            counts[row["oblast_id"]] += row["n"]
    if place is not None:
        oblasts = [place.ancestors[-1] if place.ancestors else place]
    else:
        countries = set(AdminUnit.objects.filter(pcode__in=list(counts)).values_list("country_iso3", flat=True))
        oblasts = list(AdminUnit.objects.filter(level=1, country_iso3__in=countries or {"UKR"})
                       .order_by("country_iso3", "name_en"))
    ordered: dict[str, int] = {o.pcode: counts.pop(o.pcode, 0) for o in oblasts}
    ordered.update(counts)  # units whose country was not listed (cannot happen with consistent data)
    labels = {o.pcode: o.display_name for o in oblasts}
    if place is None:
        ordered[ABROAD] = abroad
        ordered[NOT_RECORDED] = not_recorded
        labels.update({ABROAD: _("Abroad"), NOT_RECORDED: _("Place not recorded")})
    return _simple("oblast", _("Contacts by oblast"), CONTACTS, ordered, labels, total=sum(ordered.values()),
                   controlled=controlled, threshold=threshold)


def _organisations(places: list[dict[str, Any]], consultations: list[dict[str, Any]], *,
                   threshold: int) -> tuple[Breakdown, tuple[tuple[int, str], ...]]:
    """Contacts and consultations per organisation; organisations under the threshold counted together."""
    contacts: Counter[int] = Counter()
    consulted: Counter[int] = Counter()
    for row in places:
        contacts[row["organisation_id"]] += row["n"]
    for row in consultations:
        consulted[row["organisation_id"]] += row["n"]
    named = dict(Organisation.objects.filter(pk__in=[o for o, n in contacts.items() if n >= threshold])
                 .order_by("name").values_list("pk", "name"))
    keys = [str(pk) for pk in named] + [OTHER_ORGANISATIONS]
    by_contacts = {str(pk): contacts[pk] for pk in named}
    by_contacts[OTHER_ORGANISATIONS] = sum(n for o, n in contacts.items() if o not in named)
    by_consultations = {str(pk): consulted[pk] for pk in named}
    by_consultations[OTHER_ORGANISATIONS] = sum(n for o, n in consulted.items() if o not in named)
    first = protect_breakdown(by_contacts, sum(by_contacts.values()), threshold=threshold)
    second = protect_breakdown(by_consultations, sum(by_consultations.values()), threshold=threshold)
    labels = {str(pk): name for pk, name in named.items()}
    labels[OTHER_ORGANISATIONS] = _("Other organisations")
    lines = [Line(key=k, label=labels[k], cells=(first.cells[k], second.cells[k])) for k in keys]
    breakdown = Breakdown(key="organisation", title=_("By organisation"), measures=(CONTACTS, CONSULTATIONS),
                          lines=tuple(_widths(lines)), totals=(first.total, second.total),
                          note=ngettext("Organisations with fewer than %(count)s contact in the period are counted "
                                        "together.",
                                        "Organisations with fewer than %(count)s contacts in the period are counted "
                                        "together.", threshold) % {"count": threshold})
    return breakdown, tuple(named.items())


def compute(criteria: FigureFilter, *, controlled: bool, per_organisation: bool = False,
            own_topics_of: int | None = None, threshold: int | None = None, source: str = "auto") -> HotlineFigures:
    """The figures for ``criteria``, no questions asked: callers check who may see them (``figures_for``).

    ``source``: "auto" reads the roll-ups when they can answer (module docstring), "raw" the rows always."""
    limit = threshold_setting() if threshold is None else threshold
    rows = _query_rollups(criteria) if source == "auto" and _rollups_answer(criteria) else _query_raw(criteria)
    total_contacts = sum(row["n"] for row in rows.places)
    total_consultations = sum(row["n"] for row in rows.consultations)
    headline = protect({CONTACTS: total_contacts, CONSULTATIONS: total_consultations}, threshold=limit) \
        if controlled else {CONTACTS: Cell(value=total_contacts), CONSULTATIONS: Cell(value=total_consultations)}
    today = timezone.localdate()
    first = criteria.date_from or min(rows.days, default=None)
    # Up to today (a future end adds no empty weeks), and never short of a contact's day.
    last = min(criteria.date_to or date.max, max(today, max(rows.days, default=today)))
    common: dict[str, Any] = {"controlled": controlled, "threshold": limit}

    breakdowns: list[Breakdown] = [_topic_tree(rows.consultations, own_topics_of=own_topics_of, **common)]
    outcomes = _choice_counts(rows.consultations, "outcome", Outcome.values)
    breakdowns.append(_simple("outcome", _("Consultations by outcome"), CONSULTATIONS, outcomes, _labels(Outcome),
                              total=total_consultations, **common))
    for key, title, choices in (
            ("channel", _("Contacts by channel"), Channel),
            ("caller_type", _("Contacts by caller"), CallerType),
            ("sex", _("Contacts by sex"), Gender),
            ("age_group", _("Contacts by age group"), AgeGroup),
            ("displacement", _("Contacts by displacement status"), Displacement)):
        counts = dict.fromkeys(choices.values, 0)
        for value, n in rows.profile[key].items():
            counts[value] = counts.get(value, 0) + n
        breakdowns.append(_simple(key, title, CONTACTS, counts, _labels(choices), total=total_contacts, **common))
    breakdowns.append(_places(rows.places, criteria.place, **common))
    risk = sum(row["risk"] for row in rows.places)
    breakdowns.append(_simple("risk", _("Suspected trafficking or exploitation"), CONTACTS,
                              {FLAGGED: risk, NOT_FLAGGED: total_contacts - risk},
                              {FLAGGED: _("Risk flagged"), NOT_FLAGGED: _("Not flagged")},
                              total=total_contacts, **common))
    indicators: tuple[tuple[str, str, str, type[MethodOfControl] | type[TypeOfExploitation]], ...] = (
            ("moc", "methods_of_control", _("Methods of control (HTCDS)"), MethodOfControl),
            ("toe", "exploitation_types", _("Types of exploitation (HTCDS)"), TypeOfExploitation))
    for prefix, key, title, indicator_choices in indicators:
        counts = {value: rows.indicators[f"{prefix}_{value}"] for value in indicator_choices.values}
        breakdowns.append(_simple(key, title, CONTACTS, counts, _labels(indicator_choices), total=None,
                                  note=_("Among risk-flagged contacts; one contact may show several."), **common))
    breakdowns += _time_series(rows.days, first, last, **common)
    named: tuple[tuple[int, str], ...] = ()
    if per_organisation:
        by_organisation, named = _organisations(rows.places, rows.consultations, threshold=limit)
        breakdowns.append(by_organisation)
    organisation_name = None
    if criteria.organisation_id is not None:
        organisation_name = Organisation.objects.filter(pk=criteria.organisation_id).values_list(
            "name", flat=True).first()
    return HotlineFigures(criteria=criteria, controlled=controlled, threshold=limit, contacts=headline[CONTACTS],
                          consultations=headline[CONSULTATIONS], first_day=first, last_day=last,
                          organisation_name=organisation_name, breakdowns=tuple(breakdowns),
                          organisations_named=named)


def flatten(figures: HotlineFigures) -> Sequence[tuple[Breakdown, Line]]:
    """Every line of every breakdown, in order (for exports)."""
    return [(b, line) for b in figures.breakdowns for line in b.lines]
