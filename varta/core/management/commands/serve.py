"""``varta serve``: the production web server (waitress), not Django's development server."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from varta.core.server import serve


class Command(BaseCommand):
    help = "Serve Varta with waitress (production WSGI server). Refuses to start with unapplied migrations."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1",
                            help="Address to listen on (default 127.0.0.1; use 0.0.0.0 only behind a firewall).")
        parser.add_argument("--port", type=int, default=8000, help="TCP port (default 8000; 0 picks a free one).")
        parser.add_argument("--threads", type=int, default=8, help="Worker threads (default 8).")
        parser.add_argument("--migrate", action="store_true",
                            help="Apply pending migrations before serving instead of refusing to start.")
        parser.add_argument("--trusted-proxy", default="127.0.0.1",
                            help="Address of the reverse proxy whose X-Forwarded-For/-Proto headers are trusted "
                            "when VARTA_BEHIND_PROXY is true (default 127.0.0.1; '*' trusts any peer).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["port"] <= 65535:
            raise CommandError("--port must be between 0 and 65535")
        if options["threads"] < 1:
            raise CommandError("--threads must be at least 1")
        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        serve(options["host"], options["port"], options["threads"], trusted_proxy=options["trusted_proxy"])
