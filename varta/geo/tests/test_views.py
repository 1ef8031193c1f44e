import pytest
from django.urls import reverse
from django.utils import translation

from varta.accounts import actions as account_actions
from varta.accounts.permissions import Role
from varta.audit.writes import Actor

pytestmark = pytest.mark.usefixtures("geo_units")


@pytest.fixture
def member(personas, login_as):
    return login_as(personas.a.user(Role.HOTLINE_OPERATOR))


@pytest.fixture
def outsider(db, login_as):
    user = account_actions.user_create(actor=Actor.system(), username="nobody", full_name="No Body",
                                       password="correct horse battery staple")
    return login_as(user)


@pytest.mark.parametrize("role", list(Role))
def test_it_lets_every_role_browse_places(personas, login_as, role):
    client = login_as(personas.b.user(role))
    response = client.get(reverse("geo:browse"))
    assert response.status_code == 200
    assert "Zakarpatska oblast" in response.content.decode()  # Ukraine's oblasts without a search


def test_it_lists_matches_with_level_parents_and_pcode(member):
    response = member.get(reverse("geo:browse"), {"q": "Uzh"})
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Uzhhorodskyi raion", "Uzhhorodska hromada", "Uzhhorod", "settlement", "UA2110023001",
                 "Uzhhorodska hromada, Uzhhorodskyi raion, Zakarpatska oblast"):
        assert text in html
    assert html.index("Uzhhorodskyi raion") < html.index("Uzhhorodska hromada") < html.index("UA2110023001")


def test_it_filters_by_country_and_names_it(member):
    response = member.get(reverse("geo:browse"), {"country": "MDA"})
    html = response.content.decode()
    assert "Anenii Noi" in html
    assert "MD037" in html
    assert "Zakarpatska" not in html
    response = member.get(reverse("geo:browse"), {"q": "Balti", "country": "MD"})
    assert "Moldova" in response.content.decode()


def test_it_says_when_nothing_matches(member):
    response = member.get(reverse("geo:browse"), {"q": "Qqqqq"})
    assert response.status_code == 200
    assert "No place found." in response.content.decode()


def test_it_shows_a_unit_with_parents_and_children(member):
    response = member.get(reverse("geo:unit", args=["UA2110023"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/places/UA2110/"' in html
    assert 'href="/places/UA21/"' in html
    assert 'href="/places/UA2110023001/"' in html
    assert "Ужгородська" in html


def test_it_pages_many_children(member):
    response = member.get(reverse("geo:unit", args=["UA21"]))
    assert response.context["children"].paginator.count == 6  # Zakarpattia's raions
    raion_with_many = member.get(reverse("geo:unit", args=["UA8000000"]), {"page": "2"})
    assert raion_with_many.status_code == 200


def test_it_answers_404_for_an_unknown_pcode(member):
    assert member.get(reverse("geo:unit", args=["UA9999"])).status_code == 404
    assert member.get("/places/not-a-code/").status_code == 404


def test_it_accepts_a_lower_case_pcode(member):
    assert member.get("/places/ua21/").status_code == 200


def test_it_returns_picker_suggestions_as_json(member):
    response = member.get(reverse("geo:search"), {"q": "Ужг"})
    assert response.status_code == 200
    data = response.json()
    assert [d["pcode"] for d in data][:2] == ["UA2110", "UA2110023"]
    city = next(d for d in data if d["pcode"] == "UA2110023001")
    assert city == {"pcode": "UA2110023001", "name": "Uzhhorod", "name_en": "Uzhhorod", "name_uk": "Ужгород",
                    "level": 4, "level_label": "settlement",
                    "path": "Uzhhorodska hromada, Uzhhorodskyi raion, Zakarpatska oblast"}


def test_it_localises_suggestions(member):
    member.cookies["django_language"] = "uk"
    with translation.override("en"):  # the locale middleware would leave Ukrainian active for later tests
        data = member.get(reverse("geo:search"), {"q": "Uzhhorod"}).json()
    city = next(d for d in data if d["pcode"] == "UA2110023001")
    assert city["name"] == "Ужгород"
    assert city["path"].startswith("Ужгородська ")


def test_it_returns_at_most_20_suggestions_and_nothing_for_an_empty_query(member):
    assert len(member.get(reverse("geo:search"), {"q": "Ka"}).json()) == 20
    assert member.get(reverse("geo:search"), {"q": ""}).json() == []
    assert member.get(reverse("geo:search"), {"q": "x" * 10000}).json() == []


def test_it_names_the_country_of_foreign_units(member):
    data = member.get(reverse("geo:search"), {"q": "MD002"}).json()
    assert data == [{"pcode": "MD002", "name": "Balti", "name_en": "Balti", "name_uk": "", "level": 1,
                     "level_label": "Admin level 1", "path": "Moldova"}]


@pytest.mark.parametrize("url", ["/places/", "/places/UA21/", "/places/search.json?q=Uzh"])
def test_it_refuses_a_user_without_a_membership(outsider, url):
    response = outsider.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?notice=inactive")


@pytest.mark.parametrize("url", ["/places/", "/places/UA21/", "/places/search.json?q=Uzh"])
def test_it_requires_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/places/", "/places/UA21/", "/places/search.json?q=Uzh"])
def test_it_requires_geo_view(member, monkeypatch, url):
    from varta.accounts.permissions import ROLE_ACTIONS

    monkeypatch.setitem(ROLE_ACTIONS, Role.HOTLINE_OPERATOR, frozenset())
    assert member.get(url).status_code == 403


@pytest.mark.parametrize(("url", "status"), [("/places/?q=%00&country=%00A", 200), ("/places/UA%0021/", 404),
                                             ("/places/search.json?q=UA%0021", 200), ("/places/%C3%A9/", 404)])
def test_it_takes_control_characters_in_its_stride(member, url, status):
    assert member.get(url).status_code == status
