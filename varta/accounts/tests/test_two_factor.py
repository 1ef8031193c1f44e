"""The second step of a login: the TOTP code, and the pending state before it."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from varta.accounts import twofactor
from varta.accounts.models import LoginAttempt, TotpDevice
from varta.accounts.permissions import Role
from varta.accounts.tests.helpers import device_of, enrol, is_logged_in, post_password
from varta.accounts.views import PENDING_SECONDS
from varta.audit.models import AuditEvent


@pytest.fixture
def enrolled(personas):
    user = personas.a.user(Role.CASE_WORKER)
    return user, enrol(user)


@pytest.fixture
def pending(client, enrolled):
    """A client whose password was accepted; the second factor is outstanding."""
    user, _ = enrolled
    assert post_password(client, user.username)["Location"] == "/accounts/login/two-factor/"
    return client


def test_it_shows_the_code_form(pending):
    response = pending.get("/accounts/login/two-factor/")
    assert response.status_code == 200
    assert b'autocomplete="one-time-code"' in response.content


def test_it_logs_in_with_the_current_code(pending, enrolled):
    user, factor = enrolled
    response = pending.post("/accounts/login/two-factor/", {"code": factor.code()})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_logged_in(pending)
    assert pending.session["varta_two_factor"] is True
    assert pending.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", object_id=str(user.pk)).exists()


def test_it_accepts_spaces_in_the_code(pending, enrolled):
    _, factor = enrolled
    code = factor.code()
    assert pending.post("/accounts/login/two-factor/", {"code": f"{code[:3]} {code[3:]}"}).status_code == 302


def test_it_accepts_the_next_step_for_clock_drift(pending, enrolled):
    _, factor = enrolled
    assert pending.post("/accounts/login/two-factor/", {"code": factor.code(1)}).status_code == 302


def test_it_follows_the_next_given_at_the_password_step(client, enrolled):
    user, factor = enrolled
    post_password(client, user.username, next_url="/organisations/mine/")
    assert client.post("/accounts/login/two-factor/", {"code": factor.code()})["Location"] == "/organisations/mine/"


def test_it_cycles_the_session_key_at_both_steps(client, enrolled):
    user, factor = enrolled
    client.get("/accounts/login/")
    session = client.session
    session["probe"] = 1
    session.save()
    first = session.session_key
    post_password(client, user.username)
    second = client.session.session_key
    client.post("/accounts/login/two-factor/", {"code": factor.code()})
    third = client.session.session_key
    assert len({first, second, third}) == 3
    assert is_logged_in(client)


def test_it_refuses_a_wrong_code_with_401_and_changes_nothing(pending, enrolled):
    user, factor = enrolled
    valid = {factor.code(s) for s in (-1, 0, 1)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)
    device = device_of(user)
    response = pending.post("/accounts/login/two-factor/", {"code": wrong})
    assert response.status_code == 401
    assert "That code is wrong, expired or already used." in response.content.decode()
    assert not is_logged_in(pending)
    assert device_of(user).last_used_step == device.last_used_step
    assert LoginAttempt.objects.count() == 1
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_it_refuses_a_code_used_once_already(enrolled):
    user, factor = enrolled
    code = factor.code()
    first = Client()
    post_password(first, user.username)
    assert first.post("/accounts/login/two-factor/", {"code": code}).status_code == 302
    second = Client()
    post_password(second, user.username)
    step = device_of(user).last_used_step
    response = second.post("/accounts/login/two-factor/", {"code": code})
    assert response.status_code == 401
    assert not is_logged_in(second)
    assert device_of(user).last_used_step == step


def test_it_refuses_a_code_of_an_older_step_after_a_newer_one(enrolled):
    user, factor = enrolled
    first = Client()
    post_password(first, user.username)
    assert first.post("/accounts/login/two-factor/", {"code": factor.code(1)}).status_code == 302
    second = Client()
    post_password(second, user.username)
    # The current step's code is still within the drift window, but older than the step just used.
    assert second.post("/accounts/login/two-factor/", {"code": factor.code()}).status_code == 401
    assert not is_logged_in(second)


def test_it_refuses_codes_outside_the_drift_window(pending, enrolled):
    _, factor = enrolled
    assert pending.post("/accounts/login/two-factor/", {"code": factor.code(-3)}).status_code == 401
    assert pending.post("/accounts/login/two-factor/", {"code": factor.code(3)}).status_code == 401


@pytest.mark.parametrize("code", ["", "12345", "abcdef"])
def test_it_refuses_malformed_codes(pending, code):
    response = pending.post("/accounts/login/two-factor/", {"code": code})
    assert response.status_code in (400, 401)
    assert not is_logged_in(pending)


def test_it_keeps_the_pending_login_away_from_every_page(pending):
    for path in ("/", "/accounts/profile/", "/accounts/tokens/", "/organisations/mine/",
                 "/accounts/two-factor/enrol/done/"):
        response = pending.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path
    assert pending.get("/api/v1/me/").status_code == 401
    assert pending.post("/accounts/logout/").status_code == 302
    assert not is_logged_in(pending)


def test_it_does_not_let_enrolment_complete_a_login_for_an_enrolled_user(pending):
    # An enrolled user's pending login may not be finished by the enrolment pages (no second factor given).
    assert pending.get("/accounts/two-factor/enrol/")["Location"] == "/accounts/login/two-factor/"
    response = pending.post("/accounts/two-factor/enrol/", {"code": "123456"})
    assert response["Location"] == "/accounts/login/two-factor/"
    pending.get("/accounts/two-factor/enrol/done/")
    assert not is_logged_in(pending)


def test_it_drops_the_pending_login_after_its_time(pending, enrolled, monkeypatch):
    _, factor = enrolled
    later = timezone.now() + timedelta(seconds=PENDING_SECONDS + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = pending.post("/accounts/login/two-factor/", {"code": factor.code()})
    assert response["Location"] == "/accounts/login/?notice=timeout"
    assert not is_logged_in(pending)
    assert "not completed in time" in pending.get(response["Location"]).content.decode()


def test_it_sends_a_client_without_pending_login_back_to_login(client, db):
    assert client.get("/accounts/login/two-factor/")["Location"] == "/accounts/login/?notice=timeout"
    assert client.post("/accounts/login/two-factor/", {"code": "123456"})["Location"].startswith("/accounts/login/")


def test_it_refuses_a_user_deactivated_during_the_pending_login(pending, enrolled):
    from varta.accounts import actions
    from varta.audit.writes import Actor

    user, factor = enrolled
    actions.user_set_active(actor=Actor.system(), user=user, active=False)
    response = pending.post("/accounts/login/two-factor/", {"code": factor.code()})
    assert response.status_code == 302
    assert not is_logged_in(pending)


def test_it_records_the_step_so_the_code_cannot_be_replayed(pending, enrolled):
    user, factor = enrolled
    at = time.time() + 30
    code = factor.code(1)
    pending.post("/accounts/login/two-factor/", {"code": code})
    assert device_of(user).last_used_step == int(at // 30)


def test_it_stores_the_secret_encrypted(enrolled):
    from django.db import connection

    user, factor = enrolled
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice WHERE user_id = %s", [user.pk])
        stored = cursor.fetchone()[0]
    assert factor.secret not in stored
    assert TotpDevice.objects.get(user=user).secret == factor.secret


def test_it_matches_steps_newer_than_the_last_used_only():
    secret = twofactor.new_secret()
    now = 1_000_000 * 30.0
    code = pyotp.TOTP(secret).at(now)
    step = int(now // 30)
    assert twofactor.matching_step(secret, code, after_step=step - 1, at=now) == step
    assert twofactor.matching_step(secret, code, after_step=step, at=now) is None
    older = pyotp.TOTP(secret).at(now - 30)
    assert twofactor.matching_step(secret, older, after_step=step, at=now) is None
    assert twofactor.matching_step(secret, older, after_step=0, at=now) == step - 1
