"""``varta audit verify``: an intact chain passes; every kind of tampering with the table is reported."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from varta.audit import chain
from varta.audit.chain import ExpectedHead, event_digest
from varta.audit.models import AuditChainHead, AuditEvent
from varta.audit.tests.helpers import make_events, tamper

pytestmark = pytest.mark.django_db


def run_verify(*args: str) -> str:
    out = io.StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def failing_verify(*args: str) -> str:
    with pytest.raises(CommandError) as failure:
        run_verify(*args)
    assert failure.value.returncode == 1
    return str(failure.value)


def problem(expect: ExpectedHead | None = None) -> chain.ChainProblem:
    found = chain.verify(expect).problem
    assert found is not None, "verify() found nothing wrong"
    return found


def _rehash(seq: int) -> str:
    """An attacker who knows the hash input recomputes an event's hash after changing it."""
    event = AuditEvent.objects.get(seq=seq)
    digest = event_digest(event)
    tamper("UPDATE audit_auditevent SET hash = %s WHERE seq = %s", [digest, seq])
    return digest


def test_it_passes_an_intact_chain_and_prints_its_head():
    events = make_events(5)
    output = run_verify()
    head = events[-1]
    assert "Events checked: 5" in output
    assert f"event {head.seq}, hash {head.hash}" in output
    assert f"--expect-head {head.seq}:{head.hash}" in output
    assert "intact" in output


def test_it_passes_an_empty_chain():
    assert "Events checked: 0" in run_verify()


def test_it_reports_a_row_changed_with_sql():
    make_events(5)
    tamper("UPDATE audit_auditevent SET action = 'orgs.organisation.view' WHERE seq = 3")
    message = failing_verify()
    assert "#3" in message
    assert "altered" in message
    result = chain.verify()
    assert result.problem == chain.ChainProblem(3, "altered", "its content no longer matches its hash")
    assert (result.checked, result.head_seq) == (2, 2)  # the last good event


@pytest.mark.parametrize(("column", "value"), [
    ("actor_id", 999), ("organisation_id", 2), ("object_id", "7"), ("changed_fields", '["name"]'),
    ("client_ip", "198.51.100.1"), ("request_id", "forged"), ("occurred_at", "2020-01-01 00:00:00+00:00"),
])
def test_it_reports_a_change_to_any_column(column, value):
    make_events(3)
    tamper(f"UPDATE audit_auditevent SET {column} = %s WHERE seq = 2", [value])
    assert (problem().seq, problem().kind) == (2, "altered")


def test_it_reports_a_deleted_event_in_the_middle():
    make_events(6)
    tamper("DELETE FROM audit_auditevent WHERE seq IN (3, 4)")
    message = failing_verify()
    assert "#3" in message
    assert "deleted (missing)" in message
    found = problem()
    assert (found.kind, found.first_missing, found.last_missing) == ("missing", 3, 4)


def test_it_reports_the_first_event_deleted():
    make_events(3)
    tamper("DELETE FROM audit_auditevent WHERE seq = 1")
    assert (problem().seq, problem().kind) == (1, "missing")


def test_it_reports_the_newest_events_deleted_when_the_head_is_left():
    make_events(6)
    tamper("DELETE FROM audit_auditevent WHERE seq > 4")
    message = failing_verify()
    assert "#5" in message
    assert "deleted (missing)" in message
    found = problem()
    assert (found.first_missing, found.last_missing) == (5, 6)


def test_it_reports_every_event_deleted():
    make_events(2)
    tamper("DELETE FROM audit_auditevent")
    assert (problem().seq, problem().kind) == (1, "missing")


def test_it_reports_a_forged_row_inserted_with_sql():
    events = make_events(3)
    tamper(
        "INSERT INTO audit_auditevent (seq, occurred_at, actor_id, organisation_id, action, object_type, object_id, "
        "changed_fields, client_ip, request_id, channel, prev_hash, hash) VALUES (%s, %s, 1, 1, 'auth.login', "
        "'accounts.user', '1', '[]', NULL, '', 'web', %s, %s)",
        [4, events[-1].occurred_at, events[-1].hash, "f" * 64],
    )
    message = failing_verify()
    assert "#4" in message
    assert "inserted" in message


