from io import StringIO

import pytest
from django.core.management import call_command

from varta.audit.models import AuditEvent
from varta.geo import loader
from varta.geo.models import AdminUnit
from varta.geo.tests.conftest import delete_all_units

pytestmark = pytest.mark.usefixtures("geo_units")


def test_it_loads_everything_once_and_changes_nothing_on_a_second_run(db):
    delete_all_units()  # rolled back with the test
    events_before = AuditEvent.objects.count()

    first = loader.load()

    assert first.ukraine == {1: 27, 2: 139, 3: 1769, 4: 29705}
    assert first.other_countries > 100
    assert first.other_units[1] > 2000
    assert first.other_units[2] > 20000
    assert first.created == first.total == AdminUnit.objects.count()
    assert first.updated == 0
    assert AdminUnit.objects.filter(country_iso3="AFG", level=1).exists()
    events = list(AuditEvent.objects.order_by("seq")[events_before:])
    assert [(e.action, e.actor_id, e.object_type) for e in events] == [("geo.load", None, "geo.adminunit")]
    assert events[0].object_id == f"{first.total} units: {first.total} new, 0 changed"

    out = StringIO()
    call_command("load_geo", stdout=out)  # the second run, as `varta load-geo`

    text = out.getvalue()
    assert "Ukraine: 27 oblasts, 139 raions, 1769 hromadas, 29705 settlements" in text
    assert f"{first.total} units: 0 created, 0 updated, {first.total} unchanged" in text
    assert AuditEvent.objects.count() == events_before + 1  # nothing changed, nothing recorded


def test_it_links_ukrainian_units_to_their_parents(db):
    uzhhorod = AdminUnit.objects.select_related("parent__parent__parent").get(pcode="UA2110023001")
    assert (uzhhorod.name_en, uzhhorod.name_uk, uzhhorod.level, uzhhorod.country_iso3) == (
        "Uzhhorod", "Ужгород", 4, "UKR")
    assert [a.pcode for a in uzhhorod.ancestors] == ["UA2110023", "UA2110", "UA21"]
    assert (uzhhorod.search_en, uzhhorod.search_uk) == ("uzhhorod", "ужгород")
    assert uzhhorod.lat == pytest.approx(48.622, abs=0.001)
    assert AdminUnit.objects.get(pcode="UA21").parent is None


def test_it_hangs_settlements_of_missing_hromadas_from_their_raion(db):
    # UA0102001 (a pre-reform Crimean hromada) is not in ukr_adm3.csv.
    assert not AdminUnit.objects.filter(pcode="UA0102001").exists()
    assert AdminUnit.objects.get(pcode="UA0102001001").parent_id == "UA0102"


def test_it_loads_moldovas_37_first_level_units(db):
    units = AdminUnit.objects.filter(country_iso3="MDA", level=1)
    assert units.count() == 37
    assert sorted(units.values_list("pcode", flat=True)) == [f"MD{n:03}" for n in range(1, 38)]
    assert not units.exclude(parent=None).exists()
    assert set(units.values_list("name_uk", flat=True)) == {""}
    assert units.get(pcode="MD002").search_en == "balti"


def test_it_takes_ukraine_only_from_its_own_files():
    rows = loader.global_rows()
    assert not [v for v in rows.values() if v.country_iso3 == "UKR"]
    second_level = [v for v in rows.values() if v.level == 2]
    assert second_level
    assert all(v.parent_id is None or rows[v.parent_id].level == 1 for v in second_level)


def test_it_updates_a_changed_unit(db):
    AdminUnit.objects.filter(pcode="UA2110").update(name_en="Wrong", search_en="wrong", lat=None)

    result = loader.load(other_countries={"MDA"})

    assert (result.created, result.updated) == (0, 1)
    unit = AdminUnit.objects.get(pcode="UA2110")
    assert (unit.name_en, unit.search_en) == ("Uzhhorodskyi", "uzhhorodskyi")
    assert unit.lat is not None


def test_it_loads_only_into_an_empty_table_on_ensure_loaded(db):
    assert loader.ensure_loaded() is None
    assert AdminUnit.objects.filter(country_iso3="MDA").count() == 37  # nothing else was loaded
