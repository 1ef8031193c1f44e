"""``varta backup`` / ``varta restore`` on the embedded default, and the checks that guard a restore.

The pytest database is in memory, so these tests work on real files: a session fixture migrates a database in a
temporary ``VARTA_VAR_DIR`` (in a subprocess, through the same actions users take) and each test copies it. The
subprocesses use this process's data keys, so both sides can decrypt.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.migrations.loader import MigrationLoader
from django.utils import translation

from varta.core import backup
from varta.core.keys import new_data_key, write_private

embedded_only = pytest.mark.skipif(
    not settings.EMBEDDED,
    reason="varta backup/restore copy the embedded SQLite database; on PostgreSQL backups are pg_dump's job "
    "(docs/operations.md)",
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English, whatever language an earlier test left active in this thread."""
    with translation.override("en"):
        yield

WHEN = datetime(2025, 3, 14, 9, 26, 53)

SETUP_SCRIPT = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from varta.accounts import actions as accounts
from varta.audit.writes import Actor
from varta.geo.models import Country
from varta.orgs import actions as orgs
system = Actor.system()
orgs.organisation_create(actor=system, name="Alpha Aid", acronym="ALPHA", type="national_ngo",
                         country=Country.objects.get(iso2="UA"))
user = accounts.user_create(actor=system, username="operator", full_name="Operator", password=None)
accounts.totp_begin_enrolment(actor=system, user=user)
"""

CHANGE_SCRIPT = """
from varta.audit.writes import Actor
from varta.geo.models import Country
from varta.orgs import actions as orgs
orgs.organisation_create(actor=Actor.system(), name="Added After Backup", acronym="LATE", type="other",
                         country=Country.objects.get(iso2="MD"))
from varta.audit.chain import verify
result = verify()
print("CHAIN", result.ok, result.head_seq)
"""


def keyring_text() -> str:
    return "".join(base64.urlsafe_b64encode(key).decode("ascii") + "\n" for key in settings.DATA_KEYS)


def subprocess_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VARTA_", "DATABASE_URL", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="varta.settings", VARTA_VAR_DIR=str(var_dir))
    return env


def run(var_dir: Path, *args: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], env=subprocess_env(var_dir), capture_output=True, text=True,
                          timeout=120, stdin=stdin, cwd=var_dir)


def varta(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(var_dir, "-m", "varta.cli", *args)


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def organisation_names(path: Path) -> list[str]:
    return [str(row[0]) for row in query(path, "SELECT name FROM orgs_organisation ORDER BY name")]


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    var_dir = tmp_path_factory.mktemp("varta-template")
    write_private(var_dir / "data.key", keyring_text())
    result = run(var_dir, "-c", SETUP_SCRIPT)
    assert result.returncode == 0, result.stderr
    database = var_dir / "varta.sqlite3"
    assert not Path(f"{database}-wal").exists() or Path(f"{database}-wal").stat().st_size == 0
    return database


@pytest.fixture
def var_dir(tmp_path, template_db) -> Path:
    """A Varta var directory: the template database and a copy of this process's keyring."""
    var = tmp_path / "var"
    var.mkdir()
    shutil.copyfile(template_db, var / "varta.sqlite3")
    write_private(var / "data.key", keyring_text())
    return var


def copy_of(template_db: Path, tmp_path: Path, name: str = "copy.sqlite3") -> Path:
    target = tmp_path / name
    shutil.copyfile(template_db, target)
    return target


# --- The commands, end to end --------------------------------------------------------------------------


