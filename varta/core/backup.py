"""Backups of the embedded default (one SQLite file) and their restore.

A snapshot uses SQLite's online backup API in one step: it reads the database inside one read transaction, so
the copy is exactly one committed state even while the server keeps writing (WAL lets the writer go on).
A restore writes the backup *through* SQLite into the live database file (again the backup API), so the WAL
and shared-memory files stay coherent with the main file and no half-copied state is ever visible.

The functions take explicit paths so that they can be tested on any file; the ``varta backup`` and
``varta restore`` commands supply the configured database. The data-encryption keys are never in a backup:
they live outside the database and must be backed up separately (docs/operations.md, "Key management").

On PostgreSQL, ``pg_dump``/``pg_restore`` are the tools; :func:`pg_dump_command` spells out the command.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import tempfile
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from varta.audit.chain import GENESIS, HEAD_PK
from varta.audit.models import AuditChainHead, AuditEvent
from varta.core.crypto import DecryptionError, EncryptedTextField, decrypt

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_SECONDS = 30


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do instead."""


@dataclass(frozen=True)
class Snapshot:
    path: Path
    size: int


@dataclass(frozen=True)
class BackupInfo:
    """What :func:`inspect_backup` found in a backup file that passed every check."""

    path: Path
    size: int
    audit_head_seq: int
    encrypted_columns_checked: int
    applied_migrations: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Restored:
    info: BackupInfo
    target: Path
    previous: Snapshot | None  # the database as it was before the restore, or None if there was none


def timestamped_name(prefix: str, when: datetime) -> str:
    return f"{prefix}-{when:%Y%m%d-%H%M%S}.sqlite3"


def unique_path(directory: Path, prefix: str, when: datetime) -> Path:
    """``directory/prefix-YYYYmmdd-HHMMSS.sqlite3``, with a counter if that name is taken."""
    candidate = directory / timestamped_name(prefix, when)
    counter = 1
    while candidate.exists():
        candidate = directory / f"{prefix}-{when:%Y%m%d-%H%M%S}-{counter}.sqlite3"
        counter += 1
    return candidate


def _connect_read_only(path: Path) -> sqlite3.Connection:
    # mode=ro: inspecting a backup must never change it. as_uri() percent-encodes odd characters in the path.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS)


def integrity_problems(conn: sqlite3.Connection, limit: int = 5) -> list[str]:
    """The first ``limit`` problems ``PRAGMA integrity_check`` reports; empty when the database is sound."""
    rows = [str(row[0]) for row in conn.execute(f"PRAGMA integrity_check({int(limit)})")]
    return [] if rows == ["ok"] else rows


def snapshot(*, source: Path, destination: Path) -> Snapshot:
    """Copy the SQLite database at ``source`` into the new file ``destination`` (mode 0600), consistently.

    Safe while other connections write. The copy is a self-contained single file (rollback-journal mode) that
    passed ``PRAGMA integrity_check``; on any failure no file is left at ``destination``.
    """
    if not source.is_file():
        raise BackupError(_("There is no database file at %(path)s.") % {"path": source})
    if destination.exists():
        raise BackupError(_("%(path)s already exists; a backup never overwrites a file.") % {"path": destination})
    destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkstemp creates the file with mode 0600 in the destination's directory, so the final rename is atomic.
    fd, partial_name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.", suffix=".partial")
    os.close(fd)
    partial = Path(partial_name)
    try:
        with closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_SECONDS)) as src, \
                closing(sqlite3.connect(partial)) as dst:
            # pages=-1: everything in one step, i.e. under one read transaction: one committed state.
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=DELETE")
            problems = integrity_problems(dst)
        if problems:
            raise BackupError(_("The copy failed its integrity check: %(problems)s")
                              % {"problems": "; ".join(problems)})
        os.chmod(partial, 0o600)
        os.rename(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Snapshot(path=destination, size=destination.stat().st_size)


def _required_tables() -> list[str]:
    from varta.accounts.models import User
    from varta.orgs.models import Organisation

    return ["django_migrations", User._meta.db_table, Organisation._meta.db_table,
            AuditEvent._meta.db_table, AuditChainHead._meta.db_table]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _check_audit_chain(conn: sqlite3.Connection) -> int:
    """The chain head must match the newest event (a cheap sign the backup is a whole, untampered trail)."""
    events = _quote(AuditEvent._meta.db_table)
    heads = _quote(AuditChainHead._meta.db_table)
    newest = conn.execute(f"SELECT seq, hash FROM {events} ORDER BY seq DESC LIMIT 1").fetchone()  # noqa: S608
    head_pk = _quote(AuditChainHead._meta.pk.column if AuditChainHead._meta.pk else "id")
    head = conn.execute(f"SELECT seq, hash FROM {heads} WHERE {head_pk} = ?", (HEAD_PK,)).fetchone()  # noqa: S608
    if newest is None and (head is None or tuple(head) == (0, GENESIS)):
        return 0  # no event yet
    if newest is None or head is None or tuple(newest) != tuple(head):
        raise BackupError(
            _("The backup's audit trail is inconsistent: its chain head does not match its newest event. "
              "It may be incomplete or altered; Varta will not restore it.")
        )
    return int(head[0])


def _check_encrypted_columns(conn: sqlite3.Connection, tables: set[str]) -> int:
    """Decrypt one stored value of every encrypted column with the configured keyring."""
    checked = 0
    for model in apps.get_models():
        table = model._meta.db_table
        if table not in tables:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, EncryptedTextField):
                continue
            column = _quote(field.column)
            row = conn.execute(
                f"SELECT {column} FROM {_quote(table)} WHERE {column} IS NOT NULL AND {column} <> '' LIMIT 1"  # noqa: S608
            ).fetchone()
            if row is None:
                continue
            try:
                decrypt(str(row[0]))
            except DecryptionError as exc:
                raise BackupError(
                    _("The backup holds encrypted data that the configured data key cannot read (%(table)s: "
                      "%(reason)s). Restore the data key that was in use when the backup was made (the key file "
                      "or VARTA_DATA_KEYS), then run the restore again.")
                    % {"table": table, "reason": exc}
                ) from exc
            checked += 1
    return checked


