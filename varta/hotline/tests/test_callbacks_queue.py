"""The call-back queue at /hotline/callbacks/: due and overdue call-backs, "Show number", "Cancel"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.hotline.models import CallbackStatus
from varta.hotline.tests.helpers_contacts import nothing_saved, with_callback

URL = "/hotline/callbacks/"


@pytest.fixture
def operator(client, personas, login_as):
    login_as(personas.a.user(Role.HOTLINE_OPERATOR))
    return client


def test_it_lists_the_operators_call_backs_overdue_first_without_the_number(operator, personas, contact_input):
    later = with_callback(personas.a, contact_input, due_in=timedelta(days=2))
    overdue = with_callback(personas.a, contact_input, due_in=timedelta(minutes=-20))
    response = operator.get(URL)
    assert response.status_code == 200
    assert [row.callback.pk for row in response.context["rows"]] == [overdue.pk, later.pk]
    assert [row.state for row in response.context["rows"]] == ["overdue", "later"]
    content = response.content.decode()
    assert 'class="op-cb-overdue"' in content
    assert "1 overdue" in content
    assert "380671234567" not in content
    assert "Olena Callback" not in content
    assert f'href="/hotline/contacts/new/?callback={overdue.pk}"' in content


def test_it_shows_the_whole_team_on_request(client, personas, login_as, contact_input):
    callback = with_callback(personas.a, contact_input)
    login_as(personas.a.user(Role.CASE_WORKER))
    assert client.get(URL).context["rows"] == []
    response = client.get(URL, {"team": "1"})
    assert [row.callback.pk for row in response.context["rows"]] == [callback.pk]
    content = response.content.decode()
    assert "Call now" not in content  # a case worker does not make call-backs


def test_it_shows_the_number_after_a_recorded_reveal(operator, personas, contact_input):
    callback = with_callback(personas.a, contact_input)
    response = operator.post(f"{URL}{callback.pk}/reveal/")
    assert response.status_code == 200
    assert 'href="tel:+380671234567"' in response.content.decode()
    event = AuditEvent.objects.get(action="hotline.contact.reveal.contact")
    assert event.object_id == str(callback.contact_id)
    assert "380671234567" not in operator.get(URL).content.decode()


def test_it_cancels_a_call_back(operator, personas, contact_input):
    callback = with_callback(personas.a, contact_input)
    response = operator.post(f"{URL}{callback.pk}/cancel/")
    assert response.status_code == 302
    assert response["Location"] == URL
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.CANCELLED
    assert f"Call-back {callback.pk} cancelled." in operator.get(URL).content.decode()
    with nothing_saved():
        operator.post(f"{URL}{callback.pk}/cancel/", {"team": "1"})
    assert "already closed" in operator.get(URL).content.decode()


def test_it_only_accepts_post_for_reveal_and_cancel(operator, personas, contact_input):
    callback = with_callback(personas.a, contact_input)
    with nothing_saved():
        assert operator.get(f"{URL}{callback.pk}/reveal/").status_code == 405
        assert operator.get(f"{URL}{callback.pk}/cancel/").status_code == 405


def test_it_lets_only_recording_roles_cancel(client, personas, login_as, contact_input):
    callback = with_callback(personas.a, contact_input)
    login_as(personas.a.user(Role.CASE_WORKER))
    with nothing_saved():
        assert client.post(f"{URL}{callback.pk}/cancel/").status_code == 403


@pytest.mark.parametrize("role", [Role.TASKFORCE_COORDINATOR, Role.ORG_ADMIN])
def test_it_is_closed_to_roles_without_contact_access(client, personas, login_as, contact_input, role):
    callback = with_callback(personas.a, contact_input)
    login_as(personas.a.user(role))
    assert client.get(URL).status_code == 403
    with nothing_saved():
        assert client.post(f"{URL}{callback.pk}/reveal/").status_code == 403


def test_it_hides_another_organisations_call_backs(client, personas, login_as, contact_input):
    callback = with_callback(personas.a, contact_input)
    login_as(personas.b.user(Role.HOTLINE_OPERATOR))
    assert client.get(URL, {"team": "1"}).context["rows"] == []
    with nothing_saved():
        assert client.post(f"{URL}{callback.pk}/reveal/").status_code == 404
        assert client.post(f"{URL}{callback.pk}/cancel/").status_code == 404
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.SCHEDULED
