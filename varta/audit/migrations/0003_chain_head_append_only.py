"""The chain head row, and on PostgreSQL a trigger that refuses UPDATE and DELETE of audit events.

The trigger is defence in depth: the application never updates or deletes an event, so any attempt is a bug or an
attack. A database owner can still disable it; that is what the hash chain and ``--expect-head`` are for.
TRUNCATE (used by test flushes) is not affected. SQLite gets no trigger: Django's test flush deletes rows there.
"""

from django.db import migrations

GENESIS = "0" * 64

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_keep BEFORE DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""

PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_head_keep ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""


def create_head(apps, schema_editor):
    head_model = apps.get_model("audit", "AuditChainHead")
    event_model = apps.get_model("audit", "AuditEvent")
    if head_model.objects.filter(pk=1).exists():
        return
    last = event_model.objects.order_by("-seq").first()
    head_model.objects.create(pk=1, seq=last.seq if last else 0, hash=last.hash if last else GENESIS)


def triggers_forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(PG_FORWARD)


def triggers_backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(PG_BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_viewer_indexes"),
    ]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(triggers_forward, triggers_backward),
    ]
