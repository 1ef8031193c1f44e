"""API: call-backs — the queue (own or the team's), scheduling, cancelling, completing as a new contact."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.hotline import actions
from varta.hotline.models import Callback, Contact

URL = "/api/v1/hotline/callbacks/"


def operator_of(org: Any) -> tuple[Any, Actor]:
    membership = org.membership(Role.HOTLINE_OPERATOR)
    return membership, Actor(user=membership.user, organisation=membership.organisation)


def post(client: Any, url: str, data: Any = None) -> Any:
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


def state() -> tuple[Any, ...]:
    return (Contact.objects.count(), list(Callback.objects.values_list("pk", "status", "result_id").order_by("pk")),
            AuditEvent.objects.count())


def contact_body() -> dict[str, Any]:
    return {"channel": "phone", "started_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
            "consultations": [{"topic": "travel-rules"}]}


@pytest.fixture
def consenting(personas, contact_input):
    def make(org=None):
        membership, actor = operator_of(org or personas.a)
        return actions.contact_create(actor=actor, membership=membership,
                                      data=contact_input(callback_consent=True, caller_phone="+380671234567"))

    return make


@pytest.fixture
def schedule(personas, consenting):
    def make(org=None, *, due_in=timedelta(hours=2), assigned_to=None):
        org = org or personas.a
        membership, actor = operator_of(org)
        return actions.callback_schedule(actor=actor, membership=membership, contact=consenting(org),
                                         due_at=timezone.now() + due_in,
                                         assigned_to=assigned_to or membership.user)

    return make


@pytest.fixture
def operator_client(personas, places, login_as):
    return login_as(personas.a.user(Role.HOTLINE_OPERATOR))


def test_it_lists_my_queue_earliest_first(operator_client, schedule, personas, places):
    later = schedule(due_in=timedelta(hours=5))
    sooner = schedule(due_in=timedelta(hours=1))
    schedule(personas.b)

    response = operator_client.get(URL)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [c["id"] for c in results] == [sooner.pk, later.pk]
    assert results[0]["overdue"] is False
    assert results[0]["contact"] == sooner.contact_id
    assert "380671234567" not in response.content.decode()


def test_it_lists_the_teams_queue_with_all(personas, schedule, login_as, places):
    colleague = personas.a.user(Role.ORG_ADMIN)  # any active member may be given a call-back
    theirs = schedule(assigned_to=colleague)
    mine = schedule()
    client = login_as(personas.a.user(Role.HOTLINE_OPERATOR))

    assert [c["id"] for c in client.get(URL).json()["results"]] == [mine.pk]
    assert {c["id"] for c in client.get(URL, {"all": "1"}).json()["results"]} == {mine.pk, theirs.pk}
    assert client.get(URL, {"all": "maybe"}).status_code == 400


def test_it_schedules_a_callback(operator_client, consenting, personas):
    contact = consenting()
    due = timezone.now() + timedelta(hours=3)

    response = post(operator_client, URL, {"contact": contact.pk, "due_at": due.isoformat(), "note": "after 2 pm"})

    assert response.status_code == 201, response.content
    callback = Callback.objects.get()
    assert callback.assigned_to == personas.a.user(Role.HOTLINE_OPERATOR)
    assert callback.note == "after 2 pm"
    assert response.json()["status"] == "scheduled"


@pytest.mark.parametrize(("data", "field"), [
    ({"due_at": "PAST"}, "due_at"),
    ({"note": "<script>x</script>"}, "note"),
    ({"contact": "NO_CONSENT"}, "contact"),
    ({"contact": "FOREIGN"}, "contact"),
    ({"contact": 999999}, "contact"),
    ({"assigned_to": "FOREIGN"}, "assigned_to"),
    ({"assigned_to": "INACTIVE"}, "assigned_to"),
    ({"due_at": "tomorrow"}, "due_at"),
])
def test_it_refuses_a_bad_schedule_and_writes_nothing(operator_client, consenting, contact_input, personas,
                                                      data, field):
    membership, actor = operator_of(personas.a)
    values = {"contact": consenting().pk, "due_at": (timezone.now() + timedelta(hours=1)).isoformat()}
    special: dict[str, Callable[[], Any]] = {
        "PAST": lambda: (timezone.now() - timedelta(hours=1)).isoformat(),
        "NO_CONSENT": lambda: actions.contact_create(actor=actor, membership=membership, data=contact_input()).pk,
        "FOREIGN": lambda: consenting(personas.b).pk if field == "contact" else personas.b.user(Role.ORG_ADMIN).pk,
        "INACTIVE": lambda: _inactive_member(personas).pk,
    }
    values.update({k: special[v]() if isinstance(v, str) and v in special else v for k, v in data.items()})
    before = state()

    response = post(operator_client, URL, values)

    assert response.status_code == 400
    assert field in response.json()
    assert state() == before


def _inactive_member(personas: Any) -> Any:
    from varta.orgs.actions import membership_set_active

    admin = personas.a.membership(Role.SYSTEM_ADMIN)
    member = personas.a.membership(Role.CASE_WORKER)
    membership_set_active(actor=Actor.system(), acting=admin, member=member, active=False)
    return member.user


def test_it_refuses_scheduling_to_roles_that_do_not_log_contacts(personas, login_as, consenting):
    contact = consenting()
    before = state()

    response = post(login_as(personas.a.user(Role.CASE_WORKER)), URL,
                    {"contact": contact.pk, "due_at": (timezone.now() + timedelta(hours=1)).isoformat()})

    assert response.status_code == 403
    assert state() == before


def test_it_cancels_a_callback(operator_client, schedule):
    callback = schedule()

    response = post(operator_client, f"{URL}{callback.pk}/cancel/")

    assert response.status_code == 200
    callback.refresh_from_db()
    assert callback.status == "cancelled"
    assert AuditEvent.objects.latest("seq").action == "hotline.callback.cancel"
    again = post(operator_client, f"{URL}{callback.pk}/cancel/")
    assert again.status_code == 400
    assert "status" in again.json()


def test_it_completes_a_callback_as_a_new_contact(operator_client, schedule):
    callback = schedule()

    response = post(operator_client, f"{URL}{callback.pk}/complete/", contact_body())

    assert response.status_code == 201, response.content
    callback.refresh_from_db()
    assert callback.status == "done"
    out = response.json()
    assert out["id"] == callback.result_id
    assert out["direction"] == "callback"
    assert out["follows"] == callback.contact_id


def test_it_refuses_a_bad_completion_and_writes_nothing(operator_client, schedule):
    callback = schedule()
    before = state()

    for data in ({**contact_body(), "consultations": []}, {**contact_body(), "started_at": "soon"},
                 {**contact_body(), "consultations": [{"topic": "nope"}]}):
        assert post(operator_client, f"{URL}{callback.pk}/complete/", data).status_code == 400
    broken = operator_client.post(f"{URL}{callback.pk}/complete/", data="{", content_type="application/json")
    assert broken.status_code == 400
    assert state() == before
    post(operator_client, f"{URL}{callback.pk}/cancel/")
    closed = post(operator_client, f"{URL}{callback.pk}/complete/", contact_body())
    assert closed.status_code == 400
    assert "status" in closed.json()


def test_it_does_not_touch_another_organisations_callbacks(operator_client, schedule, personas):
    foreign = schedule(personas.b)
    before = state()

    assert post(operator_client, f"{URL}{foreign.pk}/cancel/").status_code == 404
    assert post(operator_client, f"{URL}{foreign.pk}/complete/", contact_body()).status_code == 404
    assert post(operator_client, f"{URL}999999/cancel/").status_code == 404
    assert foreign.pk not in {c["id"] for c in operator_client.get(URL, {"all": "1"}).json()["results"]}
    assert state() == before


def test_it_refuses_the_queue_to_roles_without_contact_view(personas, login_as, schedule):
    callback = schedule()
    for role in (Role.TASKFORCE_COORDINATOR, Role.ORG_ADMIN):
        client = login_as(personas.a.user(role), c=Client())
        assert client.get(URL).status_code == 403
        assert post(client, f"{URL}{callback.pk}/cancel/").status_code == 403
    callback.refresh_from_db()
    assert callback.status == "scheduled"
