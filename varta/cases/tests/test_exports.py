"""Case list exports at /cases/export/: permitted roles only, non-personal columns, the list's filters, formulas
neutralised, an audit event."""

from __future__ import annotations

import csv
import io

import openpyxl  # type: ignore[import-untyped]
import pytest

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.cases import exports
from varta.cases.models import CaseSource
from varta.cases.tests.helpers import add_case_worker, person_input, register_case
from varta.geo.models import AdminUnit

pytestmark = pytest.mark.django_db

URL = "/cases/export/"


@pytest.fixture
def place(db) -> AdminUnit:
    oblast = AdminUnit.objects.get_or_create(pcode="UA21", defaults={
        "country_iso3": "UKR", "level": 1, "name_en": "Zakarpatska", "name_uk": "Закарпатська",
        "search_en": "zakarpatska", "search_uk": "закарпатська"})[0]
    raion = AdminUnit.objects.get_or_create(pcode="UA2110", defaults={
        "country_iso3": "UKR", "level": 2, "parent": oblast, "name_en": "Uzhhorodskyi", "name_uk": "Ужгородський",
        "search_en": "uzhhorodskyi", "search_uk": "ужгородський"})[0]
    return raion


@pytest.fixture
def supervisor(client, personas, login_as):
    return login_as(personas.a.user(Role.CASE_SUPERVISOR))


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_it_exports_the_team_list_as_csv_without_personal_data(supervisor, personas, place):
    from varta.geo.models import Country

    case = register_case(personas.a, person=person_input(location=place, citizenship=Country.objects.get(iso2="UA"),
                                                         displacement="idp"))
    response = supervisor.get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == [str(label) for _key, label in exports.COLUMNS]
    assert rows[1] == [case.reference, "registered", "possible_victim", "referral", "Masculine", case.person.age_group,
                       "UA", "idp", "UA21", case.opened_on.isoformat(), "", "a_case_worker", "0"]
    text = "\n".join(",".join(r) for r in rows)
    for secret in ("Олександр", "Шевченко", "380671234567", "FE123456", "1990-05-17", "example.org", "Хрещатик"):
        assert secret not in text
    event = AuditEvent.objects.get(action="cases.export")
    assert event.actor_id == personas.a.user(Role.CASE_SUPERVISOR).pk
    assert "reference" in event.changed_fields


def test_it_exports_xlsx(supervisor, personas):
    case = register_case(personas.a)
    response = supervisor.get(URL, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[1][0] == case.reference
    assert rows[1][-1] == 0


def test_it_applies_the_lists_filters(supervisor, personas):
    outreach = register_case(personas.a, source=CaseSource.OUTREACH)
    register_case(personas.a, person=person_input(given_name="Ганна"))
    rows = csv_rows(supervisor.get(URL, {"format": "csv", "source": "outreach"}))
    assert [r[0] for r in rows[1:]] == [outreach.reference]
    assert supervisor.get(URL, {"format": "csv", "opened_from": "nonsense"}).status_code == 400
    assert supervisor.get(URL, {"format": "pdf"}).status_code == 400
    assert not AuditEvent.objects.filter(action="cases.export").count() > 1


def test_scope_mine_exports_only_the_users_own_cases(supervisor, personas):
    register_case(personas.a)  # the case worker's, supervised by the supervisor
    own = register_case(personas.a, Role.CASE_SUPERVISOR, case_worker=personas.a.user(Role.CASE_SUPERVISOR))
    rows = csv_rows(supervisor.get(URL, {"format": "csv", "scope": "mine"}))
    assert [r[0] for r in rows[1:]] == [own.reference]


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.TASKFORCE_COORDINATOR, Role.HOTLINE_OPERATOR,
                                  Role.INFORMATION_MANAGER])
def test_roles_without_the_export_permission_get_403(client, personas, login_as, role):
    register_case(personas.a)
    login_as(personas.a.user(role))
    assert client.get(URL, {"format": "csv"}).status_code == 403
    assert not AuditEvent.objects.filter(action="cases.export").exists()


def test_another_organisation_exports_none_of_its_cases(client, personas, login_as):
    register_case(personas.a)
    login_as(personas.b.user(Role.ORG_ADMIN))
    assert csv_rows(client.get(URL, {"format": "csv"}))[1:] == []


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_it_neutralises_spreadsheet_formulas(value):
    assert exports.safe(value) == "'" + value
    assert exports.safe("2025-00001") == "2025-00001"
    line = list(exports.csv_lines([[value, 3]]))[1]
    assert next(csv.reader(io.StringIO(line)))[0] == "'" + value
    sheet = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes([[value, 3]]))).active
    assert sheet["A2"].value.startswith("'")
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 3


def test_a_formula_in_a_username_reaches_the_file_neutralised(supervisor, personas):
    other = add_case_worker(personas.a, "=cmd")
    register_case(personas.a, case_worker=other.user)
    rows = csv_rows(supervisor.get(URL, {"format": "csv"}))
    assert rows[1][11] == "'=cmd"
