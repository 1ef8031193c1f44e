"""Security review of case management: need-to-know inside one organisation, roles, audit of every personal
value shown, escaping, CSRF and the headers of a downloaded file.

The routes come from the isolation modules of this context (``isolation_routes_*.py``), so a new route is checked
here as soon as it gets its isolation entry.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.isolation import Route, World
from varta.accounts import actions as account_actions
from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.cases.actions import notes as note_actions
from varta.cases.actions import plan as plan_actions
from varta.cases.models import Attachment, CaseNote, ConsentPurpose
from varta.cases.tests import (
    isolation_routes_api,
    isolation_routes_pages,
    isolation_routes_records,
    isolation_routes_rights,
)
from varta.cases.tests.helpers import acting_as, add_case_worker, give_consent, person_input, register_case
from varta.cases.tests.helpers_api import PERSONAL_VALUES, client_for
from varta.cases.tests.helpers_records import upload

pytestmark = pytest.mark.django_db

MODULES = (isolation_routes_pages, isolation_routes_records, isolation_routes_rights, isolation_routes_api)
ROUTES: dict[str, Route] = {name: route for module in MODULES for name, route in module.ROUTES.items()}


@pytest.fixture
def world(personas) -> World:
    member = personas.a.membership(Role.CASE_WORKER)
    token = account_actions.api_token_issue(actor=Actor.system(), membership=member, name="A").token
    w = World(org_a=personas.a.organisation, member_a=member, token_a=token, markers=[])
    for module in MODULES:
        module.populate(w, personas)
    return w


def _call(client: Client, method: str, url: str, route: Route, w: World, **extra: Any) -> Any:
    body = route.body(w)
    if method == "GET":
        return client.get(url, **extra)
    if route.json or url.startswith("/api/"):
        return client.generic(method, url, data=json.dumps(body), content_type="application/json", **extra)
    return getattr(client, method.lower())(url, data=body, **extra)


def _content(response: Any) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", "replace")


def leaks(response: Any) -> list[str]:
    content = _content(response)
    return [value for value in PERSONAL_VALUES if value in content]


def _snapshot(w: World) -> Any:
    return [snapshot() for snapshot in w.snapshots]


def _with_ids(route: Route, w: World) -> bool:
    return bool(route.kwargs(w))


def test_it_gives_a_second_case_worker_of_the_organisation_404_on_every_route_with_an_id(personas, world):
    """Need-to-know: another case worker of A sees none of the first one's cases or rows, by page or API."""
    other = add_case_worker(personas.a, "a_other_worker")
    token = account_actions.api_token_issue(actor=Actor.system(), membership=other, name="other").raw
    before = _snapshot(world)
    failures = []
    for name, route in ROUTES.items():
        if not _with_ids(route, world):
            continue
        url = reverse(name, kwargs=route.kwargs(world))
        for method in route.methods:
            if url.startswith("/api/"):
                response = _call(Client(), method, url, route, world, HTTP_AUTHORIZATION=f"Token {token}")
            else:
                client = Client()
                client.force_login(other.user, backend="django.contrib.auth.backends.ModelBackend")
                response = _call(client, method, url, route, world)
            # 403 only where the role itself lacks the action (supervise, subject rights): it says nothing about
            # the case.
            if response.status_code not in (403, 404):
                failures.append(f"{method} {url}: {response.status_code}")
            elif response.status_code == 403 and name.removeprefix("cases:") not in FORBIDDEN_TO_WORKER:
                failures.append(f"{method} {url}: 403, expected 404")
            leaked = [m for m in world.markers if m in _content(response)]
            if leaked:
                failures.append(f"{method} {url}: {leaked}")
    assert not failures
    assert _snapshot(world) == before


# Routes a case worker's role may not use at all (a 403 before any case is looked up).
FORBIDDEN_TO_WORKER = {"closure_approve", "closure_reject", "case_reopen", "case_assign", "person_export",
                       "api-cases-approve-closure", "api-cases-reject-closure", "api-cases-reopen",
                       "api-cases-assign"}

NO_CASES_ROLES = (Role.TASKFORCE_COORDINATOR, Role.HOTLINE_OPERATOR, Role.INFORMATION_MANAGER, Role.SYSTEM_ADMIN)


