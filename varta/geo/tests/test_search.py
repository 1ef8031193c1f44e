import pytest
from django.utils import translation

from varta.geo.models import AdminUnit, Country
from varta.geo.search import normalise
from varta.geo.selectors import access_unit, country_by_code, search_units, unit_path

pytestmark = pytest.mark.usefixtures("geo_units")

UZHHOROD = ["UA2110", "UA2110023", "UA2110023001"]  # raion, hromada, city


@pytest.mark.parametrize("query", ["Uzh", "uzh", "Ужг", "ужг", "  UZH "])
def test_it_finds_uzhhorod_by_prefix_in_either_language_larger_units_first(db, query):
    found = [u.pcode for u in search_units(query)]
    assert [p for p in found if p in UZHHOROD] == UZHHOROD
    levels = [u.level for u in search_units(query)]
    assert levels == sorted(levels)


def test_it_names_the_units_with_their_kind_and_parents(db):
    raion, hromada, city = (search_units("Uzhhorod")[i] for i in range(3))
    assert [raion.display_name, hromada.display_name, city.display_name] == [
        "Uzhhorodskyi raion", "Uzhhorodska hromada", "Uzhhorod"]
    assert unit_path(city, {}) == "Uzhhorodska hromada, Uzhhorodskyi raion, Zakarpatska oblast"
    with translation.override("uk"):
        assert city.name == "Ужгород"
        assert hromada.display_name.startswith("Ужгородська ")


def test_it_keeps_nouns_bare_and_does_not_repeat_kyiv(db):
    kyiv_city = access_unit("UA8000000000")
    assert kyiv_city.display_name == "Kyiv"
    assert unit_path(kyiv_city, {}) == "Kyiv"
    assert access_unit("UA01").display_name == "Autonomous Republic of Crimea"


def test_it_finds_by_pcode_prefix(db):
    assert [u.pcode for u in search_units("ua2110023")][:2] == ["UA2110023", "UA2110023001"]
    assert [u.pcode for u in search_units("MD00", limit=3)] == ["MD001", "MD002", "MD003"]


def test_it_ignores_apostrophes_and_hyphens(db):
    assert normalise("Кам’янець-Подільський") == normalise("Кам'янець Подільський") == "камянець подільський"
    assert "UA6802" in [u.pcode for u in search_units("Камянець-Под")]
    assert "UA26" in [u.pcode for u in search_units("ivano frank")]


def test_it_keeps_cyrillic_letters_with_marks_apart(db):
    assert normalise("Київ") == "київ" != normalise("Киів")
    assert normalise("Crème") == "creme"


def test_it_filters_by_country_and_level(db):
    assert {u.country_iso3 for u in search_units("B", country_iso3="MDA")} == {"MDA"}
    assert all(u.level <= 2 for u in search_units("Uzh", max_level=2))
    assert search_units("") == []
    assert search_units("  ") == []


def test_it_names_the_country_of_units_outside_ukraine(db):
    balti = access_unit("md002")
    assert unit_path(balti, {"MDA": "Moldova"}) == "Moldova"
    assert unit_path(access_unit("UA21"), {"UKR": "Ukraine"}) == ""


def test_it_answers_404_for_an_unknown_pcode(db):
    from django.http import Http404

    with pytest.raises(Http404):
        access_unit("UA9999")


def test_it_has_iso_countries_with_ukrainian_names(db):
    ukraine, moldova = Country.objects.get(iso2="UA"), Country.objects.get(iso2="MD")
    assert (ukraine.iso3, ukraine.name_en, ukraine.name_uk) == ("UKR", "Ukraine", "Україна")
    assert (moldova.iso3, moldova.name_en) == ("MDA", "Moldova")
    assert moldova.name_uk == "Молдова"
    assert country_by_code("mda") == moldova
    assert country_by_code("md") == moldova
    assert Country.objects.count() >= 249
    with translation.override("uk"):
        assert ukraine.name == "Україна"


def test_it_returns_units_with_parents_in_one_query(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        units = search_units("Uzhhorod")
        [unit_path(u, {}) for u in units]
    assert AdminUnit.objects.filter(pcode__in=UZHHOROD).count() == 3


@pytest.mark.parametrize(("query", "pcode"), [("Uzhhorodskyi raion", "UA2110"), ("Ужгородська гром", "UA2110023"),
                                              ("zakarpatska o", "UA21"), ("Закарпатська область", "UA21")])
def test_it_finds_units_typed_with_their_kind(db, query, pcode):
    assert [u.pcode for u in search_units(query)] == [pcode]
