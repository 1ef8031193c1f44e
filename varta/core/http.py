"""The request type Varta's views see, and the helpers every view uses to get who acts for which organisation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from varta.accounts.permissions import Action, require

if TYPE_CHECKING:
    from varta.accounts.models import User
    from varta.audit.writes import Actor
    from varta.orgs.models import Membership


class VartaRequest(HttpRequest):
    """Set by varta.accounts.middleware.SessionSecurityMiddleware (and ApiTokenAuthentication for the API)."""

    user: User
    membership: Membership | None
    memberships: list[Membership]
    actor: Actor


def acting(request: VartaRequest, action: Action | None = None) -> Membership:
    """The acting membership, checked against ``action`` if given. 403 without one."""
    membership = request.membership
    if membership is None:
        raise PermissionDenied(_("You are not an active member of any organisation."))
    if action is not None:
        require(membership, action)
    return membership