@pytest.mark.parametrize("role", NO_CASES_ROLES, ids=[r.value for r in NO_CASES_ROLES])
def test_it_refuses_every_cases_route_to_roles_without_cases(personas, world, role):
    membership = personas.a.membership(role)
    token = account_actions.api_token_issue(actor=Actor.system(), membership=membership, name="r").raw
    before = _snapshot(world)
    failures = []
    for name, route in ROUTES.items():
        url = reverse(name, kwargs=route.kwargs(world))
        for method in route.methods:
            if url.startswith("/api/"):
                response = _call(Client(), method, url, route, world, HTTP_AUTHORIZATION=f"Token {token}")
            else:
                client = Client()
                client.force_login(membership.user, backend="django.contrib.auth.backends.ModelBackend")
                response = _call(client, method, url, route, world)
            if response.status_code != 403:
                failures.append(f"{method} {url}: {response.status_code}")
    assert not failures
    assert _snapshot(world) == before


WORK_ROUTES = ("cases:screening", "cases:consents", "cases:consent_withdraw", "cases:need_add", "cases:need_met",
               "cases:plan_item_add", "cases:plan_item_status", "cases:service_add", "cases:service_edit",
               "cases:follow_ups_schedule", "cases:follow_up_record", "cases:note_add", "cases:attachment_upload",
               "cases:case_move", "cases:closure_request", "cases:person_edit",
               "api-cases-screening", "api-cases-consents", "api-cases-consent-withdraw", "api-cases-needs",
               "api-cases-need", "api-cases-plan-items", "api-cases-plan-item", "api-cases-services",
               "api-cases-service", "api-cases-follow-ups", "api-cases-follow-up-series",
               "api-cases-follow-up-record", "api-cases-notes", "api-cases-attachments", "api-cases-move",
               "api-cases-request-closure", "api-cases-person")


def test_it_refuses_case_work_writes_to_an_org_admin(personas, world):
    admin = personas.a.membership(Role.ORG_ADMIN)
    token = account_actions.api_token_issue(actor=Actor.system(), membership=admin, name="admin").raw
    before = _snapshot(world)
    failures = []
    for name in WORK_ROUTES:
        route = ROUTES[name]
        url = reverse(name, kwargs=route.kwargs(world))
        for method in route.methods:
            if method == "GET":
                continue
            if url.startswith("/api/"):
                response = _call(Client(), method, url, route, world, HTTP_AUTHORIZATION=f"Token {token}")
            else:
                client = Client()
                client.force_login(admin.user, backend="django.contrib.auth.backends.ModelBackend")
                response = _call(client, method, url, route, world)
            if response.status_code != 403:
                failures.append(f"{method} {url}: {response.status_code}")
    assert not failures
    assert _snapshot(world) == before


# --- Rows of another case of the same worker ------------------------------------------------------------------


def test_it_gives_404_for_a_row_of_another_case_named_under_this_case(personas, login_as):
    """/cases/<case 1>/…/<row of case 2>/: the URL's case decides, nothing is done to case 2."""
    first = register_case(personas.a)
    second = register_case(personas.a, person=person_input(given_name="Друга"))
    membership, actor = acting_as(personas.a)
    consent = give_consent(personas.a, second, ConsentPurpose.FOLLOW_UP)
    need = plan_actions.add_need(actor=actor, membership=membership, case=second,
                                 data=plan_actions.NeedInput(domain="legal", description="second case need"))
    item = plan_actions.add_plan_item(actor=actor, membership=membership, case=second, data=plan_actions.PlanItemInput(
        service_type="legal_aid", target_date=date.today() + timedelta(days=3)))
    attachment = note_actions.upload_attachment(actor=actor, membership=membership, case=second, uploaded_file=upload())
    client = login_as(personas.a.user(Role.CASE_WORKER))
    today = date.today().isoformat()
    calls = [
        ("post", f"/cases/{first.pk}/consents/{consent.pk}/withdraw/", {"withdrawn_on": today}),
        ("post", f"/cases/{first.pk}/plan/needs/{need.pk}/met/", {"met": "1"}),
        ("post", f"/cases/{first.pk}/plan/items/{item.pk}/status/", {"status": "cancelled"}),
        ("get", f"/cases/{first.pk}/attachments/{attachment.pk}/download/", {}),
        ("post", f"/cases/{first.pk}/attachments/{attachment.pk}/delete/", {}),
    ]
    for method, url, body in calls:
        assert getattr(client, method)(url, body).status_code == 404, url
    consent.refresh_from_db()
    need.refresh_from_db()
    item.refresh_from_db()
    assert consent.withdrawn_on is None
    assert not need.met
    assert item.status == "planned"
    assert Attachment.objects.filter(pk=attachment.pk).exists()