def test_it_reports_a_forged_row_with_a_valid_hash_beyond_the_head():
    events = make_events(3)
    forged = AuditEvent(seq=4, occurred_at=events[-1].occurred_at, actor_id=1, organisation_id=1, action="auth.login",
                        object_type="accounts.user", object_id="1", changed_fields=[], client_ip=None,
                        request_id="", channel="web", prev_hash=events[-1].hash)
    forged.hash = event_digest(forged)
    forged.save()
    found = problem()
    assert (found.seq, found.kind) == (4, "inserted")


def test_it_reports_an_event_slipped_into_the_middle():
    """Renumber the events after 3 and slip a forged, validly hashed event in as 4."""
    events = make_events(5)
    for seq in (5, 4):
        tamper("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [seq + 1, seq])
    forged = AuditEvent(seq=4, occurred_at=events[2].occurred_at, actor_id=None, organisation_id=None,
                        action="test.event", object_type="test.thing", object_id="x", changed_fields=[],
                        client_ip=None, request_id="", channel="cli", prev_hash=events[2].hash)
    forged.hash = event_digest(forged)
    forged.save()
    tamper("UPDATE audit_auditchainhead SET seq = 6")
    found = problem()
    assert (found.seq, found.kind) == (4, "inserted")


def test_it_reports_an_event_rewritten_with_a_recomputed_hash():
    make_events(5)
    tamper("UPDATE audit_auditevent SET object_id = 'other' WHERE seq = 2")
    _rehash(2)
    message = failing_verify()
    assert "#3" in message
    assert "broken link" in message
    assert "event 2" in message


def test_it_reports_the_newest_event_rewritten_with_a_recomputed_hash():
    make_events(3)
    tamper("UPDATE audit_auditevent SET object_id = 'other' WHERE seq = 3")
    _rehash(3)
    assert (problem().seq, problem().kind) == (3, "altered")


def test_it_reports_a_deleted_chain_head():
    make_events(2)
    tamper("DELETE FROM audit_auditchainhead")
    assert problem().kind == "head-missing"


def test_it_checks_a_head_recorded_earlier():
    events = make_events(3)
    recorded = f"{events[-1].seq}:{events[-1].hash}"
    make_events(2)
    output = run_verify("--expect-head", recorded)
    assert "The recorded head (event 3) is still in the chain." in output
    assert "Events checked: 5" in output


def test_it_catches_a_chain_rebuilt_from_scratch_with_the_recorded_head():
    """An attacker with write access to everything rewrites event 2 and rebuilds every hash after it."""
    events = make_events(4)
    recorded = f"{events[-1].seq}:{events[-1].hash}"
    tamper("UPDATE audit_auditevent SET actor_id = 42 WHERE seq = 2")
    prev = events[0].hash
    for seq in (2, 3, 4):
        tamper("UPDATE audit_auditevent SET prev_hash = %s WHERE seq = %s", [prev, seq])
        prev = _rehash(seq)
    tamper("UPDATE audit_auditchainhead SET hash = %s", [prev])
    assert chain.verify().ok  # undetectable from inside the database alone …
    message = failing_verify("--expect-head", recorded)  # … but not against a head kept elsewhere
    assert "#4" in message
    assert "rewritten" in message


def test_it_catches_a_recorded_head_that_was_deleted():
    events = make_events(4)
    recorded = ExpectedHead(seq=events[-1].seq, hash=events[-1].hash)
    tamper("DELETE FROM audit_auditevent WHERE seq = 4")
    tamper("UPDATE audit_auditchainhead SET seq = 3, hash = %s", [events[2].hash])
    assert chain.verify().ok
    found = problem(recorded)
    assert (found.seq, found.kind) == (4, "missing")


def test_it_refuses_a_malformed_expected_head():
    with pytest.raises(CommandError, match="SEQ:HASH"):
        call_command("audit", "verify", "--expect-head", "3:not-a-hash")


def test_it_parses_an_expected_head():
    assert ExpectedHead.parse(f" 12:{'A' * 64} ") == ExpectedHead(seq=12, hash="a" * 64)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only")
def test_it_refuses_update_and_delete_of_events_on_postgresql():
    make_events(2)
    for sql in ("UPDATE audit_auditevent SET action = 'x' WHERE seq = 1", "DELETE FROM audit_auditevent",
                "DELETE FROM audit_auditchainhead"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.count() == 2
    assert AuditChainHead.objects.get(pk=1).seq == 2
    assert chain.verify().ok
