"""Shared fixtures: two organisations (A and B) with one user per role, built through actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import translation

from varta.accounts.permissions import Role

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client speaks plain http; production-only HTTPS behaviour is checked by test_deploy_check.
    settings.SECURE_SSL_REDIRECT = False
    # Demo hotline traffic at test size (varta/hotline/demo.py; about 2,000 contacts per hotline otherwise).
    settings.DEMO_HOTLINE_CONTACTS = 40
    # Demo cases at test size (varta/cases/demo.py; a few hundred per case-management organisation otherwise).
    settings.DEMO_CASES = 12
    # LocaleMiddleware leaves the last request's language active in the thread: start every test in English.
    translation.activate("en")
    # Process-wide caches of reference rows: a rolled-back test's rows (and their reused ids) must not leak.
    from varta.core.cache import ReferenceCache

    ReferenceCache.clear_all()
    yield
    translation.deactivate()


@dataclass
class Org:
    organisation: object
    members: dict[Role, Any] = field(default_factory=dict)  # role → Membership

    def user(self, role: Role):
        return self.members[role].user

    def membership(self, role: Role):
        return self.members[role]


@dataclass
class Personas:
    a: Org
    b: Org


def restore_reference_data() -> None:
    """Put back the rows migrations load (countries, standard topics): a transactional test's flush removes them."""
    from varta.geo.countries import load_countries
    from varta.geo.models import Country
    from varta.hotline.models import Topic
    from varta.hotline.taxonomy import load_standard_topics

    if not Country.objects.filter(iso2="UA").exists():
        load_countries(Country)
    if not Topic.objects.filter(organisation__isnull=True).exists():
        from varta.audit.guard import audited_write

        with audited_write():  # reference data, loaded as the migration loads it (no audit event)
            load_standard_topics(Topic)


def make_org(name: str, acronym: str, prefix: str) -> Org:
    from varta.audit.writes import Actor
    from varta.geo.models import Country
    from varta.orgs import actions as org_actions
    from varta.orgs.models import Membership, OrganisationType

    restore_reference_data()
    system = Actor.system()
    org = org_actions.organisation_create(actor=system, name=name, acronym=acronym,
                                          type=OrganisationType.NATIONAL_NGO, country=Country.objects.get(iso2="UA"))
    result = Org(organisation=org)
    for role in Role:
        from varta.accounts import actions as account_actions
        from varta.audit import writes

        user = account_actions.user_create(actor=system, username=f"{prefix}_{role.value}",
                                           full_name=f"{acronym} {role.value.replace('_', ' ')}", password=PASSWORD)
        result.members[role] = writes.create(Membership(user=user, organisation=org, role=role), actor=system)
    return result


@pytest.fixture
def personas(db) -> Personas:
    return Personas(a=make_org("Alpha Aid", "ALPHA", "a"), b=make_org("Beta Help", "BETA", "b"))


@pytest.fixture
def login_as(client):
    """Log a client in as a user, bypassing the login form (two-factor is tested on its own)."""
    from django.contrib.auth import SESSION_KEY

    def _login(user, c=None):
        c = c or client
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return c

    _ = SESSION_KEY
    return _login