# --- Personal values only with an audit event -----------------------------------------------------------------


def _views(case) -> int:
    return AuditEvent.objects.filter(action="cases.case.view", object_id=str(case.pk)).count()


@pytest.mark.parametrize(("route", "body", "shown"), [
    ("notes/new/", {"text": ""}, "Стара нотатка про безпеку"),
    ("plan/needs/", {"domain": "", "description": ""}, "Потреба з адресою"),
    ("plan/items/", {"service_type": "", "target_date": ""}, "Примітка до плану"),
])
def test_it_records_a_view_when_a_failed_post_shows_the_case_again(personas, login_as, route, body, shown):
    """A 400 re-render shows the tab's stored (encrypted) texts: it is a view of the case, and audited as one."""
    case = register_case(personas.a)
    membership, actor = acting_as(personas.a)
    note_actions.add_note(actor=actor, membership=membership, case=case, text="Стара нотатка про безпеку")
    need = plan_actions.add_need(actor=actor, membership=membership, case=case,
                                 data=plan_actions.NeedInput(domain="legal", description="Потреба з адресою"))
    plan_actions.add_plan_item(actor=actor, membership=membership, case=case, data=plan_actions.PlanItemInput(
        service_type="legal_aid", target_date=date.today() + timedelta(days=3), need=need,
        note="Примітка до плану"))
    client = login_as(personas.a.user(Role.CASE_WORKER))
    before = _views(case)
    response = client.post(f"/cases/{case.pk}/{route}", body)
    assert response.status_code == 400
    assert shown in response.content.decode()
    assert _views(case) == before + 1


def test_it_shows_no_personal_value_on_the_person_page_before_a_reveal(personas, login_as):
    case = register_case(personas.a)
    client = login_as(personas.a.user(Role.CASE_WORKER))
    response = client.get(f"/cases/{case.pk}/person/")
    assert response.status_code == 200
    assert not leaks(response)
    bad = client.post(f"/cases/{case.pk}/person/", {"reveal-reason": "nonsense"})
    assert bad.status_code == 400
    assert not leaks(bad)


