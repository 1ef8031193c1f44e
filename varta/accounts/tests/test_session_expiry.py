"""Idle sessions end after SESSION_IDLE_MINUTES; the login page then says why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from varta.accounts.permissions import Role
from varta.accounts.tests.helpers import is_logged_in, post_password
from varta.audit.models import AuditEvent


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = timezone.now()

        def advance(self, minutes: float) -> None:
            self.now += timedelta(minutes=minutes)

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@pytest.fixture
def logged_in(client, personas, clock):
    assert post_password(client, personas.a.user(Role.TASKFORCE_COORDINATOR).username).status_code == 302
    return client


def test_it_defaults_to_thirty_minutes():
    from varta import settings as production

    assert production.SESSION_IDLE_MINUTES == 30
    assert production.SESSION_COOKIE_AGE == 30 * 60
    assert production.SESSION_SAVE_EVERY_REQUEST is True


def test_it_keeps_a_session_that_is_used(logged_in, clock):
    for _ in range(4):
        clock.advance(20)
        assert logged_in.get("/").status_code == 200


def test_it_ends_an_idle_session_with_a_message(logged_in, clock):
    clock.advance(31)
    response = logged_in.get("/organisations/mine/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?notice=expired&next=%2Forganisations%2Fmine%2F"
    assert not is_logged_in(logged_in)
    page = logged_in.get(response["Location"])
    assert "Your session expired after 30 minutes without activity. Log in again." in page.content.decode()


def test_it_ends_the_session_by_the_middleware_when_the_cookie_outlives_the_idle_time(logged_in, clock, settings):
    # The idle limit holds even if the stored session lives longer (e.g. a changed SESSION_COOKIE_AGE).
    settings.SESSION_COOKIE_AGE = 24 * 3600
    logged_in.get("/")
    clock.advance(31)
    response = logged_in.get("/")
    assert response["Location"].startswith("/accounts/login/?notice=expired")
    assert not is_logged_in(logged_in)


def test_it_follows_the_configured_idle_minutes(logged_in, clock, settings):
    settings.SESSION_IDLE_MINUTES = 5
    settings.SESSION_COOKIE_AGE = 24 * 3600
    clock.advance(6)
    response = logged_in.get("/")
    assert response["Location"].startswith("/accounts/login/?notice=expired")
    assert "after 5 minutes" in logged_in.get(response["Location"]).content.decode()


def test_it_writes_nothing_when_a_post_arrives_after_expiry(logged_in, clock):
    clock.advance(31)
    events = AuditEvent.objects.count()
    response = logged_in.post("/accounts/profile/", {"form": "profile", "full_name": "Changed", "language": "en"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?notice=expired")
    assert AuditEvent.objects.count() == events


def test_it_answers_401_on_the_api_after_expiry(logged_in, clock, settings):
    settings.SESSION_COOKIE_AGE = 24 * 3600
    logged_in.get("/")
    clock.advance(31)
    response = logged_in.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "session_expired"
