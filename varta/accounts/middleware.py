"""Login required by default, idle expiry, and the acting organisation of each request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from varta.audit.writes import Actor
from varta.core.http import VartaRequest
from varta.orgs.selectors import active_memberships

SESSION_MEMBERSHIP = "varta_membership_id"
SESSION_LAST_SEEN = "varta_last_seen"
OPEN_PREFIXES = ("/api/", "/static/", "/healthz", "/i18n/")


class VartaLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a login unless its view is marked ``login_not_required``.

    The API authenticates in DRF (tokens), so it is left to DRF's IsAuthenticated default.
    """

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any,
                     view_kwargs: Any) -> HttpResponse | None:
        if request.path.startswith(OPEN_PREFIXES):
            return None
        return cast("HttpResponse | None", super().process_view(request, view_func, view_args, view_kwargs))

    def handle_no_permission(self, request: HttpRequest, view_func: Callable[..., Any]) -> HttpResponseRedirect:
        params = {"next": request.get_full_path()}
        if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            params["expired"] = "1"  # a session cookie without a session: it timed out
        return HttpResponseRedirect(f"{reverse(settings.LOGIN_URL)}?{urlencode(params)}")


class SessionSecurityMiddleware:
    """Ends sessions idle for SESSION_IDLE_MINUTES and attaches the acting membership and actor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        req = cast(VartaRequest, request)
        req.membership = None
        req.memberships = []
        req.actor = Actor.system()
        if req.user.is_authenticated:
            now = time.time()
            last_seen = req.session.get(SESSION_LAST_SEEN, now)
            if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                logout(req)
                return _expired(req)
            req.session[SESSION_LAST_SEEN] = now
            attach_membership(req, req.session.get(SESSION_MEMBERSHIP))
        return self.get_response(req)


def attach_membership(req: VartaRequest, preferred_id: int | None) -> None:
    memberships = list(active_memberships(req.user))
    req.memberships = memberships
    chosen = next((m for m in memberships if m.pk == preferred_id), memberships[0] if memberships else None)
    req.membership = chosen
    req.actor = Actor(user=req.user, organisation=chosen.organisation if chosen else None)


def _expired(req: VartaRequest) -> HttpResponse:
    if req.path.startswith("/api/"):
        return JsonResponse({"detail": _("Your session has expired. Log in again."), "code": "session_expired"},
                            status=401)
    return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'expired': '1', 'next': req.path})}")
