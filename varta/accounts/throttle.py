"""Throttling of failed logins (password and second factor), with locks that always expire.

Failures are counted over the last LOGIN_FAILURE_WINDOW seconds. A browser that has never completed a login as
the user is limited by three counters:
- the account from this client address: LOGIN_MAX_FAILURES failures lock that pair;
- the account from anywhere: 4 × LOGIN_MAX_FAILURES failures lock the account (slows distributed guessing);
- this client address, any account: LOGIN_MAX_FAILURES_PER_IP failures lock the address (slows spraying).
A browser that *has* completed a login as the user (it carries a signed "known device" cookie naming the user)
is limited only by its own failures: LOGIN_MAX_FAILURES of them. So an attacker hammering an account from
elsewhere locks out only browsers that never logged in as the victim; the victim's usual browser keeps working.

A lock lasts LOGIN_LOCKOUT_SECONDS after the latest counted failure, then lifts by itself; attempts refused during
a lock are not counted, so a lock cannot be extended by hammering it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from varta.accounts.models import LoginAttempt

DEVICE_COOKIE = "varta_device"
DEVICE_COOKIE_MAX_AGE = 180 * 24 * 3600
DEVICE_COOKIE_USERS = 8  # a shared desk computer remembers this many users
_DEVICE_SALT = "varta.accounts.throttle.device"


def username_key(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()


def _recent(now: datetime) -> QuerySet[LoginAttempt]:
    return LoginAttempt.objects.filter(at__gt=now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW))


def _lifted_at(qs: QuerySet[LoginAttempt], max_failures: int) -> datetime | None:
    """When a lock from this counter lifts, if it holds ``max_failures`` failures."""
    times = list(qs.order_by("-at").values_list("at", flat=True)[:max_failures])
    if len(times) < max_failures:
        return None
    return times[0] + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def locked_until(username: str, client_ip: str | None, *, device: str = "",
                 now: datetime | None = None) -> datetime | None:
    """When the lock on this login lifts, or None if it may be tried now.

    ``device`` is the id from ``trusted_device`` (empty for a browser that never logged in as this user).
    """
    now = now or timezone.now()
    recent = _recent(now)
    key = username_key(username)
    limit = settings.LOGIN_MAX_FAILURES
    if device:
        counters = [(recent.filter(username_key=key, device=device), limit)]
    else:
        counters = [
            (recent.filter(username_key=key, client_ip=client_ip), limit),
            (recent.filter(username_key=key), 4 * limit),
        ]
        if client_ip:
            counters.append((recent.filter(client_ip=client_ip), settings.LOGIN_MAX_FAILURES_PER_IP))
    until: datetime | None = None
    for qs, max_failures in counters:
        lifted = _lifted_at(qs, max_failures)
        if lifted is not None and lifted > now and (until is None or lifted > until):
            until = lifted
    return until


def record_failure(username: str, client_ip: str | None, *, device: str = "", now: datetime | None = None) -> None:
    now = now or timezone.now()
    LoginAttempt.objects.create(username_key=username_key(username), client_ip=client_ip, device=device, at=now)
    # Old attempts serve no purpose and would only grow the table.
    horizon = max(settings.LOGIN_FAILURE_WINDOW, settings.LOGIN_LOCKOUT_SECONDS)
    LoginAttempt.objects.filter(at__lt=now - timedelta(seconds=2 * horizon)).delete()


def clear_failures(username: str, client_ip: str | None, *, device: str = "") -> None:
    """After a successful login: forget this browser's failures (not those made elsewhere)."""
    mine = LoginAttempt.objects.filter(username_key=username_key(username))
    mine.filter(client_ip=client_ip, device="").delete()
    if device:
        mine.filter(device=device).delete()


# --- Known devices ----------------------------------------------------------------------------------------


def _device_entries(request: HttpRequest) -> dict[str, str]:
    """The signed cookie: ``<user key>_<device id>`` pairs joined by dots (hex only, so no cookie quoting)."""
    raw = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=_DEVICE_SALT, max_age=DEVICE_COOKIE_MAX_AGE)
    entries: dict[str, str] = {}
    for pair in (raw or "").split("."):
        user, _, device = pair.partition("_")
        if user and device and len(device) <= 32:
            entries[user] = device
    return entries


def trusted_device(request: HttpRequest, username: str) -> str:
    """This browser's device id if it has completed a login as ``username`` before, else ''."""
    return _device_entries(request).get(username_key(username)[:16], "")


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> str:
    """Mark this browser as one that completed a login as ``username`` (a signed, http-only cookie)."""
    entries = _device_entries(request)
    short = username_key(username)[:16]
    device = entries.pop(short, "") or secrets.token_hex(8)
    entries[short] = device  # newest last: the oldest users drop out first
    kept = dict(list(entries.items())[-DEVICE_COOKIE_USERS:])
    response.set_signed_cookie(DEVICE_COOKIE, ".".join(f"{k}_{v}" for k, v in kept.items()), salt=_DEVICE_SALT,
                               max_age=DEVICE_COOKIE_MAX_AGE, secure=settings.SESSION_COOKIE_SECURE,
                               httponly=True, samesite="Lax")
    return device
