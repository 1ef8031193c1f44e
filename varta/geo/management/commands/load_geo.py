"""``varta load-geo``: load or refresh administrative units from varta/geo/data (safe to run again)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from varta.geo.loader import load


class Command(BaseCommand):
    help = "Load Ukraine's oblasts, raions, hromadas and settlements and every country's ADM1/ADM2 P-codes."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        result = load()
        u = result.ukraine
        self.stdout.write(
            f"Ukraine: {u.get(1, 0)} oblasts, {u.get(2, 0)} raions, {u.get(3, 0)} hromadas, {u.get(4, 0)} settlements"
        )
        self.stdout.write(
            f"Other countries: {result.other_countries} countries, {result.other_units.get(1, 0)} ADM1 units, "
            f"{result.other_units.get(2, 0)} ADM2 units"
        )
        self.stdout.write(f"ISO 3166 countries: {result.countries} ({result.countries_written} written)")
        if result.not_in_files:
            self.stdout.write(f"Kept {result.not_in_files} units that are no longer in the files")
        self.stdout.write(self.style.SUCCESS(
            f"{result.total} units: {result.created} created, {result.updated} updated, {result.unchanged} unchanged "
            f"({time.monotonic() - started:.1f} s)"
        ))
