"""The statistics page and its CSV export: who sees what, filters, bad input, HXL, formulas neutralised."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from varta.accounts.permissions import Role
from varta.audit.writes import Actor
from varta.hotline.actions import topic_create
from varta.hotline.tests.test_stats_figures import add_places, build_march, kyiv, record
from varta.hotline.views.stats import safe

MARCH = {"date_from": "2025-03-01", "date_to": "2025-03-31"}
NO_STATS = [Role.CASE_WORKER]


@pytest.fixture
def more_places(places):
    return add_places(places)


@pytest.fixture
def march(personas, topics, more_places):
    return build_march(personas, topics, more_places)


def rows_of(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("role", NO_STATS, ids=[r.value for r in NO_STATS])
def test_it_requires_a_stats_role(personas, login_as, client, role) -> None:
    login_as(personas.a.user(role))
    assert client.get(reverse("hotline:stats")).status_code == 403
    assert client.get(reverse("hotline:stats_export")).status_code == 403


def test_it_shows_own_figures_exact(march, login_as, client) -> None:
    login_as(march.a.user(Role.INFORMATION_MANAGER))
    response = client.get(reverse("hotline:stats"), MARCH)
    assert response.status_code == 200
    body = response.content.decode()
    assert "6 consultations in response to 4 calls from March 1, 2025 to March 31, 2025." in body
    assert "&lt;5" not in body  # nothing hidden inside the organisation
    assert 'name="organisation"' not in body  # no choice of organisation
    tables = {t["key"]: t for t in response.context["tables"]}
    viber = next(r for r in tables["channel"]["rows"] if r["label"] == "Viber")
    assert viber["cells"][0]["text"] == "1"
    phone = next(r for r in tables["channel"]["rows"] if r["label"] == "Phone")
    assert phone["cells"][0]["width"] == 100  # the largest line fills its bar
    assert 'class="bar w100"' in body
    assert "style=" not in body  # CSP: widths are classes


def test_it_shows_the_page_in_ukrainian(march, login_as, client) -> None:
    login_as(march.a.user(Role.INFORMATION_MANAGER))
    client.post(reverse("set_language"), {"language": "uk"})
    body = client.get(reverse("hotline:stats"), MARCH).content.decode()
    assert "1 березня 2025" in body
    translation.activate("en")


def test_it_hides_small_counts_from_the_task_force(march, login_as, client) -> None:
    login_as(march.b.user(Role.TASKFORCE_COORDINATOR))
    response = client.get(reverse("hotline:stats"), MARCH)
    assert response.status_code == 200
    body = response.content.decode()
    assert "&lt;5 consultations in response to &lt;5 calls" not in body  # 7 and 5: shown
    assert "7 consultations in response to 5 calls" in body
    assert "&lt;5" in body
    assert "Alpha Aid" not in body  # 4 contacts: counted with the other organisations, never named


def test_it_rejects_bad_filters(march, login_as, client) -> None:
    login_as(march.a.user(Role.INFORMATION_MANAGER))
    response = client.get(reverse("hotline:stats"), {"date_from": "2025-03-31", "date_to": "2025-03-01",
                                                     "place": "UA9999", "channel": "pigeon"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "The end date is before the start date." in body
    assert "Unknown P-code" in body
    assert "Select a valid choice" in body
    assert client.get(reverse("hotline:stats_export"), {"date_from": "yesterday"}).status_code == 400


def test_it_forbids_another_organisation_to_an_organisation_role(march, login_as, client) -> None:
    login_as(march.b.user(Role.INFORMATION_MANAGER))
    response = client.get(reverse("hotline:stats"), {"organisation": march.a.organisation.pk})
    assert response.status_code == 200  # the field does not exist for this role: ignored
    assert response.context["figures"].organisation_name == "Beta Help"


def test_it_lets_the_task_force_pick_an_organisation(march, login_as, client) -> None:
    login_as(march.b.user(Role.TASKFORCE_COORDINATOR))
    response = client.get(reverse("hotline:stats"), {**MARCH, "organisation": march.a.organisation.pk})
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.controlled
    assert figures.contacts.suppressed  # four contacts
    assert client.get(reverse("hotline:stats"), {"organisation": 999999}).status_code == 400


def test_it_exports_csv_with_hxl_hashtags(march, login_as, client) -> None:
    login_as(march.a.user(Role.INFORMATION_MANAGER))
    response = client.get(reverse("hotline:stats_export"), MARCH)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="hotline-statistics-2025-03-01-2025-03-31.csv"' in response["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0][:2] == ["Period start", "Period end"]
    assert rows[1][:4] == ["#date+start", "#date+end", "#org+name", "#loc+code"]
    assert "#adm1+code" in rows[1]
    assert "#sector+name" in rows[1]
    assert "#indicator+num+contacts" in rows[1]
    header = rows[0]
    total = dict(zip(header, rows[2], strict=True))
    assert (total["Breakdown"], total["Contacts"], total["Consultations"]) == ("total", "4", "6")
    oblast = next(dict(zip(header, r, strict=True)) for r in rows if r[5] == "oblast" and r[6] == "UA21")
    assert oblast["Oblast (P-code)"] == "UA21"
    assert oblast["Contacts"] == "1"
    job = next(dict(zip(header, r, strict=True)) for r in rows if r[5] == "topic" and r[6] == "job-offer-check")
    assert job["Category"] == "Safe migration and travel abroad"
    assert job["Consultations"] == "1"


def test_it_exports_suppressed_counts_empty_and_flagged(march, login_as, client) -> None:
    login_as(march.b.user(Role.TASKFORCE_COORDINATOR))
    rows = rows_of(client.get(reverse("hotline:stats_export"), MARCH))
    header = rows[0]
    viber = next(dict(zip(header, r, strict=True)) for r in rows if r[5] == "channel" and r[6] == "viber")
    assert viber["Contacts"] == ""
    assert viber["Contacts suppressed"] == "true"
    email = next(dict(zip(header, r, strict=True)) for r in rows if r[5] == "channel" and r[6] == "email")
    assert (email["Contacts"], email["Contacts suppressed"]) == ("0", "false")
    shown = [int(v) for r in rows[2:] for v in (dict(zip(header, r, strict=True))["Contacts"],) if v]
    assert not [v for v in shown if 0 < v < 5]


def test_it_neutralises_spreadsheet_formulas(march, login_as, client, topics) -> None:
    admin = march.a.membership(Role.ORG_ADMIN)
    topic_create(actor=Actor(user=admin.user, organisation=admin.organisation), membership=admin,
                 parent=topics["other"], code="formula", name_en="=HYPERLINK(\"http://x\")", name_uk="=1+1")
    own = next(t for t in type(topics["other"]).objects.filter(code="formula"))
    record(march.a, {"formula": own}, at=kyiv(2025, 3, 12, 9), topic_codes=("formula",))
    login_as(march.a.user(Role.INFORMATION_MANAGER))
    rows = rows_of(client.get(reverse("hotline:stats_export"), MARCH))
    labels = [r[7] for r in rows]
    assert "'=HYPERLINK(\"http://x\")" in labels
    assert not any(label.startswith(("=", "+", "-", "@")) for label in labels)
    assert safe("@SUM(A1)") == "'@SUM(A1)"
    assert safe("-3") == "'-3"
    assert safe("Phone") == "Phone"


def test_it_defaults_to_the_year_so_far_inside_the_organisation(personas, login_as, client) -> None:
    login_as(personas.a.user(Role.HOTLINE_OPERATOR))
    response = client.get(reverse("hotline:stats"))
    assert response.status_code == 200
    today = timezone.localdate()
    figures = response.context["figures"]
    assert (figures.criteria.date_from, figures.criteria.date_to) == (today.replace(month=1, day=1), None)
    assert f'value="{today.year}-01-01"' in response.content.decode()
    assert figures.sentence().startswith("0 consultations in response to 0 calls since Jan. 1,")


def test_it_defaults_to_twelve_complete_months_for_the_task_force(personas, login_as, client) -> None:
    login_as(personas.b.user(Role.TASKFORCE_COORDINATOR))
    figures = client.get(reverse("hotline:stats")).context["figures"]
    this_month = timezone.localdate().replace(day=1)
    assert figures.criteria.date_from == this_month.replace(year=this_month.year - 1)
    assert figures.criteria.date_to == this_month - timedelta(days=1)
    assert figures.controlled
