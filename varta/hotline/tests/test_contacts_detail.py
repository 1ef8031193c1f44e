"""A contact's page at /hotline/contacts/<id>/: everything recorded, masked caller details, the audited reveal."""

from __future__ import annotations

import pytest

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.hotline import actions
from varta.hotline.tests.helpers_contacts import nothing_saved, operator_of, record_contact, with_callback


def url(contact) -> str:
    return f"/hotline/contacts/{contact.pk}/"


@pytest.fixture
def viewer(client, personas, login_as):
    login_as(personas.a.user(Role.CASE_WORKER))
    return client


@pytest.fixture
def consented(personas, contact_input):
    return record_contact(personas.a, contact_input, callback_consent=True, caller_phone="+380671234567",
                          caller_name="Olena Petrenko", summary="Asked about a job in Poland",
                          methods_of_control=["DebtBondage"])


def test_it_shows_everything_recorded_with_the_callers_details_masked(viewer, consented, places):
    response = viewer.get(url(consented))
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("Employment abroad: checking a job offer", "Consulate", "Referred", "Uzhhorodska hromada",
                 "Asked about a job in Poland", "Debt bondage", "Internally displaced person", "4:00"):
        assert text in content, text
    assert "Olena Petrenko" not in content
    assert "380671234567" not in content
    assert "••••" in content
    assert "Reveal" in content


def test_it_records_each_view_in_the_audit_trail(viewer, personas, consented):
    viewer.get(url(consented))
    event = AuditEvent.objects.filter(action="hotline.contact.view").get()
    assert (event.object_type, event.object_id) == ("hotline.contact", str(consented.pk))
    assert (event.actor_id, event.organisation_id) == (personas.a.user(Role.CASE_WORKER).pk,
                                                       personas.a.organisation.pk)


def test_it_reveals_the_callers_details_once_with_a_reason_and_records_it(viewer, personas, consented):
    response = viewer.post(f"{url(consented)}reveal/", {"reveal-reason": "supervision"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Olena Petrenko" in content
    assert 'href="tel:+380671234567"' in content
    event = AuditEvent.objects.filter(action="hotline.contact.reveal.supervision").get()
    assert event.object_id == str(consented.pk)
    assert event.changed_fields == ["caller_name", "caller_phone"]
    # The next view masks them again.
    assert "Olena Petrenko" not in viewer.get(url(consented)).content.decode()


def test_it_refuses_a_reveal_without_a_reason(viewer, consented):
    with nothing_saved():
        response = viewer.post(f"{url(consented)}reveal/", {"reveal-reason": "  "})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Choose why you need to see the caller&#x27;s details." in content
    assert "Olena Petrenko" not in content


def test_it_has_nothing_to_reveal_on_an_anonymous_contact(viewer, personas, contact_input):
    contact = record_contact(personas.a, contact_input)
    assert "Reveal" not in viewer.get(url(contact)).content.decode()
    with nothing_saved():
        assert viewer.post(f"{url(contact)}reveal/", {"reveal-reason": "curious"}).status_code == 302


def test_it_shows_call_backs_follow_ups_and_the_escalation(client, personas, login_as, contact_input):
    callback = with_callback(personas.a, contact_input)
    membership, actor = operator_of(personas.a)
    follow_up = actions.callback_complete(actor=actor, membership=membership, callback=callback,
                                          data=contact_input())
    actions.escalate(actor=actor, membership=membership, contact=callback.contact, reason="Debt bondage suspected")
    login_as(personas.a.user(Role.HOTLINE_OPERATOR))
    content = client.get(url(callback.contact)).content.decode()
    assert f'href="/hotline/contacts/{follow_up.pk}/"' in content
    assert "Done" in content
    assert "Debt bondage suspected" in content
    assert "Pending: waiting for case management" in content
    assert "/escalate/" not in content  # escalated once only
    page = client.get(url(follow_up)).content.decode()
    assert f"follows contact {callback.contact_id}" in page


def test_it_offers_edit_call_back_and_escalation_by_role(client, personas, login_as, consented):
    login_as(personas.a.user(Role.HOTLINE_OPERATOR))
    content = client.get(url(consented)).content.decode()
    assert f"{url(consented)}edit/" in content
    assert f"{url(consented)}callbacks/new/" in content
    assert f"{url(consented)}escalate/" in content
    login_as(personas.a.user(Role.INFORMATION_MANAGER))
    content = client.get(url(consented)).content.decode()
    assert "/edit/" not in content
    assert "/callbacks/new/" not in content
    assert "/escalate/" not in content


def test_it_hides_another_organisations_contact(client, personas, login_as, consented):
    login_as(personas.b.user(Role.CASE_WORKER))
    with nothing_saved():
        assert client.get(url(consented)).status_code == 404
        assert client.post(f"{url(consented)}reveal/", {"reveal-reason": "x"}).status_code == 404
    assert client.get("/hotline/contacts/999999/").status_code == 404


@pytest.mark.parametrize("role", [Role.TASKFORCE_COORDINATOR, Role.ORG_ADMIN])
def test_it_is_closed_to_roles_without_contact_access(client, personas, login_as, consented, role):
    login_as(personas.a.user(role))
    assert client.get(url(consented)).status_code == 403
    with nothing_saved():
        assert client.post(f"{url(consented)}reveal/", {"reveal-reason": "x"}).status_code == 403


