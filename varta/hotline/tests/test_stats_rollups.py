"""The daily roll-ups: kept exact by every write path, and statistics from them identical to those from the rows."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from varta.accounts.permissions import Role
from varta.audit.writes import Actor
from varta.geo.models import AdminUnit, Country
from varta.hotline import actions, importer, rollups
from varta.hotline.actions import ConsultationInput, ContactInput
from varta.hotline.models import ConsultationDay, Contact, ContactDay, Topic
from varta.hotline.statistics import FigureFilter, compute
from varta.hotline.tests.helpers_imports import HEADER, csv_bytes, run, upload
from varta.hotline.tests.test_stats_figures import add_places, kyiv, record

CHANNELS = ("phone", "phone", "viber", "telegram", "web_chat")
CALLERS = ("person_concerned", "relative", "anonymous")
SEXES = ("Feminine", "Masculine", "NonSpecifiedUnknown")
AGES = ("18-24", "25-34", "unknown", "0-17")
DISPLACEMENTS = ("idp", "refugee_abroad", "unknown")
OUTCOMES = ("information", "referred", "case_opened", "follow_up")


def snapshot() -> dict[tuple[Any, ...], dict[str, int]]:
    """The non-zero cells of both roll-ups, by key."""
    cells: dict[tuple[Any, ...], dict[str, int]] = {}
    for model, keys in ((ContactDay, ("organisation_id", "day", "oblast", "abroad", "channel")),
                        (ConsultationDay, ("organisation_id", "day", "topic_id"))):
        for row in model.objects.values():
            values: dict[str, Any] = dict(row)
            counts = {k: v for k, v in values.items() if k not in (*keys, "id") and v}
            if counts:
                cells[(model.__name__, *(values[k] for k in keys))] = counts
    return cells


def assert_rollups_exact() -> None:
    kept = snapshot()
    rollups.rebuild()
    assert kept == snapshot()


def criteria_to_compare(places: dict[str, AdminUnit], org_id: int) -> list[FigureFilter]:
    year: dict[str, Any] = {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}
    return [
        FigureFilter(**year),
        FigureFilter(date_from=date(2025, 3, 1), date_to=date(2025, 3, 31)),
        FigureFilter(date_from=date(2025, 2, 27), date_to=date(2025, 3, 2), organisation_id=org_id),
        FigureFilter(**year, organisation_id=org_id),
        FigureFilter(**year, channel="viber"),
        FigureFilter(**year, place=places["oblast"]),
        FigureFilter(**year, place=places["vinnytska"], channel="phone"),
        FigureFilter(**year, place=places["hromada"]),
        FigureFilter(),
    ]


def assert_same_figures(places: dict[str, AdminUnit], org_id: int) -> None:
    for criteria in criteria_to_compare(places, org_id):
        options: dict[str, Any]
        for options in ({"controlled": False}, {"controlled": True, "per_organisation": True, "threshold": 2},
                        {"controlled": False, "own_topics_of": org_id}):
            from_rollups = compute(criteria, **options)
            from_rows = compute(criteria, source="raw", **options)
            assert from_rollups == from_rows, (criteria, options)


@pytest.fixture
def more_places(places):
    return add_places(places)


def build_varied(personas: Any, topics: dict[str, Topic], more_places: dict[str, AdminUnit]) -> list[Contact]:
    rng = random.Random(7)
    where: list[dict[str, Any]] = [{"location": more_places["hromada"]}, {"location": more_places["vinnytska_hromada"]},
             {"location": more_places["oblast"]}, {"country": Country.objects.get(iso2="PL")}, {}]
    codes = [code for code, t in topics.items() if t.retired_at is None]
    contacts = []
    for n in range(60):
        org = personas.a if n % 3 else personas.b
        flagged = rng.random() < 0.3
        indicators: dict[str, Any] = {}
        if flagged:
            indicators = {"methods_of_control": rng.sample(["DebtBondage", "FalsePromises", "PhysicalThreats"],
                                                           rng.randint(0, 2)),
                          "exploitation_types": rng.sample(["ForcedLabour", "SexualExploitation"], rng.randint(0, 2)),
                          "risk_flag": True}
        picked = rng.sample(codes, rng.randint(1, 3))
        contacts.append(record(
            org, topics, at=kyiv(2025, rng.choice((2, 3, 3, 4)), rng.randint(1, 28), rng.choice((0, 1, 12, 23)),
                                 rng.randint(0, 59)),
            topic_codes=tuple(picked), outcomes=tuple(rng.choice(OUTCOMES) for _ in picked),
            channel=rng.choice(CHANNELS), caller_type=rng.choice(CALLERS), sex=rng.choice(SEXES),
            age_group=rng.choice(AGES), displacement=rng.choice(DISPLACEMENTS), **rng.choice(where), **indicators))
    return contacts


def test_it_gives_the_same_figures_from_roll_ups_as_from_the_rows(personas, topics, more_places):
    build_varied(personas, topics, more_places)
    assert ContactDay.objects.exists()
    assert ConsultationDay.objects.exists()
    assert_rollups_exact()
    assert_same_figures(more_places, personas.a.organisation.pk)


def test_it_keeps_roll_ups_exact_through_corrections_and_escalations(personas, topics, more_places):
    contacts = build_varied(personas, topics, more_places)
    membership = personas.a.membership(Role.HOTLINE_OPERATOR)
    actor = Actor(user=membership.user, organisation=membership.organisation)
    mine = [c for c in contacts if c.organisation_id == membership.organisation_id]
    # A correction that moves the contact to another day, channel, place and profile, with fewer topics.
    actions.contact_update(actor=actor, membership=membership, contact=mine[0], data=ContactInput(
        channel="email", started_at=kyiv(2025, 4, 30, 23, 50), caller_type="professional", sex="Masculine",
        age_group="65+", displacement="tcn", country=Country.objects.get(iso2="PL"), risk_flag=True,
        methods_of_control=["TakesEarnings"],
        consultations=[ConsultationInput(topic=topics["shelter"], outcome="case_opened")]))
    # One with more topics and no place; one whose only change is an outcome.
    actions.contact_update(actor=actor, membership=membership, contact=mine[1], data=ContactInput(
        channel="phone", started_at=mine[1].started_at,
        consultations=[ConsultationInput(topic=topics[code]) for code in ("gbv", "other", "travel-rules")]))
    same = mine[2]
    old = list(same.consultations.order_by("position"))
    actions.contact_update(actor=actor, membership=membership, contact=same, data=ContactInput(
        channel=same.channel, started_at=same.started_at, caller_type=same.caller_type, sex=same.sex,
        age_group=same.age_group, displacement=same.displacement, location=same.location, country=same.country,
        methods_of_control=list(same.methods_of_control), exploitation_types=list(same.exploitation_types),
        risk_flag=same.risk_flag,
        consultations=[ConsultationInput(topic=c.topic, outcome="follow_up" if i == 0 else c.outcome)
                       for i, c in enumerate(old)]))
    # An escalation flags a contact that was not flagged.
    unflagged = next(c for c in mine[3:] if not c.risk_flag)
    supervisor = personas.a.membership(Role.HOTLINE_OPERATOR)
    actions.escalate(actor=Actor(user=supervisor.user, organisation=supervisor.organisation), membership=supervisor,
                     contact=unflagged, reason="Debt bondage suspected")
    assert_rollups_exact()
    assert_same_figures(more_places, personas.a.organisation.pk)


def test_it_counts_imported_contacts_in_the_roll_ups(personas, topics, more_places, settings, tmp_path, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(importer, "launch", importer.run_job)
    manager = personas.a.membership(Role.INFORMATION_MANAGER)
    rows = [HEADER,
            ["c-1", "2025-03-01 00:05", "phone", "240", "job-offer-check; travel-rules", "UA2110023", ""],
            ["c-2", "02.03.2025 23:30", "Viber", "0:07:30", "Shelter", "Ужгородська громада", ""],
            ["c-3", "2025-03-03", "телефон", "60", "Зникла особа", "UA21", ""],
            ["c-4", "2025-03-03 12:00", "telegram", "60", "Shelter; other", "", ""]]
    job = run(manager, upload(manager, csv_bytes(rows)), django_capture_on_commit_callbacks)
    assert job.rows_imported == 4, job.error
    record(personas.b, topics, at=kyiv(2025, 3, 2, 10), channel="viber", location=more_places["oblast"])
    assert sum(ContactDay.objects.values_list("contacts", flat=True)) == 5
    assert_rollups_exact()
    assert_same_figures(more_places, personas.a.organisation.pk)


def test_it_rebuilds_the_roll_ups_with_the_management_command(personas, topics, more_places):
    build_varied(personas, topics, more_places)
    kept = snapshot()
    ContactDay.objects.all().delete()
    ConsultationDay.objects.filter(organisation=personas.a.organisation).delete()
    call_command("hotline_rollups", "--rebuild", "--organisation", str(personas.a.organisation.pk))
    assert ConsultationDay.objects.filter(organisation=personas.a.organisation).exists()
    call_command("hotline_rollups", "--rebuild")
    assert snapshot() == kept
