"""Security headers, the request-body limit, the deploy check and the refusal to start without the data key."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from varta.accounts.models import LoginAttempt
from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.core.keys import new_data_key

# Spelled out (not imported from the middleware) so that loosening the policy fails this test.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
OVER_LIMIT = str(10 * 1024 * 1024 + 1)


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English, whatever language an earlier test left active in this thread."""
    with translation.override("en"):
        yield


def clean_env(**overrides: str) -> dict[str, str]:
    """The current environment without any Varta or database setting, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VARTA_", "DATABASE_URL", "DJANGO_"))}
    env["DJANGO_SETTINGS_MODULE"] = "varta.settings"
    env.update(overrides)
    return env


def test_it_sends_strict_headers_on_pages(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == STRICT_CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_it_sends_strict_headers_on_member_pages_and_api(personas, login_as):
    client = login_as(personas.a.user(Role.CASE_WORKER))
    for url in ("/", "/api/v1/me/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == STRICT_CSP, url
        assert "no-store" in response["Cache-Control"], url
        assert response["X-Frame-Options"] == "DENY", url


def test_it_relaxes_only_styles_on_the_api_docs(personas, login_as):
    client = login_as(personas.a.user(Role.CASE_WORKER))
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy == STRICT_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    assert "script-src 'self';" in policy


def test_it_lets_static_files_be_cached(client, db):
    response = client.get("/static/core/varta.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_sends_hsts_on_https(client, db, settings):
    if not settings.HTTPS:
        pytest.skip("VARTA_HTTPS is false in this environment")
    response = client.get("/accounts/login/", secure=True)
    assert "max-age=31536000" in response["Strict-Transport-Security"]


def too_large_message() -> str:
    return gettext("What you sent is too large: the limit is %(limit)s MB. Go back and choose a smaller file, or "
                   "split it.") % {"limit": 10}


def test_it_refuses_an_oversized_form_with_413_and_writes_nothing(client, personas):
    events = AuditEvent.objects.count()
    attempts = LoginAttempt.objects.count()
    response = client.post("/accounts/login/", {"username": "a_case_worker", "password": "wrong password"},
                           CONTENT_LENGTH=OVER_LIMIT)
    assert response.status_code == 413
    assert too_large_message() in response.content.decode()
    assert AuditEvent.objects.count() == events
    assert LoginAttempt.objects.count() == attempts
    assert "sessionid" not in response.cookies


def test_it_translates_the_oversized_message(client, db):
    response = client.post("/accounts/login/", {"username": "x"}, CONTENT_LENGTH=OVER_LIMIT,
                           HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == 413
    with translation.override("uk"):
        expected = too_large_message()
    body = response.content.decode()
    assert '<html lang="uk">' in body
    assert expected in body


def test_it_refuses_an_oversized_api_body_with_json_413(personas, login_as):
    client = login_as(personas.a.user(Role.ORG_ADMIN))
    events = AuditEvent.objects.count()
    response = client.post("/api/v1/tokens/", data='{"name": "x", "days": 5}', content_type="application/json",
                           CONTENT_LENGTH=OVER_LIMIT)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    detail = gettext("The request is too large: the limit is %(limit)s MB.") % {"limit": 10}
    assert response.json() == {"detail": detail, "code": "request_too_large"}
    assert AuditEvent.objects.count() == events


def test_it_accepts_a_body_under_the_limit(client, db):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "x" * 100_000})
    assert response.status_code == 401


def test_it_passes_the_deploy_check_with_production_settings(tmp_path: Path):
    secret = "".join(secrets.choice(string.ascii_letters + string.digits + "!@#%^&*-_=+") for _ in range(64))
    env = clean_env(VARTA_HTTPS="true", VARTA_DEBUG="false", VARTA_SECRET_KEY=secret,
                    VARTA_ALLOWED_HOSTS="varta.example.org", VARTA_VAR_DIR=str(tmp_path),
                    VARTA_DATA_KEYS=new_data_key())
    result = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_when_the_data_key_is_missing(tmp_path: Path):
    (tmp_path / "varta.sqlite3").write_bytes(b"")
    env = clean_env(VARTA_VAR_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "django", "check"], env=env, capture_output=True, text=True,
                            timeout=120, cwd=tmp_path)
    assert result.returncode != 0
    assert str(tmp_path / "data.key") in result.stderr
    assert "refuses to start" in result.stderr
    assert not (tmp_path / "data.key").exists()
