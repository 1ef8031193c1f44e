"""The operator screen at /hotline/contacts/new/: record a contact with its topics, a call-back, an escalation."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.hotline.models import Callback, CallbackStatus, Consultation, Contact, Escalation
from varta.hotline.tests.helpers_contacts import form_data, local, nothing_saved, record_contact, with_callback

URL = "/hotline/contacts/new/"


@pytest.fixture
def operator(client, personas, login_as):
    login_as(personas.a.user(Role.HOTLINE_OPERATOR))
    return client


def test_it_shows_a_fresh_form_with_the_timer_topics_and_defaults(operator, topics):
    before = timezone.localtime().replace(microsecond=0)
    response = operator.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "data-timer-display" in content
    assert 'value="phone" id="id_channel_0" required checked' in content
    started = re.search(r'name="started_at" value="([^"]+)"', content)
    assert started
    assert started.group(1) >= before.strftime("%Y-%m-%dT%H:%M:%S")[:16]
    embedded = re.search(r'<script id="topic-data" type="application/json">(.*?)</script>', content, re.S)
    assert embedded
    data = json.loads(embedded.group(1))
    job = next(t for t in data if t["id"] == topics["job-offer-check"].pk)
    assert job["category"] == "Safe migration and travel abroad"
    assert "Працевлаштування" in job["terms"]  # typed Ukrainian finds it on an English page
    assert all(t["id"] != topics["safe-migration"].pk for t in data)  # a category with terms is not a topic
    assert any(t["id"] == topics["missing-person"].pk for t in data)  # a category without terms is one
    assert "Save and new" in content
    assert "Ctrl+Enter" in content


def test_it_records_a_two_topic_call_and_starts_a_fresh_form(operator, personas, topics, places):
    response = operator.post(URL, form_data(topics, places))
    assert response.status_code == 302
    assert response["Location"] == URL
    contact = Contact.objects.get()
    assert contact.organisation == personas.a.organisation
    assert contact.operator == personas.a.user(Role.HOTLINE_OPERATOR)
    assert (contact.channel, contact.caller_type, contact.sex, contact.age_group, contact.displacement) == (
        "phone", "person_concerned", "Feminine", "25-34", "idp")
    assert contact.location == places["hromada"]
    assert contact.oblast == places["oblast"]
    assert contact.duration_seconds == 205
    consultations = list(Consultation.objects.order_by("position"))
    assert [(c.topic, c.outcome, c.referrals) for c in consultations] == [
        (topics["job-offer-check"], "information", ""), (topics["travel-rules"], "referred", "Consulate in Warsaw")]

    page = operator.get(URL).content.decode()
    assert f"Contact {contact.pk} saved." in page
    assert 'data-draft-saved="' in page  # tells operator.js to drop the draft the save made obsolete
    assert f'href="/hotline/contacts/{contact.pk}/"' in page  # in the recent contacts
    assert 'data-draft-saved="' not in operator.get(URL).content.decode()


def test_it_goes_to_the_contact_page_with_plain_save(operator, topics, places):
    response = operator.post(URL, form_data(topics, places, then="view"))
    contact = Contact.objects.get()
    assert response["Location"] == f"/hotline/contacts/{contact.pk}/"


def test_it_works_out_the_duration_without_javascript(operator, topics, places):
    operator.post(URL, form_data(topics, places, duration="", started_at=local(timezone.now() - timedelta(
        seconds=90))))
    duration = Contact.objects.get().duration_seconds
    assert duration is not None
    assert 85 <= duration <= 100


def test_it_takes_topics_from_rows_of_selects_without_javascript(operator, topics, places):
    data = form_data(topics, places, topic=[str(topics["shelter"].pk), "", ""], outcome=["referred", "information",
                                                                                          "information"],
                     referrals=["", "", ""])
    assert operator.post(URL, data).status_code == 302
    assert [c.topic for c in Consultation.objects.all()] == [topics["shelter"]]


def test_it_schedules_a_call_back_when_the_caller_agrees(operator, personas, topics, places):
    due = timezone.now() + timedelta(hours=2)
    response = operator.post(URL, form_data(topics, places, callback_consent="on", caller_name="Олена",
                                            caller_phone="067 123 45 67", callback_due_at=local(due)))
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.callback_consent, contact.caller_phone, contact.caller_name) == (True, "+380671234567", "Олена")
    callback = Callback.objects.get()
    assert callback.contact == contact
    assert callback.assigned_to == personas.a.user(Role.HOTLINE_OPERATOR)
    assert abs((callback.due_at - due).total_seconds()) < 1


def test_it_escalates_with_the_contact(operator, personas, topics, places):
    response = operator.post(URL, form_data(topics, places, escalate="on", escalate_reason="Passport withheld"))
    assert response.status_code == 302
    escalation = Escalation.objects.get()
    assert escalation.reason == "Passport withheld"
    assert escalation.contact.risk_flag


def test_it_records_indicators_and_sets_the_risk_flag(operator, topics, places):
    operator.post(URL, form_data(topics, places, methods_of_control=["DebtBondage", "WithholdsDocuments"],
                                 exploitation_types=["ForcedLabour"]))
    contact = Contact.objects.get()
    assert contact.methods_of_control == ["DebtBondage", "WithholdsDocuments"]
    assert contact.exploitation_types == ["ForcedLabour"]
    assert contact.risk_flag


@pytest.mark.parametrize(("overrides", "field_id", "message"), [
    ({"topic": [], "outcome": [], "referrals": []}, "topics_error", "Record at least one consultation topic."),
    ({"topic": ["999999"], "outcome": ["information"], "referrals": [""]}, "topics_error",
     "Topic 1 is unknown or retired."),
    ({"started_at": "future"}, "id_started_at_error", "The start of a contact cannot be in the future."),
    ({"duration": "-3"}, "id_duration_error", "minutes:seconds"),
    ({"duration": "25:00:00"}, "id_duration_error", "between 0 and 24 hours"),
    ({"location": "UA99999"}, "id_location_error", "Unknown P-code"),
    ({"channel": "pigeon"}, "id_channel_error", "Select a valid choice"),
    ({"summary": "<script>alert(1)</script>"}, "id_summary_error", "HTML tags"),
    ({"callback_consent": "on", "caller_phone": "12", "callback_due_at": "2099-01-01T10:00"}, "id_caller_phone_error",
     "not"),
    ({"callback_consent": "on", "caller_phone": ""}, "id_caller_phone_error", "Give the number to call back."),
    ({"caller_phone": "+380671234567"}, "id_callback_consent_error", "only when the caller agrees"),
    ({"escalate": "on", "escalate_reason": ""}, "id_escalate_reason_error", "Say briefly why"),
    ({"callback_consent": "on", "caller_phone": "+380671234567", "callback_due_at": "2001-01-01T10:00"},
     "id_callback_due_at_error", "cannot be scheduled in the past"),
])
def test_it_refuses_bad_input_with_400_keeps_the_input_and_saves_nothing(operator, topics, places, overrides,
                                                                       field_id, message):
    if overrides.get("started_at") == "future":
        overrides["started_at"] = local(timezone.now() + timedelta(hours=2))
    data = form_data(topics, places, referrals=["Typed referral", "Consulate in Warsaw"], **{
        k: v for k, v in overrides.items() if k != "referrals"})
    if "referrals" in overrides:
        data["referrals"] = overrides["referrals"]
    with nothing_saved():
        response = operator.post(URL, data)
    assert response.status_code == 400
    content = response.content.decode()
    error = re.search(rf'id="{field_id}">(.*?)</ul>', content, re.S)
    assert error, f"no error list {field_id}"
    assert message in error.group(1).replace("&#x27;", "'")
    assert "Nothing was saved" in content
    if data["topic"] and data["topic"][0] != "999999":
        assert "Consulate in Warsaw" in content  # what was typed is still there
        assert f'value="{topics["travel-rules"].pk}" selected' in content


def test_it_marks_the_callers_details_to_be_left_out_of_the_draft(operator, topics, places):
    # A page sent back with errors shows what the operator typed; operator.js never copies these into the draft.
    data = form_data(topics, places, callback_consent="on", caller_phone="+380671234567", caller_name="Olena",
                     callback_due_at="", topic=[])
    response = operator.post(URL, data)
    assert response.status_code == 400
    content = response.content.decode()
    assert 'data-draft="never"' in content
    assert re.search(r'name="caller_phone"[^>]*data-draft="never"', content)


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.INFORMATION_MANAGER, Role.TASKFORCE_COORDINATOR,
                                  Role.ORG_ADMIN])
def test_it_requires_the_right_to_record_contacts(client, personas, login_as, topics, places, role):
    login_as(personas.a.user(role))
    assert client.get(URL).status_code == 403
    with nothing_saved():
        assert client.post(URL, form_data(topics, places)).status_code == 403


def test_it_completes_a_call_back_as_a_linked_contact(operator, personas, contact_input, topics, places):
    callback = with_callback(personas.a, contact_input)
    page = operator.get(f"{URL}?callback={callback.pk}").content.decode()
    assert f"Call-back to contact {callback.contact_id}" in page
    assert 'value="callback" id="id_direction_2" required checked' in page
    assert 'data-draft-key="' in page
    assert f":callback-{callback.pk}" in page
    assert "+380671234567" not in page
    assert "Olena Callback" not in page

    response = operator.post(f"{URL}?callback={callback.pk}", form_data(topics, places, direction="incoming"))
    assert response.status_code == 302
    callback.refresh_from_db()
    new = Contact.objects.exclude(pk=callback.contact_id).get()
    assert (callback.status, callback.result) == (CallbackStatus.DONE, new)
    assert (new.direction, new.follows_id) == ("callback", callback.contact_id)
    assert f'data-draft-saved="{personas.a.user(Role.HOTLINE_OPERATOR).pk}:callback-{callback.pk}"' in \
        operator.get(URL).content.decode()


def test_it_does_not_complete_a_closed_call_back_twice(operator, personas, contact_input, topics, places):
    callback = with_callback(personas.a, contact_input)
    operator.post(f"{URL}?callback={callback.pk}", form_data(topics, places))
    with nothing_saved():
        response = operator.post(f"{URL}?callback={callback.pk}", form_data(topics, places))
    assert response.status_code == 302
    assert response["Location"] == "/hotline/callbacks/"


def test_it_hides_another_organisations_call_back(client, personas, login_as, contact_input, topics, places):
    callback = with_callback(personas.a, contact_input)
    login_as(personas.b.user(Role.HOTLINE_OPERATOR))
    assert client.get(f"{URL}?callback={callback.pk}").status_code == 404
    with nothing_saved():
        assert client.post(f"{URL}?callback={callback.pk}", form_data(topics, places)).status_code == 404
    assert client.get(f"{URL}?callback=abc").status_code == 404


def test_it_lists_the_operators_recent_contacts_and_due_call_backs(operator, personas, contact_input):
    mine = record_contact(personas.a, contact_input)
    with_callback(personas.a, contact_input, due_in=timedelta(minutes=-30))
    other = record_contact(personas.b, contact_input)
    content = operator.get(URL).content.decode()
    assert f'href="/hotline/contacts/{mine.pk}/"' in content
    assert f'href="/hotline/contacts/{other.pk}/"' not in content
    assert "1 call-back due today" in content
    assert "1 overdue" in content


def test_it_records_no_view_event_for_the_empty_form(operator):
    before = AuditEvent.objects.count()
    operator.get(URL)
    assert AuditEvent.objects.count() == before


def test_it_hands_the_timer_back_with_a_form_sent_back_with_errors(operator, topics, places):
    response = operator.post(URL, form_data(topics, places, topic=[], timer="1764340000000"))
    assert response.status_code == 400
    assert 'data-timer-started="1764340000000"' in response.content.decode()
    response = operator.post(URL, form_data(topics, places, topic=[], timer="<b>"))
    assert "data-timer-started" not in response.content.decode()
