"""Isolation entries of the taxonomy pages: B's admins never see, edit or retire A's own terms."""

from __future__ import annotations

from typing import Any

from tests.isolation import Route, World
from varta.accounts.permissions import Role
from varta.audit.writes import Actor
from varta.hotline import actions
from varta.hotline.models import Topic

MARKER = "Alpha taxonomy page term"


def _topic(w: World) -> dict[str, Any]:
    return {"topic_id": w.objects["taxonomy_topic"].pk}


def _new(w: World) -> dict[str, Any]:
    parent = Topic.objects.get(organisation__isnull=True, code="documents")
    return {"parent": parent.pk, "code": "b-page-term", "name_en": "Taken over", "name_uk": "Захоплено",
            "sort_order": 1}


def _names(w: World) -> dict[str, Any]:
    return {"name_en": "Taken over", "name_uk": "Захоплено", "sort_order": 1}


ROUTES: dict[str, Route] = {
    "hotline:taxonomy": Route(),
    "hotline:topic_new": Route(methods=("GET", "POST"), body=_new),
    "hotline:topic_edit": Route(methods=("GET", "POST"), kwargs=_topic, body=_names),
    "hotline:topic_retire": Route(methods=("POST",), kwargs=_topic, body=lambda w: {"retired": "1"}),
}


def populate(world: World, personas: Any) -> None:
    admin = personas.a.membership(Role.ORG_ADMIN)
    parent = Topic.objects.get(organisation__isnull=True, code="evacuation")
    topic = actions.topic_create(actor=Actor(user=admin.user, organisation=admin.organisation), membership=admin,
                                 parent=parent, code="alpha-page-term", name_en=MARKER, name_uk=MARKER)
    world.objects["taxonomy_topic"] = topic
    world.markers.append(MARKER)
    org = world.org_a

    def snapshot() -> Any:
        return sorted(Topic.objects.filter(organisation=org).values_list("pk", "code", "name_en", "name_uk",
                                                                         "sort_order", "retired_at"))

    world.snapshots.append(snapshot)
