"""Drop the single-column indexes of the hotline's largest tables that no query needs (see the note above
``Contact`` in varta/hotline/models.py): every insert of a contact and its consultations maintained them.

Only the indexes are dropped (plain ``DROP INDEX``): on SQLite an ``AlterField`` would copy each table once per
field, which takes minutes on a few years of contacts.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column): the single-column index Django made for each foreign key, and on PostgreSQL its
# varchar_pattern_ops twin for a text key (country).
DROPPED = [
    ("hotline_contact", "organisation_id"),
    ("hotline_contact", "operator_id"),
    ("hotline_contact", "country_id"),
    ("hotline_consultation", "organisation_id"),
    ("hotline_contactday", "organisation_id"),
    ("hotline_consultationday", "organisation_id"),
]
TEXT_KEYS = {("hotline_contact", "country_id")}


def _names(schema_editor, table, column):
    name = schema_editor._create_index_name(table, [column])
    yield name, ""
    if schema_editor.connection.vendor == "postgresql" and (table, column) in TEXT_KEYS:
        yield schema_editor._create_index_name(table, [column], suffix="_like"), " varchar_pattern_ops"


def drop_indexes(apps, schema_editor):
    qn = schema_editor.quote_name
    for table, column in DROPPED:
        for name, _ops in _names(schema_editor, table, column):
            schema_editor.execute(f"DROP INDEX IF EXISTS {qn(name)}")


def create_indexes(apps, schema_editor):
    qn = schema_editor.quote_name
    for table, column in DROPPED:
        for name, ops in _names(schema_editor, table, column):
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {qn(name)} ON {qn(table)} ({qn(column)}{ops})")


class Migration(migrations.Migration):

    dependencies = [
        ('geo', '0002_countries'),
        ('hotline', '0004_rollups'),
        ('orgs', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='consultation',
                    name='organisation',
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name='+',
                        to='orgs.organisation',
                    ),
                ),
                migrations.AlterField(
                    model_name='consultationday',
                    name='organisation',
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name='+',
                        to='orgs.organisation',
                    ),
                ),
                migrations.AlterField(
                    model_name='contact',
                    name='country',
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name='+',
                        to='geo.country',
                        verbose_name='country (when abroad)',
                    ),
                ),
                migrations.AlterField(
                    model_name='contact',
                    name='operator',
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name='+',
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name='contact',
                    name='organisation',
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name='+',
                        to='orgs.organisation',
                    ),
                ),
                migrations.AlterField(
                    model_name='contactday',
                    name='organisation',
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name='+',
                        to='orgs.organisation',
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
