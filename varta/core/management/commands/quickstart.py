"""``varta quickstart``: migrate, load geography, create the demo task force, print the logins, serve.

A second run reuses everything: migrations, places and demo rows that exist are left alone. It refuses a
database that holds organisations but no demo task force, so demo users with a published password never land in
a real installation.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from varta.accounts.permissions import ROLE_LABELS
from varta.core import demo


class Command(BaseCommand):
    help = "Start Varta with a demo task force: migrate, load places, create demo users, serve on 127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000).")
        parser.add_argument("--no-serve", action="store_true", help="Prepare the database and print the logins only.")

    def handle(self, *args: Any, host: str, port: int, no_serve: bool, **options: Any) -> None:
        if not settings.EMBEDDED:
            self.stderr.write(self.style.WARNING(
                _("WARNING: DATABASE_URL is set. The demo task force, with a published password, goes into that "
                  "database. Use quickstart on a throw-away database only.")))
        self.stdout.write(_("Preparing the database …"))
        call_command("migrate", verbosity=0, interactive=False)
        if demo.holds_other_data():
            raise CommandError(_(
                "This database holds organisations but no demo task force: it looks like a real installation. "
                "quickstart will not add demo users with a published password to it. Start the demo on an empty "
                "database (for example another VARTA_VAR_DIR), or use `varta serve` here."))
        if not demo.demo_exists():
            self.stdout.write(_("Loading places and creating the demo task force (the first run takes a minute) …"))
        result = demo.create_demo_task_force()
        if result.skipped_areas:
            self.stderr.write(self.style.WARNING(
                _("Areas not found (geography not loaded?): %(pcodes)s") % {"pcodes": ", ".join(result.skipped_areas)}))
        self.print_welcome(result, host=host, port=port)
        if no_serve:
            return
        from varta.core.server import serve

        try:
            serve(host=host, port=port)
        except OSError as exc:
            raise CommandError(_("Cannot listen on %(host)s:%(port)s (%(error)s). Try another port with --port.")
                               % {"host": host, "port": port, "error": exc.strerror or exc}) from exc

    def print_welcome(self, result: demo.DemoResult, *, host: str, port: int) -> None:
        shown_host = f"[{host}]" if ":" in host else host
        rule = "=" * 78
        out = self.stdout
        out.write(rule)
        out.write(self.style.SUCCESS(_("Varta is ready: http://%(host)s:%(port)s/") % {"host": shown_host,
                                                                                      "port": port}))
        if settings.DEMO_MODE:
            out.write(self.style.WARNING(_("Demo mode — two-factor login is off — do not enter real data.")))
        else:
            out.write(self.style.WARNING(_("Demo data — do not enter real data. Two-factor login is on "
                                           "(VARTA_DEMO is not set): users who see personal data enrol at first "
                                           "login.")))
        out.write("")
        rows = [(x.username, str(ROLE_LABELS[x.role]), f"{x.organisation.acronym} — {x.organisation.name}")
                for x in result.logins]
        header = (_("Username"), _("Role"), _("Organisation"))
        user_width = max(len(r[0]) for r in [header, *rows])
        role_width = max(len(r[1]) for r in [header, *rows])
        for username, role, organisation in [header, *rows]:
            out.write(f"  {username:<{user_width}}  {role:<{role_width}}  {organisation}")
        out.write("")
        out.write(_("Password for every demo user: %(password)s") % {"password": result.password})
        out.write(rule)
