"""The demo task force (varta.core.demo) and the commands that build it: quickstart and demo-data."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from varta.accounts.actions import user_create
from varta.accounts.models import User
from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.core import demo
from varta.geo.models import AdminUnit, Country
from varta.orgs.actions import organisation_create
from varta.orgs.models import Membership, Organisation, OrganisationType

# A few places instead of the whole geography (30,000 units): the other demo areas are then "missing".
SMALL_GEO = [("UA80", "UKR", 1, None, "Kyiv", "Київ"), ("UA46", "UKR", 1, None, "Lvivska", "Львівська"),
             ("UA21", "UKR", 1, None, "Zakarpatska", "Закарпатська"),
             ("UA2110023", "UKR", 3, "UA21", "Uzhhorodska", "Ужгородська"), ("MD010", "MDA", 1, None, "Chisinau", "")]


@pytest.fixture
def geo_loads(db, monkeypatch):
    """Replace the full geography load with a small one; count the calls."""
    calls = []

    def ensure_loaded():
        calls.append(1)
        if not AdminUnit.objects.exists():
            for pcode, iso3, level, parent, en, uk in SMALL_GEO:
                AdminUnit.objects.create(pcode=pcode, country_iso3=iso3, level=level, parent_id=parent, name_en=en,
                                         name_uk=uk, search_en=en.lower(), search_uk=uk.lower())

    monkeypatch.setattr("varta.geo.loader.ensure_loaded", ensure_loaded)
    return calls


def counts() -> tuple[int, int, int, int]:
    return (Organisation.objects.count(), User.objects.count(), Membership.objects.count(),
            AuditEvent.objects.count())


def test_it_creates_several_organisations_with_one_user_per_role(geo_loads):
    result = demo.create_demo_task_force()

    assert result.created
    assert len(result.organisations) == 1 + len(demo.PARTNERS) == Organisation.objects.count()
    assert {o.type for o in result.organisations} == {t.value for t in OrganisationType} - {"other"}
    assert {o.country_id for o in result.organisations} == {"UA", "MD"}
    main = Organisation.objects.get(name=demo.MAIN.name)
    assert sorted(Membership.objects.filter(organisation=main).values_list("role", flat=True)) == sorted(Role)
    assert {x.username for x in result.logins if x.organisation == main} == set(demo.ROLE_USERNAMES.values())
    assert len(result.logins) == Membership.objects.count() == User.objects.count()
    assert "lantern_coordinator" in {x.username for x in result.logins}
    assert geo_loads


def test_it_names_people_in_ukrainian_and_english(geo_loads):
    demo.create_demo_task_force()

    lantern = User.objects.get(username="lantern_caseworker")
    assert any("А" <= ch <= "я" or ch in "іїєґІЇЄҐ" for ch in lantern.full_name)
    assert lantern.language == "uk"
    operator = User.objects.get(username="operator")
    assert operator.full_name.isascii()
    assert operator.language == "en"
    assert "«" in Organisation.objects.get(acronym="LOH").name


def test_it_logs_in_with_the_demo_password(geo_loads, settings):
    settings.DEMO_MODE = True
    demo.create_demo_task_force()

    for username in ("operator", "sysadmin", "lantern_caseworker", "openroad_orgadmin"):
        client = Client()
        response = client.post("/accounts/login/", {"username": username, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert response["Location"] == "/"
        assert client.get("/", follow=True).status_code == 200  # operators land on the operator screen


def test_it_creates_nothing_on_second_run(geo_loads):
    first = demo.create_demo_task_force()
    before = counts()

    second = demo.create_demo_task_force()

    assert counts() == before
    assert not second.created
    assert [(x.username, x.role, x.organisation.pk) for x in second.logins] == [
        (x.username, x.role, x.organisation.pk) for x in first.logins]


def test_it_writes_through_the_actions(geo_loads):
    result = demo.create_demo_task_force()

    def ids(action: str) -> set[str]:
        return set(AuditEvent.objects.filter(action=action).values_list("object_id", flat=True))

    assert ids("orgs.organisation.create") == {str(o.pk) for o in result.organisations}
    assert ids("orgs.membership.create") == {str(pk) for pk in Membership.objects.values_list("pk", flat=True)}
    assert ids("accounts.user.create") == {str(pk) for pk in User.objects.values_list("pk", flat=True)}


def test_it_skips_area_pcodes_that_are_not_loaded(geo_loads):
    result = demo.create_demo_task_force()

    assert "UA63" in result.skipped_areas
    assert "UA80" not in result.skipped_areas
    carpathian = Organisation.objects.get(acronym="CBF")
    assert sorted(carpathian.areas.values_list("pcode", flat=True)) == ["UA21", "UA2110023"]
    assert list(Organisation.objects.get(acronym="ODD").areas.values_list("pcode", flat=True)) == ["MD010"]


def test_it_grows_with_the_scale(geo_loads):
    demo.create_demo_task_force()
    before = Organisation.objects.count()

    result = demo.create_demo_task_force(scale=2)

    assert Organisation.objects.count() == before + len(demo.PARTNERS) == 1 + 2 * len(demo.PARTNERS)
    assert result.created
    assert "lantern2_caseworker" in {x.username for x in result.logins}
    assert len({x.username for x in result.logins}) == len(result.logins) == User.objects.count()


def test_it_refuses_a_scale_below_one(geo_loads):
    with pytest.raises(ValueError):
        demo.create_demo_task_force(scale=0)


def test_it_leaves_a_taken_username_alone(geo_loads):
    someone = user_create(actor=Actor.system(), username="Operator", full_name="Someone Else",
                          password="a real long password")

    result = demo.create_demo_task_force()

    assert not Membership.objects.filter(user=someone).exists()
    assert "operator" not in {x.username.lower() for x in result.logins}
    assert not User.objects.filter(username="operator").exists()


GENERATED: list[tuple[int, int, int]] = []


def record_generator(context: demo.DemoContext) -> None:
    GENERATED.append((len(context.organisations), len(context.new_organisations), len(context.memberships)))


def test_it_calls_the_generators_of_other_contexts(geo_loads, monkeypatch):
    monkeypatch.setattr(demo, "GENERATORS", ["varta.core.tests.test_demo.record_generator"])
    GENERATED.clear()

    demo.create_demo_task_force()
    demo.create_demo_task_force()

    members = Membership.objects.count()
    assert [(9, 9, members), (9, 0, members)] == GENERATED


# --- varta quickstart ---------------------------------------------------------------------------------------


def test_it_quickstarts_without_serving(geo_loads, settings):
    settings.DEMO_MODE = True
    out = StringIO()

    call_command("quickstart", "--no-serve", stdout=out, stderr=StringIO())

    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text
    assert "Demo mode — two-factor login is off — do not enter real data" in text
    assert demo.DEMO_PASSWORD in text
    for username in ("operator", "sysadmin", "openroad_operator"):
        assert f"  {username} " in text
    assert Organisation.objects.filter(name=demo.MAIN.name).exists()


def test_it_reuses_everything_on_a_second_quickstart(geo_loads):
    call_command("quickstart", "--no-serve", stdout=StringIO(), stderr=StringIO())
    before = counts()
    out = StringIO()

    call_command("quickstart", "--no-serve", stdout=out, stderr=StringIO())

    assert counts() == before
    assert "Loading places" not in out.getvalue()
    assert demo.DEMO_PASSWORD in out.getvalue()


def test_it_serves_on_the_given_port(geo_loads, monkeypatch):
    served = []
    monkeypatch.setattr("varta.core.server.serve", lambda **kwargs: served.append(kwargs))

    call_command("quickstart", "--port", "8123", stdout=StringIO(), stderr=StringIO())

    assert served == [{"host": "127.0.0.1", "port": 8123}]


def test_it_refuses_a_database_with_other_organisations(geo_loads, monkeypatch):
    organisation_create(actor=Actor.system(), name="Real Partner", acronym="RP", type=OrganisationType.NATIONAL_NGO,
                        country=Country.objects.get(iso2="UA"))
    monkeypatch.setattr("varta.core.server.serve", lambda **kwargs: pytest.fail("must not serve"))
    before = counts()

    with pytest.raises(CommandError, match="no demo task force"):
        call_command("quickstart", stdout=StringIO(), stderr=StringIO())

    assert counts() == before


# --- varta demo-data ----------------------------------------------------------------------------------------


def test_it_creates_demo_data_at_a_scale(geo_loads):
    out = StringIO()

    call_command("demo_data", "--scale", "3", stdout=out, stderr=StringIO())

    assert Organisation.objects.count() == 1 + 3 * len(demo.PARTNERS)
    assert demo.DEMO_PASSWORD in out.getvalue()
    before = counts()
    call_command("demo_data", "--scale", "3", stdout=out, stderr=StringIO())
    assert counts() == before
    assert "nothing was created" in out.getvalue()


def test_it_adds_demo_data_to_other_data_only_when_forced(geo_loads):
    organisation_create(actor=Actor.system(), name="Real Partner", acronym="RP", type=OrganisationType.NATIONAL_NGO,
                        country=Country.objects.get(iso2="UA"))

    with pytest.raises(CommandError, match="--force"):
        call_command("demo_data", stdout=StringIO(), stderr=StringIO())
    assert Organisation.objects.count() == 1

    call_command("demo_data", "--force", stdout=StringIO(), stderr=StringIO())
    assert Organisation.objects.count() == 2 + len(demo.PARTNERS)