@embedded_only
def test_it_round_trips_a_backup_through_the_commands(var_dir):
    database = var_dir / "varta.sqlite3"

    made = varta(var_dir, "backup")
    assert made.returncode == 0, made.stderr
    backups = list((var_dir / "backups").glob("varta-*.sqlite3"))
    assert len(backups) == 1
    snapshot = backups[0]
    assert stat.S_IMODE(snapshot.stat().st_mode) == 0o600
    assert stat.S_IMODE((var_dir / "backups").stat().st_mode) == 0o700
    assert str(snapshot) in made.stdout
    assert "KB" in made.stdout
    assert str(var_dir / "data.key") in made.stdout  # the reminder says where the key is
    # The backup holds the event that made it.
    assert query(snapshot, "SELECT action, object_id FROM audit_auditevent ORDER BY seq DESC LIMIT 1") == [
        ("system.backup", snapshot.name)]

    changed = run(var_dir, "-m", "varta.cli", "shell", "-c", CHANGE_SCRIPT)
    assert changed.returncode == 0, changed.stderr
    assert "CHAIN True" in changed.stdout
    assert organisation_names(database) == ["Added After Backup", "Alpha Aid"]

    restored = varta(var_dir, "restore", str(snapshot), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert organisation_names(database) == ["Alpha Aid"]
    previous = list((var_dir / "backups").glob("pre-restore-*.sqlite3"))
    assert len(previous) == 1
    assert str(previous[0]) in restored.stdout
    assert organisation_names(previous[0]) == ["Added After Backup", "Alpha Aid"]
    assert stat.S_IMODE(previous[0].stat().st_mode) == 0o600
    actions = [row[0] for row in query(database, "SELECT action FROM audit_auditevent ORDER BY seq DESC LIMIT 2")]
    assert actions == ["system.restore", "system.backup"]
    # The restored database is whole: its audit chain verifies and its encrypted values decrypt.
    verified = run(var_dir, "-m", "varta.cli", "shell", "-c",
                   "from varta.audit.chain import verify; r = verify(); print('CHAIN', r.ok, r.problem)")
    assert "CHAIN True None" in verified.stdout, verified.stdout + verified.stderr
    assert backup.inspect_backup(database).encrypted_columns_checked == 1


@embedded_only
def test_it_migrates_an_older_backup_after_restoring_it(var_dir, tmp_path, template_db):
    # "Older" = one migration short. It must be a migration nothing depends on and that can run again over the
    # same schema (data only): audit 0003 creates the chain head only if it is missing.
    app, name = "audit", "0003_chain_head_append_only"
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    assert not graph.node_map[(app, name)].children, f"{app}.{name} is no longer a leaf: pick another for this test"
    older = copy_of(template_db, tmp_path, "older.sqlite3")
    with closing(sqlite3.connect(older)) as conn, conn:
        conn.execute("DELETE FROM django_migrations WHERE app = ? AND name = ?", (app, name))
    result = varta(var_dir, "restore", str(older), "--yes")
    assert result.returncode == 0, result.stderr
    assert "applying 1 migration" in result.stdout
    database = var_dir / "varta.sqlite3"
    assert query(database, f"SELECT COUNT(*) FROM django_migrations WHERE app = '{app}' AND name = '{name}'") \
        == [(1,)]


@embedded_only
def test_it_refuses_to_restore_without_yes_when_not_interactive(template_db, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(template_db))


@embedded_only
def test_it_refuses_to_restore_a_file_that_is_not_a_backup_before_asking(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    text = tmp_path / "notes.txt"
    text.write_text("not a database", encoding="utf-8")
    with pytest.raises(CommandError, match="not a SQLite database"):
        call_command("restore", str(text), yes=True)


def test_it_explains_pg_dump_on_postgresql(settings):
    settings.EMBEDDED = False
    with pytest.raises(CommandError, match="pg_dump --format=custom") as error:
        call_command("backup")
    assert "pg_restore" in str(error.value)
    with pytest.raises(CommandError, match="pg_restore"):
        call_command("restore", "varta.dump", yes=True)


def test_it_spells_out_the_postgresql_commands_without_the_password():
    database = {"NAME": "varta", "USER": "varta", "PASSWORD": "s3cret", "HOST": "db.internal", "PORT": 5432}
    assert backup.pg_dump_command(database, WHEN) == (
        "pg_dump --format=custom --file=varta-20250314-092653.dump --host=db.internal --port=5432 "
        "--username=varta varta"
    )
    assert backup.pg_restore_command(database, "varta.dump") == (
        "pg_restore --clean --if-exists --no-owner --single-transaction --host=db.internal --port=5432 "
        "--username=varta --dbname=varta varta.dump"
    )
    assert "s3cret" not in backup.pg_dump_command(database, WHEN) + backup.pg_restore_command(database)


# --- Snapshots ------------------------------------------------------------------------------------------


def test_it_takes_a_consistent_snapshot_while_another_connection_writes(tmp_path):
    """A writer commits batches of 50 rows; every snapshot holds whole batches and passes integrity_check."""
    live = tmp_path / "live.sqlite3"
    with closing(sqlite3.connect(live)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE contact (id INTEGER PRIMARY KEY, batch INTEGER, note TEXT)")
        conn.commit()
    batch_size = 50
    stop = threading.Event()
    committed: list[int] = []

    def writer() -> None:
        with closing(sqlite3.connect(live, timeout=10)) as conn:
            batch = 0
            while not stop.is_set():
                batch += 1
                with conn:
                    conn.executemany("INSERT INTO contact (batch, note) VALUES (?, ?)",
                                     [(batch, "x" * 200) for _ in range(batch_size)])
                committed.append(batch * batch_size)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(committed) < 5:
            stop.wait(0.005)
        counts = []
        for i in range(5):
            before = committed[-1]
            snap = backup.snapshot(source=live, destination=tmp_path / f"snap-{i}.sqlite3")
            after = committed[-1]
            with closing(sqlite3.connect(snap.path)) as copy:
                assert backup.integrity_problems(copy) == []
                (count,) = copy.execute("SELECT COUNT(*) FROM contact").fetchone()
                assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
            assert count % batch_size == 0
            assert before <= count <= after + batch_size
            assert stat.S_IMODE(snap.path.stat().st_mode) == 0o600
            counts.append(count)
        written_during_snapshots = committed[-1]
    finally:
        stop.set()
        thread.join()
    assert counts == sorted(counts)
    assert written_during_snapshots > counts[0]  # the writer kept going while snapshots were taken
    assert not list(tmp_path.glob("*.partial"))


def test_it_never_overwrites_a_file(tmp_path, template_db):
    existing = tmp_path / "existing.sqlite3"
    existing.write_bytes(b"keep me")
    with pytest.raises(backup.BackupError, match="already exists"):
        backup.snapshot(source=template_db, destination=existing)
    assert existing.read_bytes() == b"keep me"


def test_it_names_backups_by_time_without_clobbering(tmp_path):
    first = backup.unique_path(tmp_path, "varta", WHEN)
    assert first.name == "varta-20250314-092653.sqlite3"
    first.touch()
    assert backup.unique_path(tmp_path, "varta", WHEN).name == "varta-20250314-092653-1.sqlite3"


# --- Restore and its checks -----------------------------------------------------------------------------


def test_it_restores_into_a_database_that_another_connection_holds_open(tmp_path, template_db):
    saved = copy_of(template_db, tmp_path, "saved.sqlite3")
    live = copy_of(template_db, tmp_path, "live.sqlite3")
    with closing(sqlite3.connect(live)) as conn, conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("UPDATE orgs_organisation SET name = 'Renamed Later'")
    with closing(sqlite3.connect(live)) as server:  # stands for a running server's connection
        assert server.execute("SELECT name FROM orgs_organisation").fetchall() == [("Renamed Later",)]
        result = backup.restore(backup=saved, target=live, aside_dir=tmp_path / "aside", when=WHEN)
        assert server.execute("SELECT name FROM orgs_organisation").fetchall() == [("Alpha Aid",)]
        assert server.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert result.previous is not None
    assert result.previous.path.name == "pre-restore-20250314-092653.sqlite3"
    assert organisation_names(result.previous.path) == ["Renamed Later"]
    assert result.info.encrypted_columns_checked == 1
    assert result.info.audit_head_seq > 0


def test_it_restores_where_there_is_no_database_yet(tmp_path, template_db):
    target = tmp_path / "new" / "varta.sqlite3"
    result = backup.restore(backup=template_db, target=target, aside_dir=tmp_path / "aside", when=WHEN)
    assert result.previous is None
    assert organisation_names(target) == ["Alpha Aid"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_it_refuses_a_file_that_is_not_sqlite(tmp_path):
    text = tmp_path / "notes.sqlite3"
    text.write_text("SELECT * FROM nothing; this is text", encoding="utf-8")
    with pytest.raises(backup.BackupError, match="is not a SQLite database"):
        backup.inspect_backup(text)
    with pytest.raises(backup.BackupError, match="There is no file"):
        backup.inspect_backup(tmp_path / "missing.sqlite3")


def test_it_refuses_a_sqlite_file_without_varta_tables(tmp_path):
    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT)")
    live = tmp_path / "live.sqlite3"
    live.write_bytes(b"")
    with pytest.raises(backup.BackupError, match="not a Varta database") as error:
        backup.restore(backup=other, target=live, aside_dir=tmp_path / "aside", when=WHEN)
    assert "audit_auditevent" in str(error.value)
    assert not (tmp_path / "aside").exists()  # refused before anything was touched


def test_it_refuses_a_damaged_file(tmp_path, template_db):
    damaged = copy_of(template_db, tmp_path, "damaged.sqlite3")
    with damaged.open("r+b") as fh:
        fh.seek(4096 * 3)
        fh.write(b"\xa5" * 4096 * 4)
    with pytest.raises(backup.BackupError, match=r"damaged|cannot be read"):
        backup.inspect_backup(damaged)


def test_it_refuses_a_backup_the_configured_key_cannot_read(tmp_path, template_db, settings):
    settings.DATA_KEYS = [base64.urlsafe_b64decode(new_data_key())]
    with pytest.raises(backup.BackupError, match="data key") as error:
        backup.inspect_backup(template_db)
    assert "accounts_totpdevice" in str(error.value)


def test_it_accepts_a_backup_encrypted_with_an_older_key_of_the_keyring(template_db, settings):
    settings.DATA_KEYS = [base64.urlsafe_b64decode(new_data_key()), *settings.DATA_KEYS]
    assert backup.inspect_backup(template_db).encrypted_columns_checked == 1


def test_it_refuses_a_backup_from_a_newer_version(tmp_path, template_db):
    newer = copy_of(template_db, tmp_path)
    with closing(sqlite3.connect(newer)) as conn, conn:
        conn.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('core', '9999_future', '2030-01-01')")
    with pytest.raises(backup.BackupError, match=r"newer version .* core\.9999_future"):
        backup.inspect_backup(newer)


def test_it_refuses_a_backup_whose_audit_trail_was_cut(tmp_path, template_db):
    cut = copy_of(template_db, tmp_path)
    with closing(sqlite3.connect(cut)) as conn, conn:
        conn.execute("DELETE FROM audit_auditevent WHERE seq = (SELECT MAX(seq) FROM audit_auditevent)")
    with pytest.raises(backup.BackupError, match="audit trail is inconsistent"):
        backup.inspect_backup(cut)


def test_it_accepts_a_backup_without_any_audit_event_yet(tmp_path, template_db):
    fresh = copy_of(template_db, tmp_path)
    with closing(sqlite3.connect(fresh)) as conn, conn:
        conn.execute("DELETE FROM audit_auditevent")
        conn.execute("UPDATE audit_auditchainhead SET seq = 0, hash = ?", ("0" * 64,))
        conn.execute("DELETE FROM accounts_totpdevice")
    info = backup.inspect_backup(fresh)
    assert info.audit_head_seq == 0
    assert info.encrypted_columns_checked == 0
