"""Pending escalations at /hotline/escalations/ (roles that see escalations)."""

from __future__ import annotations

import pytest

from varta.accounts.permissions import Role
from varta.hotline import actions
from varta.hotline.tests.helpers_contacts import operator_of, record_contact

URL = "/hotline/escalations/"


def escalated(org, contact_input, reason: str):
    membership, actor = operator_of(org)
    contact = record_contact(org, contact_input)
    return actions.escalate(actor=actor, membership=membership, contact=contact, reason=reason)


def test_it_lists_the_organisations_pending_escalations_oldest_first(client, personas, login_as, contact_input):
    first = escalated(personas.a, contact_input, "Passport withheld by employer")
    second = escalated(personas.a, contact_input, "Recruiter asks for a fee")
    escalated(personas.b, contact_input, "B's own reason")
    login_as(personas.a.user(Role.CASE_WORKER))
    response = client.get(URL)
    assert response.status_code == 200
    assert [e.pk for e in response.context["page"].object_list] == [first.pk, second.pk]
    content = response.content.decode()
    assert "Passport withheld by employer" in content
    assert "B&#x27;s own reason" not in content
    assert f'href="/hotline/contacts/{first.contact_id}/"' in content


def test_it_costs_the_same_queries_for_many_escalations(client, personas, login_as, contact_input,
                                                        django_assert_max_num_queries):
    for i in range(10):
        escalated(personas.a, contact_input, f"Reason {i}")
    login_as(personas.a.user(Role.HOTLINE_OPERATOR))
    with django_assert_max_num_queries(10):
        client.get(URL)


@pytest.mark.parametrize("role", [Role.INFORMATION_MANAGER, Role.TASKFORCE_COORDINATOR, Role.ORG_ADMIN])
def test_it_is_closed_to_roles_that_do_not_see_escalations(client, personas, login_as, role):
    login_as(personas.a.user(role))
    assert client.get(URL).status_code == 403
