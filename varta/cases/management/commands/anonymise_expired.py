"""``varta anonymise-expired``: anonymise every organisation's closed cases past the retention period (for cron)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from varta.audit.writes import Actor
from varta.cases.actions import rights


class Command(BaseCommand):
    help = ("Anonymise the closed cases of every organisation whose retention period (VARTA_CASE_RETENTION_DAYS "
            "after closure) has passed, keeping only their statistical attributes. Run it daily from cron or a "
            "systemd timer; see docs/cases.md, 'Rights and retention'.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List the cases that are due; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        cases = rights.anonymise_expired(actor=Actor.system(), dry_run=dry_run)
        per_org: dict[str, list[str]] = {}
        for case in cases:
            per_org.setdefault(case.organisation.name, []).append(case.reference)
        verb = "due for anonymisation" if dry_run else "anonymised"
        self.stdout.write(f"{len(cases)} closed cases {verb} (retention: {settings.CASE_RETENTION_DAYS} days after "
                          "closure).")
        for name, references in sorted(per_org.items()):
            self.stdout.write(f"  {name}: {len(references)}" + (f" ({', '.join(references)})" if dry_run else ""))
