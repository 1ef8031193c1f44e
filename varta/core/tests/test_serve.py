"""``varta serve``: waitress in front of the WSGI application, refusing a database with pending migrations."""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from varta.core import server


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English, whatever language an earlier test left active in this thread."""
    with translation.override("en"):
        yield


def test_it_refuses_to_serve_with_pending_migrations(db, monkeypatch):
    def one_pending(self, targets, clean_start=False):
        return [(self.loader.graph.nodes[("orgs", "0001_initial")], False)]

    monkeypatch.setattr(MigrationExecutor, "migration_plan", one_pending)
    with pytest.raises(CommandError, match="varta migrate") as error:
        call_command("serve", port=0)
    assert "orgs.0001_initial" in str(error.value)


def test_it_serves_the_application_with_waitress(db, monkeypatch):
    # The server's threads open their own connections; close them after each request so none outlives the test.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    httpd = server.create_server(host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    try:
        (url,) = server.server_urls(httpd)
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{url}healthz", timeout=10) as response:
            assert response.status == 200
            assert response.headers["Server"] == "varta"
            assert response.headers["X-Frame-Options"] == "DENY"
            assert json.loads(response.read())["status"] == "ok"
    finally:
        httpd.close()
        thread.join(timeout=5)


def test_it_trusts_proxy_headers_only_behind_a_proxy(settings):
    settings.TRUST_X_FORWARDED_FOR = False
    direct = server.server_options(host="127.0.0.1", port=8000, threads=8, trusted_proxy="127.0.0.1")
    assert "trusted_proxy" not in direct
    assert direct["clear_untrusted_proxy_headers"] is True
    settings.TRUST_X_FORWARDED_FOR = True
    proxied = server.server_options(host="127.0.0.1", port=8000, threads=8, trusted_proxy="127.0.0.1")
    assert proxied["trusted_proxy"] == "127.0.0.1"
    assert proxied["trusted_proxy_count"] == 1
    assert proxied["trusted_proxy_headers"] == {"x-forwarded-for", "x-forwarded-proto"}


def test_it_lets_django_answer_bodies_just_over_the_limit(settings):
    options = server.server_options(host="127.0.0.1", port=8000, threads=8, trusted_proxy=None)
    assert options["max_request_body_size"] > settings.MAX_REQUEST_BODY_BYTES


@pytest.mark.skipif(not settings.EMBEDDED, reason="starts a server on the embedded SQLite default")
def test_it_logs_where_it_listens_and_stops_on_sigterm(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VARTA_", "DATABASE_URL", "DJANGO_"))}
    env.update(VARTA_VAR_DIR=str(tmp_path), VARTA_HTTPS="false")
    process = subprocess.Popen([sys.executable, "-m", "varta.cli", "serve", "--port", "0", "--migrate"],
                               env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    try:
        listening = None
        deadline = time.monotonic() + 60
        while listening is None and time.monotonic() < deadline:
            ready, _, _ = select.select([process.stderr], [], [], 1)
            if ready:
                line = process.stderr.readline()
                if not line:
                    break
                if line.startswith("{") and json.loads(line)["message"] == "listening":
                    listening = json.loads(line)
        assert listening is not None, "no 'listening' line"
        assert listening["logger"] == "varta.server"
        assert listening["url"].startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{listening['url']}healthz", timeout=10) as response:
            assert response.status == 200
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=30)
        assert process.returncode == 0
        assert any(json.loads(line)["message"] == "stopped" for line in rest.splitlines() if line.startswith("{"))
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def _wal_database(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")  # as the server's connections
    conn.execute("CREATE TABLE t (x TEXT)")
    return conn


def test_it_checkpoints_the_wal_from_a_thread_of_its_own(tmp_path: Path):
    conn = _wal_database(tmp_path / "db.sqlite3")
    checkpointer = server.WalCheckpointer(str(tmp_path / "db.sqlite3"), interval=0.05)
    passes: list[tuple[int, int, int] | None] = []
    checkpoint = checkpointer.checkpoint

    def counted() -> tuple[int, int, int] | None:
        passes.append(checkpoint())
        return passes[-1]

    checkpointer.checkpoint = counted  # type: ignore[method-assign]
    checkpointer.start()
    try:
        for _ in range(50):
            conn.execute("INSERT INTO t VALUES (?)", ["x" * 2000])
        deadline = time.monotonic() + 10
        while not any(p and p[1] >= 50 and p[2] == p[1] for p in passes) and time.monotonic() < deadline:
            time.sleep(0.05)  # the thread's next pass copies every page the log holds
        assert any(p and p[1] >= 50 and p[2] == p[1] for p in passes), passes
    finally:
        before_stop = len(passes)
        checkpointer.stop()
        conn.close()
    assert len(passes) > before_stop  # stop() ran a last pass


def test_it_restarts_the_log_under_a_steady_stream_of_writes(tmp_path: Path):
    conn = _wal_database(tmp_path / "db.sqlite3")
    checkpointer = server.WalCheckpointer(str(tmp_path / "db.sqlite3"), interval=0.02, restart_after=100)
    checkpointer.start()
    try:
        for _ in range(1500):  # a page per commit, back to back (a fifth of a millisecond between them)
            conn.execute("INSERT INTO t VALUES (?)", ["x" * 3000])
            time.sleep(0.0002)
        logged = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
    finally:
        checkpointer.stop()
        conn.close()
    assert logged < 750  # without the restarts the log would hold every page written


def test_it_leaves_checkpoints_to_the_thread_only_while_it_runs(db, tmp_path: Path):
    _wal_database(tmp_path / "db.sqlite3").close()
    checkpointer = server.WalCheckpointer(str(tmp_path / "db.sqlite3"))

    def autocheckpoint() -> int:
        opened = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with opened.cursor() as cursor:
                cursor.execute("PRAGMA wal_autocheckpoint" if opened.vendor == "sqlite" else "SELECT 1000")
                return int(cursor.fetchone()[0])
        finally:
            opened.close()

    checkpointer.start()
    try:
        assert autocheckpoint() == (0 if connection.vendor == "sqlite" else 1000)
    finally:
        checkpointer.stop()
    assert autocheckpoint() == 1000


def test_it_settles_the_loaded_application_out_of_the_collectors_way():
    gc.unfreeze()
    try:
        server.settle()
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
