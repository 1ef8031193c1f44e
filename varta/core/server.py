"""Serving Varta in production: waitress (a pure-Python, multi-threaded WSGI server) in front of varta.wsgi.

``varta serve`` and ``varta quickstart`` both call :func:`serve`. It refuses to start on a database with
unapplied migrations, so a half-upgraded installation never answers requests.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

log = logging.getLogger("varta.server")

# The proxy headers waitress may take from a trusted reverse proxy: the client address and the scheme.
# X-Forwarded-Host is not trusted: the proxy passes the Host header through, and ALLOWED_HOSTS checks it.
TRUSTED_PROXY_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-proto"})


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Names (``app.migration``) of the migrations not yet applied to the database."""
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def require_migrated() -> None:
    pending = pending_migrations()
    if pending:
        raise CommandError(
            _(
                "The database has %(count)d unapplied migrations (%(first)s …). Varta will not serve a "
                "half-upgraded database: run `varta migrate` first, or start with `varta serve --migrate`."
            )
            % {"count": len(pending), "first": pending[0]}
        )


def server_options(*, host: str, port: int, threads: int, trusted_proxy: str | None) -> dict[str, Any]:
    """waitress adjustments. Proxy headers are honoured only behind a reverse proxy (VARTA_BEHIND_PROXY)."""
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "threads": threads,
        "ident": "varta",
        # Twice the application's limit: bodies a little over the limit reach Django, which answers with a
        # translated 413; far larger ones are cut off by waitress before they are buffered. The larger limit of
        # LARGE_UPLOAD_PATHS (the call-log import) gets a margin of MAX_REQUEST_BODY_BYTES.
        "max_request_body_size": max(2 * settings.MAX_REQUEST_BODY_BYTES,
                                     *(limit + settings.MAX_REQUEST_BODY_BYTES
                                       for limit in settings.LARGE_UPLOAD_PATHS.values())),
        "clear_untrusted_proxy_headers": True,
    }
    if settings.TRUST_X_FORWARDED_FOR and trusted_proxy:
        options.update(
            trusted_proxy=trusted_proxy,
            trusted_proxy_count=1,
            trusted_proxy_headers=set(TRUSTED_PROXY_HEADERS),
        )
    return options


def create_server(*, host: str, port: int, threads: int = 8, trusted_proxy: str | None = "127.0.0.1") -> Any:
    """A bound, not yet running waitress server for Varta's WSGI application (port 0: any free port).

    The application is built here, not imported from varta.wsgi: its middleware reads the settings when it is
    built, so a server started later (tests, a settings change) never runs with settings read earlier.
    """
    import waitress.server
    from django.core.wsgi import get_wsgi_application

    return waitress.server.create_server(
        get_wsgi_application(), **server_options(host=host, port=port, threads=threads, trusted_proxy=trusted_proxy)
    )


def server_urls(server: Any) -> list[str]:
    """The URLs a server listens on (a host name like ``localhost`` may bind IPv4 and IPv6)."""
    listen = getattr(server, "effective_listen", None) or [(server.effective_host, server.effective_port)]
    urls = []
    for host, port in listen:
        shown = f"[{host}]" if ":" in str(host) else str(host)
        urls.append(f"http://{shown}:{port}/")
    return urls


def serve(host: str = "127.0.0.1", port: int = 8000, threads: int = 8, *,
          trusted_proxy: str | None = "127.0.0.1") -> None:
    """Check migrations, bind, log one ``listening`` line with the URL, and serve until interrupted."""
    require_migrated()
    # The server threads open their own connections; the checking one is not needed any more.
    connections.close_all()
    server = create_server(host=host, port=port, threads=threads, trusted_proxy=trusted_proxy)
    log.info(
        "listening",
        extra={
            "url": server_urls(server)[0],
            "urls": server_urls(server),
            "threads": threads,
            "behind_proxy": bool(settings.TRUST_X_FORWARDED_FOR),
            "database": "sqlite" if settings.EMBEDDED else "postgresql",
        },
    )
    if threading.current_thread() is threading.main_thread():
        # systemd stops services with SIGTERM: let waitress finish the requests in flight, as on Ctrl-C.
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.run()  # returns after KeyboardInterrupt/SystemExit, once the worker threads are done
    finally:
        server.close()
        log.info("stopped")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
