"""``varta hotline_rollups --rebuild [--organisation ID]``: recompute the daily roll-ups from the rows."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from varta.hotline import rollups


class Command(BaseCommand):
    help = "Recompute the hotline's daily roll-ups (ContactDay, ConsultationDay) from the contacts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="recompute the roll-ups from the rows")
        parser.add_argument("--organisation", type=int, default=None, help="only this organisation's (id)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["rebuild"]:
            raise CommandError("Nothing to do: give --rebuild.")
        began = time.perf_counter()
        contact_rows, consultation_rows = rollups.rebuild(options["organisation"])
        self.stdout.write(f"{contact_rows} contact and {consultation_rows} consultation roll-up rows "
                          f"in {time.perf_counter() - began:.1f} s")
