"""GET /api/v1/audit/events/: the viewer's scoping and filters over token and session authentication."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from varta.accounts import actions as account_actions
from varta.accounts.permissions import Role
from varta.audit import writes
from varta.audit.writes import Actor

URL = "/api/v1/audit/events/"


def token_client(membership) -> APIClient:
    raw = account_actions.api_token_issue(actor=Actor.system(), membership=membership, name="audit test").raw
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@pytest.fixture
def trail(personas):
    for org in (personas.a, personas.b):
        acting = Actor(user=org.user(Role.ORG_ADMIN), organisation=org.organisation)
        for n in range(3):
            writes.record(actor=acting, action="test.api", object_type="accounts.user", object_id=n,
                          changed=["full_name"])
    return personas


def test_it_lists_an_org_admins_organisation_only(trail):
    response = token_client(trail.a.membership(Role.ORG_ADMIN)).get(URL, {"action": "test."})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 3
    assert {r["organisation_id"] for r in results} == {trail.a.organisation.pk}
    first = results[0]
    assert first["actor_username"] == "a_org_admin"
    assert first["organisation_name"] == "Alpha Aid"
    assert first["changed_fields"] == ["full_name"]
    assert [r["seq"] for r in results] == sorted((r["seq"] for r in results), reverse=True)
    assert "b_org_admin" not in response.content.decode()


def test_it_lists_every_organisation_for_a_system_admin(trail):
    client = token_client(trail.a.membership(Role.SYSTEM_ADMIN))
    results = client.get(URL, {"action": "test.api"}).json()["results"]
    assert {r["organisation_id"] for r in results} == {trail.a.organisation.pk, trail.b.organisation.pk}
    only_b = client.get(URL, {"action": "test.api", "organisation": trail.b.organisation.pk}).json()["results"]
    assert len(only_b) == 3
    assert {r["organisation_id"] for r in only_b} == {trail.b.organisation.pk}


def test_it_gives_an_org_admin_nothing_of_another_organisation(trail):
    client = token_client(trail.a.membership(Role.ORG_ADMIN))
    response = client.get(URL, {"organisation": trail.b.organisation.pk})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ORG_ADMIN, Role.SYSTEM_ADMIN)])
def test_it_refuses_roles_without_the_audit_permission(trail, role):
    response = token_client(trail.a.membership(role)).get(URL)
    assert response.status_code == 403
    assert "results" not in response.json()


def test_it_requires_authentication(trail):
    assert APIClient().get(URL).status_code == 401


def test_it_accepts_the_browser_session(trail, login_as):
    response = login_as(trail.a.user(Role.ORG_ADMIN)).get(URL, {"user": "a_org_admin"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


def test_it_filters_like_the_viewer(trail):
    client = token_client(trail.a.membership(Role.ORG_ADMIN))
    admin = trail.a.user(Role.ORG_ADMIN)
    assert len(client.get(URL, {"user": admin.pk, "action": "test."}).json()["results"]) == 3
    assert len(client.get(URL, {"object_type": "accounts.user", "object_id": "1"}).json()["results"]) == 1
    assert client.get(URL, {"user": "b_org_admin"}).json()["results"] == []
    assert client.get(URL, {"date_to": "2000-01-01"}).json()["results"] == []


def test_it_refuses_bad_filters(trail):
    client = token_client(trail.a.membership(Role.ORG_ADMIN))
    response = client.get(URL, {"date_from": "yesterday"})
    assert response.status_code == 400
    assert "date_from" in response.json()
    assert client.get(URL, {"date_from": "2026-03-02", "date_to": "2026-03-01"}).status_code == 400
    assert client.get(URL, {"organisation": "x"}).status_code == 400


def test_it_pages_with_a_cursor(trail):
    client = token_client(trail.a.membership(Role.ORG_ADMIN))
    first = client.get(URL, {"action": "test.", "page_size": "2"}).json()
    assert len(first["results"]) == 2
    assert first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert second["next"] is None
    seqs = [r["seq"] for r in first["results"] + second["results"]]
    assert len(set(seqs)) == 3


def test_it_is_in_the_openapi_schema(trail, login_as):
    client = login_as(trail.a.user(Role.ORG_ADMIN))
    schema = json.loads(client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    operation = schema["paths"]["/api/v1/audit/events/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"user", "object_type", "object_id", "action", "date_from", "date_to", "organisation", "cursor"} <= names
