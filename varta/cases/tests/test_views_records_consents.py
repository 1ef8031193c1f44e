"""The consents tab: recording a consent per purpose (a referral names an organisation), withdrawing one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from varta.accounts.permissions import Role
from varta.cases.models import Consent, ConsentPurpose
from varta.cases.tests.helpers import add_case_worker, give_consent, register_case

pytestmark = pytest.mark.django_db

TODAY = date.today()


@pytest.fixture
def case(personas):
    return register_case(personas.a)


@pytest.fixture
def worker(personas, login_as):
    return login_as(personas.a.user(Role.CASE_WORKER))


def url(case, rest: str = "") -> str:
    return f"/cases/{case.pk}/consents/{rest}"


def test_it_lists_consents_and_records_a_referral_consent(worker, personas, case):
    give_consent(personas.a, case, ConsentPurpose.ASSISTANCE)
    content = worker.get(url(case)).content.decode()
    assert "Assistance" in content
    assert "Beta Help" in content  # a partner to choose for a referral
    response = worker.post(url(case), {"purpose": "referral", "recipient": personas.b.organisation.pk,
                                       "given_on": TODAY.isoformat(), "method": "written"})
    assert response.status_code == 302
    consent = Consent.objects.get(purpose=ConsentPurpose.REFERRAL)
    assert consent.recipient == personas.b.organisation


@pytest.mark.parametrize(("body", "message"), [
    ({"purpose": "referral", "given_on": TODAY.isoformat(), "method": "written"}, "names the organisation"),
    ({"purpose": "assistance", "given_on": (TODAY + timedelta(days=1)).isoformat(), "method": "written"},
     "cannot be given in the future"),
    ({"purpose": "", "given_on": "", "method": ""}, "This field is required"),
    ({"purpose": "telepathy", "given_on": TODAY.isoformat(), "method": "written"}, "Select a valid choice"),
])
def test_it_refuses_bad_input_with_400(worker, case, body, message):
    response = worker.post(url(case), body)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Consent.objects.exists()


def test_it_withdraws_a_consent_once(worker, personas, case):
    consent = give_consent(personas.a, case, ConsentPurpose.FOLLOW_UP, given_on=TODAY - timedelta(days=5))
    bad = worker.post(url(case, f"{consent.pk}/withdraw/"), {"withdrawn_on": (TODAY - timedelta(days=9)).isoformat()})
    assert bad.status_code == 400
    assert "must lie between the consent and today" in bad.content.decode()
    assert worker.post(url(case, f"{consent.pk}/withdraw/"), {"withdrawn_on": TODAY.isoformat()}).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY
    again = worker.post(url(case, f"{consent.pk}/withdraw/"), {"withdrawn_on": TODAY.isoformat()})
    assert again.status_code == 400
    assert "withdrawn already" in again.content.decode()


def test_a_consent_of_another_case_is_a_404(worker, personas, case):
    other = register_case(personas.a)
    consent = give_consent(personas.a, other, ConsentPurpose.FOLLOW_UP)
    assert worker.post(url(case, f"{consent.pk}/withdraw/"), {"withdrawn_on": TODAY.isoformat()}).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_it_needs_to_know(personas, login_as, case):
    consent = give_consent(personas.a, case, ConsentPurpose.FOLLOW_UP)
    client = login_as(add_case_worker(personas.a, "a_second_worker").user)
    assert client.get(url(case)).status_code == 404
    assert client.post(url(case), {"purpose": "statistics", "given_on": TODAY.isoformat(),
                                   "method": "verbal"}).status_code == 404
    assert client.post(url(case, f"{consent.pk}/withdraw/"), {"withdrawn_on": TODAY.isoformat()}).status_code == 404
    assert Consent.objects.count() == 1
