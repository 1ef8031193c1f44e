"""The contacts list at /hotline/contacts/: the organisation's contacts, filters, pages of 50, no N+1."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from varta.accounts.permissions import Role
from varta.geo.models import AdminUnit
from varta.hotline import actions
from varta.hotline.actions import ConsultationInput
from varta.hotline.models import Contact
from varta.hotline.tests.helpers_contacts import operator_of, record_contact

URL = "/hotline/contacts/"


@pytest.fixture
def viewer(client, personas, login_as):
    login_as(personas.a.user(Role.CASE_WORKER))
    return client


def shown(response) -> list[int]:
    return [c.pk for c in response.context["contacts"]]


def test_it_lists_the_organisations_contacts_newest_first(viewer, personas, contact_input):
    old = record_contact(personas.a, contact_input, started_at=timezone.now() - timedelta(days=2))
    new = record_contact(personas.a, contact_input)
    other = record_contact(personas.b, contact_input)
    response = viewer.get(URL)
    assert response.status_code == 200
    assert shown(response) == [new.pk, old.pk]
    assert other.pk not in shown(response)
    assert "Employment abroad: checking a job offer" in response.content.decode()


def test_it_filters(viewer, personas, contact_input, topics, places):
    plain = record_contact(personas.a, contact_input)
    flagged = record_contact(personas.a, contact_input, channel="telegram", risk_flag=True,
                             consultations=[ConsultationInput(topic=topics["labour-exploitation"])])
    operator = personas.a.membership(Role.HOTLINE_OPERATOR)
    kyiv = AdminUnit.objects.create(pcode="UA80", country_iso3="UKR", level=1, name_en="Kyiv", name_uk="Київ",
                                    search_en="kyiv", search_uk="київ")
    elsewhere = record_contact(personas.a, contact_input, location=kyiv,
                               started_at=timezone.now() - timedelta(days=10))
    assert shown(viewer.get(URL, {"channel": "telegram"})) == [flagged.pk]
    assert shown(viewer.get(URL, {"risk": "yes"})) == [flagged.pk]
    assert set(shown(viewer.get(URL, {"risk": "no"}))) == {plain.pk, elsewhere.pk}
    assert shown(viewer.get(URL, {"category": topics["trafficking"].pk})) == [flagged.pk]
    assert shown(viewer.get(URL, {"oblast": "UA80"})) == [elsewhere.pk]
    assert set(shown(viewer.get(URL, {"oblast": places["oblast"].pk}))) == {plain.pk, flagged.pk}
    today = timezone.localdate().isoformat()
    assert set(shown(viewer.get(URL, {"date_from": today, "date_to": today}))) == {plain.pk, flagged.pk}
    week_ago = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert shown(viewer.get(URL, {"date_to": week_ago})) == [elsewhere.pk]
    assert len(shown(viewer.get(URL, {"operator": operator.user_id}))) == 3
    assert shown(viewer.get(URL, {"operator": personas.a.user(Role.CASE_WORKER).pk})) == []


@pytest.mark.parametrize("query", [{"date_from": "2024-02-30"}, {"date_from": "2024-05-02", "date_to": "2024-05-01"},
                                   {"channel": "pigeon"}, {"operator": "999999"}, {"oblast": "XX"}])
def test_it_answers_400_to_bad_filters(viewer, query):
    response = viewer.get(URL, query)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


def test_it_refuses_another_organisations_operator_as_a_filter(viewer, personas):
    assert viewer.get(URL, {"operator": personas.b.user(Role.HOTLINE_OPERATOR).pk}).status_code == 400


def test_it_pages_by_50_without_n_plus_1(viewer, personas, contact_input, topics, django_assert_max_num_queries):
    membership, actor = operator_of(personas.a)
    start = timezone.now() - timedelta(hours=3)
    for i in range(51):
        actions.contact_create(actor=actor, membership=membership,
                               data=contact_input(started_at=start + timedelta(minutes=i)))
    with django_assert_max_num_queries(12):
        first = viewer.get(URL)
    assert len(first.context["contacts"]) == 50
    assert first.context["has_next"]
    second = viewer.get(URL, {"page": 2})
    assert len(second.context["contacts"]) == 1
    assert not second.context["has_next"]
    assert second.context["contacts"][0].started_at == min(c.started_at for c in Contact.objects.all())
    assert viewer.get(URL, {"page": "x"}).status_code == 200


def test_it_costs_the_same_queries_for_1_and_50_contacts(viewer, personas, contact_input, django_assert_num_queries):
    record_contact(personas.a, contact_input)
    with CaptureQueriesContext(connection) as one:
        viewer.get(URL)
    membership, actor = operator_of(personas.a)
    for _ in range(49):
        actions.contact_create(actor=actor, membership=membership, data=contact_input())
    with django_assert_num_queries(len(one.captured_queries)):
        viewer.get(URL)


@pytest.mark.parametrize("role", [Role.TASKFORCE_COORDINATOR, Role.ORG_ADMIN])
def test_it_is_closed_to_roles_without_contact_access(client, personas, login_as, role):
    login_as(personas.a.user(role))
    assert client.get(URL).status_code == 403


def test_it_offers_a_new_contact_to_operators_only(client, personas, login_as):
    login_as(personas.a.user(Role.HOTLINE_OPERATOR))
    assert 'href="/hotline/contacts/new/"' in client.get(URL).content.decode()
    login_as(personas.a.user(Role.CASE_WORKER))
    assert 'href="/hotline/contacts/new/"' not in client.get(URL).content.decode()


