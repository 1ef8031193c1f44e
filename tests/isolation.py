"""The framework of the isolation test (tests/test_isolation.py): World, Route and how contexts add to them.

A context whose routes read or write tenant data adds modules ``varta/<context>/tests/isolation_routes*.py`` (one
per area is fine) with:

- ``ROUTES: dict[str, Route]`` — an entry per route name of that context;
- ``populate(world: World, personas) -> None`` — creates organisation A's objects the routes need (keep them in
  ``world.objects``), adds strings that identify them to ``world.markers`` (they must never appear in a response
  to organisation B) and adds a function to ``world.snapshots`` returning the state of A's rows (it must not
  change while B calls the routes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from varta.accounts.models import ApiToken
from varta.orgs.models import Membership, Organisation


@dataclass
class World:
    org_a: Organisation
    member_a: Membership  # A's case worker
    token_a: ApiToken
    markers: list[str]
    objects: dict[str, Any] = field(default_factory=dict)
    snapshots: list[Callable[[], Any]] = field(default_factory=list)


Kwargs = Callable[[World], dict[str, Any]]
Body = Callable[[World], dict[str, Any]]


def _none(_: World) -> dict[str, Any]:
    return {}


@dataclass
class Route:
    methods: tuple[str, ...] = ("GET",)
    kwargs: Kwargs = _none
    body: Body = _none
    why: str = ""
    json: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
