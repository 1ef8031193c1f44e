"""The audited write path: one event per write, in the write's transaction, with field names and never values."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from varta.accounts import actions as account_actions
from varta.accounts.models import ApiToken, RecoveryCode, User
from varta.accounts.permissions import Role
from varta.audit import chain, writes
from varta.audit.guard import UnauditedWriteError
from varta.audit.models import AuditChainHead, AuditEvent
from varta.audit.writes import Actor
from varta.core.context import RequestMeta, reset_request_meta, set_request_meta
from varta.geo.models import AdminUnit, Country
from varta.orgs.models import Membership, Organisation

PERSONAL_NAME = "Ivanna Pidhaina-Testova"


def _events_since(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def _head() -> int:
    return AuditChainHead.objects.get(pk=1).seq


def _row_text(event: AuditEvent) -> str:
    """Every column of the stored row, as the database gives it back."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditevent WHERE seq = %s", [event.seq])
        return " ".join(str(value) for value in cursor.fetchone())


@pytest.fixture
def admin_actor(personas) -> Actor:
    return Actor(user=personas.a.user(Role.ORG_ADMIN), organisation=personas.a.organisation)


@pytest.fixture
def areas(db) -> list[AdminUnit]:
    return [AdminUnit.objects.create(pcode=f"UA{n}", country_iso3="UKR", level=1, name_en=f"Oblast {n}",
                                     name_uk=f"Область {n}", search_en=f"oblast {n}", search_uk=f"область {n}")
            for n in (21, 80)]


def test_it_records_one_event_for_a_create(admin_actor):
    start = _head()
    user = account_actions.user_create(actor=admin_actor, username="new_worker", full_name=PERSONAL_NAME,
                                       email="ivanna@example.org", password="a long enough password 1")
    [event] = _events_since(start)
    assert (event.action, event.object_type, event.object_id) == ("accounts.user.create", "accounts.user",
                                                                   str(user.pk))
    assert (event.actor_id, event.organisation_id) == (admin_actor.user_id, admin_actor.organisation_id)
    assert {"username", "full_name", "email", "password"} <= set(event.changed_fields)
    text = _row_text(event)
    for value in (PERSONAL_NAME, "Ivanna", "ivanna@example.org", user.password):
        assert value not in text


def test_it_records_only_the_names_of_changed_fields(admin_actor, personas):
    user = personas.a.user(Role.CASE_WORKER)
    start = _head()
    account_actions.user_update_profile(actor=admin_actor, user=user, full_name=PERSONAL_NAME, email=user.email,
                                        language=user.language)
    [event] = _events_since(start)
    assert event.changed_fields == ["full_name"]
    assert event.action == "accounts.user.update"
    assert PERSONAL_NAME not in _row_text(event)
    assert User.objects.get(pk=user.pk).full_name == PERSONAL_NAME


def test_it_writes_nothing_for_an_update_without_a_change(admin_actor, personas):
    user = personas.a.user(Role.CASE_WORKER)
    start = _head()
    account_actions.user_update_profile(actor=admin_actor, user=user, full_name=user.full_name, email=user.email,
                                        language=user.language)
    org = personas.a.organisation
    writes.update(org, actor=admin_actor, changes={"country": org.country, "country_id": org.country_id})
    assert _events_since(start) == []
    assert _head() == start


def test_it_compares_a_foreign_key_by_id(admin_actor, personas, django_assert_num_queries):
    org = Organisation.objects.get(pk=personas.a.organisation.pk)  # related country not loaded
    ukraine = Country.objects.get(iso2="UA")
    with django_assert_num_queries(0):
        writes.update(org, actor=admin_actor, changes={"country": ukraine})
        writes.update(org, actor=admin_actor, changes={"country": ukraine.pk})
    moldova = Country.objects.get(iso2="MD")
    start = _head()
    writes.update(org, actor=admin_actor, changes={"country": moldova})
    assert [e.changed_fields for e in _events_since(start)] == [["country"]]
    assert Organisation.objects.get(pk=org.pk).country_id == moldova.pk


def test_it_refuses_an_unknown_field(admin_actor, personas):
    with pytest.raises(ValueError, match="no field"):
        writes.update(personas.a.organisation, actor=admin_actor, changes={"areas": []})


