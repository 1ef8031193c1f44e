"""Scheduling a call-back from a contact's page: /hotline/contacts/<id>/callbacks/new/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from varta.accounts.permissions import Role
from varta.hotline.models import Callback
from varta.hotline.tests.helpers_contacts import local, nothing_saved, record_contact


def url(contact) -> str:
    return f"/hotline/contacts/{contact.pk}/callbacks/new/"


@pytest.fixture
def operator(client, personas, login_as):
    login_as(personas.a.user(Role.HOTLINE_OPERATOR))
    return client


@pytest.fixture
def contact(personas, contact_input):
    return record_contact(personas.a, contact_input, callback_consent=True, caller_phone="+380671234567")


def test_it_schedules_a_call_back_for_a_colleague(operator, personas, contact):
    due = timezone.now() + timedelta(days=1)
    page = operator.get(url(contact))
    assert page.status_code == 200
    assert "380671234567" not in page.content.decode()
    colleague = personas.a.user(Role.HOTLINE_OPERATOR)
    response = operator.post(url(contact), {"due_at": local(due), "assigned_to": colleague.pk,
                                            "note": "Evenings only"})
    assert response.status_code == 302
    assert response["Location"] == f"/hotline/contacts/{contact.pk}/"
    callback = Callback.objects.get()
    assert (callback.contact, callback.assigned_to, callback.note) == (contact, colleague, "Evenings only")


@pytest.mark.parametrize(("data", "message"), [
    ({"due_at": ""}, "Say when to call back."),
    ({"due_at": "2001-01-01T10:00"}, "A call-back cannot be scheduled in the past."),
    ({"note": "<script>x</script>"}, "HTML tags"),
    ({"assigned_to": "999999"}, "Select a valid choice."),
])
def test_it_refuses_bad_input_with_400(operator, personas, contact, data, message):
    body = {"due_at": local(timezone.now() + timedelta(hours=1)),
            "assigned_to": personas.a.user(Role.HOTLINE_OPERATOR).pk, "note": "", **data}
    with nothing_saved():
        response = operator.post(url(contact), body)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&lt;", "<").replace("&gt;", ">")


def test_it_refuses_a_contact_without_consent(operator, personas, contact_input):
    anonymous = record_contact(personas.a, contact_input)
    assert "no call-back consent" in operator.get(url(anonymous)).content.decode()
    with nothing_saved():
        response = operator.post(url(anonymous), {"due_at": local(timezone.now() + timedelta(hours=1)),
                                                  "assigned_to": personas.a.user(Role.HOTLINE_OPERATOR).pk})
    assert response.status_code == 400
    assert "needs the caller&#x27;s consent" in response.content.decode()


def test_it_refuses_another_organisations_operator(operator, personas, contact):
    with nothing_saved():
        response = operator.post(url(contact), {"due_at": local(timezone.now() + timedelta(hours=1)),
                                                "assigned_to": personas.b.user(Role.HOTLINE_OPERATOR).pk})
    assert response.status_code == 400


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.INFORMATION_MANAGER, Role.TASKFORCE_COORDINATOR])
def test_it_requires_the_right_to_record_contacts(client, personas, login_as, contact, role):
    login_as(personas.a.user(role))
    assert client.get(url(contact)).status_code == 403


def test_it_hides_another_organisations_contact(client, personas, login_as, contact):
    login_as(personas.b.user(Role.HOTLINE_OPERATOR))
    with nothing_saved():
        assert client.get(url(contact)).status_code == 404
        assert client.post(url(contact), {"due_at": local(timezone.now() + timedelta(hours=1)),
                                          "assigned_to": personas.b.user(Role.HOTLINE_OPERATOR).pk}).status_code == 404
