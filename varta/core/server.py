"""Serving Varta in production: waitress (a pure-Python, multi-threaded WSGI server) in front of varta.wsgi.

``varta serve`` and ``varta quickstart`` both call :func:`serve`. It refuses to start on a database with
unapplied migrations, so a half-upgraded installation never answers requests.

Two things keep housekeeping out of the requests a server answers (docs/benchmarks.md has the figures):

- **The SQLite WAL is checkpointed by a thread of its own** (:class:`WalCheckpointer`). By default SQLite copies
  the write-ahead log into the database file (and syncs both) inside whichever commit pushes the log past 1,000
  pages: on the hotline that is one contact in about thirty, which then waits several milliseconds. The server's
  connections turn that off, and the thread checkpoints every half second instead, as SQLite's documentation
  suggests for applications that care about commit latency. Other processes (commands, cron jobs) keep SQLite's
  automatic checkpoints.
- **The garbage collector leaves the loaded application alone.** Everything imported and built before the first
  request (Django, the views, the URL patterns) lives as long as the process; ``gc.freeze()`` takes it out of the
  collector's full passes, which otherwise walk it every so many requests.
"""

from __future__ import annotations

import gc
import logging
import signal
import sqlite3
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
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


class WalCheckpointer:
    """Checkpoints an SQLite database's write-ahead log from a thread of its own, while the connections this
    process opens from now on leave checkpoints to it (``PRAGMA wal_autocheckpoint=0``).

    Each pass is a ``PASSIVE`` checkpoint: it copies what no reader still needs and never waits for, nor blocks, a
    writer. Under a steady stream of writes the log would then never start again from its beginning (a writer
    restarts it only when it finds every page copied), so once it holds more than ``restart_after`` pages the pass
    goes on with a ``RESTART`` checkpoint: writers wait while it copies the few pages written since and waits for
    readers, at most ``restart_wait_ms`` (a busy log is left for the next pass). A failed checkpoint is logged and
    tried again at the next interval; :meth:`stop` runs a last one.
    """

    def __init__(self, path: str, *, interval: float = 0.5, restart_after: int = 1000,
                 restart_wait_ms: int = 20) -> None:
        self.path = path
        self.interval = interval
        self.restart_after = restart_after  # pages: SQLite's own automatic checkpoint runs at 1,000
        self.restart_wait_ms = restart_wait_ms
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="varta-wal-checkpoint", daemon=True)
        self._conn: sqlite3.Connection | None = None

    def start(self) -> None:
        self._conn = sqlite3.connect(self.path, timeout=self.restart_wait_ms / 1000, check_same_thread=False)
        connection_created.connect(self._leave_checkpoints_to_us, dispatch_uid=id(self))
        self._thread.start()

    def stop(self) -> None:
        connection_created.disconnect(dispatch_uid=id(self))
        self._stopping.set()
        self._thread.join(timeout=30)
        if self._conn is not None:
            self.checkpoint()
            self._conn.close()
            self._conn = None

    def checkpoint(self) -> tuple[int, int, int] | None:
        """One pass: (busy, pages in the log, pages copied) of its last checkpoint, or None when one failed."""
        assert self._conn is not None
        try:
            busy, logged, copied = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if logged > self.restart_after:
                busy, logged, copied = self._conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
        except sqlite3.Error:
            log.warning("wal checkpoint failed", exc_info=True)
            return None
        return int(busy), int(logged), int(copied)

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            self.checkpoint()

    @staticmethod
    def _leave_checkpoints_to_us(sender: object, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_autocheckpoint=0")


def settle() -> None:
    """Load what the first request would (the URL patterns import every view), then take everything loaded so far
    out of the garbage collector's full passes: it lives as long as the process."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the views
    gc.collect()
    gc.freeze()


def serve(host: str = "127.0.0.1", port: int = 8000, threads: int = 8, *,
          trusted_proxy: str | None = "127.0.0.1") -> None:
    """Check migrations, bind, log one ``listening`` line with the URL, and serve until interrupted."""
    require_migrated()
    # The server threads open their own connections; the checking one is not needed any more.
    connections.close_all()
    server = create_server(host=host, port=port, threads=threads, trusted_proxy=trusted_proxy)
    checkpointer = WalCheckpointer(str(settings.DATABASES["default"]["NAME"])) if settings.EMBEDDED else None
    if checkpointer is not None:
        checkpointer.start()
    settle()
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
        if checkpointer is not None:
            checkpointer.stop()
        log.info("stopped")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
