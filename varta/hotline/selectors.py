"""Reads of hotline records, scoped to the acting organisation (404 for another organisation's rows)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from varta.accounts.permissions import Action, require
from varta.core.cache import ReferenceCache
from varta.hotline.models import Callback, CallbackStatus, Contact, Escalation, EscalationStatus, Topic
from varta.orgs.models import Membership


def contacts_visible(membership: Membership) -> QuerySet[Contact]:
    require(membership, Action.HOTLINE_CONTACT_VIEW)
    return Contact.objects.filter(organisation_id=membership.organisation_id)


def access_contact(membership: Membership, contact_id: int | str) -> Contact:
    try:
        return contacts_visible(membership).select_related("location", "country", "operator").get(pk=contact_id)
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def recent_contacts(membership: Membership, *, limit: int = 15) -> QuerySet[Contact]:
    """The acting operator's own latest contacts, with their consultations' topics."""
    return (contacts_visible(membership).filter(operator_id=membership.user_id)
            .select_related("location").prefetch_related("consultations__topic")
            .order_by("-started_at")[:limit])


def callbacks_visible(membership: Membership) -> QuerySet[Callback]:
    require(membership, Action.HOTLINE_CONTACT_VIEW)
    return Callback.objects.filter(organisation_id=membership.organisation_id)


def access_callback(membership: Membership, callback_id: int | str) -> Callback:
    try:
        return callbacks_visible(membership).select_related("contact", "assigned_to").get(pk=callback_id)
    except (Callback.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def callback_queue(membership: Membership, *, now: datetime | None = None,
                   everyone: bool = False) -> QuerySet[Callback]:
    """Scheduled call-backs, overdue first; the acting user's own unless ``everyone``."""
    now = now or timezone.now()
    queue = callbacks_visible(membership).filter(status=CallbackStatus.SCHEDULED)
    if not everyone:
        queue = queue.filter(assigned_to_id=membership.user_id)
    return queue.select_related("contact", "assigned_to").order_by("due_at")


def escalations_visible(membership: Membership) -> QuerySet[Escalation]:
    require(membership, Action.HOTLINE_ESCALATION_VIEW)
    return Escalation.objects.filter(organisation_id=membership.organisation_id)


def pending_escalations(membership: Membership) -> QuerySet[Escalation]:
    return (escalations_visible(membership).filter(status=EscalationStatus.PENDING)
            .select_related("contact", "escalated_by").order_by("created_at"))


def access_escalation(membership: Membership, escalation_id: int | str) -> Escalation:
    try:
        return escalations_visible(membership).select_related("contact").get(pk=escalation_id)
    except (Escalation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def topics_visible(organisation_id: int, *, include_retired: bool = False) -> QuerySet[Topic]:
    """Standard terms and the organisation's own, standard first."""
    topics = Topic.objects.filter(Q(organisation__isnull=True) | Q(organisation_id=organisation_id))
    if not include_retired:
        topics = topics.filter(retired_at__isnull=True)
    return topics.select_related("parent").order_by("parent__sort_order", "sort_order", "name_en")


# Each organisation's terms by code (standard and own, retired too), for the paths that turn topic codes into
# terms on every request: the API's create and the importer. A term is never deleted, so a cached term is always a
# valid reference; what can age is its names, its order or whether it is retired. Every taxonomy action clears
# this process's cache (``TOPICS.forget()``); other server processes see a rename or a retirement within
# ``TOPICS.seconds``, and a code they do not know sends them back to the database at once, so a new term is
# usable everywhere the moment it is saved. Treat the terms as read-only: they are shared with other requests.
TOPICS = ReferenceCache[int, dict[str, Topic]](maxsize=512, seconds=60)


def _topics_of(organisation_id: int) -> dict[str, Topic]:
    """Code → term; an organisation's own term wins over a standard term with the same code."""
    found: dict[str, Topic] = {}
    for topic in topics_visible(organisation_id, include_retired=True).order_by():
        if topic.code not in found or topic.organisation_id is not None:
            found[topic.code] = topic
    return found


def topics_by_code(organisation_id: int, codes: Iterable[str]) -> dict[str, Topic]:
    """The terms these codes name among those the organisation sees (retired too: the actions refuse those)."""
    wanted = set(codes)
    table = TOPICS.get(organisation_id)
    if table is None or not wanted <= table.keys():
        table = _topics_of(organisation_id)
        TOPICS.put(organisation_id, table)
    return {code: table[code] for code in wanted if code in table}


def topic_choices(organisation_id: int) -> list[Topic]:
    """Terms a consultation can take: second-level terms, and categories that have none (e.g. "Other")."""
    topics = list(topics_visible(organisation_id))
    with_children = {t.parent_id for t in topics if t.parent_id}
    return [t for t in topics if t.parent_id is not None or t.pk not in with_children]


def access_topic(membership: Membership, topic_id: int | str) -> Topic:
    try:
        return topics_visible(membership.organisation_id, include_retired=True).get(pk=topic_id)
    except (Topic.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
