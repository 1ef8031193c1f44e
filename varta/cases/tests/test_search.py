"""Search before register (varta/cases/search.py): tolerant to scripts and typos, need-to-know, audited, one
token query however many persons there are."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.cases import search
from varta.cases.tests.helpers import acting_as, add_case_worker, person_input, register_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(personas):
    """Олександр Шевченко (the worker's case), and a few other people of the same organisation."""
    shevchenko = register_case(personas.a)
    others = [register_case(personas.a, person=person_input(given_name=given, family_name=family, patronymic="",
                                                           birth_date=born, id_document_number=""))
              for given, family, born in (("Олена", "Шевчук", date(1985, 1, 2)), ("Ігор", "Коваленко", None),
                                          ("Марія", "Петренко", date(2001, 3, 4)))]
    return shevchenko, others


def find(membership, *names: str, birth_date: date | None = None) -> list[search.Match]:
    return search.find_persons(membership, names=list(names), birth_date=birth_date)


@pytest.mark.parametrize("names", [
    ("Олександр", "Шевченко"),
    ("Oleksandr", "Shevchenko"),
    ("Aleksandr", "Shevchenko"),
    ("Alexandr", "Ševčenko"),
    ("Oleksandr", "Shevcenko"),  # a typo: one letter wrong
    ("Олександр", "Шевенко"),  # a letter missing
    ("Oleksandr", "Shevchhenko"),  # a letter doubled
    ("Oleksandr", "Shevchenkov"),  # a letter extra
    ("Oleksander", "Schewtschenko"),  # German-style transliteration
    ("Shevchenko",),
    ("Шевченко Олександр",),  # one field, either order
])
def test_it_finds_the_person_in_either_script_and_with_typos(personas, registered, names):
    shevchenko, _others = registered
    membership, _actor = acting_as(personas.a)
    matches = find(membership, *names)
    assert matches, names
    assert matches[0].person_id == shevchenko.person_id
    assert matches[0].visible
    assert matches[0].family_name == "Шевченко"
    assert all(m.person_id != p.person_id for m in matches[1:] for p in [shevchenko])


def test_it_ranks_an_equal_birth_date_first_and_says_so(personas, registered):
    shevchenko, _others = registered
    twin = register_case(personas.a, person=person_input(birth_date=date(1977, 7, 7), id_document_number=""))
    membership, _actor = acting_as(personas.a)
    matches = find(membership, "Oleksandr", "Shevchenko", birth_date=date(1977, 7, 7))
    assert [m.person_id for m in matches[:2]] == [twin.person_id, shevchenko.person_id]
    assert matches[0].birth_date_matches
    assert not matches[1].birth_date_matches


def test_it_does_not_offer_different_people(personas, registered):
    shevchenko, _others = registered
    membership, _actor = acting_as(personas.a)
    assert find(membership, "Ivan", "Bondarenko") == []
    # Only one of two names in common: another person (unless the date of birth is the same too).
    assert shevchenko.person_id not in [m.person_id for m in find(membership, "Ihor", "Shevchenko")]
    assert shevchenko.person_id not in [m.person_id for m in find(membership, "Oleksandr", "Kovalenko")]
    assert shevchenko.person_id in [m.person_id for m in find(membership, "Oleksandr", "Kovalenko",
                                                               birth_date=date(1990, 5, 17))]
    assert find(membership, "") == []
    assert find(membership, birth_date=date(1990, 5, 17)) == []  # a date alone lists no one


def test_a_match_the_user_may_not_see_shows_only_the_case_and_its_worker(personas, registered):
    shevchenko, _others = registered
    other = add_case_worker(personas.a, "a_second_worker")
    membership = other
    matches = find(membership, "Oleksandr", "Shevchenko", birth_date=date(1990, 5, 17))
    match = matches[0]
    assert match.person_id == shevchenko.person_id
    assert not match.visible
    assert (match.given_name, match.family_name, match.birth_date, match.birth_date_matches) == ("", "", "", False)
    assert [(c.reference, c.case_worker, c.visible) for c in match.cases] == [
        (shevchenko.reference, "ALPHA case worker", False)]


def test_it_never_finds_another_organisations_persons(personas, registered):
    membership, _actor = acting_as(personas.b)
    assert find(membership, "Oleksandr", "Shevchenko") == []


def test_it_needs_the_register_permission_and_records_each_search_without_values(personas, registered):
    membership, _actor = acting_as(personas.a)
    find(membership, "Oleksandr", "Shevchenko", birth_date=date(1990, 5, 17))
    event = AuditEvent.objects.get(action="cases.person.search")
    assert event.actor_id == membership.user_id
    assert "Shevchenko" not in str(event.__dict__)
    assert "1990" not in str(event.changed_fields)
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied (403)
        find(personas.a.membership(Role.ORG_ADMIN), "Oleksandr")


def test_it_records_each_person_whose_name_it_shows(personas, registered):
    shevchenko, _others = registered
    hidden = register_case(personas.a, case_worker=add_case_worker(personas.a, "a_other_worker").user,
                           person=person_input(given_name="Олександр", family_name="Шевченко", patronymic="Петрович"))
    membership, _actor = acting_as(personas.a)
    matches = find(membership, "Олександр", "Шевченко")
    assert {m.person_id for m in matches} >= {shevchenko.person_id, hidden.person_id}
    shown = AuditEvent.objects.filter(action="cases.person.match_shown")
    assert list(shown.values_list("object_id", flat=True)) == [str(shevchenko.person_id)]  # not the hidden one


def test_it_ignores_anonymised_persons(personas, registered):
    from varta.audit import writes
    from varta.audit.writes import Actor
    from varta.cases.models import Person

    shevchenko, _others = registered
    person = Person.objects.get(pk=shevchenko.person_id)
    writes.update(person, actor=Actor.system(), changes={"anonymised_at": "2025-01-01T00:00:00Z"})
    membership, _actor = acting_as(personas.a)
    assert all(m.person_id != person.pk for m in find(membership, "Oleksandr", "Shevchenko"))


def test_it_runs_a_fixed_number_of_queries(personas, registered):
    membership, _actor = acting_as(personas.a)
    with CaptureQueriesContext(connection) as first:
        find(membership, "Oleksandr", "Shevchenko")
    for given in ("Олександр", "Олександра", "Олексій", "Сашко"):
        register_case(personas.a, person=person_input(given_name=given, id_document_number=""))
    with CaptureQueriesContext(connection) as second:
        matches = find(membership, "Oleksandr", "Shevchenko")
    assert len(matches) >= 3
    assert len(second) == len(first)
    token_queries = [q for q in second.captured_queries if "cases_persontoken" in q["sql"]]
    assert len(token_queries) == 1
    assert "GROUP BY" in token_queries[0]["sql"]


def test_the_closer_spelling_comes_first_when_the_skeletons_agree(personas, registered):
    shevchenko, _others = registered
    newer = register_case(personas.a, person=person_input(given_name="Олександра", id_document_number=""))
    membership, _actor = acting_as(personas.a)
    assert [m.person_id for m in find(membership, "Oleksandr", "Shevchenko")[:2]] == [
        shevchenko.person_id, newer.person_id]
    assert find(membership, "Oleksandra", "Shevchenko")[0].person_id == newer.person_id


def test_it_finds_names_too_short_for_a_skeleton(personas):
    """Li, Mai, Chi: their skeletons have one letter or none, so they are indexed by their transliteration."""
    case = register_case(personas.a, person=person_input(given_name="Chi Mai", family_name="Li", patronymic="",
                                                         birth_date=date(1999, 9, 9), id_document_number=""))
    membership, _actor = acting_as(personas.a)
    matches = find(membership, "Li", "Chi Mai")
    assert matches
    assert matches[0].person_id == case.person_id


def test_a_typo_in_the_family_name_beats_a_crowd_sharing_the_given_name(personas, settings):
    """More namesakes than candidates: matching two words of the query ranks before matching one, many times."""
    target = register_case(personas.a, person=person_input(patronymic="", birth_date=None, id_document_number=""))
    for _ in range(search.CANDIDATES + 10):  # the common given name, and a family name two letters away
        register_case(personas.a, person=person_input(family_name="Шевчук", patronymic="", birth_date=None,
                                                      phone="", id_document_number=""))
    membership, _actor = acting_as(personas.a)
    matches = find(membership, "Олександр", "Шевенко")  # one letter missing, no date of birth
    assert matches
    assert matches[0].person_id == target.person_id
