"""Organisation isolation over every route: a user of organisation B never gets organisation A's data.

Every URL pattern (pages and API) must have an entry in ROUTES here or in a context's
``varta/<context>/tests/isolation_routes.py`` (see tests/isolation.py); a new route without one fails
``test_it_covers_every_route``. For each route, every role of organisation B (except the system admin, whose job is
to administer all organisations: see docs/permissions.md) calls it with A's object ids and every method the route
accepts, over a session and, for the API, with a token. The test asserts: no 500; no response body with A's names
or usernames; and A's rows unchanged afterwards.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import varta
from tests.isolation import Route, World
from varta.accounts import actions as account_actions
from varta.accounts.models import ApiToken, User
from varta.accounts.permissions import Role
from varta.audit import writes
from varta.audit.writes import Actor
from varta.orgs.models import Membership, Organisation


def _context_modules() -> list[ModuleType]:
    """Every ``varta/<context>/tests/isolation_routes*.py`` module."""
    modules = []
    for info in pkgutil.iter_modules(varta.__path__):
        try:
            tests_package = importlib.import_module(f"varta.{info.name}.tests")
        except ModuleNotFoundError as exc:
            if exc.name != f"varta.{info.name}.tests":
                raise
            continue
        for module in pkgutil.iter_modules(tests_package.__path__):
            if module.name.startswith("isolation_routes"):
                modules.append(importlib.import_module(f"{tests_package.__name__}.{module.name}"))
    return modules


CONTEXT_MODULES = _context_modules()


def _org(w: World) -> dict[str, Any]:
    return {"organisation_id": w.org_a.pk}


def _member(w: World) -> dict[str, Any]:
    return {"member_id": w.member_a.pk}


def _token(w: World) -> dict[str, Any]:
    return {"token_id": w.token_a.pk}


def _org_body(w: World) -> dict[str, Any]:
    return {"name": "Taken over", "acronym": "X", "type": "other", "country": "UA", "areas": ""}


def _role_body(w: World) -> dict[str, Any]:
    return {"role": Role.ORG_ADMIN.value, "is_active": False}


ROUTES: dict[str, Route] = {
    "core:home": Route(why="own dashboard"),
    "healthz": Route(why="no data"),
    "set_language": Route(methods=("POST",), body=lambda w: {"language": "uk"}, why="a cookie only"),
    "accounts:login": Route(methods=("GET", "POST"), body=lambda w: {"username": "a_case_worker", "password": "x"}),
    "accounts:two_factor": Route(methods=("GET", "POST"), body=lambda w: {"code": "000000"}),
    "accounts:recovery": Route(methods=("GET", "POST"), body=lambda w: {"code": "aaaaa-bbbbb"}),
    "accounts:enrol": Route(methods=("GET",), why="the caller's own device"),
    "accounts:enrol_done": Route(),
    "accounts:recovery_codes": Route(methods=("POST",), why="the caller's own codes"),
    "accounts:logout": Route(methods=("POST",)),
    "accounts:switch_organisation": Route(methods=("POST",), body=lambda w: {"membership": w.member_a.pk}),
    "accounts:profile": Route(methods=("GET",)),
    "accounts:tokens": Route(methods=("GET",)),
    "accounts:token_revoke": Route(methods=("POST",), kwargs=_token),
    "orgs:detail": Route(),
    "orgs:edit_own": Route(methods=("GET",)),
    "orgs:member_create": Route(methods=("GET",)),
    "orgs:member_edit": Route(methods=("GET", "POST"), kwargs=_member, body=_role_body),
    "orgs:member_set_active": Route(methods=("POST",), kwargs=_member),
    "orgs:member_reset_2fa": Route(methods=("POST",), kwargs=_member),
    "orgs:list": Route(),
    "orgs:create": Route(methods=("GET",)),
    "orgs:edit": Route(methods=("GET", "POST"), kwargs=_org, body=_org_body),
    "orgs:set_active": Route(methods=("POST",), kwargs=_org),
    "audit:list": Route(),
    "api-audit-events": Route(),
    "geo:browse": Route(why="reference data"),
    "geo:search": Route(why="reference data"),
    "geo:unit": Route(kwargs=lambda w: {"pcode": "UA21"}, why="reference data"),
    "api-geo-admin-units": Route(why="reference data"),
    "api-geo-admin-unit": Route(kwargs=lambda w: {"pcode": "UA21"}, why="reference data"),
    "api-geo-countries": Route(why="reference data"),
    "api-schema": Route(why="no data"),
    "api-docs": Route(why="no data"),
    "api-me": Route(),
    "api-tokens": Route(),
    "api-token-revoke": Route(methods=("POST",), kwargs=_token),
    "api-organisations": Route(),
    "api-organisation": Route(methods=("GET", "PUT"), kwargs=_org, body=_org_body, json=True),
    "api-members": Route(),
    "api-member": Route(methods=("GET", "PATCH"), kwargs=_member, body=_role_body, json=True),
}


for _module in CONTEXT_MODULES:
    _overlap = set(ROUTES) & set(_module.ROUTES)
    assert not _overlap, f"{_module.__name__} repeats isolation entries: {_overlap}"
    ROUTES.update(_module.ROUTES)


def _walk(patterns: list[Any], namespace: str | None = None) -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            assert p.name, f"URL pattern {p.pattern} has no name: every route must be named to be covered"
            yield f"{namespace}:{p.name}" if namespace else p.name


def all_route_names() -> list[str]:
    return list(_walk(get_resolver().url_patterns))


def test_it_covers_every_route() -> None:
    names = all_route_names()
    missing = sorted(set(names) - set(ROUTES))
    stale = sorted(set(ROUTES) - set(names))
    assert not missing, f"routes without an isolation entry in tests/test_isolation.py: {missing}"
    assert not stale, f"isolation entries for routes that no longer exist: {stale}"


def _snapshot(w: World) -> Any:
    org = Organisation.objects.get(pk=w.org_a.pk)
    return (
        [snapshot() for snapshot in w.snapshots],
        (org.name, org.acronym, org.type, org.country_id, org.is_active,
         sorted(org.areas.values_list("pk", flat=True))),
        sorted(Membership.objects.filter(organisation=org).values_list("pk", "role", "is_active")),
        sorted(ApiToken.objects.filter(membership__organisation=org).values_list("pk", "revoked_at")),
        sorted(User.objects.filter(memberships__organisation=org).values_list("pk", "password", "is_active")),
        sorted(User.objects.filter(memberships__organisation=org).values_list("pk", "totp_device__id")),
    )


@pytest.fixture
def world(personas) -> World:
    member = personas.a.membership(Role.CASE_WORKER)
    token = account_actions.api_token_issue(actor=Actor.system(), membership=member, name="A's integration").token
    # An event of A's, by A's admin: the audit viewer and API must not show it (or the admin's name) to B.
    a_admin = personas.a.membership(Role.ORG_ADMIN)
    writes.record(actor=Actor(user=a_admin.user, organisation=a_admin.organisation), action="orgs.organisation.view",
                  object_type="orgs.organisation", object_id=a_admin.organisation_id)
    markers = ["Alpha Aid", "ALPHA"] + [m.user.username for m in personas.a.members.values()]
    world = World(org_a=personas.a.organisation, member_a=member, token_a=token, markers=markers)
    for module in CONTEXT_MODULES:
        module.populate(world, personas)
    return world


def _call(client: Client, method: str, url: str, route: Route, w: World, **extra: Any) -> Any:
    body = route.body(w)
    if method == "GET":
        return client.get(url, **extra)
    if route.json or url.startswith("/api/"):
        return client.generic(method, url, data=json.dumps(body), content_type="application/json",
                              **extra)
    return getattr(client, method.lower())(url, data=body, **extra)


def _assert_isolated(response: Any, w: World, context: str) -> None:
    assert response.status_code != 500, f"{context}: 500"
    if response.status_code in (200, 201):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        content = body.decode("utf-8", "replace")
        leaked = [m for m in w.markers if m in content]
        assert not leaked, f"{context}: organisation A's data in the response: {leaked}"


B_ROLES = [r for r in Role if r != Role.SYSTEM_ADMIN]


@pytest.mark.parametrize("role", B_ROLES, ids=[r.value for r in B_ROLES])
def test_it_never_gives_b_organisation_a_data(personas, world, role) -> None:
    user = personas.b.user(role)
    before = _snapshot(world)
    for name, route in ROUTES.items():
        url = reverse(name, kwargs=route.kwargs(world))
        for method in route.methods:
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            response = _call(client, method, url, route, world)
            _assert_isolated(response, world, f"{role.value} {method} {url}")
    assert _snapshot(world) == before, f"{role.value} changed organisation A's rows"


@pytest.mark.parametrize("role", B_ROLES, ids=[r.value for r in B_ROLES])
def test_it_never_gives_b_organisation_a_data_by_token(personas, world, role) -> None:
    membership = personas.b.membership(role)
    raw = account_actions.api_token_issue(actor=Actor.system(), membership=membership, name="B's integration").raw
    before = _snapshot(world)
    for name, route in ROUTES.items():
        url = reverse(name, kwargs=route.kwargs(world))
        if not url.startswith("/api/"):
            continue
        for method in route.methods:
            response = _call(Client(), method, url, route, world, HTTP_AUTHORIZATION=f"Token {raw}")
            _assert_isolated(response, world, f"{role.value} token {method} {url}")
    assert _snapshot(world) == before


def test_it_gives_anonymous_nothing(personas, world) -> None:
    for name, route in ROUTES.items():
        url = reverse(name, kwargs=route.kwargs(world))
        for method in route.methods:
            response = _call(Client(), method, url, route, world)
            _assert_isolated(response, world, f"anonymous {method} {url}")
            if url.startswith("/api/") and name not in ("api-schema", "api-docs"):
                assert response.status_code in (401, 403), f"anonymous {method} {url}: {response.status_code}"
