"""Test helpers: a few events, and raw SQL that bypasses PostgreSQL's append-only trigger like an attacker would."""

from __future__ import annotations

from typing import Any

from django.db import connection

from varta.audit import writes
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor


def make_events(count: int, action: str = "test.event") -> list[AuditEvent]:
    return [writes.record(actor=Actor.system(), action=action, object_type="test.thing", object_id=i)
            for i in range(count)]


def tamper(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
    """Run ``sql`` as the table owner would, with the append-only trigger off (it is back after the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditchainhead DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditchainhead ENABLE TRIGGER USER")
