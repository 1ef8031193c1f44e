"""Login with two factors, enrolment, profile, API tokens, organisation switch, logout."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varta.accounts import actions, throttle, twofactor
from varta.accounts.forms import LoginForm, PasswordChangeForm, ProfileForm, RecoveryForm, TokenForm, TotpForm
from varta.accounts.middleware import SESSION_LAST_SEEN, SESSION_MEMBERSHIP
from varta.accounts.models import ApiToken, TotpDevice, User
from varta.accounts.permissions import role_needs_two_factor
from varta.audit import writes
from varta.audit.writes import Actor
from varta.core.http import VartaRequest, acting
from varta.core.middleware import client_ip
from varta.orgs.selectors import active_memberships

PENDING = "varta_pending_login"
PENDING_SECONDS = 300
BACKEND = "django.contrib.auth.backends.ModelBackend"


def two_factor_required(user: User) -> bool:
    if settings.DEMO_MODE:
        return False
    return any(role_needs_two_factor(m.role) for m in active_memberships(user))


def has_confirmed_device(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _locked_response(request: HttpRequest, form: object, until: object) -> HttpResponse:
    local = timezone.localtime(until)  # type: ignore[arg-type]
    message = _("Too many failed attempts. Try again after %(time)s.") % {
        "time": formats.time_format(local, "TIME_FORMAT")}
    return render(request, "accounts/login.html", {"form": form, "error": message}, status=429)


def _pending_user(request: HttpRequest) -> tuple[User, str] | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    return (user, pending["next"]) if user else None


def _complete_login(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    request.session.pop(PENDING, None)
    login(request, user, backend=BACKEND)
    request.session[SESSION_LAST_SEEN] = time.time()
    memberships = list(active_memberships(user))
    organisation = memberships[0].organisation if memberships else None
    actions.user_record_login(actor=Actor(user=user, organisation=organisation), user=user)
    throttle.clear_failures(user.username, client_ip(request))
    response = HttpResponseRedirect(next_url)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)
    return response


def _fail(request: HttpRequest, username: str, user: User | None, action: str) -> None:
    throttle.record_failure(username, client_ip(request))
    writes.record(actor=Actor(user=None, organisation=None), action=action,
                  object_type="accounts.user" if user else "", object_id=user.pk if user else "")


@login_not_required
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    context: dict[str, object] = {"next": next_url}
    if request.GET.get("expired"):
        context["info"] = _("Your session expired after %(minutes)s minutes without activity. Log in again.") % {
            "minutes": settings.SESSION_IDLE_MINUTES}
    if request.method != "POST":
        return render(request, "accounts/login.html", {**context, "form": LoginForm()})
    form = LoginForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/login.html", {**context, "form": form}, status=400)
    username = form.cleaned_data["username"]
    until = throttle.locked_until(username, client_ip(request))
    if until is not None:
        return _locked_response(request, form, until)
    user = authenticate(request, username=username, password=form.cleaned_data["password"])
    if user is None:
        known = User.objects.filter(username__iexact=username).first()
        _fail(request, username, known, "auth.login_failed")
        context["error"] = _("Wrong username or password.")
        return render(request, "accounts/login.html", {**context, "form": form}, status=401)
    assert isinstance(user, User)
    if not has_confirmed_device(user) and not two_factor_required(user):
        return _complete_login(request, user, next_url)
    request.session.cycle_key()
    request.session[PENDING] = {"user_id": user.pk, "at": time.time(), "next": next_url}
    if has_confirmed_device(user):
        return redirect("accounts:two_factor")
    return redirect("accounts:enrol")


@login_not_required
def two_factor_view(request: HttpRequest) -> HttpResponse:
    pending = _pending_user(request)
    if pending is None:
        return redirect(f"{reverse('accounts:login')}?expired=1")
    user, next_url = pending
    if request.method != "POST":
        return render(request, "accounts/two_factor.html", {"form": TotpForm()})
    form = TotpForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/two_factor.html", {"form": form}, status=400)
    until = throttle.locked_until(user.username, client_ip(request))
    if until is not None:
        return _locked_response(request, LoginForm(), until)
    if actions.totp_verify(actor=Actor(user=user, organisation=None), user=user, code=form.cleaned_data["code"]):
        return _complete_login(request, user, next_url)
    _fail(request, user.username, user, "auth.totp_failed")
    error = _("That code is wrong, expired or already used. Wait for the next code and try again.")
    return render(request, "accounts/two_factor.html", {"form": form, "error": error}, status=401)


@login_not_required
def recovery_view(request: HttpRequest) -> HttpResponse:
    pending = _pending_user(request)
    if pending is None:
        return redirect(f"{reverse('accounts:login')}?expired=1")
    user, next_url = pending
    if request.method != "POST":
        return render(request, "accounts/recovery.html", {"form": RecoveryForm()})
    form = RecoveryForm(request.POST)
    until = throttle.locked_until(user.username, client_ip(request))
    if until is not None:
        return _locked_response(request, LoginForm(), until)
    if form.is_valid() and actions.recovery_code_use(actor=Actor(user=user, organisation=None), user=user,
                                                     code=form.cleaned_data["code"]):
        left = user.recovery_codes.filter(used_at__isnull=True).count()
        response = _complete_login(request, user, next_url)
        messages.warning(request, _("You used a recovery code; %(count)s are left. Make new ones in your "
                                    "account page if you are running out.") % {"count": left})
        return response
    _fail(request, user.username, user, "auth.recovery_code_failed")
    return render(request, "accounts/recovery.html",
                  {"form": form, "error": _("That recovery code is wrong or already used.")}, status=401)


@login_not_required
def enrol_view(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: during a pending login, or later from the account page."""
    if request.user.is_authenticated:
        user, next_url, pending = request.user, reverse("accounts:profile"), False
    else:
        found = _pending_user(request)
        if found is None:
            return redirect(f"{reverse('accounts:login')}?expired=1")
        (user, next_url), pending = found, True
    assert isinstance(user, User)
    actor = Actor(user=user, organisation=None)
    if has_confirmed_device(user):
        return redirect("accounts:two_factor" if pending else "accounts:profile")
    device = TotpDevice.objects.filter(user=user).first()
    if request.method == "POST" and device is not None:
        form = TotpForm(request.POST)
        codes = form.is_valid() and actions.totp_confirm_enrolment(actor=actor, device=device,
                                                                   code=form.cleaned_data["code"])
        if codes:
            return render(request, "accounts/recovery_codes.html",
                          {"codes": codes, "continue_url": reverse("accounts:enrol_done") if pending else next_url})
        error = _("That code is wrong. Check the time on your phone and enter the newest code.")
        status = 401
    else:
        device = actions.totp_begin_enrolment(actor=actor, user=user)
        form, error, status = TotpForm(), "", 200
    uri = twofactor.provisioning_uri(device.secret, user.username)
    return render(request, "accounts/enrol.html",
                  {"form": form, "error": error, "qr_svg": twofactor.qr_svg(uri), "secret": device.secret,
                   "pending": pending}, status=status)


