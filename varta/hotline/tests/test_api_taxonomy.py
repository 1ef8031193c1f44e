"""API: the consultation taxonomy — list (standard and own), add own or standard terms, rename, retire."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.hotline import actions
from varta.hotline.models import Topic

URL = "/api/v1/hotline/topics/"


def send(client: Any, method: str, url: str, data: Any) -> Any:
    return client.generic(method, url, data=json.dumps(data), content_type="application/json")


def state() -> tuple[Any, ...]:
    return (list(Topic.objects.values_list("pk", "code", "name_en", "name_uk", "sort_order", "retired_at")
                 .order_by("pk")), AuditEvent.objects.count())


@pytest.fixture
def own_term(personas, topics):
    def make(org=None, code="seasonal-work", **kwargs):
        admin = (org or personas.a).membership(Role.ORG_ADMIN)
        return actions.topic_create(actor=Actor.system(), membership=admin, parent=topics["safe-migration"],
                                    code=code, name_en=kwargs.get("name_en", "Seasonal work"),
                                    name_uk=kwargs.get("name_uk", "Сезонна робота"))

    return make


@pytest.fixture
def admin_client(personas, login_as):
    return login_as(personas.a.user(Role.ORG_ADMIN))


def test_it_lists_standard_and_own_terms_in_tree_order(personas, login_as, own_term, topics):
    mine = own_term()
    own_term(personas.b, code="b-secret", name_en="Beta secret term")

    response = login_as(personas.a.user(Role.HOTLINE_OPERATOR)).get(URL)

    assert response.status_code == 200
    rows = response.json()
    codes = [r["code"] for r in rows]
    assert "b-secret" not in codes
    assert codes[0] == "safe-migration"
    assert codes.index("seasonal-work") < codes.index("trafficking")
    own = next(r for r in rows if r["code"] == "seasonal-work")
    assert own == {"id": mine.pk, "code": "seasonal-work", "name_en": "Seasonal work", "name_uk": "Сезонна робота",
                   "parent": "safe-migration", "standard": False, "retired": False, "sort_order": 100}
    category = next(r for r in rows if r["code"] == "trafficking")
    assert category["parent"] is None
    assert category["standard"] is True


def test_it_lists_retired_terms_only_when_asked(personas, login_as, own_term):
    term = own_term()
    actions.topic_set_retired(actor=Actor.system(), membership=personas.a.membership(Role.ORG_ADMIN), topic=term,
                              retired=True)
    client = login_as(personas.a.user(Role.CASE_WORKER))

    assert "seasonal-work" not in [r["code"] for r in client.get(URL).json()]
    rows = client.get(URL, {"include_retired": "1"}).json()
    assert next(r for r in rows if r["code"] == "seasonal-work")["retired"] is True
    assert client.get(URL, {"include_retired": "perhaps"}).status_code == 400


def test_it_adds_an_own_term(admin_client, personas):
    response = send(admin_client, "POST", URL, {"parent": "documents", "code": "Birth-Certificates",
                                                "name_en": "Birth certificates", "name_uk": "Свідоцтва про народження"})

    assert response.status_code == 201, response.content
    topic = Topic.objects.get(code="birth-certificates")
    assert topic.organisation == personas.a.organisation
    assert topic.parent is not None
    assert topic.parent.code == "documents"
    assert response.json()["standard"] is False


def test_it_adds_a_standard_term_for_a_system_admin(personas, login_as):
    client = login_as(personas.a.user(Role.SYSTEM_ADMIN))

    category = send(client, "POST", URL, {"code": "cyber", "name_en": "Online recruitment",
                                          "name_uk": "Вербування онлайн", "standard": True})
    term = send(client, "POST", URL, {"parent": "cyber", "code": "fake-job-ads", "name_en": "Fake job ads",
                                      "name_uk": "Фальшиві оголошення", "standard": True})

    assert category.status_code == 201, category.content
    assert term.status_code == 201, term.content
    assert Topic.objects.get(code="fake-job-ads").organisation is None


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"name_uk": ""}, "name_uk", "both languages"),
    ({"name_en": "   "}, "name_en", "both languages"),
    ({"code": "travel-rules"}, "code", "taken"),
    ({"code": "seasonal-work"}, "code", "taken"),
    ({"code": "no spaces!"}, "code", "lower-case"),
    ({"parent": "job-offer-check"}, "parent", "job-offer-check"),
    ({"parent": "nope"}, "parent", "nope"),
    ({"parent": None}, "parent", "standard category"),
    ({"name_en": "<script>alert(1)</script>"}, "name_en", "HTML"),
    ({"sort_order": -1}, "sort_order", ""),
])
def test_it_refuses_a_bad_term_and_writes_nothing(admin_client, own_term, data, field, words):
    own_term()
    before = state()

    response = send(admin_client, "POST", URL, {"parent": "safe-migration", "code": "new-term",
                                                "name_en": "New", "name_uk": "Новий", **data})

    assert response.status_code == 400
    assert words in json.dumps(response.json()[field], ensure_ascii=False)
    assert state() == before


def test_it_refuses_malformed_json(admin_client):
    before = state()

    response = admin_client.post(URL, data="{", content_type="application/json")

    assert response.status_code == 400
    assert state() == before


@pytest.mark.parametrize("role", [Role.HOTLINE_OPERATOR, Role.CASE_WORKER, Role.TASKFORCE_COORDINATOR])
def test_it_refuses_terms_to_roles_that_do_not_manage_the_taxonomy(personas, login_as, role):
    before = state()

    response = send(login_as(personas.a.user(role)), "POST", URL,
                    {"parent": "documents", "code": "x", "name_en": "X", "name_uk": "Х"})

    assert response.status_code == 403
    assert state() == before


def test_it_refuses_standard_terms_to_an_org_admin(admin_client):
    before = state()

    response = send(admin_client, "POST", URL, {"code": "cyber", "name_en": "Cyber", "name_uk": "Кібер",
                                                "standard": True})

    assert response.status_code == 403
    assert state() == before


def test_it_renames_reorders_and_retires_an_own_term(admin_client, own_term):
    term = own_term()

    response = send(admin_client, "PATCH", f"{URL}{term.pk}/", {"name_en": "Seasonal jobs", "sort_order": 5,
                                                                "retired": True})

    assert response.status_code == 200, response.content
    term.refresh_from_db()
    assert (term.name_en, term.name_uk, term.sort_order) == ("Seasonal jobs", "Сезонна робота", 5)
    assert term.retired_at is not None
    assert response.json()["retired"] is True
    back = send(admin_client, "PATCH", f"{URL}{term.pk}/", {"retired": False})
    assert back.status_code == 200
    term.refresh_from_db()
    assert term.retired_at is None


def test_it_refuses_a_bad_rename_and_changes_nothing(admin_client, own_term):
    term = own_term()
    before = state()

    for data in ({"name_uk": ""}, {"name_en": "<script>x</script>"}, {"sort_order": "first"},
                 {"name_uk": "", "retired": True}):
        response = send(admin_client, "PATCH", f"{URL}{term.pk}/", data)
        assert response.status_code == 400, data
    assert admin_client.generic("PATCH", f"{URL}{term.pk}/", "{", content_type="application/json").status_code == 400
    assert state() == before


def test_it_lets_only_system_admins_edit_standard_terms(personas, login_as, admin_client, topics):
    standard = topics["travel-rules"]
    before = state()

    assert send(admin_client, "PATCH", f"{URL}{standard.pk}/", {"retired": True}).status_code == 403
    assert send(admin_client, "PATCH", f"{URL}{standard.pk}/", {"name_en": "Travel"}).status_code == 403
    assert state() == before
    sysadmin = login_as(personas.a.user(Role.SYSTEM_ADMIN), c=Client())
    response = send(sysadmin, "PATCH", f"{URL}{standard.pk}/", {"name_en": "Entry rules and travel"})
    assert response.status_code == 200
    standard.refresh_from_db()
    assert standard.name_en == "Entry rules and travel"


def test_it_does_not_touch_another_organisations_term(admin_client, own_term, personas):
    foreign = own_term(personas.b, code="b-term")
    before = state()

    assert send(admin_client, "PATCH", f"{URL}{foreign.pk}/", {"retired": True}).status_code == 404
    assert send(admin_client, "PATCH", f"{URL}999999/", {"retired": True}).status_code == 404
    assert state() == before
