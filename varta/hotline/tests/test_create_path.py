"""The hot path of a contact's create: its statements, and the process caches of topic codes and P-codes.

docs/benchmarks.md explains why each of these exists (the throughput of `bench/hotline.py`).
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import signals
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from varta.accounts.permissions import Role
from varta.audit import chain, writes
from varta.audit.models import AuditChainHead, AuditEvent
from varta.audit.writes import Actor
from varta.geo.models import AdminUnit
from varta.geo.selectors import UNITS, unit_with_parents
from varta.hotline import actions, rollups
from varta.hotline.models import Consultation, ConsultationDay, Contact, ContactDay, Topic

URL = "/api/v1/hotline/contacts/"


def body(**overrides: Any) -> str:
    data = {
        "channel": "phone", "started_at": (timezone.now() - timedelta(minutes=3)).isoformat(),
        "caller_type": "person_concerned", "sex": "Feminine", "age_group": "25-34", "place": "UA2110023",
        "consultations": [{"topic": "job-offer-check"}, {"topic": "travel-rules", "outcome": "referred"}],
    }
    data.update(overrides)
    return json.dumps(data)


@pytest.fixture
def operator(personas):
    membership = personas.a.membership(Role.HOTLINE_OPERATOR)
    return membership, Actor(user=membership.user, organisation=membership.organisation)


@pytest.fixture
def org_admin(personas):
    membership = personas.a.membership(Role.ORG_ADMIN)
    return membership, Actor(user=membership.user, organisation=membership.organisation)


@pytest.fixture
def client(personas, places, login_as):
    return login_as(personas.a.user(Role.HOTLINE_OPERATOR))


def test_it_creates_a_contact_with_two_consultations_in_a_fixed_number_of_statements(operator, contact_input):
    membership, actor = operator
    actions.contact_create(actor=actor, membership=membership, data=contact_input())  # the day's roll-up rows
    with CaptureQueriesContext(connection) as captured:
        contact = actions.contact_create(actor=actor, membership=membership, data=contact_input())

    # The head lock, the contact, its consultations; then the two roll-up upserts, the events and the head.
    # PostgreSQL receives each group in one round trip (varta.core.sql.insert_with_children, execute_together).
    assert len(captured) == (2 if connection.vendor == "postgresql" else 7), [q["sql"][:60] for q in captured]
    assert Consultation.objects.filter(contact=contact).count() == 2
    assert ContactDay.objects.values_list("contacts", "caller_person_concerned").get() == (2, 2)
    assert sorted(ConsultationDay.objects.values_list("consultations", flat=True)) == [2, 2]
    assert chain.verify().ok


def family(membership, topics: list[Topic]) -> tuple[Contact, list[Consultation]]:
    parent = Contact(organisation_id=membership.organisation_id, operator_id=membership.user_id, channel="phone",
                     started_at=timezone.now() - timedelta(minutes=1))
    children = [Consultation(organisation_id=membership.organisation_id, contact=parent, topic=t,
                             category=t.parent or t, started_at=parent.started_at, position=n)
                for n, t in enumerate(topics, start=1)]
    return parent, children


def created_events(since: int) -> list[tuple[str, str]]:
    return list(AuditEvent.objects.filter(seq__gt=since).order_by("seq").values_list("action", "object_id"))


@pytest.mark.parametrize("in_batch", [False, True])
def test_it_locks_the_head_before_it_writes_a_row_and_its_children(operator, in_batch):
    membership, actor = operator
    topics = list(Topic.objects.filter(organisation__isnull=True, parent__isnull=False)[:2])
    parent, children = family(membership, topics)
    since = AuditChainHead.objects.get().seq
    with CaptureQueriesContext(connection) as captured, writes.batch() if in_batch else nullcontext():
        created = writes.create_with_children(parent, children, link="contact", actor=actor)

    assert created == children
    assert all(c.contact_id == parent.pk for c in children)
    assert created_events(since) == [("hotline.contact.create", str(parent.pk)),
                                     *[("hotline.consultation.create", str(c.pk)) for c in children]]
    assert "audit_auditchainhead" in captured[0]["sql"]  # the lock goes first, in the same round trip or not
    assert chain.verify().ok


def test_it_joins_a_batch_whose_head_an_earlier_write_locked(operator, personas):
    membership, actor = operator
    topics = list(Topic.objects.filter(organisation__isnull=True, parent__isnull=False)[:1])
    parent, children = family(membership, topics)
    since = AuditChainHead.objects.get().seq
    with CaptureQueriesContext(connection) as captured, writes.batch():
        writes.update(personas.a.organisation, actor=actor, changes={"acronym": "AA2"})
        writes.create_with_children(parent, children, link="contact", actor=actor)

    assert [action for action, _id in created_events(since)] == [
        "orgs.organisation.update", "hotline.contact.create", "hotline.consultation.create"]
    assert sum(q["sql"].startswith('SELECT "id", "seq", "hash"') for q in captured) == 1
    assert chain.verify().ok


def test_it_leaves_a_row_and_its_children_to_the_orm_when_it_must(operator):
    membership, actor = operator
    topics = list(Topic.objects.filter(organisation__isnull=True, parent__isnull=False)[:2])
    parent, children = family(membership, topics)
    since = AuditChainHead.objects.get().seq

    def receiver(**kwargs: object) -> None:
        pass

    signals.post_save.connect(receiver, sender=Consultation)
    try:
        with writes.batch():
            writes.create_with_children(parent, children, link="contact", actor=actor)
    finally:
        signals.post_save.disconnect(receiver, sender=Consultation)

    assert list(Consultation.objects.filter(contact=parent).order_by("position").values_list("pk", flat=True)) == [
        c.pk for c in children]
    assert len(created_events(since)) == 3
    assert chain.verify().ok


def test_it_upserts_roll_ups_creating_a_new_day_and_incrementing_an_existing_one(operator, contact_input):
    membership, actor = operator
    today = timezone.now() - timedelta(minutes=3)
    for started in (today, today, today - timedelta(days=3)):
        actions.contact_create(actor=actor, membership=membership, data=contact_input(started_at=started))

    assert sorted(ContactDay.objects.values_list("contacts", flat=True)) == [1, 2]
    written = set(ContactDay.objects.values_list("day", "contacts", "sex_feminine"))
    rollups.rebuild()
    assert set(ContactDay.objects.values_list("day", "contacts", "sex_feminine")) == written


def test_it_takes_a_topic_added_or_refuses_one_retired_a_moment_ago(client, org_admin, topics):
    own = [{"topic": "own-term"}]
    assert client.post(URL, body(consultations=own), content_type="application/json").status_code == 400

    membership, actor = org_admin
    term = actions.topic_create(actor=actor, membership=membership, parent=topics["job-offer-check"].parent,
                                code="own-term", name_en="Our term", name_uk="Наш термін")
    response = client.post(URL, body(consultations=own), content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["consultations"][0]["topic"] == "own-term"

    actions.topic_set_retired(actor=actor, membership=membership, topic=term, retired=True)
    response = client.post(URL, body(consultations=own), content_type="application/json")
    assert response.status_code == 400
    assert "retired" in json.dumps(response.json())
    assert Contact.objects.count() == 1


def unit(pcode: str) -> AdminUnit:
    found = unit_with_parents(pcode)
    assert found is not None
    return found


def test_it_reads_a_unit_once_and_does_not_remember_an_unknown_code(places, django_assert_num_queries):
    assert unit(" ua2110023 ").parent.parent.pcode == "UA21"  # type: ignore[union-attr]
    with django_assert_num_queries(0):
        assert unit("UA2110023").pk == "UA2110023"

    assert unit_with_parents("UA2110099") is None
    AdminUnit.objects.create(pcode="UA2110099", country_iso3="UKR", level=3, parent=places["raion"],
                             name_en="New", name_uk="Нова", search_en="new", search_uk="нова")
    assert unit("UA2110099").name_en == "New"

    AdminUnit.objects.filter(pcode="UA2110099").update(name_en="Renamed")
    UNITS.forget()  # as the gazetteer loader does after a new edition
    assert unit("UA2110099").name_en == "Renamed"


def single_column_indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {c["columns"][0] for c in constraints.values()
            if c["index"] and not c["primary_key"] and len(c["columns"]) == 1}


def test_it_keeps_only_the_indexes_a_query_needs_on_the_largest_tables(db):
    assert single_column_indexes("hotline_contact") == {"location_id", "oblast_id", "follows_id"}
    assert single_column_indexes("hotline_consultation") == {"contact_id", "topic_id", "category_id"}
    assert "organisation_id" not in single_column_indexes("hotline_contactday")
    assert "organisation_id" not in single_column_indexes("hotline_consultationday")