@login_not_required
def enrol_done_view(request: HttpRequest) -> HttpResponse:
    """After enrolment during login: the first code was just used, so the login completes here."""
    found = _pending_user(request)
    if found is None:
        return redirect(f"{reverse('accounts:login')}?expired=1")
    user, next_url = found
    if not has_confirmed_device(user):
        return redirect("accounts:enrol")
    return _complete_login(request, user, next_url)


@require_POST
def logout_view(request: VartaRequest) -> HttpResponse:
    writes.record(actor=request.actor, action="auth.logout", object_type="accounts.user", object_id=request.user.pk)
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("accounts:login")


@require_POST
def switch_organisation(request: VartaRequest) -> HttpResponse:
    try:
        wanted = int(request.POST.get("membership", ""))
    except ValueError:
        wanted = -1
    if not any(m.pk == wanted for m in request.memberships):
        messages.error(request, _("You are not a member of that organisation."))
    else:
        request.session[SESSION_MEMBERSHIP] = wanted
    return redirect("core:home")


def profile_view(request: VartaRequest) -> HttpResponse:
    user = request.user
    profile = ProfileForm(initial={"full_name": user.full_name, "email": user.email, "language": user.language})
    password = PasswordChangeForm()
    status = 200
    if request.method == "POST" and request.POST.get("form") == "profile":
        profile = ProfileForm(request.POST)
        if profile.is_valid():
            actions.user_update_profile(actor=request.actor, user=user, **profile.cleaned_data)
            messages.success(request, _("Your profile was saved."))
            response = redirect("accounts:profile")
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
            return response
        status = 400
    elif request.method == "POST" and request.POST.get("form") == "password":
        password = PasswordChangeForm(request.POST)
        if password.is_valid():
            if not check_password(password.cleaned_data["current"], user.password):
                password.add_error("current", _("This is not your current password."))
            else:
                try:
                    actions.user_set_password(actor=request.actor, user=user, password=password.cleaned_data["new"])
                except ValidationError as exc:
                    password.add_error("new", exc)
                else:
                    update_session_auth_hash(request, user)
                    messages.success(request, _("Your password was changed."))
                    return redirect("accounts:profile")
        status = 400
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    return render(request, "accounts/profile.html", {
        "profile_form": profile, "password_form": password, "device": device,
        "recovery_left": user.recovery_codes.filter(used_at__isnull=True).count(),
    }, status=status)


@require_POST
def recovery_codes_regenerate_view(request: VartaRequest) -> HttpResponse:
    if not has_confirmed_device(request.user):
        return redirect("accounts:enrol")
    codes = actions.recovery_codes_regenerate(actor=request.actor, user=request.user)
    return render(request, "accounts/recovery_codes.html",
                  {"codes": codes, "continue_url": reverse("accounts:profile")})


def tokens_view(request: VartaRequest) -> HttpResponse:
    membership = acting(request)
    form = TokenForm()
    issued = None
    status = 200
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            expires = timezone.now() + timedelta(days=form.cleaned_data["days"])
            issued = actions.api_token_issue(actor=request.actor, membership=membership,
                                             name=form.cleaned_data["name"], expires_at=expires)
            form = TokenForm()
        else:
            status = 400
    tokens = ApiToken.objects.filter(user=request.user).select_related("membership__organisation") \
        .order_by("-created_at")
    return render(request, "accounts/tokens.html",
                  {"form": form, "issued": issued, "tokens": tokens, "now": timezone.now()}, status=status)


@require_POST
def token_revoke_view(request: VartaRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)  # only one's own tokens: others 404
    actions.api_token_revoke(actor=request.actor, token=token)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:tokens")
