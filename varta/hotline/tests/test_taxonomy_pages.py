"""Pages: the consultation taxonomy tree, adding own (and standard) terms, editing, retiring and bringing back."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.hotline import actions
from varta.hotline.models import Topic


def state() -> tuple[Any, ...]:
    return (list(Topic.objects.values_list("pk", "code", "name_en", "name_uk", "sort_order", "retired_at")
                 .order_by("pk")), AuditEvent.objects.count())


@pytest.fixture
def own_term(personas, topics):
    def make(org=None, code="seasonal-work", name_en="Seasonal work"):
        admin = (org or personas.a).membership(Role.ORG_ADMIN)
        return actions.topic_create(actor=Actor.system(), membership=admin, parent=topics["safe-migration"],
                                    code=code, name_en=name_en, name_uk="Сезонна робота")

    return make


@pytest.fixture
def admin_client(personas, login_as):
    return login_as(personas.a.user(Role.ORG_ADMIN))


def new_term(**overrides: Any) -> dict[str, Any]:
    data = {"parent": str(Topic.objects.get(code="documents").pk), "code": "birth-certificates",
            "name_en": "Birth certificates", "name_uk": "Свідоцтва про народження", "sort_order": "10"}
    data.update(overrides)
    return data


def test_it_shows_the_tree_with_standard_and_own_terms(admin_client, own_term, personas):
    mine = own_term()
    own_term(personas.b, code="b-secret", name_en="Beta secret term")
    retired = own_term(code="old-term", name_en="Old term")
    actions.topic_set_retired(actor=Actor.system(), membership=personas.a.membership(Role.ORG_ADMIN), topic=retired,
                              retired=True)

    response = admin_client.get(reverse("hotline:taxonomy"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Safe migration and travel abroad" in html
    assert "Безпечна міграція та виїзд за кордон" in html
    assert "Seasonal work" in html
    assert "Beta secret term" not in html
    assert reverse("hotline:topic_edit", args=[mine.pk]) in html
    # Standard terms are read-only for an org admin.
    standard = Topic.objects.get(code="travel-rules")
    assert reverse("hotline:topic_edit", args=[standard.pk]) not in html
    # The retired term is shown greyed, with "Bring back".
    assert 'class="retired"' in html
    assert "Bring back" in html
    assert "<script" not in html.split("</head>")[1]


def test_it_shows_edit_links_on_standard_terms_to_a_system_admin(personas, login_as):
    response = login_as(personas.a.user(Role.SYSTEM_ADMIN)).get(reverse("hotline:taxonomy"))

    standard = Topic.objects.get(code="travel-rules")
    assert reverse("hotline:topic_edit", args=[standard.pk]) in response.content.decode()


def test_it_shows_the_page_in_ukrainian(admin_client):
    response = admin_client.get(reverse("hotline:taxonomy"), HTTP_ACCEPT_LANGUAGE="uk")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="uk">' in html
    assert "Безпечна міграція та виїзд за кордон" in html


@pytest.mark.parametrize("role", [Role.HOTLINE_OPERATOR, Role.CASE_WORKER, Role.TASKFORCE_COORDINATOR,
                                  Role.INFORMATION_MANAGER])
def test_it_refuses_the_pages_to_roles_that_do_not_manage_the_taxonomy(personas, login_as, role, own_term):
    term = own_term()
    client = login_as(personas.a.user(role))
    before = state()

    assert client.get(reverse("hotline:taxonomy")).status_code == 403
    assert client.get(reverse("hotline:topic_new")).status_code == 403
    assert client.post(reverse("hotline:topic_new"), new_term()).status_code == 403
    assert client.post(reverse("hotline:topic_edit", args=[term.pk]), {"name_en": "X", "name_uk": "Х",
                                                                       "sort_order": "1"}).status_code == 403
    assert client.post(reverse("hotline:topic_retire", args=[term.pk])).status_code == 403
    assert state() == before


def test_it_requires_login(db):
    response = Client().get(reverse("hotline:taxonomy"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_adds_an_own_term_under_a_standard_category(admin_client, personas):
    documents = Topic.objects.get(code="documents")
    form = admin_client.get(reverse("hotline:topic_new") + f"?parent={documents.pk}")
    assert form.status_code == 200
    assert "Standard term" not in form.content.decode()  # an org admin adds own terms only

    response = admin_client.post(reverse("hotline:topic_new"), new_term())

    assert response.status_code == 302
    assert response["Location"] == reverse("hotline:taxonomy")
    topic = Topic.objects.get(code="birth-certificates")
    assert topic.organisation == personas.a.organisation
    assert topic.parent == documents
    assert topic.sort_order == 10


def test_it_adds_a_standard_category_for_a_system_admin(personas, login_as):
    client = login_as(personas.a.user(Role.SYSTEM_ADMIN))
    assert "Standard term" in client.get(reverse("hotline:topic_new")).content.decode()

    response = client.post(reverse("hotline:topic_new"), new_term(parent="", code="cyber", standard="on",
                                                                  name_en="Online recruitment"))

    assert response.status_code == 302
    topic = Topic.objects.get(code="cyber")
    assert topic.organisation is None
    assert topic.parent is None


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"name_uk": ""}, "name_uk", "required"),
    ({"code": "travel-rules"}, "code", "taken"),
    ({"code": "seasonal-work"}, "code", "taken"),
    ({"code": "Не код"}, "code", "lower-case"),
    ({"name_en": "<script>alert(1)</script>"}, "name_en", "HTML"),
    ({"parent": ""}, "parent", "required"),
    ({"parent": "999999"}, "parent", "valid choice"),
    ({"sort_order": "-4"}, "sort_order", ""),
])
def test_it_refuses_a_bad_term_and_writes_nothing(admin_client, own_term, overrides, field, words):
    own_term()
    before = state()

    response = admin_client.post(reverse("hotline:topic_new"), new_term(**overrides))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert words in " ".join(errors[field])
    assert state() == before
    assert "&lt;script&gt;" in response.content.decode() or "<script>alert" not in response.content.decode()


def test_it_refuses_a_standard_term_from_an_org_admin(admin_client):
    before = state()

    response = admin_client.post(reverse("hotline:topic_new"), new_term(code="cyber", standard="on"))

    assert response.status_code == 302  # the field is not offered to an org admin: an own term is added
    assert Topic.objects.get(code="cyber").organisation is not None
    assert state()[1] == before[1] + 1


def test_it_edits_names_and_sort_order(admin_client, own_term):
    term = own_term()
    assert admin_client.get(reverse("hotline:topic_edit", args=[term.pk])).status_code == 200

    response = admin_client.post(reverse("hotline:topic_edit", args=[term.pk]),
                                 {"name_en": "Seasonal jobs", "name_uk": "Сезонні роботи", "sort_order": "3"})

    assert response.status_code == 302
    term.refresh_from_db()
    assert (term.name_en, term.name_uk, term.sort_order) == ("Seasonal jobs", "Сезонні роботи", 3)


def test_it_refuses_a_bad_edit_and_changes_nothing(admin_client, own_term):
    term = own_term()
    before = state()

    for data in ({"name_en": "Seasonal", "name_uk": "", "sort_order": "1"},
                 {"name_en": "<script>x</script>", "name_uk": "Ю", "sort_order": "1"},
                 {"name_en": "Seasonal", "name_uk": "Ю", "sort_order": "first"}):
        response = admin_client.post(reverse("hotline:topic_edit", args=[term.pk]), data)
        assert response.status_code == 400
        assert response.context["form"].errors
    assert state() == before


def test_it_lets_only_system_admins_edit_standard_terms(admin_client, personas, login_as):
    standard = Topic.objects.get(code="travel-rules")
    before = state()

    assert admin_client.get(reverse("hotline:topic_edit", args=[standard.pk])).status_code == 403
    assert admin_client.post(reverse("hotline:topic_edit", args=[standard.pk]),
                             {"name_en": "X", "name_uk": "Х", "sort_order": "1"}).status_code == 403
    assert admin_client.post(reverse("hotline:topic_retire", args=[standard.pk])).status_code == 403
    assert state() == before
    sysadmin = login_as(personas.a.user(Role.SYSTEM_ADMIN), c=Client())
    response = sysadmin.post(reverse("hotline:topic_edit", args=[standard.pk]),
                             {"name_en": "Entry rules", "name_uk": "Правила в’їзду", "sort_order": "1"})
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.name_en == "Entry rules"


def test_it_retires_and_brings_back_a_term(admin_client, own_term):
    term = own_term()

    response = admin_client.post(reverse("hotline:topic_retire", args=[term.pk]), {"retired": "1"})

    assert response.status_code == 302
    term.refresh_from_db()
    assert term.retired_at is not None
    assert AuditEvent.objects.latest("seq").action == "hotline.topic.retire"
    admin_client.post(reverse("hotline:topic_retire", args=[term.pk]), {"retired": "0"})
    term.refresh_from_db()
    assert term.retired_at is None
    assert admin_client.get(reverse("hotline:topic_retire", args=[term.pk])).status_code == 405


def test_it_does_not_touch_another_organisations_term(admin_client, own_term, personas):
    foreign = own_term(personas.b, code="b-term")
    before = state()

    assert admin_client.get(reverse("hotline:topic_edit", args=[foreign.pk])).status_code == 404
    assert admin_client.post(reverse("hotline:topic_edit", args=[foreign.pk]),
                             {"name_en": "X", "name_uk": "Х", "sort_order": "1"}).status_code == 404
    assert admin_client.post(reverse("hotline:topic_retire", args=[foreign.pk])).status_code == 404
    assert state() == before
