"""``varta permissions-doc``: write docs/permissions.md from the permission table in code.

With ``--check`` nothing is written: the command fails when the file differs from the table (for CI).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from varta.accounts.permissions import permissions_markdown


def default_path() -> Path:
    return Path(settings.BASE_DIR).parent / "docs" / "permissions.md"


class Command(BaseCommand):
    help = "Write docs/permissions.md from varta/accounts/permissions.py (or, with --check, compare them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=None,
                            help="File to write (default: docs/permissions.md of the source checkout).")
        parser.add_argument("--check", action="store_true", help="Fail if the file differs; write nothing.")

    def handle(self, *args: Any, output: Path | None, check: bool, **options: Any) -> None:
        path = output or default_path()
        text = permissions_markdown()
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current != text:
                raise CommandError(f"{path} is out of date: run `varta permissions-doc`")
            self.stdout.write(f"{path} is up to date")
            return
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent} does not exist: pass --output")
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