def test_it_records_one_event_for_a_delete_and_counts_the_cascade(admin_actor, personas):
    member = personas.a.membership(Role.HOTLINE_OPERATOR)
    account_actions.api_token_issue(actor=admin_actor, membership=member, name="integration")
    pk, start = member.pk, _head()
    writes.delete(member, actor=admin_actor)
    events = _events_since(start)
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        ("orgs.membership.delete", "orgs.membership", str(pk)),
        ("orgs.membership.delete.cascade", "accounts.apitoken", "1 rows"),
    ]
    assert not Membership.objects.filter(pk=pk).exists()
    assert not ApiToken.objects.filter(membership_id=pk).exists()


def test_it_records_one_event_for_a_delete(admin_actor, personas):
    member = personas.a.membership(Role.HOTLINE_OPERATOR)
    pk, start = member.pk, _head()
    writes.delete(member, actor=admin_actor, action="orgs.membership.remove")
    assert [(e.action, e.object_id) for e in _events_since(start)] == [("orgs.membership.remove", str(pk))]


def test_it_records_one_event_for_a_many_to_many_change(admin_actor, personas, areas):
    org = personas.a.organisation
    start = _head()
    writes.set_m2m(org, "areas", areas, actor=admin_actor)
    [event] = _events_since(start)
    assert (event.action, event.changed_fields) == ("orgs.organisation.update", ["areas"])
    assert set(org.areas.values_list("pcode", flat=True)) == {"UA21", "UA80"}
    writes.set_m2m(org, "areas", [a.pk for a in reversed(areas)], actor=admin_actor)  # the same set
    assert len(_events_since(start)) == 1


def test_it_records_one_event_for_a_bulk_create(admin_actor, personas):
    user = personas.a.user(Role.CASE_WORKER)
    start = _head()
    created = writes.bulk_create([RecoveryCode(user=user, code_hash=f"hash-{n}") for n in range(3)],
                                 actor=admin_actor, action="accounts.recovery_code.import")
    [event] = _events_since(start)
    assert len(created) == 3 == RecoveryCode.objects.filter(user=user).count()
    assert (event.action, event.object_type, event.object_id) == ("accounts.recovery_code.import",
                                                                   "accounts.recoverycode", "3 rows")
    assert event.changed_fields == ["code_hash", "user"]
    assert "hash-0" not in _row_text(event)


def test_it_rolls_back_the_change_and_its_event_together(admin_actor):
    start = _head()

    def create_then_fail() -> None:
        with transaction.atomic():
            account_actions.user_create(actor=admin_actor, username="rolled_back", full_name="X",
                                        password="a long enough password 1")
            assert len(_events_since(start)) == 1  # written, in the same transaction
            raise RuntimeError("after the write")

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert not User.objects.filter(username="rolled_back").exists()
    assert _events_since(start) == []
    assert _head() == start
    assert chain.verify().ok


@pytest.mark.parametrize("write", ["create", "update", "set_m2m", "delete", "bulk_create"])
def test_it_rolls_back_every_kind_of_write_with_its_event(admin_actor, personas, areas, write):
    org, member = personas.a.organisation, personas.a.membership(Role.CASE_WORKER)
    member_pk, start = member.pk, _head()

    def write_then_fail() -> None:
        with transaction.atomic():
            if write == "create":
                writes.create(RecoveryCode(user=member.user, code_hash="x"), actor=admin_actor)
            elif write == "update":
                writes.update(org, actor=admin_actor, changes={"acronym": "CHANGED"})
            elif write == "set_m2m":
                writes.set_m2m(org, "areas", areas, actor=admin_actor)
            elif write == "delete":
                writes.delete(member, actor=admin_actor)
            else:
                writes.bulk_create([RecoveryCode(user=member.user, code_hash="y")], actor=admin_actor,
                                   action="t.bulk")
            assert len(_events_since(start)) == 1
            raise RuntimeError("after the write")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert _events_since(start) == []
    assert Organisation.objects.get(pk=org.pk).acronym == "ALPHA"
    assert not org.areas.exists()
    assert Membership.objects.filter(pk=member_pk).exists()
    assert not RecoveryCode.objects.exists()


def test_it_refuses_a_save_outside_the_audited_path(personas):
    org = personas.a.organisation
    org.acronym = "SNEAKY"
    with pytest.raises(UnauditedWriteError):
        org.save()
    with pytest.raises(UnauditedWriteError):
        personas.a.membership(Role.CASE_WORKER).delete()
    with pytest.raises(UnauditedWriteError):
        User(username="sneaky", full_name="S").save()
    assert Organisation.objects.get(pk=org.pk).acronym == "ALPHA"


