"""One-time recovery codes: logging in with one, each code once, and making new ones."""

from __future__ import annotations

import pytest
from django.test import Client

from varta.accounts import actions
from varta.accounts.models import LoginAttempt, RecoveryCode
from varta.accounts.permissions import Role
from varta.accounts.tests.helpers import enrol, is_logged_in, post_password
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor


@pytest.fixture
def enrolled(personas):
    user = personas.a.user(Role.CASE_SUPERVISOR)
    return user, enrol(user)


def _pending(user) -> Client:
    client = Client()
    assert post_password(client, user.username)["Location"] == "/accounts/login/two-factor/"
    return client


def test_it_shows_the_form_during_a_pending_login(enrolled):
    user, _ = enrolled
    response = _pending(user).get("/accounts/login/recovery/")
    assert response.status_code == 200
    assert b"Each recovery code works once" in response.content


def test_it_logs_in_with_a_recovery_code_and_marks_it_used(enrolled):
    user, factor = enrolled
    client = _pending(user)
    response = client.post("/accounts/login/recovery/", {"code": factor.recovery_codes[0]})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_logged_in(client)
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1
    assert "9 are left" in client.get("/").content.decode()
    assert AuditEvent.objects.filter(action="auth.recovery_code.used").count() == 1


def test_it_accepts_a_code_typed_loosely(enrolled):
    user, factor = enrolled
    loose = factor.recovery_codes[1].upper().replace("-", " ")
    assert _pending(user).post("/accounts/login/recovery/", {"code": loose}).status_code == 302


def test_it_accepts_each_code_once(enrolled):
    user, factor = enrolled
    code = factor.recovery_codes[2]
    assert _pending(user).post("/accounts/login/recovery/", {"code": code}).status_code == 302
    second = _pending(user)
    events = AuditEvent.objects.exclude(action="auth.recovery_code_failed").count()
    response = second.post("/accounts/login/recovery/", {"code": code})
    assert response.status_code == 401
    assert "That recovery code is wrong or already used." in response.content.decode()
    assert not is_logged_in(second)
    assert AuditEvent.objects.exclude(action="auth.recovery_code_failed").count() == events


def test_it_refuses_a_wrong_code_and_counts_the_failure(enrolled):
    user, _ = enrolled
    client = _pending(user)
    response = client.post("/accounts/login/recovery/", {"code": "aaaaa-bbbbb"})
    assert response.status_code == 401
    assert not is_logged_in(client)
    assert LoginAttempt.objects.count() == 1
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 0


def test_it_refuses_an_empty_code_with_400(enrolled):
    user, _ = enrolled
    assert _pending(user).post("/accounts/login/recovery/", {"code": ""}).status_code == 400


def test_it_needs_a_pending_login(client, enrolled):
    _, factor = enrolled
    response = client.post("/accounts/login/recovery/", {"code": factor.recovery_codes[0]})
    assert response["Location"] == "/accounts/login/?notice=timeout"
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 0


def test_it_makes_new_codes_from_the_account_page_and_retires_the_old(client, enrolled, login_as):
    user, factor = enrolled
    login_as(user)
    response = client.post("/accounts/two-factor/recovery-codes/")
    assert response.status_code == 200
    assert RecoveryCode.objects.filter(user=user).count() == 10
    # The old codes no longer work.
    assert not actions.recovery_code_use(actor=Actor.system(), user=user, code=factor.recovery_codes[3])


def test_it_sends_a_user_without_device_to_enrolment_instead_of_making_codes(client, personas, login_as):
    login_as(personas.a.user(Role.TASKFORCE_COORDINATOR))
    assert client.post("/accounts/two-factor/recovery-codes/")["Location"] == "/accounts/two-factor/enrol/"
    assert RecoveryCode.objects.count() == 0


def test_it_stores_only_hashes_of_the_codes(enrolled):
    user, factor = enrolled
    hashes = list(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert all(code not in h for code in factor.recovery_codes for h in hashes)
