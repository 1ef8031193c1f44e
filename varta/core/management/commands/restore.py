"""``varta restore PATH``: bring back a backup made by ``varta backup`` (embedded SQLite database)."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from varta.audit.writes import Actor, record
from varta.core import backup
from varta.core.server import pending_migrations


class Command(BaseCommand):
    help = ("Replace the embedded database with a backup made by `varta backup`, after checking it (integrity, "
            "Varta's tables, audit chain head, and that the configured data key can read it). The current "
            "database is kept as var/backups/pre-restore-….sqlite3. Stop the server first.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="The backup file (.sqlite3).")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.EMBEDDED:
            raise CommandError(
                _("Varta runs on PostgreSQL here: restore a pg_dump archive with pg_restore, for example:\n\n"
                  "    %(restore)s\n\nSee docs/operations.md, 'Backups'.")
                % {"restore": backup.pg_restore_command(connection.settings_dict)}
            )
        source = Path(options["path"])
        target = Path(str(connection.settings_dict["NAME"]))
        try:
            info = backup.inspect_backup(source)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("%(path)s: a Varta database, integrity ok, audit trail up to event #%(seq)d, "
                            "%(count)d encrypted column(s) readable with the configured key.")
                          % {"path": source, "seq": info.audit_head_seq, "count": info.encrypted_columns_checked})
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError(_("Refusing to replace the database without confirmation: add --yes."))
            answer = input(_("Replace the database %(target)s with this backup? Type 'yes' to go on: ")
                           % {"target": target})
            if answer.strip().lower() != "yes":
                raise CommandError(_("Nothing was changed."))
        connections.close_all()
        try:
            restored = backup.restore(backup=source, target=target, aside_dir=settings.VAR_DIR / "backups",
                                      when=timezone.localtime())
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if restored.previous is not None:
            self.stdout.write(_("The previous database was copied to %(path)s.") % {"path": restored.previous.path})
        self.stdout.write(_("Restored %(path)s into %(target)s.") % {"path": source, "target": target})
        connections.close_all()
        pending = pending_migrations()
        if pending:
            self.stdout.write(_("The backup is older than this version of Varta: applying %(count)d migration(s).")
                              % {"count": len(pending)})
            call_command("migrate", interactive=False, verbosity=0)
        record(actor=Actor.system(), action="system.restore", object_type="backup", object_id=source.name[:64])
        self.stdout.write(_("Done. Check the audit trail with `varta audit verify`, then start the server."))
