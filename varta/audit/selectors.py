"""Reads of the audit trail, scoped to what the acting membership may see, for the viewer and the API.

An event belongs to the organisation it was recorded for (``organisation_id``, the actor's acting organisation).
Lists are ordered newest first by (occurred_at, seq) and paged by key, never by offset or count, so a page costs
the same on the first day and after a million events (see the indexes on ``AuditEvent``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.apps import apps
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from varta.accounts.models import User
from varta.accounts.permissions import Action, can
from varta.audit.models import AuditedModel, AuditEvent
from varta.orgs.models import Membership, Organisation

PAGE_SIZE = 50


def events_visible(membership: Membership) -> QuerySet[AuditEvent]:
    """Every event for a system admin, the acting organisation's events for an org admin, none otherwise."""
    if can(membership, Action.AUDIT_VIEW_ALL):
        return AuditEvent.objects.all()
    if can(membership, Action.AUDIT_VIEW_ORG):
        return AuditEvent.objects.filter(organisation_id=membership.organisation_id)
    return AuditEvent.objects.none()


@dataclass(frozen=True)
class EventFilter:
    user: str = ""  # the actor's id or username
    object_type: str = ""
    object_id: str = ""
    action: str = ""  # prefix: "accounts." or "auth.login"
    date_from: date | None = None  # local dates, both inclusive
    date_to: date | None = None
    organisation_id: int | None = None  # within what the membership sees: another organisation gives nothing


# Dates outside these bounds are clamped: no event is older or newer, and the far ends of the calendar would
# overflow when converted to UTC.
_FIRST_DAY, _LAST_DAY = date(1970, 1, 2), date(9998, 12, 30)
_MAX_ID = 2**63 - 1


def _local_midnight(day: date) -> datetime:
    day = min(max(day, _FIRST_DAY), _LAST_DAY)
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def filter_events(events: QuerySet[AuditEvent], criteria: EventFilter) -> QuerySet[AuditEvent]:
    user = criteria.user.strip()
    if user.isdigit():
        events = events.filter(actor_id=int(user)) if int(user) <= _MAX_ID else events.none()
    elif user:
        events = events.filter(actor_id__in=User.objects.filter(username__iexact=user).values("pk"))
    if criteria.object_type.strip():
        events = events.filter(object_type=criteria.object_type.strip().lower())
    if criteria.object_id.strip():
        events = events.filter(object_id=criteria.object_id.strip())
    if criteria.action.strip():
        events = events.filter(action__startswith=criteria.action.strip())
    if criteria.date_from is not None:
        events = events.filter(occurred_at__gte=_local_midnight(criteria.date_from))
    if criteria.date_to is not None:
        events = events.filter(occurred_at__lt=_local_midnight(min(criteria.date_to, _LAST_DAY) + timedelta(days=1)))
    if criteria.organisation_id is not None:
        org_id = criteria.organisation_id
        events = events.filter(organisation_id=org_id) if 0 < org_id <= _MAX_ID else events.none()
    return events


def with_names(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """Each event with its actor's name and username and its organisation's name, in the same query."""
    users = User.objects.filter(pk=OuterRef("actor_id"))
    orgs = Organisation.objects.filter(pk=OuterRef("organisation_id"))
    return events.annotate(
        actor_full_name=Subquery(users.values("full_name")[:1]),
        actor_username=Subquery(users.values("username")[:1]),
        organisation_name=Subquery(orgs.values("name")[:1]),
        organisation_acronym=Subquery(orgs.values("acronym")[:1]),
    )


def events_for(membership: Membership, criteria: EventFilter) -> QuerySet[AuditEvent]:
    """The events the membership may see that match ``criteria``, with names, unordered."""
    return with_names(filter_events(events_visible(membership), criteria))


def object_types() -> list[str]:
    """Object types of audited models, for the filter's suggestions (no query over the trail)."""
    return sorted(m._meta.label_lower for m in apps.get_models() if issubclass(m, AuditedModel))


# --- Keyset pages --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """A position in the newest-first order: an event's time (whole seconds) and sequence number."""

    occurred_at: datetime
    seq: int

    @classmethod
    def of(cls, event: AuditEvent) -> Cursor:
        return cls(occurred_at=event.occurred_at, seq=event.seq)

    def encode(self) -> str:
        return f"{int(self.occurred_at.timestamp())}-{self.seq}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """None for anything that is not a cursor this module wrote (a tampered link shows the first page)."""
        stamp, _sep, seq = (text or "").partition("-")
        if not (stamp.isdigit() and seq.isdigit()) or len(stamp) > 11 or len(seq) > 18:
            return None
        try:
            return cls(occurred_at=datetime.fromtimestamp(int(stamp), tz=UTC), seq=int(seq))
        except (ValueError, OverflowError, OSError):
            return None


@dataclass(frozen=True)
class EventPage:
    events: list[AuditEvent]
    older: str | None  # cursor of the next page towards older events
    newer: str | None  # cursor of the next page towards newer events

    @property
    def is_first(self) -> bool:
        return self.newer is None


def events_page(events: QuerySet[AuditEvent], *, before: Cursor | None = None, after: Cursor | None = None,
                size: int = PAGE_SIZE) -> EventPage:
    """One page of ``events`` newest first: older than ``before``, or newer than ``after``, or the newest."""
    if after is not None and before is None:
        newer_first = events.filter(
            Q(occurred_at__gte=after.occurred_at),
            Q(occurred_at__gt=after.occurred_at) | Q(seq__gt=after.seq),
        ).order_by("occurred_at", "seq")
        rows = list(newer_first[: size + 1])
        if len(rows) <= size:
            return events_page(events, size=size)  # reached the newest: show a full first page
        rows = rows[:size][::-1]
        return EventPage(events=rows, older=Cursor.of(rows[-1]).encode(), newer=Cursor.of(rows[0]).encode())
    if before is not None:
        events = events.filter(
            Q(occurred_at__lte=before.occurred_at),
            Q(occurred_at__lt=before.occurred_at) | Q(seq__lt=before.seq),
        )
    rows = list(events.order_by("-occurred_at", "-seq")[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    return EventPage(
        events=rows,
        older=Cursor.of(rows[-1]).encode() if rows and more_older else None,
        newer=Cursor.of(rows[0]).encode() if rows and before is not None else None,
    )

