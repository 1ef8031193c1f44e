"""Isolation entries for the hotline's routes (see tests/isolation.py). Each area adds its routes here."""

from __future__ import annotations

from typing import Any

from tests.isolation import Route, World

ROUTES: dict[str, Route] = {}


def populate(world: World, personas: Any) -> None:
    """Organisation A's hotline records for the isolation test (filled as the routes are written)."""
