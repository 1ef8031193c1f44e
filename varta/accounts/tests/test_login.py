"""The login page: password step, refusals, where it leads, the new session, logout."""

from __future__ import annotations

import pytest
from django.test import Client

from varta.accounts import actions
from varta.accounts.models import LoginAttempt, User
from varta.accounts.permissions import Role
from varta.accounts.tests.helpers import enrol, is_logged_in, post_password
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.orgs import actions as org_actions

COORDINATOR = Role.TASKFORCE_COORDINATOR  # the one role without personal data: password only


def test_it_shows_the_form(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_it_logs_in_a_role_without_personal_data_with_password_only(client, personas):
    user = personas.a.user(COORDINATOR)
    response = post_password(client, user.username)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_logged_in(client)
    assert client.get("/").status_code == 200
    user.refresh_from_db()
    assert user.last_login is not None
    assert AuditEvent.objects.filter(action="auth.login", object_id=str(user.pk)).count() == 1


def test_it_accepts_the_username_in_any_case(client, personas):
    user = personas.a.user(COORDINATOR)
    assert post_password(client, user.username.upper()).status_code == 302
    assert is_logged_in(client)


def test_it_cycles_the_session_key(client, personas):
    client.get("/accounts/login/")
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    post_password(client, personas.a.user(COORDINATOR).username)
    assert is_logged_in(client)
    assert client.session.session_key != before


def test_it_refuses_a_wrong_password_with_401_and_changes_nothing(client, personas):
    user = personas.a.user(COORDINATOR)
    before = User.objects.values_list("password", "last_login", "is_active").get(pk=user.pk)
    response = post_password(client, user.username, "not the password at all")
    assert response.status_code == 401
    assert "Wrong username or password." in response.content.decode()
    assert not is_logged_in(client)
    assert User.objects.values_list("password", "last_login", "is_active").get(pk=user.pk) == before
    # What is kept: one throttling counter and a security event without the password.
    assert LoginAttempt.objects.count() == 1
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.object_id == str(user.pk)
    assert event.changed_fields == []


def test_it_gives_the_same_answer_for_an_unknown_user(client, personas):
    response = post_password(client, "nobody-here")
    assert response.status_code == 401
    assert "Wrong username or password." in response.content.decode()
    assert AuditEvent.objects.get(action="auth.login_failed").object_id == ""


def test_it_refuses_an_empty_form_with_400(client, db):
    response = client.post("/accounts/login/", {"username": "", "password": ""})
    assert response.status_code == 400
    assert LoginAttempt.objects.count() == 0


def test_it_refuses_a_deactivated_user(client, personas):
    user = personas.a.user(COORDINATOR)
    actions.user_set_active(actor=Actor.system(), user=user, active=False)
    assert post_password(client, user.username).status_code == 401
    assert not is_logged_in(client)


def test_it_refuses_a_user_whose_membership_is_deactivated(client, personas):
    member = personas.a.membership(COORDINATOR)
    org_actions.membership_set_active(actor=Actor.system(), acting=personas.a.membership(Role.ORG_ADMIN),
                                      member=member, active=False)
    events = AuditEvent.objects.count()
    response = post_password(client, member.user.username)
    assert response.status_code == 403
    assert "not active in any organisation" in response.content.decode()
    assert not is_logged_in(client)
    assert AuditEvent.objects.count() == events


def test_it_refuses_a_user_whose_organisation_is_deactivated(client, personas):
    org_actions.organisation_set_active(actor=Actor.system(), organisation=personas.a.organisation, active=False)
    response = post_password(client, personas.a.user(COORDINATOR).username)
    assert response.status_code == 403
    assert not is_logged_in(client)


def test_it_asks_the_second_factor_of_an_enrolled_user_before_logging_in(client, personas):
    user = personas.a.user(Role.CASE_WORKER)
    enrol(user)
    response = post_password(client, user.username)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/two-factor/"
    assert not is_logged_in(client)


def test_it_sends_a_user_who_must_use_two_factors_to_enrolment(client, personas):
    response = post_password(client, personas.a.user(Role.HOTLINE_OPERATOR).username)
    assert response["Location"] == "/accounts/two-factor/enrol/"
    assert not is_logged_in(client)


@pytest.mark.parametrize("role", [r for r in Role if r != COORDINATOR], ids=lambda r: r.value)
def test_it_requires_two_factors_for_every_role_that_sees_personal_data(client, personas, role):
    response = post_password(client, personas.a.user(role).username)
    assert response["Location"] == "/accounts/two-factor/enrol/"
    assert not is_logged_in(client)


def test_it_needs_no_second_factor_in_demo_mode(client, personas, settings):
    settings.DEMO_MODE = True
    response = post_password(client, personas.a.user(Role.CASE_WORKER).username)
    assert response["Location"] == "/"
    assert is_logged_in(client)


def test_it_still_asks_an_enrolled_user_in_demo_mode(client, personas, settings):
    settings.DEMO_MODE = True
    user = personas.a.user(Role.CASE_WORKER)
    enrol(user)
    assert post_password(client, user.username)["Location"] == "/accounts/login/two-factor/"
    assert not is_logged_in(client)


@pytest.mark.parametrize("target", ["/organisations/mine/", "/accounts/profile/?tab=1"])
def test_it_follows_a_local_next(client, personas, target):
    response = post_password(client, personas.a.user(COORDINATOR).username, next_url=target)
    assert response["Location"] == target


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "http://evil.example", "/\\evil.example", "javascript:alert(1)",
    "https:///evil.example", " //evil.example",
])
def test_it_never_redirects_to_another_host(client, personas, target):
    response = post_password(client, personas.a.user(COORDINATOR).username, next_url=target)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_it_carries_a_safe_next_from_the_query_string_into_the_form(client, db):
    assert b'value="/organisations/mine/"' in client.get("/accounts/login/?next=/organisations/mine/").content
    content = client.get("/accounts/login/?next=https://evil.example/").content.decode()
    assert '<input type="hidden" name="next" value="/">' in content


