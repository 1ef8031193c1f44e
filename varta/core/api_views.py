"""The base of Varta's API views: the acting membership and actor, as the pages have them."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.views import APIView

from varta.accounts.models import User
from varta.accounts.permissions import Action
from varta.audit.writes import Actor
from varta.core.http import acting
from varta.orgs.models import Membership


class VartaAPIView(APIView):
    def acting(self, request: Request, action: Action | None = None) -> Membership:
        return acting(request._request, action)  # type: ignore[arg-type]

    def user(self, request: Request) -> User:
        """The authenticated user (every Varta API view requires authentication)."""
        assert isinstance(request.user, User)
        return request.user

    def actor(self, request: Request) -> Actor:
        actor: Any = getattr(request._request, "actor", None)
        return actor if isinstance(actor, Actor) else Actor.system()
