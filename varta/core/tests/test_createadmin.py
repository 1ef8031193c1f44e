"""varta createadmin: a system admin with a membership, a validated password, nothing written on refusal."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from varta.accounts.actions import user_create
from varta.accounts.models import User
from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.geo.models import Country
from varta.orgs.actions import organisation_create
from varta.orgs.models import Membership, Organisation, OrganisationType

GOOD = "a long admin passphrase"


def counts() -> tuple[int, int, int, int]:
    return (Organisation.objects.count(), User.objects.count(), Membership.objects.count(),
            AuditEvent.objects.count())


def createadmin(*args: str) -> str:
    out = StringIO()
    call_command("createadmin", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_creates_an_admin_with_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("VARTA_ADMIN_PASSWORD", GOOD)

    out = createadmin("--username", "olena", "--full-name", "Олена Коваль", "--organisation", "Task Force Secretariat",
                      "--country", "md")

    user = User.objects.get(username="olena")
    assert user.full_name == "Олена Коваль"
    assert user.check_password(GOOD)
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.SYSTEM_ADMIN
    org = membership.organisation
    assert (org.name, org.type, org.country_id) == ("Task Force Secretariat", OrganisationType.OTHER, "MD")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"orgs.organisation.create", "accounts.user.create", "orgs.membership.create"} <= actions
    assert "two-factor" in out


def test_it_joins_an_existing_organisation(db, monkeypatch):
    org = organisation_create(actor=Actor.system(), name="Alpha Aid", acronym="ALPHA",
                              type=OrganisationType.NATIONAL_NGO, country=Country.objects.get(iso2="UA"))
    monkeypatch.setenv("VARTA_ADMIN_PASSWORD", GOOD)

    createadmin("--organisation", "alpha aid")

    assert Organisation.objects.count() == 1
    assert Membership.objects.get(user__username="admin").organisation == org


def test_it_asks_for_the_password_twice(db, monkeypatch):
    monkeypatch.delenv("VARTA_ADMIN_PASSWORD", raising=False)
    answers = iter([GOOD, GOOD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    createadmin()

    assert User.objects.get(username="admin").check_password(GOOD)


def test_it_refuses_two_different_passwords(db, monkeypatch):
    monkeypatch.delenv("VARTA_ADMIN_PASSWORD", raising=False)
    answers = iter([GOOD, GOOD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    before = counts()

    with pytest.raises(CommandError, match="differ"):
        createadmin()

    assert counts() == before


def test_it_refuses_a_weak_password_and_writes_nothing(db, monkeypatch):
    monkeypatch.setenv("VARTA_ADMIN_PASSWORD", "short")
    before = counts()

    with pytest.raises(CommandError, match="too short"):
        createadmin("--organisation", "New Org")

    assert counts() == before


def test_it_refuses_a_password_like_the_username(db, monkeypatch):
    monkeypatch.setenv("VARTA_ADMIN_PASSWORD", "administrator1")
    before = counts()

    with pytest.raises(CommandError, match="refused"):
        createadmin("--username", "administrator")

    assert counts() == before


def test_it_refuses_an_existing_username_and_writes_nothing(db, monkeypatch):
    user_create(actor=Actor.system(), username="Admin", full_name="First admin", password=GOOD)
    monkeypatch.setenv("VARTA_ADMIN_PASSWORD", GOOD)
    before = counts()

    with pytest.raises(CommandError, match="taken"):
        createadmin("--username", "admin", "--organisation", "New Org")

    assert counts() == before


def test_it_refuses_an_unknown_country(db, monkeypatch):
    monkeypatch.setenv("VARTA_ADMIN_PASSWORD", GOOD)
    before = counts()

    with pytest.raises(CommandError, match="country"):
        createadmin("--country", "XX")

    assert counts() == before
