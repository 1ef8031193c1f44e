"""Home page, health check, error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from varta.accounts.permissions import Action, can
from varta.core.http import VartaRequest


def home(request: VartaRequest) -> HttpResponse:
    """The dashboard of links by role; a hotline operator lands straight on the operator screen."""
    if request.membership is not None and can(request.membership, Action.HOTLINE_CONTACT_CREATE):
        return redirect("hotline:contact_new")
    return render(request, "core/home.html")


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and every migration is applied; 503 otherwise."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if not pending else f"{len(pending)} pending"
    except DatabaseError:
        checks["database"] = "unreachable"
    healthy = all(v == "ok" for v in checks.values()) and "migrations" in checks
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503)


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    message = _(
        "The form could not be accepted because its security token is missing or out of date. "
        "Go back, reload the page and try again."
    )
    return render(request, "core/error.html", {"title": _("Form expired"), "message": message}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html",
                  {"title": _("Not found"), "message": _("There is nothing here, or you may not see it.")},
                  status=404)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else _("Your role does not allow this.")
    return render(request, "core/error.html", {"title": _("Not allowed"), "message": message}, status=403)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html",
                  {"title": _("Bad request"), "message": _("The request could not be understood.")}, status=400)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "core/error.html",
                  {"title": _("Something went wrong"),
                   "message": _("The error was logged. Nothing you entered was half-saved: try again.")},
                  status=500)
