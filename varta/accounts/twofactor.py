"""TOTP (RFC 6238) codes, one-time recovery codes, and who must use them."""

from __future__ import annotations

import io
import secrets
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyotp
import segno
from django.conf import settings

from varta.accounts.permissions import role_needs_two_factor

if TYPE_CHECKING:
    from varta.orgs.models import Membership

ISSUER = "Varta"
VALID_WINDOW = 1  # accept the previous and next 30-second step: phone clocks drift
RECOVERY_CODE_COUNT = 10


def required_for(memberships: Iterable[Membership]) -> bool:
    """Two factors are required when any active role may see personal data (never in demo mode)."""
    if settings.DEMO_MODE:
        return False
    return any(role_needs_two_factor(m.role) for m in memberships)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """An inline SVG of the enrolment QR code (no image request, no other host)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True,
                                     title="QR code", dark="#000", light="#fff")
    return out.getvalue().decode("utf-8")


def matching_step(secret: str, code: str, *, after_step: int, at: float | None = None) -> int | None:
    """The time step ``code`` belongs to, if it is valid and newer than ``after_step`` (so never reused)."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    current = int(now // totp.interval)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if step > after_step and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    # RECOVERY_CODE_COUNT codes of 5+5 characters from an alphabet without look-alikes: ~50 bits each.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return [
        "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def normalise_recovery_code(code: str) -> str:
    raw = "".join(ch for ch in code.lower() if ch.isalnum())
    return f"{raw[:5]}-{raw[5:]}" if len(raw) == 10 else raw
