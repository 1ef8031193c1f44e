"""varta.core.sql (inserts built once, statements sent together) and varta.core.serializers (fields built once,
fields shared by output serializers)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import signals
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers

from varta.accounts.permissions import Role
from varta.audit.guard import audited_write
from varta.core import sql
from varta.core.serializers import BuiltOnce, SharedFields
from varta.hotline.models import Consultation, Contact, Topic
from varta.hotline.serializers import ConsultationOut, ContactOut

COMPARED = ["organisation_id", "external_id", "channel", "direction", "started_at", "duration_seconds", "operator_id",
            "language", "caller_type", "sex", "age_group", "displacement", "location_id", "oblast_id", "country_id",
            "methods_of_control", "exploitation_types", "risk_flag", "callback_consent", "caller_name",
            "caller_phone", "summary", "follows_id"]


def contact(org, **values) -> Contact:
    fields = {"organisation": org, "channel": "viber", "started_at": timezone.now() - timedelta(minutes=5),
              "caller_type": "relative", "sex": "Masculine", "methods_of_control": ["DebtBondage"],
              "risk_flag": True, "callback_consent": True, "caller_name": "Олена Петренко",
              "caller_phone": "+380671234567", "summary": "Дзвонила з Ужгорода"}
    return Contact(**(fields | values))


def test_it_inserts_the_row_the_orm_writes(personas):
    org = personas.a.organisation
    with transaction.atomic(), audited_write():
        by_orm = contact(org, external_id="orm")
        by_orm.save(force_insert=True)
        plain = contact(org, external_id="plain", started_at=by_orm.started_at)
        assert sql.insert([plain])

    assert plain.pk is not None
    assert plain.pk != by_orm.pk
    assert not plain._state.adding
    assert plain.created_at is not None  # auto_now_add ran
    rows = {row["external_id"]: row for row in Contact.objects.filter(pk__in=[plain.pk, by_orm.pk]).values(*COMPARED)}
    assert rows["plain"] | {"external_id": "orm"} == rows["orm"]
    assert Contact.objects.get(pk=plain.pk).caller_name == "Олена Петренко"  # encrypted and read back
    with connection.cursor() as cursor:  # encrypted at rest, as the ORM does it
        cursor.execute("SELECT caller_name FROM hotline_contact WHERE id = %s", [plain.pk])
        assert "Олена" not in str(cursor.fetchone()[0])


def test_it_gives_each_of_several_inserted_rows_its_own_id(personas):
    org = personas.a.organisation
    terms = list(Topic.objects.filter(organisation__isnull=True, parent__isnull=False)[:2])
    with transaction.atomic(), audited_write():
        first = contact(org)
        first.save(force_insert=True)
        rows = [Consultation(organisation=org, contact=first, topic=t, category=t.parent or t, referrals=str(n),
                             started_at=first.started_at, position=n)
                for n, t in enumerate(terms * 2, start=1)]
        assert sql.insert(rows)

    assert len({row.pk for row in rows}) == 4
    for row in rows:
        assert Consultation.objects.get(pk=row.pk).referrals == str(row.position)


def test_it_leaves_to_the_orm_what_it_does_not_handle(personas):
    org = personas.a.organisation
    with_pk = contact(org, id=10_000)
    assert not sql.insert([with_pk])

    def receiver(**kwargs: object) -> None:
        pass

    signals.post_save.connect(receiver, sender=Contact)
    try:
        assert not sql.insert([contact(org)])
    finally:
        signals.post_save.disconnect(receiver, sender=Contact)
    assert not Contact.objects.exists()


def consultations_of(parent: Contact, terms: list[Topic], org) -> list[Consultation]:
    return [Consultation(organisation=org, contact=parent, topic=t, category=t.parent or t, referrals=f"r{n}",
                         started_at=parent.started_at, position=n) for n, t in enumerate(terms, start=1)]


def test_it_inserts_a_row_and_its_children_linked_to_it(personas):
    org = personas.a.organisation
    terms = list(Topic.objects.filter(organisation__isnull=True, parent__isnull=False)[:3])
    parents = []
    with transaction.atomic(), audited_write():
        for n in range(2):  # the second family must not take the first one's id
            parent = contact(org, external_id=f"family-{n}")
            children = consultations_of(parent, terms, org)
            with CaptureQueriesContext(connection) as captured:
                locked = sql.insert_with_children(parent, children, "contact",
                                                  first=("SELECT %s, %s", [n, "lock"]))
            assert locked == [(n, "lock")]
            assert len(captured) == (1 if connection.vendor == "postgresql" else 3)
            assert all(child.contact is parent and child.contact_id == parent.pk for child in children)
            parents.append((parent, children))

    for parent, children in parents:
        stored = Consultation.objects.filter(contact_id=parent.pk).order_by("position")
        assert [(c.pk, c.referrals, c.topic_id) for c in stored] == [(c.pk, c.referrals, c.topic_id) for c in children]
        assert Contact.objects.get(pk=parent.pk).caller_name == "Олена Петренко"


def test_it_leaves_a_family_the_orm_must_write_untouched(personas):
    org = personas.a.organisation
    terms = list(Topic.objects.filter(organisation__isnull=True, parent__isnull=False)[:1])
    parent = contact(org, id=10_001)
    assert sql.insert_with_children(parent, consultations_of(parent, terms, org), "contact",
                                    first=("SELECT 1 FROM no_such_table", [])) is None
    with pytest.raises(ValueError, match="foreign key"):
        sql.insert_with_children(contact(org), consultations_of(contact(org), terms, org), "topic")
    assert not Contact.objects.exists()


def test_it_runs_statements_together_in_order_and_in_one_round_trip_on_postgresql(personas):
    org = personas.a.organisation
    with transaction.atomic(), audited_write():
        row = contact(org)
        row.save(force_insert=True)
    statements: list[sql.Statement] = [("UPDATE hotline_contact SET duration_seconds = %s WHERE id = %s", [60, row.pk]),
                  ("UPDATE hotline_contact SET duration_seconds = duration_seconds * %s WHERE id = %s", [2, row.pk]),
                  ("UPDATE hotline_contact SET language = %s WHERE id = %s", ["en", row.pk])]
    with CaptureQueriesContext(connection) as captured:
        sql.execute_together(statements)

    assert len(captured) == (1 if connection.vendor == "postgresql" else 3)
    row.refresh_from_db()
    assert (row.duration_seconds, row.language) == (120, "en")


def test_it_keeps_percent_signs_in_values_of_statements_run_together(personas):
    org = personas.a.organisation
    with transaction.atomic(), audited_write():
        row = contact(org)
        row.save(force_insert=True)
    text = "50 % off, %s and %(name)s are text"
    sql.execute_together([("UPDATE hotline_contact SET external_id = %s WHERE id = %s", [text, row.pk]),
                          ("UPDATE hotline_contact SET language = %s WHERE id = %s", ["%", row.pk])])
    row.refresh_from_db()
    assert (row.external_id, row.language) == (text, "%")


class Shape(BuiltOnce, serializers.Serializer[dict[str, object]]):
    name = serializers.CharField(max_length=5)
    tags = serializers.ListField(child=serializers.ChoiceField(choices=["a", "b"]))


class Wrapper(BuiltOnce, serializers.Serializer[dict[str, object]]):
    shapes = Shape(many=True)


def test_it_binds_fields_built_once_to_each_serializer_of_their_own():
    one, two = Shape(data={"name": "x", "tags": ["a"]}), Shape(data={"name": "too long", "tags": ["c"]})

    assert one.fields["name"] is not two.fields["name"]
    assert one.fields["name"].parent is one
    assert two.fields["name"].parent is two
    assert one.is_valid()
    assert one.validated_data == {"name": "x", "tags": ["a"]}
    assert not two.is_valid()
    assert set(two.errors) == {"name", "tags"}
    assert Shape(data={"name": "y", "tags": ["b"]}).is_valid()  # an invalid sibling left nothing behind


@pytest.mark.parametrize(("shapes", "valid"), [([{"name": "a", "tags": []}], True), ([{"name": "abcdef"}], False)])
def test_it_keeps_the_state_of_nested_serializers_apart(shapes, valid):
    first, second = Wrapper(data={"shapes": shapes}), Wrapper(data={"shapes": [{"name": "ok", "tags": ["a"]}]})
    assert first.is_valid() is valid
    assert second.is_valid()
    assert first.fields["shapes"] is not second.fields["shapes"]


class SharedShape(SharedFields, serializers.Serializer[dict[str, object]]):
    name = serializers.CharField(max_length=5)
    size = serializers.SerializerMethodField()

    def get_size(self, row: dict[str, object]) -> int:
        return len(str(row["name"]))


class SharedWrapper(SharedFields, serializers.Serializer[dict[str, object]]):
    shapes = SharedShape(many=True)


def test_it_shares_one_set_of_fields_between_output_serializers():
    one, two = SharedWrapper({"shapes": [{"name": "a"}]}), SharedWrapper({"shapes": [{"name": "bbb"}, {"name": ""}]})

    assert one.fields is two.fields
    assert one.data == {"shapes": [{"name": "a", "size": 1}]}
    assert two.data == {"shapes": [{"name": "bbb", "size": 3}, {"name": "", "size": 0}]}


def test_it_gives_a_shared_fields_serializer_that_validates_fields_of_its_own():
    checked, shown = SharedShape(data={"name": "too long"}), SharedShape({"name": "x"})

    assert checked.fields is not shown.fields
    assert checked.fields["name"].parent is checked
    assert not checked.is_valid()
    assert set(checked.errors) == {"name"}
    assert shown.data == {"name": "x", "size": 1}


def test_it_shows_a_contact_with_shared_fields_as_drf_does_with_its_own(personas):
    class PlainConsultationOut(ConsultationOut):
        fields = serializers.Serializer.fields  # DRF's own, per instance

    class PlainContactOut(ContactOut):
        fields = serializers.Serializer.fields
        consultations = PlainConsultationOut(many=True)

    org = personas.a.organisation
    topic = Topic.objects.filter(organisation__isnull=True, parent__isnull=False).select_related("parent").first()
    assert topic is not None
    with transaction.atomic(), audited_write():
        row = contact(org, operator=personas.a.user(Role.HOTLINE_OPERATOR))
        row.save(force_insert=True)
        Consultation(organisation=org, contact=row, topic=topic, category=topic.parent, started_at=row.started_at,
                     position=1, referrals="Consulate").save(force_insert=True)
    row = Contact.objects.select_related("location", "operator").get(pk=row.pk)

    assert PlainContactOut(row).fields is not PlainContactOut(row).fields
    assert ContactOut(row).data == PlainContactOut(row).data
    assert ContactOut(row).data["consultations"][0]["topic"] == topic.code
