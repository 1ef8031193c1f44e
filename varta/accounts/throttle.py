"""Throttling of failed logins, with locks that always expire.

Three counters over the last LOGIN_FAILURE_WINDOW seconds:
- one account from one client address: LOGIN_MAX_FAILURES failures lock that pair;
- one account from anywhere: 4 × LOGIN_MAX_FAILURES failures lock the account (slows distributed guessing);
- one client address: LOGIN_MAX_FAILURES_PER_IP failures lock the address (slows spraying many accounts).
A lock lasts LOGIN_LOCKOUT_SECONDS after the latest failure, then lifts by itself: an attacker can delay a
victim's login but never lock them out for good, and a victim at their usual address is only affected by the
account-wide counter, which needs four times as many failures.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from varta.accounts.models import LoginAttempt


def username_key(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()


def _recent(now: datetime) -> QuerySet[LoginAttempt]:
    return LoginAttempt.objects.filter(at__gte=now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW))


def locked_until(username: str, client_ip: str | None) -> datetime | None:
    """When the lock on this login lifts, or None if it may be tried now."""
    now = timezone.now()
    recent = _recent(now)
    key = username_key(username)
    limit = settings.LOGIN_MAX_FAILURES
    candidates = [
        recent.filter(username_key=key, client_ip=client_ip),
        recent.filter(username_key=key),
        recent.filter(client_ip=client_ip) if client_ip else recent.none(),
    ]
    limits = [limit, 4 * limit, settings.LOGIN_MAX_FAILURES_PER_IP]
    until: datetime | None = None
    for qs, max_failures in zip(candidates, limits, strict=True):
        times = list(qs.order_by("-at").values_list("at", flat=True)[:max_failures])
        if len(times) >= max_failures:
            lifted = times[0] + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
            if lifted > now and (until is None or lifted > until):
                until = lifted
    return until


def record_failure(username: str, client_ip: str | None) -> None:
    now = timezone.now()
    LoginAttempt.objects.create(username_key=username_key(username), client_ip=client_ip, at=now)
    # Old attempts serve no purpose and would only grow the table.
    LoginAttempt.objects.filter(at__lt=now - timedelta(seconds=2 * settings.LOGIN_FAILURE_WINDOW)).delete()


def clear_failures(username: str, client_ip: str | None) -> None:
    LoginAttempt.objects.filter(username_key=username_key(username), client_ip=client_ip).delete()
