"""``varta demo-data --scale N``: create the demo task force (N copies of each partner organisation), no server."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from varta.core import demo


class Command(BaseCommand):
    help = "Create the demo task force (fictional organisations, one user per role). Existing demo rows are kept."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=1, help="Copies of each partner organisation (default 1).")
        parser.add_argument("--seed", type=int, default=2026, help="Seed of the synthetic data (default 2026).")
        parser.add_argument("--force", action="store_true",
                            help="Add demo users even to a database that holds other organisations.")

    def handle(self, *args: Any, scale: int, seed: int, force: bool, **options: Any) -> None:
        if scale < 1:
            raise CommandError(_("--scale must be 1 or more."))
        if demo.holds_other_data() and not force:
            raise CommandError(_(
                "This database holds organisations but no demo task force: it looks like a real installation. "
                "Demo users share a published password; add them anyway with --force."))
        result = demo.create_demo_task_force(scale=scale, seed=seed)
        if result.skipped_areas:
            self.stderr.write(self.style.WARNING(
                _("Areas not found (geography not loaded?): %(pcodes)s") % {"pcodes": ", ".join(result.skipped_areas)}))
        if result.created:
            message = _("Demo task force ready: %(orgs)d organisations, %(users)d users.")
        else:
            message = _("The demo task force exists already (%(orgs)d organisations, %(users)d users); nothing "
                        "was created.")
        self.stdout.write(message % {"orgs": len(result.organisations), "users": len(result.logins)})
        self.stdout.write(_("Password for every demo user: %(password)s") % {"password": result.password})
