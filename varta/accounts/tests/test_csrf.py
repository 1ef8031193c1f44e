"""CSRF: a missing or forged token is refused with 403 and a translated page, and nothing is written."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from conftest import PASSWORD
from varta.accounts.models import LoginAttempt, User
from varta.accounts.permissions import Role
from varta.accounts.tests.helpers import is_logged_in, nothing_written
from varta.orgs.models import Membership

MESSAGE = ("The form could not be accepted because its security token is missing or out of date. "
           "Go back, reload the page and try again.")


def _token(client: Client, path: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(path).content.decode())
    assert match
    return match.group(1)


@pytest.fixture
def strict(db) -> Client:
    return Client(enforce_csrf_checks=True)


def test_it_refuses_a_login_without_token(strict, personas):
    with nothing_written(LoginAttempt):
        response = strict.post("/accounts/login/", {"username": personas.a.user(Role.TASKFORCE_COORDINATOR).username,
                                                    "password": PASSWORD})
    assert response.status_code == 403
    assert MESSAGE in response.content.decode()
    assert not is_logged_in(strict)


def test_it_refuses_a_forged_token(strict, personas):
    strict.get("/accounts/login/")
    forged = "x" * 64
    response = strict.post("/accounts/login/", {"username": personas.a.user(Role.TASKFORCE_COORDINATOR).username,
                                                "password": PASSWORD, "csrfmiddlewaretoken": forged})
    assert response.status_code == 403
    assert not is_logged_in(strict)


def test_it_refuses_a_token_without_its_cookie(strict, personas):
    token = _token(strict, "/accounts/login/")
    fresh = Client(enforce_csrf_checks=True)
    response = fresh.post("/accounts/login/", {"username": personas.a.user(Role.TASKFORCE_COORDINATOR).username,
                                               "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 403


def test_it_accepts_the_token_of_the_form(strict, personas):
    token = _token(strict, "/accounts/login/")
    response = strict.post("/accounts/login/", {"username": personas.a.user(Role.TASKFORCE_COORDINATOR).username,
                                                "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert is_logged_in(strict)


def test_it_answers_in_the_users_language(strict, db):
    response = strict.post("/accounts/login/", {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == 403
    content = response.content.decode()
    assert '<html lang="uk">' in content
    with translation.override("uk"):
        assert translation.gettext(MESSAGE) in content


def test_it_writes_nothing_for_a_forged_form_of_a_logged_in_user(strict, personas, login_as):
    login_as(personas.a.user(Role.ORG_ADMIN), strict)
    data = {"username": "newcomer", "full_name": "New Comer", "role": Role.CASE_WORKER.value,
            "password": "a perfectly long password 9", "csrfmiddlewaretoken": "forged" * 8}
    with nothing_written(User, Membership):
        response = strict.post("/organisations/mine/members/new/", data)
    assert response.status_code == 403
    assert MESSAGE in response.content.decode()


def test_it_refuses_a_logout_without_token(strict, personas, login_as):
    login_as(personas.a.user(Role.TASKFORCE_COORDINATOR), strict)
    assert strict.post("/accounts/logout/").status_code == 403
    assert is_logged_in(strict)


def test_it_keeps_the_csrf_and_session_cookies_away_from_scripts_and_plain_http():
    from varta import settings as production

    assert production.CSRF_COOKIE_HTTPONLY is True
    assert production.SESSION_COOKIE_HTTPONLY is True
    assert production.CSRF_COOKIE_SECURE is production.HTTPS
    assert production.SESSION_COOKIE_SECURE is production.HTTPS
    assert production.CSRF_FAILURE_VIEW == "varta.core.views.csrf_failure"
