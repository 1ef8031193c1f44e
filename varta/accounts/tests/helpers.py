"""Helpers for the login-security tests (and the organisation tests): enrolment, codes, "nothing written"."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyotp
from django.db import models
from django.test import Client

from conftest import PASSWORD
from varta.accounts import actions
from varta.accounts.models import TotpDevice, User
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor


@dataclass
class Enrolled:
    secret: str
    recovery_codes: list[str]

    def code(self, steps: int = 0) -> str:
        """The code of the current 30-second step, or ``steps`` steps away from it."""
        return pyotp.TOTP(self.secret).at(time.time() + 30 * steps)


def enrol(user: User) -> Enrolled:
    """Give ``user`` a confirmed authenticator, through the actions (as the enrolment page does)."""
    actor = Actor(user=user, organisation=None)
    device = actions.totp_begin_enrolment(actor=actor, user=user)
    secret = device.secret
    # Confirm with the previous step's code so the current step stays free for the test's own login.
    codes = actions.totp_confirm_enrolment(actor=actor, device=device, code=pyotp.TOTP(secret).at(time.time() - 30))
    assert codes
    return Enrolled(secret=secret, recovery_codes=codes)


def device_of(user: User) -> TotpDevice:
    return TotpDevice.objects.get(user=user)


def post_password(client: Client, username: str, password: str = PASSWORD, next_url: str = "") -> Any:
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@contextmanager
def nothing_written(*tables: type[models.Model]) -> Iterator[None]:
    """Assert that the block adds no row to ``tables`` and no audit event."""
    before = [m._default_manager.count() for m in tables]
    events = AuditEvent.objects.count()
    yield
    assert [m._default_manager.count() for m in tables] == before, "a row was written"
    assert AuditEvent.objects.count() == events, "an audit event was written"
