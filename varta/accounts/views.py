"""Login with two factors, enrolment, profile, API tokens, organisation switch, logout.

A login goes password → (second factor or enrolment) → ``_log_in``. Until the last step the session holds only a
*pending* login (the user's id, when the password was checked and where to go next): the user is anonymous to
every other page and to the API, and the pending state lapses after PENDING_SECONDS.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

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
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from varta.accounts import actions, throttle, twofactor
from varta.accounts.forms import LoginForm, PasswordChangeForm, ProfileForm, RecoveryForm, TokenForm, TotpForm
from varta.accounts.middleware import (
    NOTICE_EXPIRED,
    NOTICE_INACTIVE,
    NOTICE_TWO_FACTOR,
    SESSION_LAST_SEEN,
    SESSION_MEMBERSHIP,
    SESSION_TWO_FACTOR,
)
from varta.accounts.models import ApiToken, TotpDevice, User
from varta.audit import writes
from varta.audit.writes import Actor
from varta.core.http import VartaRequest, acting
from varta.core.middleware import client_ip
from varta.orgs.selectors import active_memberships

PENDING = "varta_pending_login"
PENDING_SECONDS = 600  # from the password to the second factor (or the end of enrolment)
AFTER_ENROL = "varta_after_enrol"  # where to go once the new recovery codes are saved
BACKEND = "django.contrib.auth.backends.ModelBackend"
NOTICE_TIMEOUT = "timeout"


def login_notice(key: str) -> str:
    notices = {
        NOTICE_EXPIRED: _("Your session expired after %(minutes)s minutes without activity. Log in again.")
        % {"minutes": settings.SESSION_IDLE_MINUTES},
        NOTICE_TIMEOUT: _("The login was not completed in time. Log in again."),
        NOTICE_INACTIVE: _("Your account is not active in any organisation. Ask your organisation admin."),
        NOTICE_TWO_FACTOR: _("Your role requires two-factor login. Log in again to set it up."),
    }
    return notices.get(key, "")


def two_factor_required(user: User) -> bool:
    return twofactor.required_for(active_memberships(user))


def has_confirmed_device(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _locked_message(until: datetime) -> str:
    local = timezone.localtime(until)
    return _("Too many failed attempts. Try again after %(time)s.") % {
        "time": formats.time_format(local, "TIME_FORMAT")}


def _timed_out() -> HttpResponse:
    return redirect(f"{reverse('accounts:login')}?notice={NOTICE_TIMEOUT}")


def _pending_user(request: HttpRequest) -> tuple[User, str] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or timezone.now().timestamp() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user_id = pending.get("user_id")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return (user, str(pending.get("next") or reverse(settings.LOGIN_REDIRECT_URL))) if user else None


def _throttle_keys(request: HttpRequest, username: str) -> tuple[str | None, str]:
    return client_ip(request), throttle.trusted_device(request, username)


def _log_in(request: HttpRequest, user: User, *, two_factor: bool) -> None:
    """Turn the (pending) anonymous session into a logged-in one, under a new session key."""
    request.session.pop(PENDING, None)
    login(request, user, backend=BACKEND)  # cycles the session key
    request.session[SESSION_LAST_SEEN] = timezone.now().timestamp()
    request.session[SESSION_TWO_FACTOR] = two_factor
    memberships = list(active_memberships(user))
    organisation = memberships[0].organisation if memberships else None
    actions.user_record_login(actor=Actor(user=user, organisation=organisation), user=user)
    ip, device = _throttle_keys(request, user.username)
    throttle.clear_failures(user.username, ip, device=device)


def _after_login(request: HttpRequest, response: HttpResponse, user: User) -> HttpResponse:
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)
    throttle.remember_device(request, response, user.username)
    return response


def _complete_login(request: HttpRequest, user: User, next_url: str, *, two_factor: bool) -> HttpResponse:
    _log_in(request, user, two_factor=two_factor)
    return _after_login(request, HttpResponseRedirect(next_url), user)


def _fail(request: HttpRequest, username: str, user: User | None, action: str) -> None:
    ip, device = _throttle_keys(request, username)
    throttle.record_failure(username, ip, device=device)
    # A security event, not a change: who was tried (if the account exists), never the password or code.
    writes.record(actor=Actor(user=None, organisation=None), action=action,
                  object_type="accounts.user" if user else "", object_id=user.pk if user else "")


@login_not_required
@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    context: dict[str, object] = {"next": next_url, "info": login_notice(request.GET.get("notice", ""))}
    if request.method != "POST":
        return render(request, "accounts/login.html", {**context, "form": LoginForm()})
    form = LoginForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/login.html", {**context, "form": form}, status=400)
    username = form.cleaned_data["username"]
    ip, device = _throttle_keys(request, username)
    until = throttle.locked_until(username, ip, device=device)
    if until is not None:
        context["error"] = _locked_message(until)
        return render(request, "accounts/login.html", {**context, "form": form}, status=429)
    user = authenticate(request, username=username, password=form.cleaned_data["password"])
    if user is None:
        known = User.objects.filter(username__iexact=username).first()
        _fail(request, username, known, "auth.login_failed")
        context["error"] = _("Wrong username or password.")
        return render(request, "accounts/login.html", {**context, "form": form}, status=401)
    assert isinstance(user, User)
    if not active_memberships(user).exists():
        # The password was right, so saying why is safe; nothing is written.
        context["error"] = login_notice(NOTICE_INACTIVE)
        return render(request, "accounts/login.html", {**context, "form": LoginForm()}, status=403)
    if not has_confirmed_device(user) and not two_factor_required(user):
        return _complete_login(request, user, next_url, two_factor=False)
    request.session.cycle_key()
    request.session[PENDING] = {"user_id": user.pk, "at": timezone.now().timestamp(), "next": next_url}
    if has_confirmed_device(user):
        return redirect("accounts:two_factor")
    return redirect("accounts:enrol")


def _second_factor(request: HttpRequest, *, template: str, form_class: type[TotpForm] | type[RecoveryForm],
                   check: Callable[[User, str], bool], failed_action: str, error: str) -> HttpResponse:
    """The second step of a pending login: a code from the app or a recovery code, throttled like passwords."""
    pending = _pending_user(request)
    if pending is None:
        return _timed_out()
    user, next_url = pending
    if not has_confirmed_device(user):
        return redirect("accounts:enrol")
    if request.method != "POST":
        return render(request, template, {"form": form_class()})
    form = form_class(request.POST)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    ip, device = _throttle_keys(request, user.username)
    until = throttle.locked_until(user.username, ip, device=device)
    if until is not None:
        return render(request, template, {"form": form_class(), "error": _locked_message(until)}, status=429)
    if check(user, form.cleaned_data["code"]):
        return _complete_login(request, user, next_url, two_factor=True)
    _fail(request, user.username, user, failed_action)
    return render(request, template, {"form": form_class(), "error": error}, status=401)


@login_not_required
@sensitive_post_parameters("code")
@never_cache
def two_factor_view(request: HttpRequest) -> HttpResponse:
    def check(user: User, code: str) -> bool:
        return actions.totp_verify(actor=Actor(user=user, organisation=None), user=user, code=code)

    return _second_factor(
        request, template="accounts/two_factor.html", form_class=TotpForm, check=check,
        failed_action="auth.totp_failed",
        error=_("That code is wrong, expired or already used. Wait for the next code and try again."))


@login_not_required
@sensitive_post_parameters("code")
@never_cache
def recovery_view(request: HttpRequest) -> HttpResponse:
    def check(user: User, code: str) -> bool:
        if not actions.recovery_code_use(actor=Actor(user=user, organisation=None), user=user, code=code):
            return False
        left = user.recovery_codes.filter(used_at__isnull=True).count()
        messages.warning(request, _("You used a recovery code; %(count)s are left. Make new ones in your "
                                    "account page if you are running out.") % {"count": left})
        return True

    return _second_factor(
        request, template="accounts/recovery.html", form_class=RecoveryForm, check=check,
        failed_action="auth.recovery_code_failed", error=_("That recovery code is wrong or already used."))


@login_not_required
@sensitive_post_parameters("code")
@never_cache
def enrol_view(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: during a pending login, or later from the account page.

    During a pending login, confirming the first code completes the login (the code is the second factor);
    the new recovery codes are then shown once, on the first page of the logged-in session.
    """
    if request.user.is_authenticated:
        user, next_url, pending = request.user, reverse("accounts:profile"), False
    else:
        found = _pending_user(request)
        if found is None:
            return _timed_out()
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
            if not pending:
                request.session[SESSION_TWO_FACTOR] = True
                return render(request, "accounts/recovery_codes.html", {"codes": codes, "continue_url": next_url})
            _log_in(request, user, two_factor=True)
            request.session[AFTER_ENROL] = next_url
            response = render(request, "accounts/recovery_codes.html",
                              {"codes": codes, "continue_url": reverse("accounts:enrol_done")})
            return _after_login(request, response, user)
        form = TotpForm()
        error = _("That code is wrong. Check the time on your phone and enter the newest code.")
        status = 400
    else:
        # A new secret at every showing: whoever saw an earlier one (another tab, another person) cannot use it.
        device = actions.totp_begin_enrolment(actor=actor, user=user)
        form, error, status = TotpForm(), "", 200
    uri = twofactor.provisioning_uri(device.secret, user.username)
    return render(request, "accounts/enrol.html",
                  {"form": form, "error": error, "qr_svg": twofactor.qr_svg(uri), "secret": device.secret,
                   "pending": pending}, status=status)


def enrol_done_view(request: VartaRequest) -> HttpResponse:
    """After the recovery codes of a login-time enrolment: continue where the login was going."""
    next_url = request.session.pop(AFTER_ENROL, None)
    return HttpResponseRedirect(next_url if isinstance(next_url, str) else reverse(settings.LOGIN_REDIRECT_URL))


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


@sensitive_post_parameters("current", "new")
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
                    update_session_auth_hash(request, user)  # this session stays; the user's others end
                    messages.success(request, _("Your password was changed."))
                    return redirect("accounts:profile")
        status = 400
    elif request.method == "POST":
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