def test_it_refuses_values_in_changed_fields(admin_actor):
    with pytest.raises(ValueError, match="field names only"):
        writes.record(actor=admin_actor, action="test.view", changed=[PERSONAL_NAME])
    assert not AuditEvent.objects.filter(action="test.view").exists()


def test_it_refuses_an_over_long_object_id(admin_actor):
    with pytest.raises(ValueError, match="longer than"):
        writes.record(actor=admin_actor, action="test.view", object_id="x" * 65)


def test_it_records_request_id_and_client_ip_of_a_web_request(personas, login_as):
    admin = personas.a.user(Role.ORG_ADMIN)
    client = login_as(admin)
    start = _head()
    response = client.post("/organisations/mine/edit/", {
        "name": "Alpha Aid Renamed", "acronym": "ALPHA", "type": "national_ngo", "country": "UA", "areas": "",
    }, HTTP_X_REQUEST_ID="req-audit-0001", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    [event] = [e for e in _events_since(start) if e.object_type == "orgs.organisation"]
    assert event.action == "orgs.organisation.update"
    assert event.changed_fields == ["name"]
    assert (event.request_id, event.client_ip, event.channel) == ("req-audit-0001", "203.0.113.7", "web")
    assert (event.actor_id, event.organisation_id) == (admin.pk, personas.a.organisation.pk)
    assert response["X-Request-ID"] == "req-audit-0001"
    assert "Alpha Aid Renamed" not in _row_text(event)


def test_it_records_an_unparseable_client_address_as_unknown(admin_actor):
    token = set_request_meta(RequestMeta(request_id="r-12345678", client_ip="203.0.113.7, 10.0.0.1", channel="web"))
    try:
        event = writes.record(actor=admin_actor, action="test.view")
    finally:
        reset_request_meta(token)
    assert event.client_ip is None
    assert chain.verify().ok


def test_it_hashes_an_ipv6_address_the_same_way_the_database_returns_it(admin_actor):
    token = set_request_meta(RequestMeta(request_id="r-12345678", client_ip="2001:DB8:0:0::1", channel="api"))
    try:
        writes.record(actor=admin_actor, action="test.view")
        writes.record(actor=admin_actor, action="test.view")
    finally:
        reset_request_meta(token)
    assert [e.client_ip for e in AuditEvent.objects.filter(action="test.view")] == ["2001:db8::1"] * 2
    assert chain.verify().ok


def test_it_reseeds_a_missing_chain_head_from_the_newest_event(admin_actor):
    from varta.audit.tests.helpers import tamper

    last = writes.record(actor=admin_actor, action="test.one")
    tamper("DELETE FROM audit_auditchainhead")
    event = writes.record(actor=admin_actor, action="test.two")
    assert (event.seq, event.prev_hash) == (last.seq + 1, last.hash)
    assert chain.verify().ok


def _new_orgs(n: int) -> list[Organisation]:
    return [Organisation(name=f"Batch org {i}", type="other", country_id="UA") for i in range(n)]


def test_it_writes_a_batch_with_one_head_lock_and_one_insert_of_events(admin_actor):
    before = AuditChainHead.objects.get().seq
    with CaptureQueriesContext(connection) as queries, writes.batch():
        first = writes.create(_new_orgs(1)[0], actor=admin_actor)
        writes.update(first, actor=admin_actor, changes={"acronym": "BO"})
        writes.create_many(_new_orgs(3)[1:], actor=admin_actor)
    events = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    assert [e.action for e in events] == ["orgs.organisation.create", "orgs.organisation.update",
                                          "orgs.organisation.create", "orgs.organisation.create"]
    assert [e.seq for e in events] == list(range(before + 1, before + 5))
    assert AuditChainHead.objects.get().seq == before + 4
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum("audit_auditchainhead" in s and s.lstrip().startswith("SELECT") for s in sql) == 1
    assert sum(s.lstrip().startswith('INSERT INTO "audit_auditevent"') for s in sql) == 1
    assert chain.verify().ok


def test_it_saves_nothing_of_a_batch_that_raises(admin_actor):
    before = AuditEvent.objects.count()

    def create_then_fail() -> None:
        with transaction.atomic(), writes.batch():
            writes.create(_new_orgs(1)[0], actor=admin_actor)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert AuditEvent.objects.count() == before
    assert not Organisation.objects.filter(name__startswith="Batch org").exists()
    assert chain.verify().ok