def inspect_backup(path: Path) -> BackupInfo:
    """Check that ``path`` is a sound Varta backup this installation can use; :class:`BackupError` if not.

    Checks, in order: a SQLite file; ``PRAGMA integrity_check``; Varta's tables; no migration unknown to this
    version of Varta (a backup from a newer version); the audit chain head matches the newest event; one value
    of every encrypted column decrypts with the configured keyring.
    """
    if not path.is_file():
        raise BackupError(_("There is no file at %(path)s.") % {"path": path})
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(_("%(path)s is not a SQLite database.") % {"path": path})
    try:
        with closing(_connect_read_only(path)) as conn:
            problems = integrity_problems(conn)
            if problems:
                raise BackupError(_("%(path)s is damaged (integrity check: %(problems)s).")
                                  % {"path": path, "problems": "; ".join(problems)})
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = [t for t in _required_tables() if t not in tables]
            if missing:
                raise BackupError(_("%(path)s is not a Varta database (tables missing: %(tables)s).")
                                  % {"path": path, "tables": ", ".join(missing)})
            applied = frozenset((str(a), str(n)) for a, n in conn.execute("SELECT app, name FROM django_migrations"))
            known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
            unknown = sorted(applied - known)
            if unknown:
                raise BackupError(
                    _("The backup was made by a newer version of Varta (it has migrations this version does not "
                      "know, e.g. %(migration)s). Upgrade Varta first, then restore.")
                    % {"migration": ".".join(unknown[0])}
                )
            head_seq = _check_audit_chain(conn)
            encrypted = _check_encrypted_columns(conn, tables)
    except sqlite3.DatabaseError as exc:
        raise BackupError(_("%(path)s cannot be read as a database: %(error)s") % {"path": path, "error": exc}) from exc
    return BackupInfo(path=path, size=path.stat().st_size, audit_head_seq=head_seq,
                      encrypted_columns_checked=encrypted, applied_migrations=applied)


def restore(*, backup: Path, target: Path, aside_dir: Path, when: datetime) -> Restored:
    """Replace the database at ``target`` with ``backup`` after :func:`inspect_backup` accepted it.

    The current database is first copied (consistently, via :func:`snapshot`) to
    ``aside_dir/pre-restore-….sqlite3``. Migrating an older backup forward is the caller's job (it needs Django's
    connection to the restored file).
    """
    info = inspect_backup(backup)
    previous = None
    if target.exists():
        previous = snapshot(source=target, destination=unique_path(aside_dir, "pre-restore", when))
    else:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with closing(_connect_read_only(backup)) as src, \
            closing(sqlite3.connect(target, timeout=BUSY_TIMEOUT_SECONDS)) as dst:
        # Written through SQLite into the live file: other connections see the old or the new database, never a
        # mix, and its -wal/-shm files stay valid. Varta runs the embedded database in WAL mode.
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=WAL")
        problems = integrity_problems(dst)
    if problems:
        raise BackupError(_("The restored database failed its integrity check (%(problems)s). The previous "
                            "database is at %(previous)s.")
                          % {"problems": "; ".join(problems), "previous": previous.path if previous else "-"})
    return Restored(info=info, target=target, previous=previous)


def pg_dump_command(database: Mapping[str, Any], when: datetime) -> str:
    """The pg_dump command line for the configured PostgreSQL database (never with the password)."""
    parts = ["pg_dump", "--format=custom", f"--file=varta-{when:%Y%m%d-%H%M%S}.dump", *_pg_connection(database)]
    parts.append(str(database.get("NAME") or ""))
    return shlex.join(parts)


def _pg_connection(database: Mapping[str, Any]) -> list[str]:
    return [f"--{option}={database[key]}" for key, option in (("HOST", "host"), ("PORT", "port"),
                                                               ("USER", "username")) if database.get(key)]


def pg_restore_command(database: Mapping[str, Any], dump: str = "varta-YYYYmmdd-HHMMSS.dump") -> str:
    parts = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *_pg_connection(database)]
    parts += [f"--dbname={database.get('NAME') or ''}", dump]
    return shlex.join(parts)