def test_it_shows_no_personal_value_in_lists_or_api_lists(personas, login_as):
    case = register_case(personas.a)
    membership, actor = acting_as(personas.a)
    note_actions.add_note(actor=actor, membership=membership, case=case, text="Олександр")
    client = login_as(personas.a.user(Role.CASE_SUPERVISOR))
    for url in ("/cases/", "/cases/team/", "/cases/overdue/", "/cases/export/?format=csv",
                "/cases/export/htcds/?download=csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not leaks(response), url
    api = client_for(personas.a.membership(Role.CASE_SUPERVISOR))
    for url in ("/api/v1/cases/", "/api/v1/cases/persons/", f"/api/v1/cases/{case.pk}/",
                f"/api/v1/cases/persons/{case.person_id}/"):
        response = api.get(url)
        assert response.status_code == 200, url
        assert not leaks(response), url


# --- Escaping, exports, downloads -----------------------------------------------------------------------------


def test_it_escapes_stored_names_and_notes(personas, login_as):
    """Tags are refused on input; quotes and ampersands that are stored come back escaped."""
    evil = 'Ol"ek onmouseover="alert(1)'
    case = register_case(personas.a, person=person_input(given_name=evil, family_name="Tom & Jerry's"))
    client = login_as(personas.a.user(Role.CASE_WORKER))
    revealed = client.post(f"/cases/{case.pk}/reveal/", {"reveal-reason": "contact"}).content.decode()
    assert 'onmouseover="alert' not in revealed
    assert "Tom & Jerry" not in revealed
    assert "Ol&quot;ek onmouseover=&quot;alert(1)" in revealed
    membership, actor = acting_as(personas.a)
    note_actions.add_note(actor=actor, membership=membership, case=case, text='a "quoted" & note')
    notes_page = client.get(f"/cases/{case.pk}/notes/").content.decode()
    assert "a &quot;quoted&quot; &amp; note" in notes_page
    matches = client.post("/cases/register/search/", {"given_name": "Olek", "family_name": "Tom Jerry"})
    content = matches.content.decode()
    assert 'onmouseover="alert' not in content


def test_it_neutralises_formulas_in_the_htcds_export(personas, login_as):
    case = register_case(personas.a, person=person_input(given_name="=HYPERLINK(\"http://x\")",
                                                         family_name="+1+cmd", address="@SUM(1)"))
    admin = login_as(personas.a.user(Role.ORG_ADMIN))
    response = admin.post("/cases/export/htcds/", {"purpose": "subject_request", "confirm": "on",
                                                   "case": str(case.pk)})
    assert response.status_code == 200
    content = _content(response)
    assert "'=HYPERLINK" in content
    assert "'+1+cmd" in content
    assert "'@SUM(1)" in content
    assert ",=HYPERLINK" not in content
    assert ",+1+cmd" not in content


@pytest.mark.parametrize("via_api", [False, True])
def test_it_serves_an_attachment_safely(personas, login_as, via_api):
    case = register_case(personas.a)
    membership, actor = acting_as(personas.a)
    attachment = note_actions.upload_attachment(actor=actor, membership=membership, case=case, uploaded_file=(
        upload('a"b\r\nSet-Cookie: x=1;ім\'я.html', b"<html><script>alert(1)</script></html>", "text/html")))
    if via_api:
        response = client_for(membership).get(f"/api/v1/cases/attachments/{attachment.pk}/download/")
    else:
        response = login_as(membership.user).get(f"/cases/{case.pk}/attachments/{attachment.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "\n" not in disposition
    assert "\r" not in disposition
    assert "Set-Cookie" not in response.cookies
    assert AuditEvent.objects.filter(action="cases.attachment.download", object_id=str(attachment.pk)).exists()


def test_it_does_not_write_on_a_get(personas, login_as, world):
    """No page route changes anything on a GET (each write is a POST, with CSRF)."""
    client = login_as(personas.a.user(Role.CASE_WORKER))
    before = _snapshot(world)
    counts = (CaseNote.objects.count(), Attachment.objects.count())
    for name, route in ROUTES.items():
        url = reverse(name, kwargs=route.kwargs(world))
        if url.startswith("/api/"):
            continue
        client.get(url, route.body(world))
    assert _snapshot(world) == before
    assert (CaseNote.objects.count(), Attachment.objects.count()) == counts


def test_it_refuses_a_page_post_without_a_csrf_token(personas, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.a.user(Role.CASE_WORKER), backend="django.contrib.auth.backends.ModelBackend")
    before = _snapshot(world)
    for name, route in ROUTES.items():
        url = reverse(name, kwargs=route.kwargs(world))
        if url.startswith("/api/") or "POST" not in route.methods:
            continue
        assert client.post(url, route.body(world)).status_code == 403, url
    assert _snapshot(world) == before


def test_it_shows_no_name_of_a_match_the_searcher_may_not_see(personas, login_as, caplog):
    register_case(personas.a)
    other = add_case_worker(personas.a, "a_other_worker")
    client = login_as(other.user)
    with caplog.at_level("INFO", logger="varta.request"):
        response = client.post("/cases/register/search/", {"given_name": "Олександр", "family_name": "Шевченко",
                                                           "birth_date": "1990-05-17"})
    assert response.status_code == 200
    assert "A possible match exists" in response.content.decode()
    assert not leaks(response)
    assert not [r for r in caplog.records if "Шевченко" in r.getMessage() or "Шевченко" in str(r.__dict__)]
    api = client_for(other).post("/api/v1/cases/persons/search/", {"given_name": "Олександр",
                                                                     "family_name": "Шевченко"}, format="json")
    assert api.status_code == 200
    assert api.json()
    assert not leaks(api)
    assert AuditEvent.objects.filter(action="cases.person.search").count() == 2
