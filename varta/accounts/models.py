"""Users and their login factors. Memberships (user ↔ organisation, with a role) live in varta.orgs."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from varta.audit.models import AuditedModel
from varta.core.crypto import EncryptedTextField


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)


class User(AbstractBaseUser, AuditedModel):
    """A person who logs in. Created and changed only through ``varta.accounts.actions``."""

    username = models.CharField(_("username"), max_length=150, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    objects: ClassVar[UserManager] = UserManager()

    def __str__(self) -> str:
        return self.username

    # Django's auth machinery asks these of users; Varta's permissions are in varta.accounts.permissions.
    @property
    def is_staff(self) -> bool:
        return False

    @property
    def is_superuser(self) -> bool:
        return False

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, app_label: str) -> bool:
        return False


class TotpDevice(AuditedModel):
    """The user's authenticator app. The shared secret is encrypted at rest."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = EncryptedTextField()
    confirmed_at = models.DateTimeField(null=True)
    # The time step of the last accepted code: a code is accepted once, and never an older one.
    last_used_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"TOTP device of user {self.user_id}"


class RecoveryCode(AuditedModel):
    """A one-time code for when the authenticator is lost; stored as a password hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=256)
    used_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"recovery code {self.pk} of user {self.user_id}"


class LoginAttempt(models.Model):
    """Failed logins, for throttling. Kept for the failure window only; successful logins are audit events."""

    username_key = models.CharField(max_length=64, db_index=True)  # SHA-256 of the lower-cased username
    client_ip = models.GenericIPAddressField(null=True, db_index=True)
    # Set when the browser carried a "known device" cookie for this user (see varta.accounts.throttle).
    device = models.CharField(max_length=32, blank=True, default="", db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"failed login at {self.at:%Y-%m-%d %H:%M}"


class ApiToken(AuditedModel):
    """A token for an integration, bound to one user in one organisation. Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    membership = models.ForeignKey("orgs.Membership", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)  # shown in lists so a user can tell tokens apart
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True)
    revoked_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
