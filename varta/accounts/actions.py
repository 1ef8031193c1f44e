"""Every write to users, login factors and API tokens. Each runs in one transaction with its audit event."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from varta.accounts import twofactor
from varta.accounts.models import ApiToken, RecoveryCode, TotpDevice, User
from varta.audit import writes
from varta.audit.writes import Actor

if TYPE_CHECKING:
    from varta.orgs.models import Membership


def user_create(*, actor: Actor, username: str, full_name: str, email: str = "", password: str | None,
                language: str = "en") -> User:
    user = User(username=username.strip(), full_name=full_name.strip(), email=email.strip(), language=language)
    if password is not None:
        validate_password(password, user)
        user.password = make_password(password)
    else:
        user.password = make_password(None)  # unusable until the user sets one
    return writes.create(user, actor=actor)


def user_set_password(*, actor: Actor, user: User, password: str) -> User:
    validate_password(password, user)
    return writes.update(user, actor=actor, changes={"password": make_password(password)},
                         action="accounts.user.password_change")


def user_update_profile(*, actor: Actor, user: User, full_name: str, email: str, language: str) -> User:
    return writes.update(user, actor=actor, changes={"full_name": full_name.strip(), "email": email.strip(),
                                                     "language": language})


def user_set_active(*, actor: Actor, user: User, active: bool) -> User:
    return writes.update(user, actor=actor, changes={"is_active": active})


def user_record_login(*, actor: Actor, user: User) -> None:
    writes.update(user, actor=actor, changes={"last_login": timezone.now()}, action="auth.login")


# --- Two-factor ------------------------------------------------------------------------------------------


def totp_begin_enrolment(*, actor: Actor, user: User) -> TotpDevice:
    """Create (or restart) an unconfirmed device with a fresh secret. Confirmed devices are not replaced here."""
    with transaction.atomic():
        device = TotpDevice.objects.filter(user=user).first()
        if device is None:
            return writes.create(TotpDevice(user=user, secret=twofactor.new_secret()), actor=actor,
                                 action="auth.totp.enrolment_started")
        if device.confirmed_at is not None:
            return device
        return writes.update(device, actor=actor, changes={"secret": twofactor.new_secret()},
                             action="auth.totp.enrolment_started")


def totp_confirm_enrolment(*, actor: Actor, device: TotpDevice, code: str) -> list[str] | None:
    """Confirm the device with a first code; returns the new recovery codes (shown once), or None if wrong.

    None also when the device was confirmed meanwhile (another tab): its codes are not replaced from here.
    """
    with transaction.atomic():
        current = TotpDevice.objects.select_for_update().filter(pk=device.pk, confirmed_at__isnull=True).first()
        if current is None:
            return None
        step = twofactor.matching_step(current.secret, code, after_step=current.last_used_step)
        if step is None:
            return None
        writes.update(current, actor=actor, changes={"confirmed_at": timezone.now(), "last_used_step": step},
                      action="auth.totp.enrolled")
        device.confirmed_at, device.last_used_step = current.confirmed_at, current.last_used_step
        return recovery_codes_regenerate(actor=actor, user=current.user)


def totp_verify(*, actor: Actor, user: User, code: str) -> bool:
    """Check a login code. A code is accepted once: the device remembers the newest step used."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        if device is None:
            return False
        step = twofactor.matching_step(device.secret, code, after_step=device.last_used_step)
        if step is None:
            return False
        writes.update(device, actor=actor, changes={"last_used_step": step}, action="auth.totp.used")
        return True


def totp_reset(*, actor: Actor, user: User) -> None:
    """Remove the user's device and recovery codes (an admin's help after a lost phone)."""
    with transaction.atomic():
        for device in TotpDevice.objects.filter(user=user):
            writes.delete(device, actor=actor, action="auth.totp.reset")
        for code in RecoveryCode.objects.filter(user=user):
            writes.delete(code, actor=actor, action="auth.recovery_code.delete")


def recovery_codes_regenerate(*, actor: Actor, user: User) -> list[str]:
    codes = twofactor.new_recovery_codes()
    with transaction.atomic():
        for old in RecoveryCode.objects.filter(user=user):
            writes.delete(old, actor=actor, action="auth.recovery_code.delete")
        for code in codes:
            writes.create(RecoveryCode(user=user, code_hash=make_password(code)), actor=actor,
                          action="auth.recovery_code.create")
    return codes


def recovery_code_use(*, actor: Actor, user: User, code: str) -> bool:
    """Accept an unused recovery code once (it is marked used in the same transaction)."""
    normalised = twofactor.normalise_recovery_code(code)
    with transaction.atomic():
        for candidate in RecoveryCode.objects.select_for_update().filter(user=user, used_at__isnull=True):
            if check_password(normalised, candidate.code_hash):
                writes.update(candidate, actor=actor, changes={"used_at": timezone.now()},
                              action="auth.recovery_code.used")
                return True
    return False


# --- API tokens ------------------------------------------------------------------------------------------

TOKEN_PREFIX = "vt_"


def token_digest(raw: str) -> str:
    # Tokens are 256-bit random strings, so a fast hash is safe; argon2 here would slow every API call.
    return hashlib.sha256(raw.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown to the user once, never stored


def api_token_issue(*, actor: Actor, membership: Membership, name: str,
                    expires_at: datetime | None = None) -> IssuedToken:
    """A new token for ``membership``; the raw value is returned once and only its SHA-256 is stored."""
    if not (membership.is_active and membership.organisation.is_active and membership.user.is_active):
        raise ValidationError(_("Tokens can be issued only for an active membership."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=membership.user, membership=membership, name=name.strip(), prefix=raw[:10],
                     token_hash=token_digest(raw), expires_at=expires_at)
    return IssuedToken(token=writes.create(token, actor=actor, action="accounts.apitoken.issue"), raw=raw)


def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    if token.revoked_at is not None:
        return token
    return writes.update(token, actor=actor, changes={"revoked_at": timezone.now()},
                         action="accounts.apitoken.revoke")
