"""``GET /api/v1/hotline/statistics/``: the page's figures as JSON, suppressed cells as null and flagged."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from varta.accounts import actions as account_actions
from varta.accounts.permissions import Role
from varta.audit.writes import Actor
from varta.hotline.tests.test_stats_figures import add_places, build_march

URL = "/api/v1/hotline/statistics/"
MARCH = {"date_from": "2025-03-01", "date_to": "2025-03-31"}


@pytest.fixture
def more_places(places):
    return add_places(places)


@pytest.fixture
def march(personas, topics, more_places):
    return build_march(personas, topics, more_places)


def token_client(membership) -> Client:
    raw = account_actions.api_token_issue(actor=Actor.system(), membership=membership, name="stats").raw
    return Client(HTTP_AUTHORIZATION=f"Token {raw}")


def line(data: Any, breakdown: str, key: str) -> Any:
    table = next(b for b in data["breakdowns"] if b["key"] == breakdown)
    return next(li for li in table["lines"] if li["key"] == key)


def test_it_is_the_named_route() -> None:
    assert reverse("api-hotline-statistics") == URL


def test_it_returns_own_figures_exact(march) -> None:
    response = token_client(march.a.membership(Role.INFORMATION_MANAGER)).get(URL, MARCH)
    assert response.status_code == 200
    data = response.json()
    assert data["contacts"] == {"value": 4, "suppressed": False}
    assert data["consultations"] == {"value": 6, "suppressed": False}
    assert data["controlled"] is False
    assert data["sentence"] == "6 consultations in response to 4 calls from March 1, 2025 to March 31, 2025."
    assert data["filters"] == {"date_from": "2025-03-01", "date_to": "2025-03-31",
                               "organisation": march.a.organisation.pk, "place": None, "channel": ""}
    assert line(data, "channel", "viber")["cells"] == [{"value": 1, "suppressed": False}]
    indicators = next(b for b in data["breakdowns"] if b["key"] == "methods_of_control")
    assert indicators["additive"] is False
    assert indicators["totals"] == [None]
    assert line(data, "topic", "job-offer-check")["level"] == 1


def test_it_returns_suppressed_cells_as_null_for_the_task_force(march) -> None:
    data = token_client(march.b.membership(Role.TASKFORCE_COORDINATOR)).get(URL, MARCH).json()
    assert data["controlled"] is True
    assert data["threshold"] == 5
    assert data["contacts"] == {"value": 5, "suppressed": False}
    assert line(data, "channel", "viber")["cells"] == [{"value": None, "suppressed": True}]
    organisations = next(b for b in data["breakdowns"] if b["key"] == "organisation")
    assert [li["key"] for li in organisations["lines"]] == ["other"]
    for breakdown in data["breakdowns"]:
        for li in breakdown["lines"]:
            for cell in li["cells"]:
                assert cell["value"] is None or not 0 < cell["value"] < 5, (breakdown["key"], li["key"])


def test_it_filters_by_place_and_channel(march) -> None:
    client = token_client(march.a.membership(Role.INFORMATION_MANAGER))
    data = client.get(URL, {**MARCH, "place": "ua2110023"}).json()
    assert data["contacts"]["value"] == 1
    assert data["filters"]["place"] == "UA2110023"
    assert client.get(URL, {**MARCH, "channel": "viber"}).json()["consultations"]["value"] == 1


@pytest.mark.parametrize(("params", "field"), [
    ({"place": "UA9999"}, "place"),
    ({"date_from": "2025-04-01", "date_to": "2025-03-01"}, "date_to"),
    ({"channel": "pigeon"}, "channel"),
    ({"date_from": "not a date"}, "date_from"),
    ({"organisation": "999999"}, "organisation"),
])
def test_it_names_bad_filters(march, params, field) -> None:
    response = token_client(march.a.membership(Role.INFORMATION_MANAGER)).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_it_refuses_another_organisation_to_an_organisation_role(march) -> None:
    client = token_client(march.b.membership(Role.INFORMATION_MANAGER))
    assert client.get(URL, {"organisation": march.a.organisation.pk}).status_code == 403
    assert client.get(URL, {"organisation": march.b.organisation.pk}).status_code == 200


def test_it_lets_a_system_admin_see_own_organisation_exact(march) -> None:
    client = token_client(march.a.membership(Role.SYSTEM_ADMIN))
    own = client.get(URL, {**MARCH, "organisation": march.a.organisation.pk}).json()
    assert own["controlled"] is False
    assert own["contacts"]["value"] == 4
    other = client.get(URL, {**MARCH, "organisation": march.b.organisation.pk}).json()
    assert other["controlled"] is True
    assert other["contacts"] == {"value": None, "suppressed": True}


@pytest.mark.parametrize("role", [Role.CASE_WORKER], ids=["case_worker"])
def test_it_requires_a_stats_role(personas, role) -> None:
    assert token_client(personas.a.membership(role)).get(URL).status_code == 403


def test_it_requires_authentication(db) -> None:
    assert Client().get(URL).status_code in (401, 403)
