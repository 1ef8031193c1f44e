"""The REST API: schema and docs, token authentication, me, tokens, organisations, members, bad input."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from varta.accounts import actions as account_actions
from varta.accounts.models import ApiToken, User
from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.geo.models import AdminUnit
from varta.orgs.models import Membership, Organisation


def token_client(membership) -> APIClient:
    raw = account_actions.api_token_issue(actor=Actor.system(), membership=membership, name="test").raw
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@pytest.fixture
def units(db):
    AdminUnit.objects.create(pcode="UA21", country_iso3="UKR", level=1, name_en="Zakarpatska",
                             name_uk="Закарпатська", search_en="zakarpatska", search_uk="закарпатська")
    AdminUnit.objects.create(pcode="UA80", country_iso3="UKR", level=1, name_en="Kyiv", name_uk="Київ",
                             search_en="kyiv", search_uk="київ")


def test_it_serves_a_valid_openapi_schema(personas, login_as):
    client = login_as(personas.a.user(Role.CASE_WORKER))
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/me/", "/api/v1/tokens/", "/api/v1/organisations/", "/api/v1/members/{member_id}/"):
        assert path in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_it_serves_browsable_docs_from_own_host(personas, login_as):
    client = login_as(personas.a.user(Role.CASE_WORKER))
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"http://" not in response.content.replace(b"http://testserver", b"")
    assert b"https://" not in response.content


def test_it_requires_authentication(db):
    response = APIClient().get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_it_refuses_a_wrong_token(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token vt_not-a-real-token")
    response = client.get("/api/v1/me/")
    assert response.status_code == 401


def test_it_answers_me_with_the_tokens_membership(personas):
    membership = personas.a.membership(Role.ORG_ADMIN)
    response = token_client(membership).get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "a_org_admin"
    assert body["acting_membership"]["organisation_id"] == personas.a.organisation.pk
    assert "org.members.manage" in body["actions"]


def test_it_issues_a_token_once_and_stores_only_its_hash(personas):
    client = token_client(personas.a.membership(Role.CASE_WORKER))
    response = client.post("/api/v1/tokens/", {"name": "Kobo sync", "days": 30}, format="json")
    assert response.status_code == 201
    raw = response.json()["token"]
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert raw not in (token.token_hash, token.prefix)
    assert raw.startswith(token.prefix)
    listed = client.get("/api/v1/tokens/").json()
    assert all("token" not in t for t in listed)
    new = APIClient()
    new.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert new.get("/api/v1/me/").status_code == 200
    assert client.post(f"/api/v1/tokens/{token.pk}/revoke/").status_code == 200
    assert new.get("/api/v1/me/").status_code == 401


def test_it_lists_only_the_acting_organisation(personas):
    response = token_client(personas.b.membership(Role.CASE_WORKER)).get("/api/v1/organisations/")
    assert [o["name"] for o in response.json()] == ["Beta Help"]


def test_it_hides_another_organisation_as_not_found(personas):
    client = token_client(personas.b.membership(Role.ORG_ADMIN))
    response = client.get(f"/api/v1/organisations/{personas.a.organisation.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_lets_org_admin_edit_own_organisation(personas, units):
    org = personas.a.organisation
    client = token_client(personas.a.membership(Role.ORG_ADMIN))
    body = {"name": "Alpha Aid", "acronym": "AA", "type": "national_ngo", "country": "UA", "areas": ["UA21", "ua80"]}
    response = client.put(f"/api/v1/organisations/{org.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["areas"] == ["UA21", "UA80"]
    assert Organisation.objects.get(pk=org.pk).acronym == "AA"


def test_it_refuses_unknown_pcode_and_writes_nothing(personas, units):
    org = personas.a.organisation
    client = token_client(personas.a.membership(Role.ORG_ADMIN))
    events = AuditEvent.objects.count()
    body = {"name": "Renamed", "acronym": "AA", "type": "national_ngo", "country": "UA", "areas": ["UA21", "UA99"]}
    response = client.put(f"/api/v1/organisations/{org.pk}/", body, format="json")
    assert response.status_code == 400
    assert "UA99" in response.json()["areas"][0]
    assert Organisation.objects.get(pk=org.pk).name == "Alpha Aid"
    assert AuditEvent.objects.count() == events


def test_it_refuses_malformed_json_with_a_clear_message(personas):
    client = token_client(personas.a.membership(Role.ORG_ADMIN))
    events = AuditEvent.objects.count()
    response = client.generic("POST", "/api/v1/members/", '{"username": "x", ', content_type="application/json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    assert AuditEvent.objects.count() == events


def test_it_translates_api_errors(personas):
    client = token_client(personas.a.membership(Role.ORG_ADMIN))
    response = client.generic("POST", "/api/v1/members/", "{", content_type="application/json",
                              HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    assert response.json()["detail"] != "The request body is not valid JSON."


def test_it_lets_org_admin_create_and_change_members(personas):
    client = token_client(personas.a.membership(Role.ORG_ADMIN))
    response = client.post("/api/v1/members/", {"username": "new_operator", "full_name": "Нова Операторка",
                                                "role": "hotline_operator", "password": "a long enough pass 42"},
                           format="json")
    assert response.status_code == 201, response.content
    member_id = response.json()["id"]
    response = client.patch(f"/api/v1/members/{member_id}/", {"role": "case_worker", "is_active": False},
                            format="json")
    assert response.status_code == 200
    member = Membership.objects.get(pk=member_id)
    assert (member.role, member.is_active) == ("case_worker", False)


def test_it_refuses_member_management_to_case_worker(personas):
    client = token_client(personas.a.membership(Role.CASE_WORKER))
    response = client.post("/api/v1/members/", {"username": "x", "full_name": "X", "role": "case_worker",
                                                "password": "a long enough pass 42"}, format="json")
    assert response.status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_it_refuses_granting_system_admin_to_org_admin(personas):
    client = token_client(personas.a.membership(Role.ORG_ADMIN))
    member = personas.a.membership(Role.CASE_WORKER)
    response = client.patch(f"/api/v1/members/{member.pk}/", {"role": "system_admin"}, format="json")
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.role == "case_worker"


def test_it_refuses_a_weak_password_and_writes_nothing(personas):
    client = token_client(personas.a.membership(Role.ORG_ADMIN))
    users = User.objects.count()
    response = client.post("/api/v1/members/", {"username": "weak", "full_name": "Weak", "role": "case_worker",
                                                "password": "123456789012"}, format="json")
    assert response.status_code == 400
    assert User.objects.count() == users
