"""Login required by default, idle expiry, and the acting organisation of each request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from varta.accounts import twofactor
from varta.audit.writes import Actor
from varta.core.http import VartaRequest
from varta.orgs.selectors import active_memberships

SESSION_MEMBERSHIP = "varta_membership_id"
SESSION_LAST_SEEN = "varta_last_seen"
# True when the login used a second factor, False when it did not. Every login through Varta's login views
# sets it, so a session whose roles now need two factors but logged in without them is ended.
SESSION_TWO_FACTOR = "varta_two_factor"
OPEN_PREFIXES = ("/api/", "/static/", "/healthz", "/i18n/")

# Why the login page is shown again: ?notice=<key> (the texts are in varta.accounts.views.login_notice).
NOTICE_EXPIRED = "expired"
NOTICE_INACTIVE = "inactive"
NOTICE_TWO_FACTOR = "two_factor"


def login_url(notice: str, next_path: str | None = None) -> str:
    params = {"notice": notice}
    if next_path:
        params["next"] = next_path
    return f"{reverse(settings.LOGIN_URL)}?{urlencode(params)}"


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
        if request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            # A session cookie without a logged-in session: it timed out (or the login was never completed).
            return HttpResponseRedirect(login_url(NOTICE_EXPIRED, request.get_full_path()))
        return HttpResponseRedirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}")


class SessionSecurityMiddleware:
    """Ends sessions idle for SESSION_IDLE_MINUTES, sessions of users no longer active in any organisation and
    sessions whose roles now need a second factor that the login did not use; attaches the acting membership."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        req = cast(VartaRequest, request)
        req.membership = None
        req.memberships = []
        req.actor = Actor.system()
        if req.user.is_authenticated:
            now = timezone.now().timestamp()
            last_seen = req.session.get(SESSION_LAST_SEEN)
            if not isinstance(last_seen, int | float):
                last_seen = now
            if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
                return _end_session(req, NOTICE_EXPIRED, _("Your session has expired. Log in again."))
            attach_membership(req, req.session.get(SESSION_MEMBERSHIP))
            if not req.memberships:
                return _end_session(req, NOTICE_INACTIVE, _("You are not an active member of any organisation."))
            if req.session.get(SESSION_TWO_FACTOR) is False and twofactor.required_for(req.memberships):
                return _end_session(req, NOTICE_TWO_FACTOR, _("Your role requires two-factor login. Log in again."))
            req.session[SESSION_LAST_SEEN] = now
        return self.get_response(req)


def attach_membership(req: VartaRequest, preferred_id: int | None) -> None:
    memberships = list(active_memberships(req.user))
    req.memberships = memberships
    chosen = next((m for m in memberships if m.pk == preferred_id), memberships[0] if memberships else None)
    req.membership = chosen
    req.actor = Actor(user=req.user, organisation=chosen.organisation if chosen else None)


def _end_session(req: VartaRequest, notice: str, api_message: str) -> HttpResponse:
    logout(req)
    req.membership = None
    req.memberships = []
    req.actor = Actor.system()
    if req.path.startswith("/api/"):
        return JsonResponse({"detail": api_message, "code": f"session_{notice}"}, status=401)
    next_path = req.get_full_path() if req.method == "GET" else None
    return HttpResponseRedirect(login_url(notice, next_path))
