"""Request-wide concerns: request id and client address, body-size limit, security headers, request log."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from varta.core.context import RequestMeta, reset_request_meta, set_request_meta

log = logging.getLogger("varta.request")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# No inline script or style, nothing from another host. Images may be data: URIs (QR codes are inline SVG).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def client_ip(request: HttpRequest) -> str | None:
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class RequestContextMiddleware:
    """Gives each request an id (echoed as X-Request-ID), records client address, logs one JSON line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        channel = "api" if is_api(request) else "web"
        meta = RequestMeta(request_id=request_id, client_ip=client_ip(request), channel=channel)
        token = set_request_meta(meta)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            reset_request_meta(token)
        response["X-Request-ID"] = request_id
        user = getattr(request, "user", None)
        # The path only, never the query string: searches may carry names or phone numbers.
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "route": getattr(getattr(request, "resolver_match", None), "view_name", None),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


def body_limit(path: str) -> int:
    """MAX_REQUEST_BODY_BYTES, or the own limit of a path in LARGE_UPLOAD_PATHS (uploads streamed to disk)."""
    for prefix, limit in settings.LARGE_UPLOAD_PATHS.items():
        if path.startswith(prefix):
            return int(limit)
    return int(settings.MAX_REQUEST_BODY_BYTES)


class BodySizeLimitMiddleware:
    """Refuses bodies over MAX_REQUEST_BODY_BYTES (or a path's own limit) with 413 before anything reads them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = body_limit(request.path)
        if length > limit:
            return too_large_response(request, limit)
        return self.get_response(request)


def too_large_response(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    # This runs before LocaleMiddleware (the body must be refused before anything reads it), so the user's
    # language (cookie or Accept-Language) is activated here.
    with translation.override(translation.get_language_from_request(request)):
        limit_mb = (settings.MAX_REQUEST_BODY_BYTES if limit is None else limit) // (1024 * 1024)
        if is_api(request):
            message = _("The request is too large: the limit is %(limit)s MB.") % {"limit": limit_mb}
            response: HttpResponse = JsonResponse({"detail": message, "code": "request_too_large"}, status=413)
        else:
            message = _("What you sent is too large: the limit is %(limit)s MB. Go back and choose a smaller "
                        "file, or split it.") % {"limit": limit_mb}
            response = render(request, "core/error.html", {"title": _("Too large"), "message": message}, status=413)
        response["Content-Language"] = translation.get_language()
    return response


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set: CSP, Permissions-Policy, no caching of personal pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/v1/docs/"):
            # Swagger UI (served from our own host by drf-spectacular-sidecar) needs inline styles.
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY.replace(
                "style-src 'self'", "style-src 'self' 'unsafe-inline'"))
        else:
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not request.path.startswith(settings.STATIC_URL):
            response.setdefault("Cache-Control", "no-store")
        return response
