"""Failed-login throttling: the three counters, locks that expire, and a victim's own browser never locked out."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from varta.accounts import throttle
from varta.accounts.models import LoginAttempt
from varta.accounts.permissions import Role
from varta.accounts.tests.helpers import enrol, is_logged_in, post_password

COORDINATOR = Role.TASKFORCE_COORDINATOR
WRONG = "certainly not the password"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_FAILURE_WINDOW = 600
    settings.LOGIN_LOCKOUT_SECONDS = 300
    settings.LOGIN_MAX_FAILURES_PER_IP = 10


@pytest.fixture
def clock(monkeypatch):
    """A settable clock for django.utils.timezone.now (no sleeping)."""

    class Clock:
        now = timezone.now()

        def advance(self, seconds: float) -> None:
            self.now += timedelta(seconds=seconds)

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


def _fail(username: str, ip: str | None, at: datetime, device: str = "") -> None:
    throttle.record_failure(username, ip, device=device, now=at)


# --- The counters, with explicit times ----------------------------------------------------------------------


def test_it_locks_an_account_from_one_address_after_max_failures(db):
    t0 = timezone.now()
    for i in range(2):
        _fail("ana", "10.0.0.1", t0 + timedelta(seconds=i))
    assert throttle.locked_until("ana", "10.0.0.1", now=t0 + timedelta(seconds=3)) is None
    _fail("ana", "10.0.0.1", t0 + timedelta(seconds=2))
    until = throttle.locked_until("ana", "10.0.0.1", now=t0 + timedelta(seconds=3))
    assert until == t0 + timedelta(seconds=2 + 300)
    # Another address is not locked by three failures.
    assert throttle.locked_until("ana", "10.0.0.2", now=t0 + timedelta(seconds=3)) is None


def test_it_lifts_the_lock_by_itself(db):
    t0 = timezone.now()
    for i in range(3):
        _fail("ana", "10.0.0.1", t0 + timedelta(seconds=i))
    assert throttle.locked_until("ana", "10.0.0.1", now=t0 + timedelta(seconds=301)) is not None
    assert throttle.locked_until("ana", "10.0.0.1", now=t0 + timedelta(seconds=303)) is None


def test_it_ignores_the_username_case_and_spaces(db):
    t0 = timezone.now()
    for i, name in enumerate(["Ana", " ana", "ANA "]):
        _fail(name, "10.0.0.1", t0 + timedelta(seconds=i))
    assert throttle.locked_until("ana", "10.0.0.1", now=t0 + timedelta(seconds=4)) is not None


def test_it_forgets_failures_older_than_the_window(db):
    t0 = timezone.now()
    for i in range(2):
        _fail("ana", "10.0.0.1", t0 + timedelta(seconds=i))
    _fail("ana", "10.0.0.1", t0 + timedelta(seconds=700))
    assert throttle.locked_until("ana", "10.0.0.1", now=t0 + timedelta(seconds=701)) is None


def test_it_locks_an_account_tried_from_many_addresses(db):
    t0 = timezone.now()
    for i in range(11):  # 4 × 3 = 12 failures lock the account everywhere
        _fail("ana", f"10.0.1.{i}", t0 + timedelta(seconds=i))
    assert throttle.locked_until("ana", "10.9.9.9", now=t0 + timedelta(seconds=12)) is None
    _fail("ana", "10.0.1.99", t0 + timedelta(seconds=11))
    assert throttle.locked_until("ana", "10.9.9.9", now=t0 + timedelta(seconds=12)) is not None


def test_it_locks_an_address_spraying_many_accounts(db):
    t0 = timezone.now()
    for i in range(10):
        _fail(f"user{i}", "10.0.0.66", t0 + timedelta(seconds=i))
    assert throttle.locked_until("someone-else", "10.0.0.66", now=t0 + timedelta(seconds=11)) is not None
    assert throttle.locked_until("someone-else", "10.0.0.67", now=t0 + timedelta(seconds=11)) is None


def test_it_exempts_a_known_device_from_failures_made_elsewhere(db):
    t0 = timezone.now()
    for i in range(12):
        _fail("ana", f"10.0.1.{i}", t0 + timedelta(seconds=i))
    for i in range(10):
        _fail(f"user{i}", "10.0.0.5", t0 + timedelta(seconds=i))
    now = t0 + timedelta(seconds=20)
    assert throttle.locked_until("ana", "10.0.0.5", now=now) is not None
    assert throttle.locked_until("ana", "10.0.0.5", device="d1", now=now) is None
    # …but its own failures count.
    for i in range(3):
        _fail("ana", "10.0.0.5", now + timedelta(seconds=i), device="d1")
    assert throttle.locked_until("ana", "10.0.0.5", device="d1", now=now + timedelta(seconds=4)) is not None


def test_it_clears_only_this_browsers_failures_after_a_login(db):
    t0 = timezone.now()
    _fail("ana", "10.0.0.1", t0)
    _fail("ana", "10.0.0.2", t0)
    throttle.clear_failures("ana", "10.0.0.1")
    assert list(LoginAttempt.objects.values_list("client_ip", flat=True)) == ["10.0.0.2"]


def test_it_prunes_old_attempts(db):
    t0 = timezone.now()
    _fail("ana", "10.0.0.1", t0)
    _fail("bob", "10.0.0.1", t0 + timedelta(seconds=1300))
    assert LoginAttempt.objects.count() == 1


# --- Through the login page -----------------------------------------------------------------------------------


def test_it_answers_429_once_locked_even_with_the_right_password(client, personas, clock):
    user = personas.a.user(COORDINATOR)
    for _ in range(3):
        assert post_password(client, user.username, WRONG).status_code == 401
    response = post_password(client, user.username)
    assert response.status_code == 429
    assert "Too many failed attempts. Try again after" in response.content.decode()
    assert not is_logged_in(client)


def test_it_does_not_count_attempts_refused_during_a_lock(client, personas, clock):
    user = personas.a.user(COORDINATOR)
    for _ in range(3):
        post_password(client, user.username, WRONG)
    for _ in range(5):
        assert post_password(client, user.username, WRONG).status_code == 429
    assert LoginAttempt.objects.count() == 3


def test_it_lets_the_user_in_once_the_lock_expires(client, personas, clock):
    user = personas.a.user(COORDINATOR)
    for _ in range(3):
        post_password(client, user.username, WRONG)
    clock.advance(301)
    response = post_password(client, user.username)
    assert response.status_code == 302
    assert is_logged_in(client)
    assert LoginAttempt.objects.count() == 0  # this browser's failures are forgotten after the login


def test_it_counts_wrong_codes_at_the_second_step(client, personas, clock):
    user = personas.a.user(Role.CASE_WORKER)
    factor = enrol(user)
    post_password(client, user.username)
    valid = {factor.code(s) for s in (-1, 0, 1)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)
    for _ in range(3):
        assert client.post("/accounts/login/two-factor/", {"code": wrong}).status_code == 401
    response = client.post("/accounts/login/two-factor/", {"code": factor.code()})
    assert response.status_code == 429
    assert not is_logged_in(client)
    assert client.post("/accounts/login/recovery/", {"code": factor.recovery_codes[0]}).status_code == 429
    clock.advance(301)
    assert client.post("/accounts/login/two-factor/", {"code": factor.code()}).status_code == 302


def test_it_keeps_the_victims_own_browser_working_while_an_attacker_hammers_the_account(personas, clock):
    user = personas.a.user(COORDINATOR)
    victim = Client(REMOTE_ADDR="192.0.2.10")
    assert post_password(victim, user.username).status_code == 302
    assert throttle.DEVICE_COOKIE in victim.cookies
    victim.post("/accounts/logout/")

    # An attacker, from many addresses (and from the victim's own office address), fails again and again.
    for i in range(12):
        post_password(Client(REMOTE_ADDR=f"198.51.100.{i}"), user.username, WRONG)
    for _ in range(3):
        post_password(Client(REMOTE_ADDR="192.0.2.10"), user.username, WRONG)
    for i in range(10):
        post_password(Client(REMOTE_ADDR="192.0.2.10"), f"sprayed{i}", WRONG)
    assert post_password(Client(REMOTE_ADDR="203.0.113.1"), user.username).status_code == 429
    assert post_password(Client(REMOTE_ADDR="192.0.2.10"), user.username).status_code == 429

    # The victim's browser, which logged in as them before, still gets in.
    response = post_password(victim, user.username)
    assert response.status_code == 302
    assert is_logged_in(victim)


def test_it_does_not_trust_a_device_cookie_of_another_user(personas, clock):
    ana, bob = personas.a.user(COORDINATOR), personas.b.user(COORDINATOR)
    browser = Client()
    assert post_password(browser, ana.username).status_code == 302
    browser.post("/accounts/logout/")
    for i in range(12):
        post_password(Client(REMOTE_ADDR=f"198.51.100.{i}"), bob.username, WRONG)
    assert post_password(browser, bob.username).status_code == 429


def test_it_ignores_a_forged_device_cookie(personas, clock):
    user = personas.a.user(COORDINATOR)
    for i in range(12):
        post_password(Client(REMOTE_ADDR=f"198.51.100.{i}"), user.username, WRONG)
    forged = Client()
    forged.cookies[throttle.DEVICE_COOKIE] = f"{throttle.username_key(user.username)[:16]}_abc"
    assert post_password(forged, user.username).status_code == 429


def test_it_remembers_several_users_on_a_shared_computer(personas, clock):
    desk = Client()
    users = [personas.a.user(COORDINATOR), personas.b.user(COORDINATOR)]
    for user in users:
        assert post_password(desk, user.username).status_code == 302
        desk.post("/accounts/logout/")
    cookie = desk.cookies[throttle.DEVICE_COOKIE]
    assert '"' not in cookie.coded_value  # plain characters, no quoting needed
    for user in users:
        for i in range(12):
            post_password(Client(REMOTE_ADDR=f"198.51.100.{i}"), user.username, WRONG)
        assert post_password(desk, user.username).status_code == 302
        desk.post("/accounts/logout/")
