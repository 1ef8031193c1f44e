"""Two-factor login in a real browser: enrolment on first login, then password + TOTP code on the next."""

from __future__ import annotations

import time

import pyotp
import pytest
from selenium.webdriver.common.by import By

from conftest import PASSWORD
from tests.browser.conftest import submit_and_wait
from varta.accounts import actions
from varta.accounts.permissions import Role
from varta.audit.writes import Actor

pytestmark = pytest.mark.browser


def log_in_with_password(browser, live_server, username: str) -> None:
    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.ID, "id_username").send_keys(username)
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    submit_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))


def submit_code(browser, code: str) -> None:
    field = browser.find_element(By.ID, "id_code")
    field.clear()
    field.send_keys(code)
    submit_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))


def wrong_code(secret: str) -> str:
    """A six-digit code that is not valid at any step the server accepts now."""
    totp = pyotp.TOTP(secret)
    valid = {totp.at(time.time() + offset) for offset in (-60, -30, 0, 30, 60)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444", "555555") if code not in valid)


def test_it_enrols_a_case_worker_at_first_login_and_reaches_home(browser, live_server, personas, screenshot):
    user = personas.a.user(Role.CASE_WORKER)

    log_in_with_password(browser, live_server, user.username)

    # A case worker sees personal data, so the first login goes to the authenticator set-up page.
    assert browser.current_url.endswith("/accounts/two-factor/enrol/")
    secret = browser.find_element(By.ID, "totp-secret").text.strip()
    assert len(secret) >= 16
    assert browser.find_element(By.CSS_SELECTOR, ".qr svg").is_displayed()
    screenshot("enrolment")

    submit_code(browser, pyotp.TOTP(secret).now())

    codes = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#recovery-codes li")]
    assert len(codes) == 10
    assert all(len(code) == 11 and code[5] == "-" for code in codes)
    screenshot("recovery-codes")

    submit_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "main a.button"))

    assert browser.current_url == f"{live_server.url}/"
    assert "Welcome" in browser.find_element(By.TAG_NAME, "h1").text
    assert "Alpha Aid" in browser.find_element(By.TAG_NAME, "main").text
    screenshot("home")


def test_it_logs_in_an_enrolled_user_with_password_and_code(browser, live_server, personas, screenshot):
    user = personas.a.user(Role.CASE_WORKER)
    actor = Actor(user=user, organisation=personas.a.organisation)
    device = actions.totp_begin_enrolment(actor=actor, user=user)
    totp = pyotp.TOTP(device.secret)
    assert actions.totp_confirm_enrolment(actor=actor, device=device, code=totp.now())

    log_in_with_password(browser, live_server, user.username)
    assert browser.current_url.endswith("/accounts/login/two-factor/")
    screenshot("two-factor")

    # The code of the enrolment step is spent; the next step's code is accepted (one step of clock drift).
    submit_code(browser, totp.at(time.time() + totp.interval))

    assert browser.current_url == f"{live_server.url}/"
    assert "Welcome" in browser.find_element(By.TAG_NAME, "h1").text


def test_it_shows_an_error_for_a_wrong_code_and_accepts_the_right_one(browser, live_server, personas):
    user = personas.a.user(Role.CASE_SUPERVISOR)
    actor = Actor(user=user, organisation=personas.a.organisation)
    device = actions.totp_begin_enrolment(actor=actor, user=user)
    totp = pyotp.TOTP(device.secret)
    assert actions.totp_confirm_enrolment(actor=actor, device=device, code=totp.now())
    log_in_with_password(browser, live_server, user.username)

    submit_code(browser, wrong_code(device.secret))

    assert browser.current_url.endswith("/accounts/login/two-factor/")
    error = browser.find_element(By.CSS_SELECTOR, "main [role=alert]")
    assert "wrong" in error.text
    assert browser.find_element(By.TAG_NAME, "h1").text != ""

    submit_code(browser, totp.at(time.time() + totp.interval))

    assert browser.current_url == f"{live_server.url}/"
    assert "Welcome" in browser.find_element(By.TAG_NAME, "h1").text
