"""The hash chain: each event's hash covers its content and the previous event's hash.

Writers serialise on the one chain-head row: ``lock_head`` takes it with SELECT … FOR UPDATE on PostgreSQL (the
lock is held until the outermost transaction commits or rolls back); on SQLite every writing transaction is
BEGIN IMMEDIATE, so writers already run one at a time. The head therefore moves in the same transaction as the
event, and two writers can never both extend the same head: the chain cannot fork.

``verify`` walks the chain in sequence order and reports the first event that was altered, inserted or deleted.
docs/audit.md describes the hash input and what verification can and cannot detect.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple, Protocol

from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from varta.audit.models import AuditChainHead, AuditEvent
from varta.core.context import current_request_meta
from varta.core.sql import Statement, execute_together, insert_statement

GENESIS = "0" * 64
HEAD_PK = 1

# Changed fields are names ("full_name", "areas"), never values: anything else is refused.
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,63}$")
_MAX_LENGTH = 64  # action, object_type, object_id, request_id (PostgreSQL enforces it; SQLite would not)


@functools.lru_cache(maxsize=4096)
def canonical_ip(value: str | None) -> str | None:
    """One spelling per address, whatever the database gives back (PostgreSQL's inet and Django normalise IPv6)."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.split("%", 1)[0].strip()))
    except ValueError:
        return None


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class Hashed(Protocol):
    """What the hash covers: an ``AuditEvent``, or a row of it read for verification."""

    @property
    def seq(self) -> int: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def organisation_id(self) -> int | None: ...
    @property
    def action(self) -> str: ...
    @property
    def object_type(self) -> str: ...
    @property
    def object_id(self) -> str: ...
    @property
    def changed_fields(self) -> list[str]: ...
    @property
    def client_ip(self) -> str | None: ...
    @property
    def request_id(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def prev_hash(self) -> str: ...


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_digest(event: Hashed) -> str:
    """SHA-256 of the event's canonical JSON. ``hash`` itself is the only column not covered."""
    payload = {
        "seq": event.seq,
        "occurred_at": _utc_iso(event.occurred_at),
        "actor_id": event.actor_id,
        "organisation_id": event.organisation_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "changed_fields": list(event.changed_fields),
        "client_ip": canonical_ip(event.client_ip),
        "request_id": event.request_id,
        "channel": event.channel,
        "prev_hash": event.prev_hash,
    }
    return hashlib.sha256(_CANONICAL.encode(payload).encode("utf-8")).hexdigest()


def head_lock_statement(connection: BaseDatabaseWrapper) -> Statement:
    """SELECT the head row, locked (… FOR UPDATE where the database has it). Plain SQL: this runs at the start of
    every audited transaction, and the ORM's compilation of it cost more than the query."""
    qn = connection.ops.quote_name
    opts = AuditChainHead._meta
    columns = [opts.pk.column, opts.get_field("seq").column, opts.get_field("hash").column]
    sql = (f"SELECT {', '.join(qn(c) for c in columns)} FROM {qn(opts.db_table)} "  # noqa: S608 - model names
           f"WHERE {qn(opts.pk.column)} = %s")
    if connection.features.has_select_for_update:
        sql += " " + connection.ops.for_update_sql()
    return sql, [HEAD_PK]


def head_from_rows(connection: BaseDatabaseWrapper, rows: Sequence[Sequence[object]]) -> AuditChainHead | None:
    """The head from what ``head_lock_statement`` returned (None: the row is missing, see ``lock_head``)."""
    return AuditChainHead.from_db(connection.alias, ["id", "seq", "hash"], rows[0]) if rows else None


def lock_head() -> AuditChainHead:
    """Lock the chain head for the rest of the current transaction (and create it if it is missing).

    The audited write path calls this *before* it changes any row, so every audited transaction takes the head
    lock first and row locks after it: two transactions cannot each hold a row the other needs. (A hot path may
    send ``head_lock_statement`` in one round trip with its first writes instead, and read the head from its rows.)
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("lock_head() must run inside a transaction")
    with connection.cursor() as cursor:
        cursor.execute(*head_lock_statement(connection))
        head = head_from_rows(connection, cursor.fetchall())
    if head is not None:
        return head
    # The migration creates the head; it is missing after a flush (tests) or if someone deleted it. Re-seed
    # it from the newest event; ignore_conflicts lets two first writers race safely to one row.
    last = AuditEvent.objects.order_by("-seq").first()
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(pk=HEAD_PK, seq=last.seq if last else 0, hash=last.hash if last else GENESIS)],
        ignore_conflicts=True,
    )
    return AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)


def _checked(name: str, value: str) -> str:
    if len(value) > _MAX_LENGTH:
        raise ValueError(f"audit {name} is longer than {_MAX_LENGTH} characters: {value[:80]!r}")
    return value


def append(
    *,
    head: AuditChainHead | None = None,
    actor_id: int | None,
    organisation_id: int | None,
    action: str,
    object_type: str = "",
    object_id: str = "",
    changed_fields: Iterable[str] = (),
) -> AuditEvent:
    """Add one event at the end of the chain, in the caller's transaction (or a new one).

    ``head`` is the head row this transaction locked with ``lock_head`` (saves reading it again); else it is locked.
    """
    _field_names(changed_fields, action)  # refuse bad input before touching the transaction
    with transaction.atomic(savepoint=False):
        if head is None:
            head = lock_head()
        event = next_event(head=head, actor_id=actor_id, organisation_id=organisation_id, action=action,
                           object_type=object_type, object_id=object_id, changed_fields=changed_fields)
        save_events(head, [event])
    return event


def _field_names(changed_fields: Iterable[str], action: str) -> list[str]:
    names = sorted(set(changed_fields))
    for name in names:
        if not isinstance(name, str) or not _FIELD_NAME.match(name):
            raise ValueError(f"changed_fields holds field names only, got {name!r}")
    if not action:
        raise ValueError("an audit event needs an action")
    return names


def next_event(
    *,
    head: AuditChainHead,
    actor_id: int | None,
    organisation_id: int | None,
    action: str,
    object_type: str = "",
    object_id: str = "",
    changed_fields: Iterable[str] = (),
) -> AuditEvent:
    """The event that extends ``head`` (hashed, not saved); ``head`` (locked by the caller) moves on to it in memory.

    ``append`` saves it at once; a batch (``varta.audit.writes.batch``) saves its events together at its end.
    """
    names = _field_names(changed_fields, action)
    meta = current_request_meta()
    event = AuditEvent(
        seq=head.seq + 1,
        # Microseconds dropped: the time read back from either database is exactly the time hashed.
        occurred_at=timezone.now().replace(microsecond=0),
        actor_id=actor_id,
        organisation_id=organisation_id,
        action=_checked("action", action),
        object_type=_checked("object_type", object_type),
        object_id=_checked("object_id", str(object_id)),
        changed_fields=names,
        # A malformed address (a forged X-Forwarded-For) is recorded as unknown rather than failing the write.
        client_ip=canonical_ip(meta.client_ip),
        request_id=meta.request_id[:_MAX_LENGTH],
        channel=meta.channel,
        prev_hash=head.hash,
    )
    event.hash = event_digest(event)
    head.seq, head.hash = event.seq, event.hash  # the caller's locked head stays current for its next event
    return event


_EVENTS_PER_INSERT = 60  # 12 columns: 720 parameters, under varta.core.sql.MAX_PARAMETERS


def _insert_events(connection: BaseDatabaseWrapper, events: list[AuditEvent]) -> list[Statement]:
    """The INSERTs of ``events`` (no ids returned: nobody needs them). Should the ORM ever be needed for them
    (``varta.core.sql.insert_statement`` says so), they are inserted here and now, with ``bulk_create``."""
    statements: list[Statement] = []
    for start in range(0, len(events), _EVENTS_PER_INSERT):
        rows: list[models.Model] = list(events[start:start + _EVENTS_PER_INSERT])
        statement = insert_statement(rows, using=connection.alias)
        if statement is None:
            AuditEvent.objects.using(connection.alias).bulk_create(events[start:start + _EVENTS_PER_INSERT])
        else:
            statements.append(statement)
    return statements


def _move_head(connection: BaseDatabaseWrapper, head: AuditChainHead) -> Statement:
    qn = connection.ops.quote_name
    opts = AuditChainHead._meta
    return (f"UPDATE {qn(opts.db_table)} SET {qn(opts.get_field('seq').column)} = %s, "  # noqa: S608 - model names
            f"{qn(opts.get_field('hash').column)} = %s WHERE {qn(opts.pk.column)} = %s", [head.seq, head.hash, HEAD_PK])


def save_events(head: AuditChainHead, events: list[AuditEvent], *, before: Sequence[Statement] = ()) -> None:
    """Insert events made by ``next_event`` (in order) and move the stored head to the last one.

    ``before``: plain statements of the same transaction to run first (a batch's roll-up increments); all of them
    go to the database in one round trip where it allows (``varta.core.sql.execute_together``).
    """
    connection = transaction.get_connection()
    statements = list(before)
    if events:
        statements += [*_insert_events(connection, events), _move_head(connection, head)]
    execute_together(statements, using=connection.alias)


# --- Verification ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    # "altered": content no longer matches its hash (or the head's hash);
    # "inserted": not written by append (beyond the head, or skipped over by the next event's link);
    # "missing": deleted (a gap in the sequence, or events the head records are gone);
    # "broken-link": does not link to the event before it, which was rewritten with a new hash (or this one was
    #   replaced by one with a valid hash);
    # "rewritten": the event at a head recorded earlier (--expect-head) now has another hash;
    # "head-missing": events exist but the chain head row is gone.
    kind: str
    detail: str
    first_missing: int | None = None
    last_missing: int | None = None


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    head_seq: int
    head_hash: str
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class ExpectedHead:
    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> ExpectedHead:
        """``SEQ:HASH`` as printed by ``varta audit verify``."""
        seq_text, _sep, digest = text.strip().partition(":")
        digest = digest.strip().lower()
        if not seq_text.strip().isdigit() or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise ValueError(text)
        return cls(seq=int(seq_text), hash=digest)


_BATCH = 5000
_WINDOW = 4096  # recent hashes kept to recognise an event that links past inserted ones


class _Row(NamedTuple):
    """An event as read for verification (tuples: a third of the cost of model instances)."""

    seq: int
    occurred_at: datetime
    actor_id: int | None
    organisation_id: int | None
    action: str
    object_type: str
    object_id: str
    changed_fields: list[str]
    client_ip: str | None
    request_id: str
    channel: str
    prev_hash: str
    hash: str


def _events_after(seq: int, limit: int) -> list[_Row]:
    rows = AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list(*_Row._fields)[:limit]
    return [_Row(*row) for row in rows]


def _read_head() -> AuditChainHead | None:
    return AuditChainHead.objects.filter(pk=HEAD_PK).first()


class _Walk:
    """State of one verification walk: the last good event and the recent hashes."""

    def __init__(self) -> None:
        self.last_seq = 0
        self.last_hash = GENESIS
        self.checked = 0
        self.recent: dict[str, int] = {GENESIS: 0}

    def accept(self, event: _Row) -> None:
        self.last_seq = event.seq
        self.last_hash = event.hash
        self.checked += 1
        self.recent[event.hash] = event.seq
        if len(self.recent) > _WINDOW:
            self.recent.pop(next(iter(self.recent)))

    def result(self, problem: ChainProblem | None) -> VerifyResult:
        return VerifyResult(self.checked, self.last_seq, self.last_hash, problem)


def _missing(first: int, last: int, detail: str) -> ChainProblem:
    return ChainProblem(first, "missing", detail, first_missing=first, last_missing=last)


def _judge(walk: _Walk, event: _Row, following: _Row | None) -> ChainProblem | None:
    """The problem with ``event`` (the next one after the walk's last good event), or None."""
    expected = walk.last_seq + 1
    if event.seq > expected:
        return _missing(expected, event.seq - 1, _("events %(first)s–%(last)s are missing")
                        % {"first": expected, "last": event.seq - 1})
    content_ok = event_digest(event) == event.hash
    link_ok = event.prev_hash == walk.last_hash
    if content_ok and link_ok:
        return None
    if not link_ok and event.prev_hash in walk.recent:
        # It links to an older event: the ones in between were slipped into the chain.
        first = walk.recent[event.prev_hash] + 1
        return ChainProblem(first, "inserted", _("event %(seq)s links to event %(target)s, past the events "
                                                 "%(first)s–%(last)s")
                            % {"seq": event.seq, "target": first - 1, "first": first, "last": event.seq - 1})
    if following is not None and following.prev_hash == event.prev_hash:
        return ChainProblem(event.seq, "inserted", _("event %(next)s links past it, to event %(target)s")
                            % {"next": following.seq, "target": walk.last_seq})
    if content_ok:
        return ChainProblem(event.seq, "broken-link", _("it does not link to event %(prev)s: that event was "
                                                        "rewritten with a new hash, or this one was replaced")
                            % {"prev": walk.last_seq})
    if link_ok:
        return ChainProblem(event.seq, "altered", _("its content no longer matches its hash"))
    return ChainProblem(event.seq, "altered", _("neither its content nor its link to the event before it match "
                                                "its hash (replaced, or renumbered after a deletion)"))


def _iterate(after: int) -> Iterator[tuple[_Row, _Row | None]]:
    """(event, the event after it) in sequence order, fetched in batches by key."""
    batch = _events_after(after, _BATCH)
    while batch:
        more = _events_after(batch[-1].seq, _BATCH)
        for index, event in enumerate(batch):
            following = batch[index + 1] if index + 1 < len(batch) else (more[0] if more else None)
            yield event, following
        batch = more


def verify(expect: ExpectedHead | None = None) -> VerifyResult:
    """Walk the whole chain; stop at the first problem.

    Runs beside live writers without locking them out: events committed during the walk are verified too, and
    the head is read only after the events it must cover (a head and its event commit together).
    """
    walk = _Walk()
    expect_seen = expect is not None and expect.seq == 0 and expect.hash == GENESIS
    while True:
        for event, following in _iterate(walk.last_seq):
            problem = _judge(walk, event, following)
            if problem is not None:
                head = _read_head()
                if problem.kind != "missing" and head is not None and event.seq > head.seq:
                    problem = ChainProblem(event.seq, "inserted", _(
                        "it lies beyond the chain head (event %(head)s): it was not written through the audit "
                        "trail") % {"head": head.seq})
                return walk.result(problem)
            if expect is not None and event.seq == expect.seq:
                expect_seen = True
                if event.hash != expect.hash:
                    return walk.result(ChainProblem(event.seq, "rewritten", _(
                        "its hash is %(hash)s, the head recorded earlier says %(expected)s: the chain was rebuilt "
                        "up to here") % {"hash": event.hash, "expected": expect.hash}))
            walk.accept(event)
        head = _read_head()
        if head is None:
            if walk.checked:
                return walk.result(ChainProblem(walk.last_seq, "head-missing", _("the chain head row was deleted")))
            break
        if head.seq > walk.last_seq:
            if _events_after(walk.last_seq, 1):
                continue  # committed while we read the head: verify those too
            return walk.result(_missing(walk.last_seq + 1, head.seq, _(
                "the chain head records event %(head)s; the newest event is %(last)s")
                % {"head": head.seq, "last": walk.last_seq}))
        if head.seq < walk.last_seq:
            return walk.result(ChainProblem(head.seq + 1, "inserted", _(
                "events %(first)s–%(last)s lie beyond the chain head (event %(head)s)")
                % {"first": head.seq + 1, "last": walk.last_seq, "head": head.seq}))
        if head.hash != walk.last_hash:
            return walk.result(ChainProblem(walk.last_seq, "altered", _(
                "the chain head records another hash for this event")))
        break
    if expect is not None and not expect_seen:
        return walk.result(_missing(expect.seq, expect.seq, _(
            "the head recorded earlier (event %(seq)s) is no longer in the chain") % {"seq": expect.seq}))
    return walk.result(None)