def test_it_sends_anonymous_pages_to_login_with_next(client, db):
    response = client.get("/organisations/mine/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Forganisations%2Fmine%2F"


def test_it_redirects_a_logged_in_user_away_from_the_login_page(client, personas, login_as):
    login_as(personas.a.user(COORDINATOR))
    assert client.get("/accounts/login/")["Location"] == "/"


def test_it_sets_the_users_language_cookie_at_login(client, personas):
    user = personas.a.user(COORDINATOR)
    actions.user_update_profile(actor=Actor.system(), user=user, full_name=user.full_name, email="", language="uk")
    response = post_password(client, user.username)
    assert response.cookies["django_language"].value == "uk"


def test_it_logs_out_on_post_only(client, personas, login_as):
    user = personas.a.user(COORDINATOR)
    login_as(user)
    assert client.get("/accounts/logout/").status_code == 405
    assert is_logged_in(client)
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert not is_logged_in(client)
    assert AuditEvent.objects.filter(action="auth.logout", object_id=str(user.pk)).exists()


def test_it_ends_the_session_of_a_user_deactivated_meanwhile(client, personas):
    user = personas.a.user(COORDINATOR)
    post_password(client, user.username)
    actions.user_set_active(actor=Actor.system(), user=user, active=False)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_ends_the_session_of_a_member_deactivated_meanwhile(client, personas):
    member = personas.a.membership(COORDINATOR)
    post_password(client, member.user.username)
    org_actions.membership_set_active(actor=Actor.system(), acting=personas.a.membership(Role.ORG_ADMIN),
                                      member=member, active=False)
    response = client.get("/")
    assert response["Location"].startswith("/accounts/login/?notice=inactive")
    assert not is_logged_in(client)
    assert "not active in any organisation" in client.get(response["Location"]).content.decode()


def test_it_ends_a_password_only_session_when_the_role_comes_to_need_two_factors(client, personas):
    member = personas.a.membership(COORDINATOR)
    post_password(client, member.user.username)
    assert client.get("/").status_code == 200
    org_actions.membership_change_role(actor=Actor.system(), acting=personas.a.membership(Role.SYSTEM_ADMIN),
                                       member=member, role=Role.CASE_WORKER)
    response = client.get("/")
    assert response["Location"].startswith("/accounts/login/?notice=two_factor")
    assert not is_logged_in(client)
    # Logging in again now goes through enrolment.
    assert post_password(Client(), member.user.username)["Location"] == "/accounts/two-factor/enrol/"


def test_it_switches_the_acting_organisation_only_to_own_memberships(client, personas, login_as):
    from varta.audit import writes
    from varta.orgs.models import Membership

    user = personas.a.user(COORDINATOR)
    second = writes.create(Membership(user=user, organisation=personas.b.organisation, role=COORDINATOR),
                           actor=Actor.system())
    login_as(user)
    assert client.post("/accounts/organisation/", {"membership": second.pk})["Location"] == "/"
    assert "Beta Help" in client.get("/").content.decode()
    other = personas.b.membership(Role.ORG_ADMIN)
    client.post("/accounts/organisation/", {"membership": other.pk})
    assert client.session["varta_membership_id"] == second.pk



def test_it_sets_login_cookies_secure_and_http_only_behind_https(client, personas, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = post_password(client, personas.a.user(COORDINATOR).username)
    for name in ("sessionid", "varta_device"):
        cookie = response.cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name
    assert response.cookies["django_language"]["secure"] is True
