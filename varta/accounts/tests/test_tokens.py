"""API tokens: issued per user and organisation, shown once, stored as SHA-256, revocable, refused when stale."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from varta.accounts import actions
from varta.accounts.models import ApiToken
from varta.accounts.permissions import Role
from varta.accounts.tests.helpers import nothing_written
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.orgs import actions as org_actions
from varta.orgs.models import Membership

ME = "/api/v1/me/"


def _issue(membership: Membership, **kwargs: Any) -> actions.IssuedToken:
    return actions.api_token_issue(actor=Actor.system(), membership=membership, name="integration", **kwargs)


def _api(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


# --- The page ---------------------------------------------------------------------------------------------


def test_it_lists_no_tokens_at_first(client, personas, login_as):
    login_as(personas.a.user(Role.CASE_WORKER))
    response = client.get("/accounts/tokens/")
    assert response.status_code == 200
    assert b"No tokens yet." in response.content


def test_it_issues_a_token_and_shows_it_once(client, personas, login_as):
    member = personas.a.membership(Role.CASE_WORKER)
    login_as(member.user)
    response = client.post("/accounts/tokens/", {"name": "Kobo sync", "days": 30})
    assert response.status_code == 200
    match = re.search(r'id="new-token">([^<]+)<', response.content.decode())
    assert match
    raw = match.group(1)
    token = ApiToken.objects.get()
    assert (token.user, token.membership, token.name) == (member.user, member, "Kobo sync")
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(token.prefix)
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    # Nothing but its fingerprint is kept: no column holds the token, and the list never shows it again.
    assert raw not in repr(list(ApiToken.objects.values()))
    again = client.get("/accounts/tokens/").content.decode()
    assert raw not in again
    assert token.prefix in again
    assert AuditEvent.objects.filter(action="accounts.apitoken.issue", object_id=str(token.pk)).exists()


@pytest.mark.parametrize("data", [{"name": "", "days": 30}, {"name": "x", "days": 0}, {"name": "x", "days": 9999}])
def test_it_refuses_a_bad_form_with_400_and_writes_nothing(client, personas, login_as, data):
    login_as(personas.a.user(Role.CASE_WORKER))
    with nothing_written(ApiToken):
        response = client.post("/accounts/tokens/", data)
    assert response.status_code == 400


def test_it_revokes_a_token(client, personas, login_as):
    member = personas.a.membership(Role.CASE_WORKER)
    issued = _issue(member)
    login_as(member.user)
    response = client.post(f"/accounts/tokens/{issued.token.pk}/revoke/")
    assert response["Location"] == "/accounts/tokens/"
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert b"revoked" in client.get("/accounts/tokens/").content
    assert _api(issued.raw).get(ME).status_code == 401


def test_it_answers_404_for_another_users_token(client, personas, login_as):
    other = _issue(personas.a.membership(Role.CASE_SUPERVISOR))
    login_as(personas.a.user(Role.CASE_WORKER))
    with nothing_written(ApiToken):
        assert client.post(f"/accounts/tokens/{other.token.pk}/revoke/").status_code == 404
    other.token.refresh_from_db()
    assert other.token.revoked_at is None


def test_it_does_not_list_other_users_tokens(client, personas, login_as):
    _issue(personas.a.membership(Role.CASE_SUPERVISOR))
    login_as(personas.a.user(Role.CASE_WORKER))
    assert b"No tokens yet." in client.get("/accounts/tokens/").content


def test_it_revokes_on_post_only(client, personas, login_as):
    member = personas.a.membership(Role.CASE_WORKER)
    issued = _issue(member)
    login_as(member.user)
    assert client.get(f"/accounts/tokens/{issued.token.pk}/revoke/").status_code == 405


# --- Using a token on the API -------------------------------------------------------------------------------


def test_it_authenticates_as_the_user_in_the_tokens_organisation(personas):
    member = personas.b.membership(Role.INFORMATION_MANAGER)
    response = _api(_issue(member).raw).get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == member.user.username


def test_it_records_when_a_token_was_last_used(personas):
    issued = _issue(personas.a.membership(Role.CASE_WORKER))
    _api(issued.raw).get(ME)
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_it_refuses_a_request_without_credentials(db):
    response = APIClient().get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token vt_not-a-real-token", "Token " + "é"])
def test_it_refuses_bad_tokens_with_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(ME).status_code == 401


def test_it_refuses_a_revoked_token(personas):
    issued = _issue(personas.a.membership(Role.CASE_WORKER))
    actions.api_token_revoke(actor=Actor.system(), token=issued.token)
    response = _api(issued.raw).get(ME)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid, expired or revoked token."


def test_it_refuses_an_expired_token(personas):
    issued = _issue(personas.a.membership(Role.CASE_WORKER), expires_at=timezone.now() - timedelta(seconds=1))
    assert _api(issued.raw).get(ME).status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(personas):
    member = personas.a.membership(Role.CASE_WORKER)
    issued = _issue(member)
    actions.user_set_active(actor=Actor.system(), user=member.user, active=False)
    assert _api(issued.raw).get(ME).status_code == 401


def test_it_refuses_the_token_of_a_deactivated_membership(personas):
    member = personas.a.membership(Role.CASE_WORKER)
    issued = _issue(member)
    org_actions.membership_set_active(actor=Actor.system(), acting=personas.a.membership(Role.ORG_ADMIN),
                                      member=member, active=False)
    assert _api(issued.raw).get(ME).status_code == 401


def test_it_refuses_the_token_of_a_deactivated_organisation(personas):
    issued = _issue(personas.a.membership(Role.CASE_WORKER))
    org_actions.organisation_set_active(actor=Actor.system(), organisation=personas.a.organisation, active=False)
    assert _api(issued.raw).get(ME).status_code == 401


def test_it_does_not_issue_a_token_for_an_inactive_membership(personas):
    from django.core.exceptions import ValidationError

    member = personas.a.membership(Role.CASE_WORKER)
    org_actions.membership_set_active(actor=Actor.system(), acting=personas.a.membership(Role.ORG_ADMIN),
                                      member=member, active=False)
    with nothing_written(ApiToken), pytest.raises(ValidationError):
        _issue(member)


def test_it_makes_each_token_unique_and_long(personas):
    member = personas.a.membership(Role.CASE_WORKER)
    raws = {_issue(member).raw for _ in range(5)}
    assert len(raws) == 5
    assert all(len(r) >= 40 for r in raws)
