"""Hotline statistics: the figures of a small hand-built data set, period boundaries, places, the sentence."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from varta.accounts.permissions import Role
from varta.audit.writes import Actor
from varta.core.disclosure import Cell
from varta.geo.models import AdminUnit, Country
from varta.hotline.actions import ConsultationInput, ContactInput, contact_create
from varta.hotline.models import Contact, Topic
from varta.hotline.statistics import FigureFilter, cell_text, compute, figures_for

KYIV = ZoneInfo("Europe/Kyiv")
MARCH = FigureFilter(date_from=date(2025, 3, 1), date_to=date(2025, 3, 31))


def kyiv(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=KYIV)


def record(org: Any, topics: dict[str, Topic], *, at: datetime, topic_codes: tuple[str, ...] = ("job-offer-check",),
           outcomes: tuple[str, ...] = (), **fields: Any) -> Contact:
    membership = org.membership(Role.HOTLINE_OPERATOR)
    consultations = [ConsultationInput(topic=topics[code], outcome=outcomes[i] if i < len(outcomes) else
                                       "information") for i, code in enumerate(topic_codes)]
    data = ContactInput(channel=fields.pop("channel", "phone"), started_at=at, consultations=consultations, **fields)
    return contact_create(actor=Actor(user=membership.user, organisation=membership.organisation),
                          membership=membership, data=data)


def add_places(places: dict[str, AdminUnit]) -> dict[str, AdminUnit]:
    """The conftest's Zakarpatska units and a Vinnytska oblast → raion → hromada."""
    def unit(pcode: str, level: int, name_en: str, name_uk: str, parent: AdminUnit | None) -> AdminUnit:
        return AdminUnit.objects.get_or_create(
            pcode=pcode, defaults={"country_iso3": "UKR", "level": level, "parent": parent, "name_en": name_en,
                                   "name_uk": name_uk, "search_en": name_en.lower(), "search_uk": name_uk.lower()})[0]

    vinnytska = unit("UA05", 1, "Vinnytska", "Вінницька", None)
    raion = unit("UA0502", 2, "Vinnytskyi", "Вінницький", vinnytska)
    hromada = unit("UA0502001", 3, "Vinnytska", "Вінницька", raion)
    return {**places, "vinnytska": vinnytska, "vinnytska_hromada": hromada}


def build_march(personas: Any, topics: dict[str, Topic], more_places: dict[str, AdminUnit]) -> Any:
    """A's March 2025 (and a contact just before it), and one contact of B's."""
    a, b = personas.a, personas.b
    record(a, topics, at=kyiv(2025, 3, 3, 10), topic_codes=("job-offer-check", "travel-rules"),
           outcomes=("information", "referred"), caller_type="person_concerned", sex="Feminine",
           age_group="25-34", displacement="idp", location=more_places["hromada"])
    record(a, topics, at=kyiv(2025, 3, 4, 12), channel="viber", topic_codes=("shelter",), outcomes=("referred",),
           caller_type="relative", sex="Masculine", age_group="35-49", displacement="refugee_abroad",
           country=Country.objects.get(iso2="PL"), methods_of_control=["DebtBondage"],
           exploitation_types=["ForcedLabour"])
    record(a, topics, at=kyiv(2025, 3, 10, 9), topic_codes=("missing-person", "other"),
           outcomes=("follow_up", "information"), location=more_places["vinnytska_hromada"])
    record(a, topics, at=kyiv(2025, 3, 1, 0, 30), topic_codes=("gbv",))  # 22:30 UTC on 28 February
    record(a, topics, at=kyiv(2025, 2, 28, 23, 30), topic_codes=("psychosocial",))  # still February in Kyiv
    record(b, topics, at=kyiv(2025, 3, 5, 15), channel="telegram", location=more_places["hromada"])
    return personas


@pytest.fixture
def more_places(places):
    return add_places(places)


@pytest.fixture
def march(personas, topics, more_places):
    return build_march(personas, topics, more_places)


def a_figures(personas, criteria: FigureFilter = MARCH, **kwargs):
    org = personas.a.organisation.pk
    scoped = FigureFilter(date_from=criteria.date_from, date_to=criteria.date_to, organisation_id=org,
                          place=criteria.place, channel=criteria.channel)
    return compute(scoped, controlled=False, own_topics_of=org, **kwargs)


