"""API authentication: hashed per-membership tokens, and the browser session for the browsable API."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.request import Request

from varta.accounts.actions import token_digest
from varta.accounts.middleware import attach_membership
from varta.accounts.models import ApiToken, User
from varta.audit.writes import Actor


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        raw = parts[1].decode("ascii", "replace")
        now = timezone.now()
        token = (
            ApiToken.objects.select_related("user", "membership__organisation")
            .filter(token_hash=token_digest(raw), revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        membership = token.membership
        if not (token.user.is_active and membership.user_id == token.user_id and membership.is_active
                and membership.organisation.is_active):
            raise exceptions.AuthenticationFailed(_("The token's user or organisation is no longer active."))
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # bookkeeping, not an audited change
        django_request: Any = request._request
        django_request.membership = membership
        django_request.memberships = [membership]
        django_request.actor = Actor(user=token.user, organisation=membership.organisation)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class VartaSessionAuthentication(SessionAuthentication):
    """The browser's session (with CSRF), for the browsable API; the acting membership is the session's."""

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        django_request: Any = request._request
        if getattr(django_request, "membership", None) is None:
            attach_membership(django_request, None)
        return result
