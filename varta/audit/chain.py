"""The hash chain: each event's hash covers its content and the previous event's hash.

``append`` locks the chain head row (SELECT … FOR UPDATE on PostgreSQL; SQLite runs writers one at a time), so
parallel writers queue and the chain cannot fork. ``verify`` walks the chain in sequence order and reports the
first event that was altered, inserted or deleted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from varta.audit.models import AuditChainHead, AuditEvent
from varta.core.context import current_request_meta

GENESIS = "0" * 64


def event_digest(event: AuditEvent) -> str:
    payload = {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "organisation_id": event.organisation_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "changed_fields": list(event.changed_fields),
        "client_ip": event.client_ip,
        "request_id": event.request_id,
        "channel": event.channel,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(
    *,
    actor_id: int | None,
    organisation_id: int | None,
    action: str,
    object_type: str = "",
    object_id: str = "",
    changed_fields: Iterable[str] = (),
) -> AuditEvent:
    meta = current_request_meta()
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditChainHead.objects.create(pk=1, seq=0, hash=GENESIS)
        event = AuditEvent(
            seq=head.seq + 1,
            # Microseconds dropped: PostgreSQL and SQLite must give back exactly what was hashed.
            occurred_at=timezone.now().replace(microsecond=0),
            actor_id=actor_id,
            organisation_id=organisation_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            changed_fields=sorted(set(changed_fields)),
            client_ip=meta.client_ip,
            request_id=meta.request_id,
            channel=meta.channel,
            prev_hash=head.hash,
        )
        event.hash = event_digest(event)
        event.save()
        AuditChainHead.objects.filter(pk=1).update(seq=event.seq, hash=event.hash)
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "altered", "missing", "inserted", "broken-link", "head-mismatch"
    detail: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    head_seq: int
    head_hash: str
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _events(batch: int = 2000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify() -> VerifyResult:
    expected_seq = 1
    prev_hash = GENESIS
    checked = 0
    for event in _events():
        if event.seq > expected_seq:
            problem = ChainProblem(expected_seq, "missing", f"events {expected_seq}–{event.seq - 1} were deleted")
            return VerifyResult(checked, event.seq, event.hash, problem)
        if event.prev_hash != prev_hash:
            kind = "inserted" if event_digest(event) == event.hash else "broken-link"
            problem = ChainProblem(event.seq, kind, "does not link to the event before it")
            return VerifyResult(checked, event.seq, event.hash, problem)
        if event_digest(event) != event.hash:
            problem = ChainProblem(event.seq, "altered", "its content no longer matches its hash")
            return VerifyResult(checked, event.seq, event.hash, problem)
        prev_hash = event.hash
        expected_seq = event.seq + 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is not None and head.seq > last_seq:
        problem = ChainProblem(
            last_seq + 1, "missing", f"the chain head records event {head.seq}; the newest event found is {last_seq}"
        )
        return VerifyResult(checked, last_seq, prev_hash, problem)
    if head is not None and (head.seq < last_seq or head.hash != prev_hash):
        problem = ChainProblem(
            head.seq + 1 if head.seq < last_seq else last_seq,
            "inserted" if head.seq < last_seq else "altered",
            f"the chain head records event {head.seq} with another hash than the chain ends with",
        )
        return VerifyResult(checked, last_seq, prev_hash, problem)
    return VerifyResult(checked, last_seq, prev_hash, None)
