"""Escalating from a contact's page: POST /hotline/contacts/<id>/escalate/."""

from __future__ import annotations

import pytest

from varta.accounts.permissions import Role
from varta.hotline.models import Escalation
from varta.hotline.tests.helpers_contacts import nothing_saved, record_contact


def url(contact) -> str:
    return f"/hotline/contacts/{contact.pk}/escalate/"


@pytest.fixture
def operator(client, personas, login_as):
    login_as(personas.a.user(Role.HOTLINE_OPERATOR))
    return client


@pytest.fixture
def contact(personas, contact_input):
    return record_contact(personas.a, contact_input)


def test_it_escalates_and_flags_the_contact(operator, personas, contact):
    response = operator.post(url(contact), {"escalate-reason": "Debt bondage in Poland"})
    assert response.status_code == 302
    assert response["Location"] == f"/hotline/contacts/{contact.pk}/"
    escalation = Escalation.objects.get()
    assert (escalation.contact, escalation.reason, escalation.escalated_by) == (
        contact, "Debt bondage in Poland", personas.a.user(Role.HOTLINE_OPERATOR))
    contact.refresh_from_db()
    assert contact.risk_flag
    assert f"Contact {contact.pk} escalated to case management." in operator.get(
        f"/hotline/contacts/{contact.pk}/").content.decode()


@pytest.mark.parametrize(("reason", "message"), [("", "Say briefly why this needs case management."),
                                                 ("<script>x</script>", "HTML tags")])
def test_it_refuses_a_bad_reason_with_400(operator, contact, reason, message):
    with nothing_saved():
        response = operator.post(url(contact), {"escalate-reason": reason})
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_escalate-reason_error"' in content
    assert message in content


def test_it_escalates_once(operator, contact):
    operator.post(url(contact), {"escalate-reason": "First"})
    with nothing_saved():
        response = operator.post(url(contact), {"escalate-reason": "Second"})
    assert response.status_code == 400
    assert "This contact has been escalated already." in response.content.decode()


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.INFORMATION_MANAGER, Role.TASKFORCE_COORDINATOR])
def test_it_requires_the_right_to_escalate(client, personas, login_as, contact, role):
    login_as(personas.a.user(role))
    with nothing_saved():
        assert client.post(url(contact), {"escalate-reason": "x"}).status_code == 403


def test_it_hides_another_organisations_contact(client, personas, login_as, contact):
    login_as(personas.b.user(Role.HOTLINE_OPERATOR))
    with nothing_saved():
        assert client.post(url(contact), {"escalate-reason": "x"}).status_code == 404
    assert client.get(url(contact)).status_code == 405
