"""Figures that leave the organisation: no small cell shown, and none recoverable from totals and margins."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest

from varta.accounts.permissions import Role
from varta.core.tests.test_disclosure import recoverable
from varta.hotline.statistics import FigureFilter, HotlineFigures, figures_for
from varta.hotline.tests.test_stats_figures import add_places, kyiv, record

CHANNELS = ["phone", "phone", "phone", "viber", "telegram", "email"]
TOPICS = ["job-offer-check", "travel-rules", "shelter", "gbv", "missing-person", "labour-exploitation"]
PERIOD = FigureFilter(date_from=date(2025, 1, 1), date_to=date(2025, 3, 31))


@pytest.fixture
def more_places(places):
    return add_places(places)


def random_traffic(personas, topics, places, seed: int) -> None:
    rng = random.Random(seed)
    oblast_places = [places["hromada"], places["vinnytska_hromada"], None]
    for org, share in ((personas.a, rng.randint(8, 20)), (personas.b, rng.randint(1, 7))):
        for _ in range(share):
            day = date(2025, 1, 1) + timedelta(days=rng.randint(0, 89))
            record(org, topics, at=kyiv(day.year, day.month, day.day, rng.randint(8, 20)),
                   channel=rng.choice(CHANNELS), topic_codes=tuple(rng.sample(TOPICS, rng.randint(1, 3))),
                   location=rng.choice(oblast_places), sex=rng.choice(["Feminine", "Masculine"]),
                   risk_flag=rng.random() < 0.2)


def assert_protected(figures: HotlineFigures, threshold: int = 5) -> None:
    assert figures.controlled
    for cell in (figures.contacts, figures.consultations):
        assert cell.suppressed or not 0 < (cell.value or 0) < threshold
    for breakdown in figures.breakdowns:
        for i, _measure in enumerate(breakdown.measures):
            cells = [line.cells[i] for line in breakdown.lines]
            shown = [c.value for c in cells if not c.suppressed]
            assert not [v for v in shown if v is not None and 0 < v < threshold], breakdown.key
            total = breakdown.totals[i]
            if total is None or breakdown.key in ("topic", "week", "month"):
                continue  # multi-response; the hierarchy and the time series are checked below
            unknowns = sum(c.suppressed for c in cells) + total.suppressed
            assert unknowns != 1, f"{breakdown.key}: one hidden cell is the total minus the shown ones"
    # Topics: each category with its topics, and the line of categories, leave ≥ 2 unknowns or none.
    topic = figures.breakdown("topic")
    category_lines: list[list[Any]] = []
    for line in topic.lines:
        if line.level == 0:
            category_lines.append([line])
        else:
            category_lines[-1].append(line)
    hidden: set[object] = set()
    lines: list[tuple[object, ...]] = []
    for group in category_lines:
        parent, children = group[0], group[1:]
        if parent.cells[0].suppressed:
            hidden.add(("parent", parent.key))
        for child in children:
            if child.cells[0].suppressed:
                hidden.add(("child", child.key))
        if children:
            lines.append((*(("child", c.key) for c in children), ("parent", parent.key)))
    if topic.totals[0] is not None and topic.totals[0].suppressed:
        hidden.add("total")
    lines.append((*(("parent", g[0].key) for g in category_lines), "total"))
    for line_keys in lines:
        assert sum(k in hidden for k in line_keys) != 1
    assert not recoverable(lines, hidden)


@pytest.fixture
def coordinator(personas):
    return personas.b.membership(Role.TASKFORCE_COORDINATOR)


@pytest.mark.parametrize("seed", range(4))
def test_it_shows_the_task_force_no_small_cell_and_none_recoverable(personas, topics, more_places, coordinator,
                                                                    seed) -> None:
    random_traffic(personas, topics, more_places, seed)
    figures = figures_for(coordinator, PERIOD)
    assert_protected(figures)
    a_only = figures_for(coordinator, FigureFilter(date_from=PERIOD.date_from, date_to=PERIOD.date_to,
                                                   organisation_id=personas.a.organisation.pk))
    assert_protected(a_only)


def test_it_names_only_organisations_above_the_threshold(personas, topics, more_places, coordinator) -> None:
    for i in range(6):
        record(personas.a, topics, at=kyiv(2025, 2, 1 + i, 10))
    for i in range(2):
        record(personas.b, topics, at=kyiv(2025, 2, 1 + i, 11))
    figures = figures_for(coordinator, PERIOD)
    lines = {line.key: line for line in figures.breakdown("organisation").lines}
    assert set(lines) == {str(personas.a.organisation.pk), "other"}
    assert lines[str(personas.a.organisation.pk)].label == "Alpha Aid"
    # B's two contacts, the only "other" organisation, are hidden, and so is A's count, which would give them away.
    assert lines["other"].cells[0].suppressed
    assert lines[str(personas.a.organisation.pk)].cells[0].suppressed
    assert figures.contacts.value == 8
    assert figures.organisations_named == ((personas.a.organisation.pk, "Alpha Aid"),)


def test_it_keeps_weeks_from_giving_a_month_away(personas, topics, more_places, coordinator) -> None:
    # 25 January – 28 March 2021: the period's end, 1 February and 1 March (Mondays) are where weeks and months
    # meet. Protected one table at a time, the months would hide February as the complement of January's 3, the
    # weeks would hide W09 (5) as the complement of W04's 3, and February = its four shown weeks would give
    # January away as the total minus February and March.
    per_week = {date(2021, 1, 25): 3, date(2021, 2, 1): 6, date(2021, 2, 8): 6, date(2021, 2, 15): 6,
                date(2021, 2, 22): 6, date(2021, 3, 1): 5, date(2021, 3, 8): 7, date(2021, 3, 15): 7,
                date(2021, 3, 22): 7}
    for monday, count in per_week.items():
        for i in range(count):
            day = monday + timedelta(days=i % 7)
            record(personas.a, topics, at=kyiv(day.year, day.month, day.day, 8 + i))
    figures = figures_for(coordinator, FigureFilter(date_from=date(2021, 1, 25), date_to=date(2021, 3, 28)))
    months = {line.key: line.cells[0] for line in figures.breakdown("month").lines}
    weeks = {line.key: line.cells[0] for line in figures.breakdown("week").lines}
    assert list(months) == ["2021-01", "2021-02", "2021-03"]
    assert list(weeks) == [f"2021-W{w:02d}" for w in range(4, 13)]
    assert months["2021-01"].suppressed
    hidden = {k for k, c in {**months, **weeks}.items() if c.suppressed}
    month_total = figures.breakdown("month").totals[0]
    if month_total is not None and month_total.suppressed:
        hidden.add("total")
    lines = [("2021-01", "2021-02", "2021-03", "total"), (*weeks, "total"),
             ("2021-W04", "2021-01"), ("2021-W05", "2021-W06", "2021-W07", "2021-W08", "2021-02"),
             ("2021-W09", "2021-W10", "2021-W11", "2021-W12", "2021-03")]
    assert not recoverable(lines, hidden)


def test_it_rolls_up_own_topics_outside_the_organisation(personas, topics, more_places, coordinator) -> None:
    from varta.audit.writes import Actor
    from varta.hotline.actions import topic_create

    admin = personas.a.membership(Role.ORG_ADMIN)
    own = topic_create(actor=Actor(user=admin.user, organisation=admin.organisation), membership=admin,
                       parent=topics["safe-migration"], code="seasonal-work", name_en="Seasonal farm work",
                       name_uk="Сезонна робота")
    for i in range(6):
        record(personas.a, {"seasonal-work": own}, at=kyiv(2025, 2, 3 + i, 10), topic_codes=("seasonal-work",))
    inside = figures_for(personas.a.membership(Role.INFORMATION_MANAGER), PERIOD)
    assert {line.label: line.cells[0].value for line in inside.breakdown("topic").lines}["Seasonal farm work"] == 6
    outside = figures_for(coordinator, PERIOD)
    labels = {line.label: line.cells[0] for line in outside.breakdown("topic").lines}
    assert "Seasonal farm work" not in labels
    assert labels["Organisations' own topics"].value == 6
