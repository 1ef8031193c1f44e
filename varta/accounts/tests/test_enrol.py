"""Setting up the authenticator: at the first login of a role that needs it, or later from the account page."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.test import Client

from varta.accounts.models import RecoveryCode, TotpDevice
from varta.accounts.permissions import Role
from varta.accounts.tests.helpers import device_of, enrol, is_logged_in, post_password
from varta.audit.models import AuditEvent


@pytest.fixture
def must_enrol(client, personas):
    """A hotline operator (personal data) without an authenticator, after the password step."""
    user = personas.a.user(Role.HOTLINE_OPERATOR)
    assert post_password(client, user.username, next_url="/organisations/mine/")["Location"] == \
        "/accounts/two-factor/enrol/"
    return user


def _shown_secret(response) -> str:
    content = response.content.decode()
    start = content.index('id="totp-secret">') + len('id="totp-secret">')
    return content[start:content.index("<", start)]


def test_it_shows_a_qr_code_and_the_key(client, must_enrol):
    response = client.get("/accounts/two-factor/enrol/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<svg" in content
    assert "Your role gives access to personal data" in content
    secret = _shown_secret(response)
    assert secret == device_of(must_enrol).secret
    assert device_of(must_enrol).confirmed_at is None
    assert not is_logged_in(client)


def test_it_cannot_be_skipped(client, must_enrol):
    client.get("/accounts/two-factor/enrol/")
    for path in ("/", "/accounts/profile/", "/organisations/mine/", "/accounts/two-factor/enrol/done/"):
        assert client.get(path)["Location"].startswith("/accounts/login/"), path
    # Nor by asking for the code page: there is no device to check a code against.
    assert client.get("/accounts/login/two-factor/")["Location"] == "/accounts/two-factor/enrol/"
    assert client.post("/accounts/login/two-factor/", {"code": "123456"})["Location"] == \
        "/accounts/two-factor/enrol/"
    assert client.get("/accounts/login/recovery/")["Location"] == "/accounts/two-factor/enrol/"
    assert not is_logged_in(client)


def test_it_refuses_a_wrong_first_code_and_confirms_nothing(client, must_enrol):
    secret = _shown_secret(client.get("/accounts/two-factor/enrol/"))
    totp = pyotp.TOTP(secret)
    valid = {totp.at(time.time() + 30 * s) for s in (-1, 0, 1)}
    wrong = next(c for c in ("000000", "111111", "222222") if c not in valid)
    events = AuditEvent.objects.count()
    response = client.post("/accounts/two-factor/enrol/", {"code": wrong})
    assert response.status_code == 400
    assert "That code is wrong." in response.content.decode()
    assert device_of(must_enrol).confirmed_at is None
    assert _shown_secret(response) == secret  # the same key, so the app set up already still works
    assert RecoveryCode.objects.count() == 0
    assert AuditEvent.objects.count() == events
    assert not is_logged_in(client)


def test_it_completes_the_login_and_shows_the_recovery_codes_once(client, must_enrol):
    secret = _shown_secret(client.get("/accounts/two-factor/enrol/"))
    response = client.post("/accounts/two-factor/enrol/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    assert is_logged_in(client)
    assert client.session["varta_two_factor"] is True
    listing = re.search(r'<ul class="codes" id="recovery-codes">(.*?)</ul>', response.content.decode())
    assert listing
    codes = re.findall(r"<li>([a-z0-9-]+)</li>", listing.group(1))
    assert len(codes) == 10
    assert all(re.fullmatch(r"[a-z0-9]{5}-[a-z0-9]{5}", c) for c in codes)
    assert RecoveryCode.objects.filter(user=must_enrol).count() == 10
    assert device_of(must_enrol).confirmed_at is not None
    # Continue goes where the login was going.
    done = client.get("/accounts/two-factor/enrol/done/")
    assert done["Location"] == "/organisations/mine/"
    assert client.get("/accounts/two-factor/enrol/done/")["Location"] == "/"


def test_it_shows_a_new_key_each_time_the_page_is_opened(client, must_enrol):
    first = _shown_secret(client.get("/accounts/two-factor/enrol/"))
    second = _shown_secret(client.get("/accounts/two-factor/enrol/"))
    assert first != second
    assert device_of(must_enrol).secret == second
    # A code from the first key no longer confirms anything.
    assert client.post("/accounts/two-factor/enrol/", {"code": pyotp.TOTP(first).now()}).status_code == 400


def test_it_asks_the_code_at_the_next_login(client, must_enrol):
    secret = _shown_secret(client.get("/accounts/two-factor/enrol/"))
    client.post("/accounts/two-factor/enrol/", {"code": pyotp.TOTP(secret).now()})
    other = Client()
    assert post_password(other, must_enrol.username)["Location"] == "/accounts/login/two-factor/"


def test_it_lets_a_logged_in_user_set_up_two_factors_from_the_account_page(client, personas, login_as):
    user = personas.a.user(Role.TASKFORCE_COORDINATOR)
    login_as(user)
    assert b"Set up two-factor login" in client.get("/accounts/profile/").content
    response = client.get("/accounts/two-factor/enrol/")
    assert response.status_code == 200
    assert "Your role gives access to personal data" not in response.content.decode()
    secret = _shown_secret(response)
    response = client.post("/accounts/two-factor/enrol/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    assert b'href="/accounts/profile/"' in response.content
    assert TotpDevice.objects.get(user=user).confirmed_at is not None
    # Once set up, the enrolment page does not replace the device.
    assert client.get("/accounts/two-factor/enrol/")["Location"] == "/accounts/profile/"
    assert b"Make new recovery codes" in client.get("/accounts/profile/").content


def test_it_never_replaces_a_confirmed_device(client, personas, login_as):
    user = personas.a.user(Role.CASE_WORKER)
    factor = enrol(user)
    login_as(user)
    client.post("/accounts/two-factor/enrol/", {"code": "123456"})
    assert device_of(user).secret == factor.secret


def test_it_sends_a_client_without_pending_login_back_to_login(client, db):
    assert client.get("/accounts/two-factor/enrol/")["Location"] == "/accounts/login/?notice=timeout"