def values(figures, key: str, measure: int = 0) -> dict[str, int | None]:
    return {line.key: line.cells[measure].value for line in figures.breakdown(key).lines}


def test_it_counts_contacts_and_consultations_of_the_period(march) -> None:
    figures = a_figures(march)
    assert figures.contacts == Cell(value=4)
    assert figures.consultations == Cell(value=6)
    assert not figures.controlled


def test_it_breaks_down_by_contact_profile(march) -> None:
    figures = a_figures(march)
    assert values(figures, "channel") == {"phone": 3, "telegram": 0, "viber": 1, "whatsapp": 0, "messenger": 0,
                                          "email": 0, "web_chat": 0, "walk_in": 0}
    assert values(figures, "caller_type")["relative"] == 1
    assert values(figures, "caller_type")["anonymous"] == 2
    assert values(figures, "sex") == {"Feminine": 1, "Masculine": 1, "TransgenderFeminine": 0,
                                      "TransgenderMasculine": 0, "NonConforming": 0, "NonSpecifiedUnknown": 2}
    assert values(figures, "age_group")["35-49"] == 1
    assert values(figures, "displacement") == {"idp": 1, "refugee_abroad": 1, "returnee": 0, "tcn": 0,
                                               "host_community": 0, "unknown": 2}
    for key in ("channel", "caller_type", "sex", "age_group", "displacement", "oblast", "risk"):
        assert figures.breakdown(key).totals == (Cell(value=4),), key


def test_it_breaks_down_by_oblast_abroad_and_unrecorded(march) -> None:
    oblasts = values(a_figures(march), "oblast")
    assert oblasts["UA21"] == 1
    assert oblasts["UA05"] == 1
    assert oblasts["abroad"] == 1
    assert oblasts["not-recorded"] == 1
    assert list(oblasts)[:2] == ["UA05", "UA21"]  # every oblast of the country, by name, zeros included


def test_it_breaks_down_consultations_by_topic_and_outcome(march) -> None:
    figures = a_figures(march)
    topics = values(figures, "topic")
    assert topics["safe-migration"] == 2
    assert topics["job-offer-check"] == 1
    assert topics["travel-rules"] == 1
    assert topics["study-abroad"] == 0
    assert topics["evacuation"] == 1
    assert topics["shelter"] == 1
    assert topics["missing-person"] == 1
    assert topics["other"] == 1
    assert topics["gbv"] == 1
    assert topics["psychosocial"] == 0
    levels = {line.key: line.level for line in figures.breakdown("topic").lines}
    assert levels["safe-migration"] == 0
    assert levels["job-offer-check"] == 1
    assert levels["gbv"] == 0  # a category without topics is one line
    assert values(figures, "outcome") == {"information": 3, "referred": 2, "case_opened": 0, "follow_up": 1}
    assert figures.breakdown("outcome").totals == (Cell(value=6),)


def test_it_counts_risk_flags_and_htcds_indicators(march) -> None:
    figures = a_figures(march)
    assert values(figures, "risk") == {"flagged": 1, "not-flagged": 3}
    assert values(figures, "methods_of_control")["DebtBondage"] == 1
    assert sum(v or 0 for v in values(figures, "methods_of_control").values()) == 1
    assert values(figures, "exploitation_types")["ForcedLabour"] == 1
    assert figures.breakdown("methods_of_control").totals == (None,)  # multi-response: no total


def test_it_counts_by_iso_week_and_month_in_kyiv_time(march) -> None:
    figures = a_figures(march)
    weeks = values(figures, "week")
    assert next(iter(weeks)) == "2025-W09"  # Saturday 1 March belongs to the week of 24 February
    assert weeks["2025-W09"] == 1
    assert weeks["2025-W10"] == 2
    assert weeks["2025-W11"] == 1
    assert list(weeks)[-1] == "2025-W14"
    assert values(figures, "month") == {"2025-03": 4}


