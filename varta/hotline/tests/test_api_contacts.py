"""API: contacts — create (idempotent by external id), list with filters, read, update, reveal, escalate."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from varta.accounts import actions as account_actions
from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.hotline import actions
from varta.hotline.actions import ConsultationInput
from varta.hotline.models import Consultation, Contact, Escalation

URL = "/api/v1/hotline/contacts/"


def operator_of(org: Any) -> tuple[Any, Actor]:
    membership = org.membership(Role.HOTLINE_OPERATOR)
    return membership, Actor(user=membership.user, organisation=membership.organisation)


def body(**overrides: Any) -> dict[str, Any]:
    data = {
        "channel": "phone", "started_at": (timezone.now() - timedelta(minutes=3)).isoformat(),
        "duration_seconds": 240, "caller_type": "person_concerned", "sex": "Feminine", "age_group": "25-34",
        "displacement": "idp", "place": "UA2110023",
        "consultations": [{"topic": "job-offer-check"},
                          {"topic": "travel-rules", "outcome": "referred", "referrals": "Consulate"}],
    }
    data.update(overrides)
    return data


def post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def send(client: Any, method: str, url: str, data: Any) -> Any:
    return client.generic(method, url, data=json.dumps(data), content_type="application/json")


def state() -> tuple[int, int, int, int]:
    return (Contact.objects.count(), Consultation.objects.count(), Escalation.objects.count(),
            AuditEvent.objects.count())


@pytest.fixture
def operator_client(personas, places, login_as):
    return login_as(personas.a.user(Role.HOTLINE_OPERATOR))


@pytest.fixture
def make_contact(personas, contact_input):
    def make(org=None, **overrides):
        membership, actor = operator_of(org or personas.a)
        return actions.contact_create(actor=actor, membership=membership, data=contact_input(**overrides))

    return make


# --- create --------------------------------------------------------------------------------------------------


def test_it_creates_a_contact_with_its_consultations(operator_client, personas):
    events = AuditEvent.objects.count()

    response = post(operator_client, URL, body())

    assert response.status_code == 201
    contact = Contact.objects.get()
    out = response.json()
    assert out["id"] == contact.pk
    assert out["oblast"] == "UA21"
    assert out["place"] == "UA2110023"
    assert [c["topic"] for c in out["consultations"]] == ["job-offer-check", "travel-rules"]
    assert out["consultations"][0]["category"] == "safe-migration"
    assert out["operator"] == personas.a.user(Role.HOTLINE_OPERATOR).pk
    assert contact.organisation == personas.a.organisation
    assert contact.oblast_id == "UA21"
    assert list(contact.consultations.values_list("position", "category__code")) == [
        (1, "safe-migration"), (2, "safe-migration")]
    assert AuditEvent.objects.count() == events + 3


@pytest.mark.parametrize("overrides", [
    {},
    {"place": None, "country": "pl", "displacement": "refugee_abroad", "methods_of_control": ["DebtBondage"],
     "summary": "  Asked about a job in Poland.  ", "external_id": " pbx-7 "},
    {"callback_consent": True, "caller_phone": "067 123 45 67", "language": "en",
     "consultations": [{"topic": "travel-rules", "referrals": " Consulate "}]},
])
def test_it_answers_a_create_as_a_read_of_the_contact_shows_it(operator_client, overrides):
    # The create is answered from the rows just written, not read back: it must match a later read exactly.
    kyiv_time = (timezone.now() - timedelta(minutes=5)).astimezone(timezone.get_fixed_timezone(180))
    response = post(operator_client, URL, body(started_at=kyiv_time.isoformat(), **overrides))

    assert response.status_code == 201, response.content
    assert operator_client.get(f"{URL}{response.json()['id']}/").json() == response.json()


def test_it_takes_a_country_abroad_and_htcds_indicators(operator_client):
    response = post(operator_client, URL, body(place=None, country="pl", displacement="refugee_abroad",
                                               methods_of_control=["DebtBondage", "WithholdsDocuments"],
                                               exploitation_types=["ForcedLabour"]))

    assert response.status_code == 201, response.content
    contact = Contact.objects.get()
    assert contact.country_id == "PL"
    assert contact.location is None
    assert contact.risk_flag  # indicators flag the contact, as in the action
    assert response.json()["methods_of_control"] == ["DebtBondage", "WithholdsDocuments"]


def test_it_never_shows_the_callers_details_without_a_reveal(operator_client):
    response = post(operator_client, URL, body(callback_consent=True, caller_name="Олена Петренко",
                                               caller_phone="067 123 45 67"))

    assert response.status_code == 201
    contact = Contact.objects.get()
    assert contact.caller_phone == "+380671234567"
    for answer in (response, operator_client.get(f"{URL}{contact.pk}/"), operator_client.get(URL)):
        text = answer.content.decode()
        assert "Олена" not in text
        assert "380671234567" not in text
    assert response.json()["has_caller_details"] is True
    assert "caller_name" not in response.json()


def test_it_returns_the_existing_contact_for_a_repeated_external_id(operator_client):
    first = post(operator_client, URL, body(external_id="pbx-2024-0001"))
    before = state()

    again = post(operator_client, URL, body(external_id="pbx-2024-0001", channel="viber"))

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["channel"] == "phone"
    assert state() == before


def test_it_gives_other_organisations_their_own_external_ids(operator_client, personas, login_as):
    post(operator_client, URL, body(external_id="row-1"))
    client_b = login_as(personas.b.user(Role.HOTLINE_OPERATOR), c=type(operator_client)())

    response = post(client_b, URL, body(external_id="row-1"))

    assert response.status_code == 201
    assert Contact.objects.filter(external_id="row-1").count() == 2


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"consultations": [{"topic": "no-such-topic"}]}, "consultations", "no-such-topic"),
    ({"consultations": []}, "consultations", "at least one"),
    ({"place": "UA99999"}, "place", "UA99999"),
    ({"place": None, "country": "XX"}, "country", "XX"),
    ({"country": "PL"}, "country", "either a place or a country"),
    ({"started_at": "FUTURE"}, "started_at", "future"),
    ({"duration_seconds": -5}, "duration_seconds", "between 0 and 24 hours"),
    ({"duration_seconds": 90000}, "duration_seconds", "between 0 and 24 hours"),
    ({"channel": "pigeon"}, "channel", "pigeon"),
    ({"summary": "<script>alert(1)</script>"}, "summary", "HTML"),
    ({"caller_phone": "12345", "callback_consent": True}, "caller_phone", "phone"),
    ({"caller_name": "Олена"}, "callback_consent", "call-back"),
    ({"methods_of_control": ["Chains"]}, "methods_of_control", "Chains"),
    ({"consultations": [{"topic": "travel-rules", "outcome": "shrug"}]}, "consultations", "shrug"),
])
def test_it_refuses_bad_input_and_writes_nothing(operator_client, overrides, field, words):
    if overrides.get("started_at") == "FUTURE":
        overrides["started_at"] = (timezone.now() + timedelta(hours=2)).isoformat()
    before = state()

    response = post(operator_client, URL, body(**overrides))

    assert response.status_code == 400
    assert words in json.dumps(response.json()[field], ensure_ascii=False)
    assert state() == before


def test_it_names_an_unknown_topic_among_known_ones(operator_client):
    response = post(operator_client, URL, body(consultations=[{"topic": "travel-rules"}, {"topic": "nope-1"}]))

    assert response.status_code == 400
    assert response.json() == {"consultations": ["Unknown topic code: “nope-1”."]}


def test_it_refuses_another_organisations_own_topic(operator_client, personas, topics):
    admin_b = personas.b.membership(Role.ORG_ADMIN)
    actions.topic_create(actor=Actor.system(), membership=admin_b, parent=topics["safe-migration"],
                         code="b-only", name_en="B only", name_uk="Лише Б")
    before = state()

    response = post(operator_client, URL, body(consultations=[{"topic": "b-only"}]))

    assert response.status_code == 400
    assert "b-only" in response.json()["consultations"][0]
    assert state() == before


def test_it_answers_malformed_json_with_400(operator_client):
    before = state()

    response = operator_client.post(URL, data='{"channel": "phone",', content_type="application/json")

    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    assert state() == before


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.INFORMATION_MANAGER, Role.TASKFORCE_COORDINATOR,
                                  Role.ORG_ADMIN])
def test_it_requires_the_right_to_log_contacts(personas, places, login_as, role):
    before = state()

    response = post(login_as(personas.a.user(role)), URL, body())

    assert response.status_code == 403
    assert state() == before


def test_it_works_with_a_token(personas, places):
    from rest_framework.test import APIClient

    membership = personas.a.membership(Role.HOTLINE_OPERATOR)
    raw = account_actions.api_token_issue(actor=Actor.system(), membership=membership, name="pbx").raw
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")

    response = client.post(URL, body(), format="json")

    assert response.status_code == 201
    event = AuditEvent.objects.filter(object_type="hotline.contact").get()
    assert event.actor_id == membership.user_id
    assert event.organisation_id == membership.organisation_id


def test_it_requires_authentication(db):
    from rest_framework.test import APIClient

    assert APIClient().get(URL).status_code in (401, 403)
    assert APIClient().post(URL, {}, format="json").status_code in (401, 403)


# --- list ----------------------------------------------------------------------------------------------------


def test_it_lists_the_organisations_contacts_newest_first(operator_client, make_contact, personas):
    old = make_contact(started_at=timezone.now() - timedelta(days=2))
    new = make_contact()
    make_contact(org=personas.b)

    response = operator_client.get(URL)

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [new.pk, old.pk]


def test_it_filters_the_list(operator_client, make_contact, personas, topics, places):
    now = timezone.now()
    a = make_contact(started_at=now - timedelta(days=40), channel="viber")
    b = make_contact(started_at=now - timedelta(days=10), risk_flag=True, location=None)
    c = make_contact(started_at=now - timedelta(hours=1),
                     consultations=[ConsultationInput(topic=topics["shelter"])])
    other_operator = personas.a.membership(Role.HOTLINE_OPERATOR).user.pk

    def ids(**params: Any) -> set[int]:
        response = operator_client.get(URL, params)
        assert response.status_code == 200, response.content
        return {x["id"] for x in response.json()["results"]}

    day = timezone.localdate
    assert ids(date_from=day(now - timedelta(days=11)).isoformat()) == {b.pk, c.pk}
    assert ids(date_to=day(now - timedelta(days=10)).isoformat()) == {a.pk, b.pk}
    assert ids(date_from=day(now - timedelta(days=10)).isoformat(),
               date_to=day(now - timedelta(days=10)).isoformat()) == {b.pk}
    assert ids(channel="viber") == {a.pk}
    assert ids(risk_flag="true") == {b.pk}
    assert ids(risk_flag="false") == {a.pk, c.pk}
    assert ids(oblast="UA21") == {a.pk, c.pk}
    assert ids(topic="shelter") == {c.pk}
    assert ids(topic="job-offer-check") == {a.pk, b.pk}
    assert ids(category="evacuation") == {c.pk}
    assert ids(operator=other_operator) == {a.pk, b.pk, c.pk}
    assert ids(operator=personas.b.user(Role.HOTLINE_OPERATOR).pk) == set()


@pytest.mark.parametrize(("params", "field", "words"), [
    ({"oblast": "UA2110"}, "oblast", "UA2110"),
    ({"topic": "nope"}, "topic", "nope"),
    ({"category": "shelter"}, "category", "first-level"),
    ({"channel": "pigeon"}, "channel", "pigeon"),
    ({"date_from": "2026-13-01"}, "date_from", ""),
    ({"date_from": "2026-02-02", "date_to": "2026-02-01"}, "non_field_errors", "after"),
])
def test_it_refuses_bad_filters(operator_client, params, field, words):
    response = operator_client.get(URL, params)

    assert response.status_code == 400
    assert words in json.dumps(response.json()[field], ensure_ascii=False)


def test_it_pages_the_list_by_cursor(operator_client, make_contact):
    made = [make_contact(started_at=timezone.now() - timedelta(hours=n)) for n in range(1, 6)]

    first = operator_client.get(URL, {"page_size": 2}).json()
    second = operator_client.get(first["next"]).json()
    third = operator_client.get(second["next"]).json()

    seen = [x["id"] for page in (first, second, third) for x in page["results"]]
    assert seen == [c.pk for c in made]
    assert third["next"] is None


def test_it_lists_without_a_query_per_contact(operator_client, make_contact, personas):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert operator_client.get(URL).status_code == 200
        return len(captured)

    membership, actor = operator_of(personas.a)
    first = make_contact()
    actions.escalate(actor=actor, membership=membership, contact=first, reason="Passport taken")
    few = queries()
    for _ in range(6):
        make_contact(callback_consent=True, caller_phone="+380671234567")
    assert queries() == few


def test_it_refuses_the_list_to_roles_without_contact_view(personas, login_as):
    for role in (Role.TASKFORCE_COORDINATOR, Role.ORG_ADMIN):
        assert login_as(personas.a.user(role)).get(URL).status_code == 403


# --- one contact ---------------------------------------------------------------------------------------------


def test_it_shows_one_contact(personas, login_as, make_contact):
    contact = make_contact()

    response = login_as(personas.a.user(Role.CASE_WORKER)).get(f"{URL}{contact.pk}/")

    assert response.status_code == 200
    out = response.json()
    assert out["id"] == contact.pk
    assert out["has_caller_details"] is False
    assert out["escalated"] is False
    assert [c["position"] for c in out["consultations"]] == [1, 2]


def test_it_answers_404_for_missing_and_foreign_contacts(operator_client, make_contact, personas):
    foreign = make_contact(org=personas.b)

    assert operator_client.get(f"{URL}999999/").status_code == 404
    assert operator_client.get(f"{URL}{foreign.pk}/").status_code == 404


def test_it_replaces_a_contact_with_put(operator_client, make_contact):
    contact = make_contact(callback_consent=True, caller_phone="+380671234567", caller_name="Олена")

    response = send(operator_client, "PUT", f"{URL}{contact.pk}/",
                    body(channel="telegram", callback_consent=True, consultations=[{"topic": "shelter"}]))

    assert response.status_code == 200, response.content
    contact.refresh_from_db()
    assert contact.channel == "telegram"
    assert list(contact.consultations.values_list("topic__code", "category__code")) == [("shelter", "evacuation")]
    assert contact.caller_phone == "+380671234567"  # left out: kept
    assert response.json()["consultations"][0]["topic"] == "shelter"


def test_it_patches_only_the_given_fields(operator_client, make_contact):
    contact = make_contact(callback_consent=True, caller_phone="+380671234567")
    events = AuditEvent.objects.count()

    response = send(operator_client, "PATCH", f"{URL}{contact.pk}/", {"duration_seconds": 600})

    assert response.status_code == 200, response.content
    contact.refresh_from_db()
    assert contact.duration_seconds == 600
    assert contact.caller_phone == "+380671234567"
    assert list(contact.consultations.values_list("topic__code", flat=True)) == ["job-offer-check", "travel-rules"]
    assert AuditEvent.objects.filter(pk__gt=0).count() == events + 1
    assert AuditEvent.objects.latest("seq").changed_fields == ["duration_seconds"]


def test_it_erases_the_callers_details_when_consent_is_withdrawn(operator_client, make_contact):
    contact = make_contact(callback_consent=True, caller_phone="+380671234567", caller_name="Олена")

    response = send(operator_client, "PATCH", f"{URL}{contact.pk}/", {"callback_consent": False})

    assert response.status_code == 200, response.content
    contact.refresh_from_db()
    assert (contact.caller_name, contact.caller_phone) == ("", "")
    assert response.json()["has_caller_details"] is False


def test_it_refuses_a_bad_update_and_changes_nothing(operator_client, make_contact):
    contact = make_contact()
    before = (state(), Contact.objects.values().get(pk=contact.pk))

    for data in ({"duration_seconds": -1}, {"consultations": [{"topic": "nope"}]}, {"summary": "<b>x</b>"}):
        response = send(operator_client, "PATCH", f"{URL}{contact.pk}/", data)
        assert response.status_code == 400
    response = send(operator_client, "PUT", f"{URL}{contact.pk}/", {"channel": "phone"})
    assert response.status_code == 400
    assert set(response.json()) >= {"started_at", "consultations"}
    response = operator_client.generic("PATCH", f"{URL}{contact.pk}/", "{nope", content_type="application/json")
    assert response.status_code == 400

    after = (state(), Contact.objects.values().get(pk=contact.pk))
    assert after == before


def test_it_refuses_updates_to_roles_that_do_not_log_contacts(personas, login_as, make_contact):
    contact = make_contact()
    before = state()

    response = send(login_as(personas.a.user(Role.CASE_WORKER)), "PATCH", f"{URL}{contact.pk}/",
                    {"duration_seconds": 1})

    assert response.status_code == 403
    assert state() == before


def test_it_does_not_update_another_organisations_contact(operator_client, make_contact, personas):
    foreign = make_contact(org=personas.b)
    before = (state(), Contact.objects.values().get(pk=foreign.pk))

    assert send(operator_client, "PATCH", f"{URL}{foreign.pk}/", {"duration_seconds": 1}).status_code == 404
    assert send(operator_client, "PUT", f"{URL}{foreign.pk}/", body()).status_code == 404
    assert (state(), Contact.objects.values().get(pk=foreign.pk)) == before


# --- reveal and escalate -------------------------------------------------------------------------------------


def test_it_reveals_the_callers_details_with_an_audit_event(operator_client, make_contact, personas):
    contact = make_contact(callback_consent=True, caller_phone="+380671234567", caller_name="Олена")

    response = post(operator_client, f"{URL}{contact.pk}/reveal/", {"reason": "contact"})

    assert response.status_code == 200
    assert response.json() == {"id": contact.pk, "caller_name": "Олена", "caller_phone": "+380671234567"}
    event = AuditEvent.objects.latest("seq")
    assert event.action == "hotline.contact.reveal.contact"  # the reason is part of the action
    assert event.object_id == str(contact.pk)
    assert event.actor_id == personas.a.user(Role.HOTLINE_OPERATOR).pk
    assert "Олена" not in json.dumps(event.changed_fields, ensure_ascii=False)


def test_it_refuses_a_reveal_without_a_reason(operator_client, make_contact):
    contact = make_contact(callback_consent=True, caller_phone="+380671234567")
    before = state()

    for data in ({"reason": "  "}, {}, {"reason": "just curious"}):  # free text is not a reason
        response = post(operator_client, f"{URL}{contact.pk}/reveal/", data)
        assert response.status_code == 400
        assert "380671234567" not in response.content.decode()
    assert state() == before


def test_it_reveals_nothing_of_another_organisation(operator_client, make_contact, personas):
    foreign = make_contact(org=personas.b, callback_consent=True, caller_phone="+380671234567")
    before = state()

    response = post(operator_client, f"{URL}{foreign.pk}/reveal/", {"reason": "curious"})

    assert response.status_code == 404
    assert state() == before


def test_it_escalates_a_contact(operator_client, make_contact):
    contact = make_contact()

    response = post(operator_client, f"{URL}{contact.pk}/escalate/", {"reason": "Passport taken by employer"})

    assert response.status_code == 201
    escalation = Escalation.objects.get()
    assert response.json()["id"] == escalation.pk
    assert response.json()["status"] == "pending"
    contact.refresh_from_db()
    assert contact.risk_flag
    assert operator_client.get(f"{URL}{contact.pk}/").json()["escalated"] is True


def test_it_refuses_a_bad_escalation(operator_client, make_contact, personas, login_as):
    contact = make_contact()
    foreign = make_contact(org=personas.b)
    before = state()

    assert post(operator_client, f"{URL}{contact.pk}/escalate/", {"reason": ""}).status_code == 400
    assert post(operator_client, f"{URL}{contact.pk}/escalate/", {"reason": "<script>x</script>"}).status_code == 400
    assert post(operator_client, f"{URL}{foreign.pk}/escalate/", {"reason": "why"}).status_code == 404
    case_worker = login_as(personas.a.user(Role.CASE_WORKER), c=type(operator_client)())
    assert post(case_worker, f"{URL}{contact.pk}/escalate/", {"reason": "why"}).status_code == 403
    assert state() == before
    assert post(operator_client, f"{URL}{contact.pk}/escalate/", {"reason": "why"}).status_code == 201
    again = post(operator_client, f"{URL}{contact.pk}/escalate/", {"reason": "why"})
    assert again.status_code == 400
    assert "already" in again.json()["contact"][0]
