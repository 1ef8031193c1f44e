"""The account page: profile, password change, two-factor status."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password

from conftest import PASSWORD
from varta.accounts.models import User
from varta.accounts.permissions import Role
from varta.accounts.tests.helpers import enrol, is_logged_in, nothing_written
from varta.audit.models import AuditEvent

NEW_PASSWORD = "a brand new passphrase 2026"


@pytest.fixture
def user(personas):
    return personas.a.user(Role.CASE_WORKER)


@pytest.fixture
def page(client, user, login_as):
    login_as(user)
    return client


def test_it_requires_login(client, db):
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/login/")


def test_it_shows_the_profile(page, user):
    response = page.get("/accounts/profile/")
    assert response.status_code == 200
    content = response.content.decode()
    assert user.full_name in content
    assert "Not set up." in content


def test_it_saves_the_profile(page, user):
    response = page.post("/accounts/profile/", {"form": "profile", "full_name": "  Olena Kovalenko ",
                                                "email": "olena@example.org", "language": "uk"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.email, user.language) == ("Olena Kovalenko", "olena@example.org", "uk")
    assert response.cookies["django_language"].value == "uk"
    event = AuditEvent.objects.filter(action="accounts.user.update", object_id=str(user.pk)).get()
    assert sorted(event.changed_fields) == ["email", "full_name", "language"]
    assert "Olena" not in str(event.changed_fields)


def test_it_refuses_a_bad_profile_with_400_and_writes_nothing(page, user):
    with nothing_written(User):
        response = page.post("/accounts/profile/", {"form": "profile", "full_name": "", "email": "not-an-email",
                                                    "language": "xx"})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.full_name.startswith("ALPHA")


def test_it_changes_the_password_and_keeps_this_session(page, user):
    response = page.post("/accounts/profile/", {"form": "password", "current": PASSWORD, "new": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert check_password(NEW_PASSWORD, user.password)
    assert is_logged_in(page)
    assert page.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="accounts.user.password_change", object_id=str(user.pk)).exists()


def test_it_ends_the_users_other_sessions_after_a_password_change(client, user, login_as):
    from django.test import Client

    other = login_as(user, Client())
    login_as(user)
    client.post("/accounts/profile/", {"form": "password", "current": PASSWORD, "new": NEW_PASSWORD})
    assert other.get("/")["Location"].startswith("/accounts/login/")


def test_it_refuses_a_wrong_current_password_with_400_and_writes_nothing(page, user):
    before = User.objects.get(pk=user.pk).password
    events = AuditEvent.objects.count()
    response = page.post("/accounts/profile/", {"form": "password", "current": "not my password at all",
                                                "new": NEW_PASSWORD})
    assert response.status_code == 400
    assert "This is not your current password." in response.content.decode()
    assert User.objects.get(pk=user.pk).password == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("new", ["short", "123456789012345", "password1234"])
def test_it_refuses_a_weak_new_password_with_400(page, user, new):
    before = User.objects.get(pk=user.pk).password
    response = page.post("/accounts/profile/", {"form": "password", "current": PASSWORD, "new": new})
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).password == before


def test_it_refuses_a_post_without_a_known_form(page):
    with nothing_written(User):
        assert page.post("/accounts/profile/", {"form": "other"}).status_code == 400


def test_it_shows_the_two_factor_status(page, user):
    enrol(user)
    content = page.get("/accounts/profile/").content.decode()
    assert "10 recovery codes left." in content
    assert "Make new recovery codes" in content
