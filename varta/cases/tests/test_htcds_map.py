"""The HTCDS mapping: field names and values of the standard, rows per case, identifying fields only on request,
formulas neutralised, docs/htcds.md equal to the table in code."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from varta.accounts.permissions import Role
from varta.cases import htcds_map
from varta.cases.models import Case, ClosureReason, NeedDomain, PersonCategory, Relationship
from varta.cases.tests.helpers_rights import PERSONS, close, full_case, secrets_of
from varta.core.htcds import CaseStatus, TraffickingStatus

DOC = Path(__file__).resolve().parents[3] / "docs" / "htcds.md"


def test_it_keeps_docs_htcds_md_equal_to_the_table_in_code():
    assert DOC.read_text(encoding="utf-8") == htcds_map.markdown(), (
        "docs/htcds.md is out of date: .venv/bin/varta shell --no-imports -c \"from varta.cases.htcds_map import "
        "markdown; print(markdown(), end='')\" > docs/htcds.md")


def test_it_uses_htcds_names_and_values():
    names = [c.name for c in htcds_map.COLUMNS]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"(prs|vic|cas|con|spl|varta)_[A-Za-z]+", n) for n in names), names
    assert set(htcds_map.STAGE_STATUS.values()) <= set(CaseStatus.values)
    assert set(htcds_map.CATEGORY_STATUS.values()) <= set(TraffickingStatus.values)
    assert set(htcds_map.RELATIONSHIP.values()) <= {"Familial", "Acquainted", "Unaquainted"}
    assert set(htcds_map.RELATIONSHIP) <= set(Relationship.values)
    assert set(htcds_map.NEED_PLAN_TYPE) == set(NeedDomain.values)
    assert set(htcds_map.NEED_PLAN_TYPE.values()) <= {
        "Education", "Financial", "Health", "LabourExploitationRehabilitation", "Legal", "Livelihood",
        "RightsBasedTraining", "SexualExploitationRehabilitation", "SocialCare"}


def _rows(cases, *, identifying: bool = False) -> list[dict[str, str]]:
    text = "".join(htcds_map.csv_lines(Case.objects.filter(pk__in=[c.pk for c in cases]), identifying=identifying))
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.django_db
def test_it_writes_one_row_per_case_without_identifying_fields(personas):
    case = full_case(personas.a, referring_organisation="=HYPERLINK(\"http://x\")")
    [row] = _rows([case])
    assert "prs_FirstName" not in row
    assert "prs_MobilePhone" not in row
    assert "cas_CaseOwner" not in row
    assert row["prs_Gender"] == "Feminine"
    assert row["prs_Citizenship"] == "UA"
    assert (row["prs_MailingState"], row["prs_MailingCountry"], row["varta_OblastPcode"]) == ("Ternopilska", "UA",
                                                                                              "UA61")
    assert row["vic_TraffickingStatus"] == "ActualVictimOfTrafficking"  # the screening's decision wins
    assert row["vic_RelationshipToTrafficker"] == "Acquainted"
    assert row["vic_MethodsOfControl"] == "DebtBondage;WithholdsDocuments"
    assert row["vic_LocationOfRecruitment"] == "UA6104015"
    assert row["vic_LocationOfExploitation"] == "PL"
    assert row["vic_AgeWhenTrafficked"] == "36"
    assert row["cas_Status"] == "FollowUp"
    assert row["con_Consent"] == "TRUE"
    assert row["spl_Type"] == "Health"
    assert row["cas_ReferringOrganisation"] == "'=HYPERLINK(\"http://x\")"  # neutralised
    assert row["varta_ServiceTypes"] == "rehabilitation_stay"
    assert row["varta_Disability"] == "TRUE"
    flat = ",".join(row.values())
    assert not [s for s in secrets_of(0) if s in flat]


@pytest.mark.django_db
def test_it_adds_identifying_fields_on_request(personas):
    case = full_case(personas.a)
    [row] = _rows([case], identifying=True)
    assert (row["prs_FirstName"], row["prs_SecondName"], row["prs_MiddleName"]) == (
        PERSONS[0]["given_name"], PERSONS[0]["family_name"], PERSONS[0]["patronymic"])
    assert (row["prs_Birthdate"], row["prs_MobilePhone"], row["prs_IdentityNumber"]) == (
        "1987-11-23", PERSONS[0]["phone"], PERSONS[0]["id_document_number"])
    assert row["prs_MailingCity"] == "Zbarazka"
    assert row["cas_CaseOwner"] == personas.a.user(Role.CASE_WORKER).full_name


@pytest.mark.django_db
@pytest.mark.parametrize(("reason", "status", "deceased"), [
    (ClosureReason.GOALS_MET, "Closed", "FALSE"), (ClosureReason.REFERRED, "ClosedReferred", "FALSE"),
    (ClosureReason.DECEASED, "Closed", "TRUE")])
def test_it_maps_a_closed_case(personas, reason, status, deceased):
    case = close(personas.a, full_case(personas.a), reason)
    [row] = _rows([case])
    assert (row["cas_Status"], row["prs_Deceased"], row["varta_Stage"]) == (status, deceased, "closed")
    assert row["cas_ReasonForCaseClosure"] == str(ClosureReason(reason).label)


@pytest.mark.parametrize(("category", "expected"), [
    (PersonCategory.POSSIBLE_VICTIM, "PossibleVictimOfTrafficking"), (PersonCategory.NOT_A_VICTIM,
                                                                       "NotAVictimOfTrafficking"),
    (PersonCategory.IDP, "")])
def test_it_falls_back_on_the_category_without_a_screening_decision(category, expected):
    assert htcds_map.trafficking_status(Case(category=category)) == expected
