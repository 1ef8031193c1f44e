"""Organisations: a system admin creates, edits and deactivates them; an org admin edits the own profile."""

from __future__ import annotations

import pytest

from varta.accounts.permissions import Role
from varta.accounts.tests.helpers import nothing_written
from varta.audit.models import AuditEvent
from varta.geo.models import AdminUnit
from varta.orgs.models import Organisation


@pytest.fixture
def units(db):
    oblast = AdminUnit.objects.create(pcode="UA05", country_iso3="UKR", level=1, name_en="Vinnytska",
                                      name_uk="Вінницька", search_en="vinnytska", search_uk="вінницька")
    raion = AdminUnit.objects.create(pcode="UA0502", country_iso3="UKR", level=2, parent=oblast,
                                     name_en="Vinnytskyi", name_uk="Вінницький", search_en="vinnytskyi",
                                     search_uk="вінницький")
    return oblast, raion


@pytest.fixture
def sysadmin(client, personas, login_as):
    login_as(personas.a.user(Role.SYSTEM_ADMIN))
    return client


def _org(**overrides: str) -> dict[str, str]:
    return {"name": "Gamma Relief", "acronym": "GR", "type": "international_ngo", "country": "MD",
            "areas": "", **overrides}


def test_it_lists_every_organisation_to_a_system_admin(sysadmin, personas):
    content = sysadmin.get("/organisations/").content.decode()
    assert "Alpha Aid" in content
    assert "Beta Help" in content


def test_it_creates_an_organisation_with_areas(sysadmin, units):
    response = sysadmin.post("/organisations/new/", _org(areas="ua05, UA0502"))
    assert response["Location"] == "/organisations/"
    org = Organisation.objects.get(name="Gamma Relief")
    assert (org.acronym, org.type, org.country_id, org.is_active) == ("GR", "international_ngo", "MD", True)
    assert sorted(org.areas.values_list("pcode", flat=True)) == ["UA05", "UA0502"]
    assert AuditEvent.objects.filter(action="orgs.organisation.create", object_id=str(org.pk)).exists()
    assert AuditEvent.objects.filter(action="orgs.organisation.update", object_id=str(org.pk),
                                     changed_fields=["areas"]).exists()


def test_it_refuses_an_unknown_pcode_with_400_and_writes_nothing(sysadmin, units):
    with nothing_written(Organisation):
        response = sysadmin.post("/organisations/new/", _org(areas="UA05, UA9999"))
    assert response.status_code == 400
    assert "Unknown P-code: UA9999. Pick a place from the list." in response.content.decode()


def test_it_refuses_an_unknown_pcode_when_editing_and_changes_nothing(sysadmin, personas, units):
    org = personas.b.organisation
    with nothing_written(Organisation):
        response = sysadmin.post(f"/organisations/{org.pk}/edit/", _org(name="Beta Renamed", areas="XX01"))
    assert response.status_code == 400
    assert "Unknown P-code: XX01" in response.content.decode()
    org.refresh_from_db()
    assert org.name == "Beta Help"


def test_it_refuses_a_taken_name_with_400_and_writes_nothing(sysadmin, personas):
    with nothing_written(Organisation):
        response = sysadmin.post("/organisations/new/", _org(name="alpha aid"))
    assert response.status_code == 400
    assert "An organisation with this name exists." in response.content.decode()


def test_it_refuses_renaming_onto_a_taken_name(sysadmin, personas):
    org = personas.b.organisation
    with nothing_written(Organisation):
        response = sysadmin.post(f"/organisations/{org.pk}/edit/", _org(name="ALPHA AID"))
    assert response.status_code == 400
    org.refresh_from_db()
    assert org.name == "Beta Help"


def test_it_refuses_an_unknown_country_with_400(sysadmin):
    with nothing_written(Organisation):
        assert sysadmin.post("/organisations/new/", _org(country="ZZ")).status_code == 400


def test_it_edits_any_organisation(sysadmin, personas, units):
    org = personas.b.organisation
    assert sysadmin.get(f"/organisations/{org.pk}/edit/").status_code == 200
    response = sysadmin.post(f"/organisations/{org.pk}/edit/", _org(name="Beta Help", acronym="BH", areas="UA05"))
    assert response["Location"] == "/organisations/"
    org.refresh_from_db()
    assert (org.acronym, org.country_id) == ("BH", "MD")
    assert list(org.areas.values_list("pcode", flat=True)) == ["UA05"]


def test_it_keeps_its_name_when_saved_unchanged(sysadmin, personas):
    org = personas.b.organisation
    response = sysadmin.post(f"/organisations/{org.pk}/edit/", _org(name="Beta Help", type=org.type,
                                                                     country=org.country_id, acronym="BETA"))
    assert response.status_code == 302


def test_it_answers_404_for_an_unknown_organisation(sysadmin):
    assert sysadmin.get("/organisations/999999/edit/").status_code == 404


def test_it_deactivates_and_reactivates_an_organisation(sysadmin, personas):
    org = personas.b.organisation
    assert sysadmin.post(f"/organisations/{org.pk}/active/")["Location"] == "/organisations/"
    org.refresh_from_db()
    assert not org.is_active
    sysadmin.post(f"/organisations/{org.pk}/active/")
    org.refresh_from_db()
    assert org.is_active


def test_it_refuses_deactivating_the_own_organisation(sysadmin, personas):
    org = personas.a.organisation
    with nothing_written(Organisation):
        response = sysadmin.post(f"/organisations/{org.pk}/active/", follow=True)
    assert "You cannot deactivate your own organisation." in response.content.decode()
    org.refresh_from_db()
    assert org.is_active


def test_it_lets_an_org_admin_edit_the_own_organisation(client, personas, login_as, units):
    login_as(personas.a.user(Role.ORG_ADMIN))
    assert client.get("/organisations/mine/edit/").status_code == 200
    response = client.post("/organisations/mine/edit/", _org(name="Alpha Aid", acronym="AA", country="UA",
                                                              areas="UA0502"))
    assert response["Location"] == "/organisations/mine/"
    org = personas.a.organisation
    org.refresh_from_db()
    assert org.acronym == "AA"
    assert "UA0502" in client.get("/organisations/mine/").content.decode()


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SYSTEM_ADMIN], ids=lambda r: r.value)
def test_it_keeps_organisation_management_to_system_admins(client, personas, login_as, role):
    login_as(personas.a.user(role))
    org = personas.b.organisation
    with nothing_written(Organisation):
        assert client.get("/organisations/").status_code == 403
        assert client.post("/organisations/new/", _org()).status_code == 403
        assert client.post(f"/organisations/{org.pk}/edit/", _org(name="Taken over")).status_code == 403
        assert client.post(f"/organisations/{org.pk}/active/").status_code == 403
    org.refresh_from_db()
    assert (org.name, org.is_active) == ("Beta Help", True)


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ORG_ADMIN, Role.SYSTEM_ADMIN)],
                         ids=lambda r: r.value)
def test_it_keeps_the_own_profile_to_admins(client, personas, login_as, role):
    login_as(personas.a.user(role))
    with nothing_written(Organisation):
        assert client.post("/organisations/mine/edit/", _org(name="Alpha Aid", country="UA")).status_code == 403
