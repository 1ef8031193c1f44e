import pytest
from rest_framework.test import APIClient

from varta.accounts import actions as account_actions
from varta.accounts.permissions import ROLE_ACTIONS, Role
from varta.audit.writes import Actor

pytestmark = pytest.mark.usefixtures("geo_units")


@pytest.fixture
def api(personas):
    membership = personas.a.membership(Role.CASE_WORKER)
    raw = account_actions.api_token_issue(actor=Actor.system(), membership=membership, name="geo").raw
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def test_it_searches_admin_units(api):
    response = api.get("/api/v1/geo/admin-units/", {"q": "Ужг"})
    assert response.status_code == 200
    body = response.json()
    pcodes = [u["pcode"] for u in body["results"]]
    assert pcodes[:2] == ["UA2110", "UA2110023"]
    assert "UA2110023001" in pcodes
    assert body["count"] == len(pcodes)
    city = next(u for u in body["results"] if u["pcode"] == "UA2110023001")
    assert city == {"pcode": "UA2110023001", "name": "Uzhhorod", "name_en": "Uzhhorod", "name_uk": "Ужгород",
                    "level": 4, "level_label": "settlement", "country_iso3": "UKR", "parent_pcode": "UA2110023",
                    "path": "Uzhhorodska hromada, Uzhhorodskyi raion, Zakarpatska oblast",
                    "lat": pytest.approx(48.622, abs=0.001), "lon": pytest.approx(22.284, abs=0.001)}


def test_it_filters_by_country_code_and_level(api):
    body = api.get("/api/v1/geo/admin-units/", {"country": "md", "level": 1, "limit": 100}).json()
    assert body["count"] == 37
    assert {u["country_iso3"] for u in body["results"]} == {"MDA"}
    assert body["results"][0]["path"] == "Moldova"
    body = api.get("/api/v1/geo/admin-units/", {"country": "UKR", "level": 1}).json()
    assert body["count"] == 27
    assert api.get("/api/v1/geo/admin-units/", {"q": "Uzh", "level": 2}).json()["results"][0]["pcode"] == "UA2110"


def test_it_pages_the_list(api):
    body = api.get("/api/v1/geo/admin-units/", {"country": "UA", "limit": 10, "offset": 10}).json()
    assert body["count"] > 30000
    assert len(body["results"]) == 10
    assert body["next"]
    assert body["previous"]


@pytest.mark.parametrize(("params", "field"), [({"level": "x"}, "level"), ({"level": 9}, "level"),
                                               ({"country": "ZZZ"}, "country"), ({"q": "x" * 101}, "q")])
def test_it_refuses_bad_filters(api, params, field):
    response = api.get("/api/v1/geo/admin-units/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_it_returns_one_unit_by_pcode(api):
    response = api.get("/api/v1/geo/admin-units/ua2110/")
    assert response.status_code == 200
    assert response.json()["name"] == "Uzhhorodskyi raion"
    assert response.json()["parent_pcode"] == "UA21"


def test_it_answers_404_for_an_unknown_pcode(api):
    response = api.get("/api/v1/geo/admin-units/UA9999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_lists_countries_with_both_codes_and_names(api):
    body = api.get("/api/v1/geo/countries/", {"limit": 300}).json()
    by_iso2 = {c["iso2"]: c for c in body["results"]}
    assert body["count"] == len(by_iso2) >= 249
    assert by_iso2["UA"] == {"iso2": "UA", "iso3": "UKR", "name_en": "Ukraine", "name_uk": "Україна"}
    assert by_iso2["MD"] == {"iso2": "MD", "iso3": "MDA", "name_en": "Moldova", "name_uk": "Молдова"}


def test_it_uses_the_session_too(personas, login_as):
    client = login_as(personas.b.user(Role.TASKFORCE_COORDINATOR))
    assert client.get("/api/v1/geo/countries/").status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/geo/admin-units/?q=Uzh", "/api/v1/geo/admin-units/UA21/",
                                 "/api/v1/geo/countries/"])
def test_it_requires_authentication(db, url):
    assert APIClient().get(url).status_code in (401, 403)


@pytest.mark.parametrize("url", ["/api/v1/geo/admin-units/?q=Uzh", "/api/v1/geo/admin-units/UA21/",
                                 "/api/v1/geo/countries/"])
def test_it_requires_geo_view(api, monkeypatch, url):
    monkeypatch.setitem(ROLE_ACTIONS, Role.CASE_WORKER, frozenset())
    response = api.get(url)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_it_documents_the_endpoints_in_the_schema(personas, login_as):
    client = login_as(personas.a.user(Role.CASE_WORKER))
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    for path in ("/api/v1/geo/admin-units/", "/api/v1/geo/admin-units/{pcode}/", "/api/v1/geo/countries/"):
        assert path in paths
    params = {p["name"] for p in paths["/api/v1/geo/admin-units/"]["get"]["parameters"]}
    assert {"q", "country", "level", "limit", "offset"} <= params
