"""Logs are JSON lines with ids and codes; no query string, no username, no form value ever reaches them."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client, RequestFactory

from varta.accounts.permissions import Role
from varta.core.logging import JsonFormatter

SECRET_NAME = "Петренко Оксана"
SECRET_PASSWORD = "hunter2-Very-Secret"


class JsonLines(logging.Handler):
    """Formats each record as production does, at the moment it is logged (inside the request)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logs():
    handler = JsonLines()
    # django.request does not propagate to the root logger (settings.LOGGING); listen to both.
    loggers = [logging.getLogger(), logging.getLogger("django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: list(handler.lines)
    for logger in loggers:
        logger.removeHandler(handler)


def request_lines(lines: list[str]) -> list[dict[str, object]]:
    return [entry for entry in map(json.loads, lines) if entry["logger"] == "varta.request"]


def test_it_logs_one_json_line_per_request(personas, login_as, logs):
    user = personas.a.user(Role.CASE_WORKER)
    client = login_as(user)
    response = client.get("/", HTTP_X_REQUEST_ID="req-12345678")
    assert response.status_code == 200
    entries = request_lines(logs())
    assert len(entries) == 1
    entry = entries[0]
    assert entry["message"] == "request"
    assert entry["level"] == "INFO"
    assert entry["request_id"] == "req-12345678"
    assert entry["method"] == "GET"
    assert entry["route"] == "core:home"
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], float)
    assert entry["user_id"] == user.pk
    assert "time" in entry


def test_it_never_logs_the_query_string(personas, login_as, logs):
    client = login_as(personas.a.user(Role.CASE_WORKER))
    client.get("/", {"q": SECRET_NAME, "phone": "+380501234567"})
    lines = logs()
    assert request_lines(lines)
    for line in lines:
        assert "Петренко" not in line
        assert "380501234567" not in line
        assert "?" not in json.loads(line).get("path", "")


@pytest.mark.parametrize("username", [SECRET_NAME, "a_case_worker"])
def test_it_never_logs_usernames_or_passwords_from_a_login(client, personas, logs, username):
    response = client.post("/accounts/login/", {"username": username, "password": SECRET_PASSWORD})
    assert response.status_code == 401
    lines = logs()
    assert request_lines(lines)[0]["status"] == 401
    assert request_lines(lines)[0]["user_id"] is None
    for line in lines:
        assert username not in line
        assert json.dumps(username)[1:-1] not in line  # as JSON would escape it
        assert SECRET_PASSWORD not in line


def test_it_logs_no_query_string_when_django_warns(personas, logs):
    """Django's own warnings (here: a CSRF failure) carry the request; the formatter must not print it."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/accounts/login/?username={SECRET_PASSWORD}",
                           {"username": "a_case_worker", "password": SECRET_PASSWORD})
    assert response.status_code == 403
    lines = logs()
    warnings = [json.loads(line) for line in lines if json.loads(line)["logger"] == "django.security.csrf"]
    assert len(warnings) == 1
    assert warnings[0]["request_id"] == response["X-Request-ID"]
    assert warnings[0]["status_code"] == 403
    for line in lines:
        assert SECRET_PASSWORD not in line
        assert "a_case_worker" not in line


def test_it_formats_records_that_carry_a_request():
    request = RequestFactory().get("/persons/", {"name": SECRET_NAME})
    record = logging.makeLogRecord({"name": "django.request", "levelname": "ERROR", "msg": "Internal Server Error: %s",
                                    "args": (request.path,), "request": request, "status_code": 500})
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "Internal Server Error: /persons/"
    assert entry["status_code"] == 500
    assert "request" not in entry
    assert "Петренко" not in json.dumps(entry, ensure_ascii=False)


def test_it_echoes_a_safe_request_id(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-DEF_123.456")
    assert response["X-Request-ID"] == "abc-DEF_123.456"


@pytest.mark.parametrize("unsafe", ["short", "has spaces in it", "<script>alert(1)</script>", "x" * 65,
                                    "line\nbreak-123456", "Петренко-Оксана"])
def test_it_replaces_an_unsafe_request_id(client, db, logs, unsafe):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=unsafe)
    request_id = response["X-Request-ID"]
    assert request_id != unsafe
    assert len(request_id) == 32
    assert int(request_id, 16) >= 0
    assert request_lines(logs())[0]["request_id"] == request_id


def test_it_gives_every_request_its_own_id(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first != second
