"""Isolation entries of the hotline statistics (page, CSV export, API).

Organisation A gets one contact last month (inside every default period) on a topic of A's own taxonomy. B's roles
with ``stats.view_org`` see B's figures only; B's task-force coordinator (``stats.view_aggregate``) sees every
organisation's figures after disclosure control, in which A's own topics roll up to "Organisations' own topics"
and an organisation with fewer contacts than the threshold is never named. So the name of A's topic must never
appear. (A's name itself may appear to a coordinator once A has enough contacts in the period: that is the
task-force view, by design. The world's contacts are too few for that.)
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from tests.isolation import Route, World
from varta.accounts.permissions import Role
from varta.audit.writes import Actor
from varta.hotline import actions
from varta.hotline.actions import ConsultationInput, ContactInput
from varta.hotline.models import Consultation, Contact, Topic

MARKERS = ["Alpha statistics-only topic", "Альфа тема лише для статистики"]

ROUTES: dict[str, Route] = {
    "hotline:stats": Route(why="own organisation's figures, or disclosure-controlled aggregates"),
    "hotline:stats_export": Route(why="the same figures as CSV"),
    "api-hotline-statistics": Route(why="the same figures as JSON"),
}


def populate(world: World, personas: Any) -> None:
    admin = personas.a.membership(Role.ORG_ADMIN)
    own = actions.topic_create(actor=Actor(user=admin.user, organisation=admin.organisation), membership=admin,
                               parent=Topic.objects.get(organisation__isnull=True, code="other"),
                               code="alpha-stats-only", name_en=MARKERS[0], name_uk=MARKERS[1])
    operator = personas.a.membership(Role.HOTLINE_OPERATOR)
    last_month = timezone.localdate().replace(day=1) - timedelta(days=10)
    started = timezone.make_aware(datetime.combine(last_month, time(11)))
    contact = actions.contact_create(
        actor=Actor(user=operator.user, organisation=operator.organisation), membership=operator,
        data=ContactInput(channel="walk_in", started_at=started, consultations=[ConsultationInput(topic=own)]))
    world.objects["stats_contact"] = contact
    world.markers.extend(MARKERS)
    org = world.org_a
    world.snapshots.append(lambda: (
        Contact.objects.filter(organisation=org).count(), Consultation.objects.filter(organisation=org).count()))