def test_it_takes_period_boundaries_in_kyiv_time(march) -> None:
    last_of_february = a_figures(march, FigureFilter(date_from=date(2025, 2, 28), date_to=date(2025, 2, 28)))
    assert last_of_february.contacts == Cell(value=1)  # 23:30 Kyiv on the 28th is 21:30 UTC
    first_of_march = a_figures(march, FigureFilter(date_from=date(2025, 3, 1), date_to=date(2025, 3, 1)))
    assert first_of_march.contacts == Cell(value=1)  # 00:30 Kyiv on the 1st is still 28 February in UTC
    assert first_of_march.consultations == Cell(value=1)
    open_ended = a_figures(march, FigureFilter(date_from=date(2025, 3, 4)))
    assert open_ended.contacts == Cell(value=2)
    everything = a_figures(march, FigureFilter())
    assert everything.contacts == Cell(value=5)
    assert everything.first_day == date(2025, 2, 28)


def test_it_filters_by_oblast_raion_and_hromada(march, more_places) -> None:
    for unit in ("oblast", "raion", "hromada"):
        figures = a_figures(march, FigureFilter(date_from=MARCH.date_from, date_to=MARCH.date_to,
                                                place=more_places[unit]))
        assert figures.contacts == Cell(value=1), unit
        assert figures.consultations == Cell(value=2), unit
        assert values(figures, "oblast") == {"UA21": 1}, unit
    vinnytska = a_figures(march, FigureFilter(date_from=MARCH.date_from, date_to=MARCH.date_to,
                                              place=more_places["vinnytska"]))
    assert (vinnytska.contacts, vinnytska.consultations) == (Cell(value=1), Cell(value=2))
    assert values(vinnytska, "topic")["missing-person"] == 1


def test_it_filters_by_channel(march) -> None:
    viber = a_figures(march, FigureFilter(date_from=MARCH.date_from, date_to=MARCH.date_to, channel="viber"))
    assert (viber.contacts, viber.consultations) == (Cell(value=1), Cell(value=1))
    assert values(viber, "topic")["shelter"] == 1


def test_it_gives_an_organisation_role_its_own_figures_only(march) -> None:
    manager = march.b.membership(Role.INFORMATION_MANAGER)
    figures = figures_for(manager, MARCH)
    assert figures.contacts == Cell(value=1)
    assert values(figures, "channel")["telegram"] == 1
    assert not figures.controlled
    assert figures.organisation_name == "Beta Help"


def test_it_uses_a_few_grouped_queries(march) -> None:
    with CaptureQueriesContext(connection) as queries:
        compute(MARCH, controlled=True, per_organisation=True)
    grouped = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    assert len(grouped) == 4  # from the daily roll-ups
    assert all("hotline_contactday" in sql or "hotline_consultationday" in sql for sql in grouped)
    assert len(queries.captured_queries) <= 10
    with CaptureQueriesContext(connection) as queries:
        compute(MARCH, controlled=True, per_organisation=True, source="raw")
    assert len([q for q in queries.captured_queries if "GROUP BY" in q["sql"]]) == 5


def test_it_says_the_sentence_in_english(march) -> None:
    assert a_figures(march).sentence() == ("6 consultations in response to 4 calls from March 1, 2025 to "
                                           "March 31, 2025.")
    since = a_figures(march, FigureFilter(date_from=date(2025, 3, 4)))
    assert since.sentence() == "3 consultations in response to 2 calls since March 4, 2025."
    one = a_figures(march, FigureFilter(date_from=date(2025, 3, 1), date_to=date(2025, 3, 1)))
    assert one.sentence().startswith("1 consultation in response to 1 call from")


def test_it_says_the_sentence_in_ukrainian(march) -> None:
    with translation.override("uk"):
        sentence = a_figures(march, FigureFilter(date_from=date(2025, 3, 4))).sentence()
    assert sentence.index("3") < sentence.index("2 ")  # consultations first, then calls
    assert "4 березня 2025" in sentence  # the date in Ukrainian


def test_it_formats_numbers_for_the_language() -> None:
    with translation.override("en"):
        assert cell_text(Cell(value=35000), 5) == "35,000"
        assert cell_text(Cell(value=None, suppressed=True), 5) == "<5"
    with translation.override("uk"):
        assert cell_text(Cell(value=35000), 5).replace("\xa0", " ") == "35 000"


def test_it_shows_no_contacts_yet(personas) -> None:
    figures = compute(FigureFilter(organisation_id=personas.a.organisation.pk), controlled=False)
    assert figures.contacts == Cell(value=0)
    assert figures.sentence() == "No contacts recorded yet."
