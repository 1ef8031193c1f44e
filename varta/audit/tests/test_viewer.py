"""The audit viewer at /audit/: scoping by organisation, filters, keyset pages, constant query count."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from varta.accounts import actions as account_actions
from varta.accounts.permissions import Role
from varta.audit import writes
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor

URL = "/audit/"


def actor(org, role: Role = Role.ORG_ADMIN) -> Actor:
    return Actor(user=org.user(role), organisation=org.organisation)


@pytest.fixture
def trail(personas):
    """A's admin renames A's case worker; B's admin renames B's; a login in each organisation."""
    a, b = personas.a, personas.b
    account_actions.user_update_profile(actor=actor(a), user=a.user(Role.CASE_WORKER), full_name="Renamed A",
                                        email="", language="en")
    account_actions.user_update_profile(actor=actor(b), user=b.user(Role.CASE_WORKER), full_name="Renamed B",
                                        email="", language="uk")
    writes.record(actor=actor(a, Role.CASE_WORKER), action="auth.login", object_type="accounts.user",
                  object_id=a.user(Role.CASE_WORKER).pk)
    writes.record(actor=actor(b, Role.CASE_WORKER), action="auth.login", object_type="accounts.user",
                  object_id=b.user(Role.CASE_WORKER).pk)
    return personas


def shown(response) -> list[AuditEvent]:
    return response.context["page"].events


def test_it_shows_an_org_admin_their_organisation_only(trail, login_as):
    a = trail.a
    response = login_as(a.user(Role.ORG_ADMIN)).get(URL)
    assert response.status_code == 200
    events = shown(response)
    assert {e.organisation_id for e in events} == {a.organisation.pk}
    assert [e.action for e in events] == ["auth.login", "accounts.user.update"]
    content = response.content.decode()
    assert "a_org_admin" in content
    assert "ALPHA org admin" in content
    assert "full_name" in content
    for marker in ("BETA", "Beta Help", "b_org_admin", "b_case_worker"):
        assert marker not in content
    assert 'name="organisation"' not in content  # no organisation filter for an org admin


def test_it_shows_a_system_admin_every_organisation(trail, login_as):
    response = login_as(trail.a.user(Role.SYSTEM_ADMIN)).get(URL)
    assert response.status_code == 200
    orgs = {e.organisation_id for e in shown(response)}
    assert {trail.a.organisation.pk, trail.b.organisation.pk, None} <= orgs  # None: the personas' set-up
    content = response.content.decode()
    assert "b_org_admin" in content
    assert "BETA" in content
    assert 'name="organisation"' in content


def test_it_filters_by_organisation_for_a_system_admin(trail, login_as):
    client = login_as(trail.a.user(Role.SYSTEM_ADMIN))
    events = shown(client.get(URL, {"organisation": trail.b.organisation.pk}))
    assert events
    assert {e.organisation_id for e in events} == {trail.b.organisation.pk}


def test_it_gives_an_org_admin_nothing_for_another_organisation(trail, login_as):
    client = login_as(trail.a.user(Role.ORG_ADMIN))
    # The field does not exist for an org admin: the parameter is ignored and the scope stays A.
    events = shown(client.get(URL, {"organisation": trail.b.organisation.pk}))
    assert {e.organisation_id for e in events} == {trail.a.organisation.pk}


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ORG_ADMIN, Role.SYSTEM_ADMIN)])
def test_it_refuses_roles_without_the_audit_permission(trail, login_as, role):
    response = login_as(trail.a.user(role)).get(URL)
    assert response.status_code == 403
    assert "a_org_admin" not in response.content.decode()


def test_it_filters_by_user_name_or_id(trail, login_as):
    client = login_as(trail.a.user(Role.ORG_ADMIN))
    worker = trail.a.user(Role.CASE_WORKER)
    by_name = shown(client.get(URL, {"user": "A_CASE_WORKER"}))
    by_id = shown(client.get(URL, {"user": str(worker.pk)}))
    assert [e.action for e in by_name] == [e.action for e in by_id] == ["auth.login"]
    assert shown(client.get(URL, {"user": "nobody"})) == []


def test_it_filters_by_object_and_action(trail, login_as):
    client = login_as(trail.a.user(Role.ORG_ADMIN))
    worker = trail.a.user(Role.CASE_WORKER)
    by_object = shown(client.get(URL, {"object_type": "accounts.user", "object_id": worker.pk}))
    assert [e.action for e in by_object] == ["auth.login", "accounts.user.update"]
    assert [e.action for e in shown(client.get(URL, {"action": "accounts."}))] == ["accounts.user.update"]
    assert shown(client.get(URL, {"object_type": "orgs.organisation"})) == []


def test_it_filters_by_local_dates(personas, login_as, monkeypatch):
    a = personas.a
    # 23:30 UTC on 1 March is 01:30 on 2 March in Kyiv (UTC+2), the server's time zone.
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    for moment, name in ((datetime(2026, 2, 27, 12, 0, tzinfo=UTC), "early"), (late, "late")):
        with monkeypatch.context() as patch:
            patch.setattr(timezone, "now", lambda moment=moment: moment)
            writes.record(actor=actor(a), action=f"test.{name}")
    client = login_as(a.user(Role.ORG_ADMIN))
    assert [e.action for e in shown(client.get(URL, {"date_from": "2026-03-02"}))][-1] == "test.late"
    assert [e.action for e in shown(client.get(URL, {"date_from": "2026-02-01", "date_to": "2026-03-01"}))] == [
        "test.early"]
    assert [e.action for e in shown(client.get(URL, {"date_from": "2026-03-02", "date_to": "2026-03-02"}))] == [
        "test.late"]


def test_it_refuses_an_impossible_date_range(trail, login_as):
    client = login_as(trail.a.user(Role.ORG_ADMIN))
    response = client.get(URL, {"date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert response.status_code == 400
    assert "The start date is after the end date." in response.content.decode()
    assert client.get(URL, {"date_from": "not a date"}).status_code == 400


def test_it_survives_extreme_filter_values(trail, login_as):
    client = login_as(trail.a.user(Role.SYSTEM_ADMIN))
    for params in ({"date_from": "0001-01-01", "date_to": "9999-12-31"}, {"user": "9" * 40},
                   {"organisation": "9" * 25}, {"object_id": "x" * 64}):
        response = client.get(URL, params)
        assert response.status_code in (200, 400), params
    assert len(shown(client.get(URL, {"date_from": "0001-01-01", "date_to": "9999-12-31"}))) > 0
    assert shown(client.get(URL, {"user": "9" * 40})) == []


def test_it_pages_by_key(personas, login_as):
    a = personas.a
    made = [writes.record(actor=actor(a), action="test.page", object_id=n) for n in range(120)]
    client = login_as(a.user(Role.ORG_ADMIN))
    first = client.get(URL, {"action": "test.page"})
    page = first.context["page"]
    assert [e.seq for e in page.events] == [e.seq for e in made[::-1][:50]]
    assert page.newer is None
    assert page.older
    content = first.content.decode()
    assert "before=" in content
    assert "action=test.page" in content
    second = client.get(URL, {"action": "test.page", "before": page.older}).context["page"]
    assert [e.seq for e in second.events] == [e.seq for e in made[::-1][50:100]]
    third = client.get(URL, {"action": "test.page", "before": second.older}).context["page"]
    assert [e.seq for e in third.events] == [e.seq for e in made[::-1][100:]]
    assert third.older is None
    back = client.get(URL, {"action": "test.page", "after": third.newer}).context["page"]
    assert [e.seq for e in back.events] == [e.seq for e in second.events]
    top = client.get(URL, {"action": "test.page", "after": back.newer}).context["page"]
    assert [e.seq for e in top.events] == [e.seq for e in page.events]
    assert top.newer is None


def test_it_ignores_a_tampered_cursor(trail, login_as):
    client = login_as(trail.a.user(Role.ORG_ADMIN))
    for cursor in ("x", "1-", "-1", "9" * 30 + "-1", "1-2-3", "99999999999-1", "1-" + "9" * 19):
        response = client.get(URL, {"before": cursor})
        assert response.status_code == 200
        assert len(shown(response)) == 2


def test_it_makes_the_same_number_of_queries_for_few_and_many_events(personas, login_as, django_assert_max_num_queries):
    a = personas.a
    client = login_as(a.user(Role.SYSTEM_ADMIN))
    others = [a.user(role) for role in Role]
    writes.record(actor=actor(a), action="test.few")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    few = queries()
    print("queries for the list page:", few)
    for n in range(80):  # many events by many different users and organisations
        writes.record(actor=Actor(user=others[n % len(others)], organisation=personas.b.organisation),
                      action="test.many", object_id=n, changed=["name"])
    assert queries() == few
    with django_assert_max_num_queries(12):
        client.get(URL, {"user": "a_org_admin", "action": "test", "date_from": "2020-01-01"})
