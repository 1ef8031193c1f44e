"""``varta backup``: a consistent snapshot of the embedded database while the server runs."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from varta.audit.writes import Actor, record
from varta.core import backup
from varta.core.crypto import key_id


def key_location() -> str:
    if os.environ.get("VARTA_DATA_KEYS"):
        return _("the VARTA_DATA_KEYS environment variable")
    if os.environ.get("VARTA_DATA_KEYS_FILE"):
        return _("the file named by VARTA_DATA_KEYS_FILE (%(path)s)") % {"path": os.environ["VARTA_DATA_KEYS_FILE"]}
    return str(settings.DATA_KEY_FILE)


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


class Command(BaseCommand):
    help = ("Copy the embedded SQLite database to var/backups/ while Varta keeps running (on PostgreSQL: prints "
            "the pg_dump command to use). The data-encryption key is not in the backup: keep it separately.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--output", "-o", help="File (or existing directory) to write the backup to "
                            "(default var/backups/varta-YYYYmmdd-HHMMSS.sqlite3).")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.localtime()
        if not settings.EMBEDDED:
            database = connection.settings_dict
            raise CommandError(
                _("Varta runs on PostgreSQL here: back it up with PostgreSQL's own tool, pg_dump (`varta backup` "
                  "copies only the embedded SQLite database). For example:\n\n    %(dump)s\n\nRestore with:\n\n"
                  "    %(restore)s\n\nThe password comes from PGPASSWORD or ~/.pgpass. See docs/operations.md, "
                  "'Backups'. The data-encryption key is not in the dump: keep %(key)s separately.")
                % {"dump": backup.pg_dump_command(database, now), "restore": backup.pg_restore_command(database),
                   "key": key_location()}
            )
        source = Path(str(connection.settings_dict["NAME"]))
        if options["output"]:
            destination = Path(options["output"])
            if destination.is_dir():
                destination = backup.unique_path(destination, "varta", now)
        else:
            destination = backup.unique_path(settings.VAR_DIR / "backups", "varta", now)
        if not source.is_file():
            raise CommandError(_("There is no database file at %(path)s: nothing to back up.") % {"path": source})
        # Recorded first, so that the backup holds the event that made it: after a restore the audit trail ends
        # with this event, naming the file that was restored.
        record(actor=Actor.system(), action="system.backup", object_type="backup",
               object_id=destination.name[:64])
        connection.close()
        try:
            snap = backup.snapshot(source=source, destination=destination)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("Backup written: %(path)s (%(size)s), integrity check ok.")
                          % {"path": snap.path, "size": human_size(snap.size)})
        self.stdout.write(
            _("The data-encryption key is NOT in the backup. Without it the backup's personal data cannot be "
              "read: keep a copy of %(location)s (key id %(key_id)s) offline, apart from the backups.")
            % {"location": key_location(), "key_id": key_id(settings.DATA_KEYS[0])}
        )
