"""Correcting a contact at /hotline/contacts/<id>/edit/ with the operator form (roles that record contacts)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.hotline.models import Consultation, Contact
from varta.hotline.tests.helpers_contacts import form_data, local, nothing_saved, record_contact


def url(contact) -> str:
    return f"/hotline/contacts/{contact.pk}/edit/"


@pytest.fixture
def operator(client, personas, login_as):
    login_as(personas.a.user(Role.HOTLINE_OPERATOR))
    return client


@pytest.fixture
def contact(personas, contact_input):
    return record_contact(personas.a, contact_input, callback_consent=True, caller_phone="+380671234567",
                          caller_name="Olena Petrenko", language="ro")


def test_it_shows_the_recorded_values_but_never_the_callers_details(operator, contact, topics):
    response = operator.get(url(contact))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'<option value="{topics["travel-rules"].pk}" selected>' in content
    assert 'value="Consulate"' in content
    assert 'value="4:00"' in content
    assert '<option value="ro" selected>' in content
    assert "Olena Petrenko" not in content
    assert "380671234567" not in content
    assert "Leave empty to keep the recorded number." in content
    assert "data-draft-key" not in content  # corrections keep no draft
    assert AuditEvent.objects.filter(action="hotline.contact.view", object_id=str(contact.pk)).count() == 1


def test_it_saves_a_correction_and_replaces_the_topics(operator, contact, topics, places):
    data = form_data(topics, places, started_at=local(contact.started_at), topic=[str(topics["shelter"].pk)],
                     outcome=["referred"], referrals=["Shelter in Uzhhorod"], callback_consent="on", caller_phone="",
                     caller_name="", language="ro", then="view")
    response = operator.post(url(contact), data)
    assert response.status_code == 302
    assert response["Location"] == f"/hotline/contacts/{contact.pk}/"
    contact.refresh_from_db()
    assert [(c.topic, c.referrals) for c in Consultation.objects.all()] == [(topics["shelter"], "Shelter in Uzhhorod")]
    assert (contact.caller_phone, contact.caller_name, contact.language) == ("+380671234567", "Olena Petrenko", "ro")
    assert contact.duration_seconds == 205


def test_it_drops_the_callers_details_when_consent_is_withdrawn(operator, contact, topics, places):
    operator.post(url(contact), form_data(topics, places, started_at=local(contact.started_at)))
    contact.refresh_from_db()
    assert (contact.callback_consent, contact.caller_phone, contact.caller_name) == (False, "", "")


def test_it_refuses_bad_input_with_400_and_changes_nothing(operator, contact, topics, places):
    before = Contact.objects.values().get(pk=contact.pk)
    with nothing_saved():
        response = operator.post(url(contact), form_data(topics, places, summary="<b>x</b>", started_at=local(
            timezone.now() + timedelta(hours=3))))
    assert response.status_code == 400
    content = response.content.decode()
    assert "HTML tags" in content
    assert "The start of a contact cannot be in the future." in content
    assert Contact.objects.values().get(pk=contact.pk) == before
    with nothing_saved():
        response = operator.post(url(contact), form_data(topics, places, topic=[], outcome=[], referrals=[]))
    assert "Record at least one consultation topic." in response.content.decode()


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.INFORMATION_MANAGER, Role.ORG_ADMIN])
def test_it_requires_the_right_to_record_contacts(client, personas, login_as, contact, topics, places, role):
    login_as(personas.a.user(role))
    assert client.get(url(contact)).status_code == 403
    with nothing_saved():
        assert client.post(url(contact), form_data(topics, places)).status_code == 403


def test_it_hides_another_organisations_contact_and_changes_nothing(client, personas, login_as, contact, topics,
                                                                    places):
    login_as(personas.b.user(Role.HOTLINE_OPERATOR))
    before = Contact.objects.values().get(pk=contact.pk)
    with nothing_saved():
        assert client.get(url(contact)).status_code == 404
        assert client.post(url(contact), form_data(topics, places, summary="taken over")).status_code == 404
    assert Contact.objects.values().get(pk=contact.pk) == before
