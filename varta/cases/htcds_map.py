"""Varta's case fields mapped to IOM's Human Trafficking Case Data Standard v2 field names, and the HTCDS export.

``COLUMNS`` is the mapping: one HTCDS field (``prs_``, ``vic_``, ``cas_``, ``con_``, ``spl_``) or Varta extension
(``varta_``, for what HTCDS has no field for) per entry, with where Varta keeps it and how values are translated
where Varta's differ from the standard's. docs/htcds.md is generated from it (``markdown``) and a test keeps the
two equal. Field names follow "HTCDS Field Standards 2.0" (shared/reference/htcds); picklist values are the
standard's value names.

The export writes one CSV row per case. By default it holds **no identifying field** (no name, date of birth,
contact detail, document, address, nor the case worker's name); ``identifying=True`` adds them, for a data
subject's own request or a transfer the person authorised (the view asks for ``cases.subject_rights`` and a
confirmation). Every text cell is formula-neutralised (``varta.cases.exports.safe``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import QuerySet
from django.utils import translation

from varta.cases.exports import safe
from varta.cases.models import (
    Case,
    CaseStage,
    ClosureReason,
    ConsentPurpose,
    NeedDomain,
    PersonCategory,
    Relationship,
    Screening,
)
from varta.core.htcds import CaseStatus, TraffickingStatus
from varta.geo.models import AdminUnit, Country
from varta.hotline.actions import oblast_of

E164 = re.compile(r"\+[1-9][0-9]{6,14}")  # a phone number in E.164: a spreadsheet cannot run it, so it stays as is
SEPARATOR = ";"  # between the values of a multi-select picklist (as Salesforce, HTCDS's reference platform, writes)
TRUE, FALSE = "TRUE", "FALSE"  # HTCDS checkboxes (the XLSForm's "consent" choices)

# --- Value mappings where Varta's values differ from HTCDS's --------------------------------------------------------

STAGE_STATUS: dict[str, str] = {
    CaseStage.REGISTERED: CaseStatus.ACTIVE,
    CaseStage.SCREENING: CaseStatus.ACTIVE,
    CaseStage.PLANNING: CaseStatus.ACTIVE,
    CaseStage.ASSISTANCE: CaseStatus.ACTIVE,
    CaseStage.MONITORING: CaseStatus.FOLLOW_UP,
    CaseStage.CLOSED: CaseStatus.CLOSED,  # ClosedReferred when the closure reason is "referred"
}

CATEGORY_STATUS: dict[str, str] = {
    PersonCategory.POSSIBLE_VICTIM: TraffickingStatus.POSSIBLE,
    PersonCategory.ACTUAL_VICTIM: TraffickingStatus.ACTUAL,
    PersonCategory.NOT_A_VICTIM: TraffickingStatus.NOT_A_VICTIM,
    # At risk, vulnerable migrant, IDP, third-country national: not assessed, so no HTCDS status (blank).
}

RELATIONSHIP: dict[str, str] = {  # HTCDS: Familial / Acquainted / Unaquainted (sic)
    Relationship.FAMILY: "Familial",
    Relationship.INTIMATE_PARTNER: "Acquainted",
    Relationship.FRIEND: "Acquainted",
    Relationship.EMPLOYER: "Acquainted",
    Relationship.RECRUITER: "Acquainted",
    Relationship.STRANGER: "Unaquainted",
    # other: blank
}

NEED_PLAN_TYPE: dict[str, str] = {  # spl_Type
    NeedDomain.SAFETY: "SocialCare",
    NeedDomain.HEALTH: "Health",
    NeedDomain.PSYCHOSOCIAL: "Health",
    NeedDomain.SHELTER: "SocialCare",
    NeedDomain.LEGAL: "Legal",
    NeedDomain.DOCUMENTATION: "Legal",
    NeedDomain.ECONOMIC: "Livelihood",
    NeedDomain.EDUCATION: "Education",
    NeedDomain.FAMILY: "SocialCare",
    NeedDomain.RETURN: "SocialCare",
}


# --- Reading one case --------------------------------------------------------------------------------------------


def _screening(case: Case) -> Screening | None:
    try:
        return case.screening
    except Screening.DoesNotExist:
        return None


def _date(value: object) -> str:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else ""


def _joined(values: Iterable[str]) -> str:
    return SEPARATOR.join(v for v in values if v)


@lru_cache(maxsize=512)
def _iso2(iso3: str) -> str:
    return Country.objects.filter(iso3=iso3).values_list("iso2", flat=True).first() or ""


def _oblast(case: Case) -> AdminUnit | None:
    return oblast_of(case.person.location)


def case_status(case: Case) -> str:
    if case.stage == CaseStage.CLOSED and case.closure_reason == ClosureReason.REFERRED:
        return CaseStatus.CLOSED_REFERRED
    return STAGE_STATUS.get(case.stage, CaseStatus.ACTIVE)


def trafficking_status(case: Case) -> str:
    screening = _screening(case)
    if screening is not None and screening.trafficking_status:
        return screening.trafficking_status
    return CATEGORY_STATUS.get(case.category, "")


def _age_when_trafficked(case: Case) -> str:
    screening = _screening(case)
    if screening is None or screening.exploitation_start is None or case.person.birth_year is None:
        return ""
    return str(screening.exploitation_start.year - case.person.birth_year)


def _place_or_countries(place: AdminUnit | None, countries: Iterable[Country]) -> str:
    return place.pcode if place is not None else _joined(c.iso2 for c in countries)


def _recruitment(case: Case) -> str:
    s = _screening(case)
    if s is None:
        return ""
    return _place_or_countries(s.recruitment_place, [s.recruitment_country] if s.recruitment_country else [])


def _exploitation(case: Case) -> str:
    s = _screening(case)
    return "" if s is None else _place_or_countries(s.exploitation_place, s.exploitation_countries.all())


def _screening_list(name: str) -> Callable[[Case], str]:
    def value(case: Case) -> str:
        s = _screening(case)
        return "" if s is None else _joined(getattr(s, name))
    return value


def _screening_value(name: str, mapping: dict[str, str] | None = None) -> Callable[[Case], str]:
    def value(case: Case) -> str:
        s = _screening(case)
        raw = "" if s is None else str(getattr(s, name) or "")
        return mapping.get(raw, "") if mapping is not None else raw
    return value


def _person(name: str) -> Callable[[Case], str]:
    return lambda case: str(getattr(case.person, name) or "")


def _city(case: Case) -> str:
    location = case.person.location
    return location.name_en if location is not None and location.parent_id is not None else ""


def _consent(case: Case) -> str:
    active = any(c.purpose == ConsentPurpose.ASSISTANCE and c.withdrawn_on is None for c in case.consents.all())
    return TRUE if active else FALSE


# --- The mapping -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str  # HTCDS field name, or a Varta extension (varta_…)
    source: str  # where Varta keeps the value (for docs/htcds.md)
    value: Callable[[Case], str]
    identifying: bool = False  # names a person (survivor or staff): exported only on request
    mapping: str = ""  # how values are translated, when they are not the same


COLUMNS: tuple[Column, ...] = (
    Column("prs_FirstName", "Person.given_name", _person("given_name"), identifying=True),
    Column("prs_MiddleName", "Person.patronymic", _person("patronymic"), identifying=True),
    Column("prs_SecondName", "Person.family_name", _person("family_name"), identifying=True),
    Column("prs_Birthdate", "Person.birth_date", _person("birth_date"), identifying=True, mapping="ISO 8601 date"),
    Column("prs_Gender", "Person.gender", _person("gender"), mapping="same value names"),
    Column("prs_Citizenship", "Person.citizenship", lambda c: c.person.citizenship_id or "",
           mapping="ISO 3166 alpha-2"),
    Column("prs_IdentityNumber", "Person.id_document_number", _person("id_document_number"), identifying=True),
    Column("prs_Email", "Person.email", _person("email"), identifying=True),
    Column("prs_MobilePhone", "Person.phone", _person("phone"), identifying=True, mapping="E.164"),
    Column("prs_MailingStreet", "Person.address", _person("address"), identifying=True,
           mapping="the whole address as written"),
    Column("prs_MailingCity", "Person.location (below oblast level)", _city, identifying=True,
           mapping="English name of the current location"),
    Column("prs_MailingState", "Person.location → its oblast", lambda c: (o.name_en if (o := _oblast(c)) else ""),
           mapping="English name of the oblast (level-1 unit) of the current location"),
    Column("prs_MailingCountry", "Person.location → its country",
           lambda c: _iso2(c.person.location.country_iso3) if c.person.location else "",
           mapping="ISO 3166 alpha-2 of the current location's country"),
    Column("prs_Deceased", "Case.closure_reason", lambda c: TRUE if c.closure_reason == ClosureReason.DECEASED
           else FALSE, mapping="TRUE when the case was closed because the person died"),
    Column("vic_TraffickingStatus", "Screening.trafficking_status, else Case.category", trafficking_status,
           mapping="the screening's decision when recorded; else the category (table below)"),
    Column("vic_TraffickingStatusDecisionMakingOrg", "Screening.decided_by", _screening_value("decided_by"),
           mapping="same value names"),
    Column("vic_RelationshipToTrafficker", "Screening.relationship", _screening_value("relationship", RELATIONSHIP),
           mapping="table below"),
    Column("vic_AgeWhenTrafficked", "Screening.exploitation_start − Person.birth_year", _age_when_trafficked,
           mapping="years, from the year of birth (may be one year too high)"),
    Column("vic_MethodOfRecruitment", "Screening.recruitment_methods", _screening_list("recruitment_methods"),
           mapping="same value names, `;`-separated"),
    Column("vic_LocationOfRecruitment", "Screening.recruitment_place, else recruitment_country", _recruitment,
           mapping="P-code, else ISO 3166 alpha-2"),
    Column("vic_MethodsOfControl", "Screening.methods_of_control", _screening_list("methods_of_control"),
           mapping="same value names, `;`-separated"),
    Column("vic_TypeOfExploitation", "Screening.types_of_exploitation", _screening_list("types_of_exploitation"),
           mapping="same value names, `;`-separated"),
    Column("vic_ForcedLabourIndustry", "Screening.forced_labour_industries",
           _screening_list("forced_labour_industries"), mapping="ISIC tier 1 value names, `;`-separated"),
    Column("vic_TypeOfSexExploitation", "Screening.sex_exploitation_types", _screening_list("sex_exploitation_types"),
           mapping="same value names, `;`-separated"),
    Column("vic_LocationOfExploitation", "Screening.exploitation_place, else exploitation_countries", _exploitation,
           mapping="P-code, else ISO 3166 alpha-2 codes `;`-separated"),
    Column("cas_Status", "Case.stage, Case.closure_reason", case_status, mapping="table below"),
    Column("cas_ReasonForCaseClosure", "Case.closure_reason",
           lambda c: str(ClosureReason(c.closure_reason).label) if c.closure_reason else "",
           mapping="the reason's English label"),
    Column("cas_CaseOwner", "Case.case_worker", lambda c: c.case_worker.full_name or c.case_worker.username,
           identifying=True, mapping="the case worker's name"),
    Column("cas_ReferringOrganisation", "Case.referring_organisation", lambda c: c.referring_organisation),
    Column("cas_IncomingReferralDate", "Case.opened_on when the source is a referral",
           lambda c: _date(c.opened_on) if c.source == "referral" else "", mapping="ISO 8601 date"),
    Column("con_Consent", "Consent (purpose: assistance)", _consent,
           mapping="TRUE while a consent to assistance is in force"),
    Column("spl_Type", "Need.domain", lambda c: _joined(sorted({NEED_PLAN_TYPE.get(n.domain, "")
                                                                  for n in c.needs.all()})),
           mapping="table below, `;`-separated"),
    Column("varta_CaseReference", "Case.reference", lambda c: c.reference),
    Column("varta_PersonCategory", "Case.category", lambda c: c.category),
    Column("varta_CaseSource", "Case.source", lambda c: c.source),
    Column("varta_Stage", "Case.stage", lambda c: c.stage),
    Column("varta_OpenedOn", "Case.opened_on", lambda c: _date(c.opened_on), mapping="ISO 8601 date"),
    Column("varta_ClosedOn", "Case.closed_at", lambda c: _date(c.closed_at.date()) if c.closed_at else "",
           mapping="ISO 8601 date"),
    Column("varta_BirthYear", "Person.birth_year", lambda c: str(c.person.birth_year or "")),
    Column("varta_AgeGroup", "Person.age_group", lambda c: c.person.age_group),
    Column("varta_Displacement", "Person.displacement", lambda c: c.person.displacement),
    Column("varta_Disability", "Person.wg_* (Washington Group short set)",
           lambda c: TRUE if c.person.has_disability else FALSE,
           mapping="TRUE with a lot of difficulty, or none possible, in at least one domain"),
    Column("varta_OblastPcode", "Person.location → its oblast", lambda c: (o.pcode if (o := _oblast(c)) else ""),
           mapping="P-code"),
    Column("varta_ServiceTypes", "Service.service_type",
           lambda c: _joined(sorted({s.service_type for s in c.services.all()})),
           mapping="the types of the services delivered, `;`-separated"),
    Column("varta_NrmDecision", "Screening.nrm_decision", _screening_value("nrm_decision")),
    Column("varta_AnonymisedOn", "Case.anonymised_at",
           lambda c: _date(c.anonymised_at.date()) if c.anonymised_at else "", mapping="ISO 8601 date"),
)


def columns(*, identifying: bool = False) -> list[Column]:
    return [c for c in COLUMNS if identifying or not c.identifying]


def header(*, identifying: bool = False) -> list[str]:
    return [c.name for c in columns(identifying=identifying)]


def _prepared(cases: QuerySet[Case]) -> QuerySet[Case]:
    return (cases.select_related("person", "person__citizenship", "person__location__parent__parent__parent",
                                 "case_worker", "screening", "screening__recruitment_country",
                                 "screening__recruitment_place")
            .prefetch_related("screening__exploitation_countries", "consents", "needs", "services")
            .order_by("pk"))


def rows(cases: QuerySet[Case], *, identifying: bool = False) -> Iterator[list[str]]:
    """One row of HTCDS values per case, formula-neutralised; picklist labels in English."""
    chosen = columns(identifying=identifying)
    with translation.override("en"):
        for case in _prepared(cases).iterator(chunk_size=500):
            yield [_cell(column.value(case)) for column in chosen]


def _cell(value: str) -> str:
    return value if E164.fullmatch(value) else safe(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(cases: QuerySet[Case], *, identifying: bool = False) -> Iterator[str]:
    """The CSV line by line (a UTF-8 byte-order mark first, so spreadsheets read Cyrillic right)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header(identifying=identifying))
    for row in rows(cases, identifying=identifying):
        yield writer.writerow(row)


# --- docs/htcds.md ---------------------------------------------------------------------------------------------------


def _table(title: str, head: tuple[str, str], pairs: Iterable[tuple[str, str]]) -> list[str]:
    return [f"### {title}", "", f"| {head[0]} | {head[1]} |", "|---|---|",
            *(f"| `{a}` | {f'`{b}`' if b else '*(blank)*'} |" for a, b in pairs), ""]


def markdown() -> str:
    lines = [
        "# HTCDS mapping",
        "",
        "Generated from `varta/cases/htcds_map.py`; a test keeps this file equal to the table in code. Regenerate it",
        "with `.venv/bin/varta shell --no-imports -c \"from varta.cases.htcds_map import markdown; print(markdown(),",
        "end='')\" > docs/htcds.md`.",
        "",
        "Varta follows IOM's Human Trafficking Case Data Standard v2 (HTCDS): its picklists are in",
        "`varta/core/htcds.py`, and this table maps Varta's fields to HTCDS field names (as in \"HTCDS Field Standards",
        "2.0\"; the XLSForm spells a few differently, e.g. `prs_First_Name`, `vic_Methods_of_Control`). Columns named",
        "`varta_…` are Varta's own, for what HTCDS has no field for.",
        "",
        "The HTCDS export (the page `/cases/export/htcds/`, for roles with `cases.export`) writes one CSV row per",
        "visible case (or one chosen case) with these column names. By default it leaves out every field marked",
        "*identifying*; an organisation admin may include them for a person's own request or a transfer the person",
        "authorised, after a confirmation. Each export is an audit event (`cases.export.htcds`) naming the columns.",
        "Multi-select values are separated by `;`. Text cells a spreadsheet would run as a formula (starting with",
        "`=`, `+`, `-`, `@`, a tab or a carriage return) get a leading `'`; a phone number in E.164 (`+380…`) is left",
        "as it is.",
        "",
        "| HTCDS field | Varta source | identifying | values |",
        "|---|---|---|---|",
    ]
    for c in COLUMNS:
        lines.append(f"| `{c.name}` | {c.source} | {'yes' if c.identifying else ''} | {c.mapping or 'as stored'} |")
    lines += ["", "## Value mappings", ""]
    lines += _table("cas_Status", ("Varta stage", "HTCDS value"),
                    [*((str(s), str(v)) for s, v in STAGE_STATUS.items()),
                     ("closed, reason “referred”", str(CaseStatus.CLOSED_REFERRED))])
    lines += _table("vic_TraffickingStatus (from the person category)", ("Varta category", "HTCDS value"),
                    [(str(v), str(CATEGORY_STATUS.get(v, ""))) for v in PersonCategory.values])
    lines += _table("vic_RelationshipToTrafficker", ("Varta relationship", "HTCDS value"),
                    [(str(v), RELATIONSHIP.get(v, "")) for v in Relationship.values])
    lines += _table("spl_Type (from the needs' domains)", ("Varta need domain", "HTCDS value"),
                    [(str(v), NEED_PLAN_TYPE.get(v, "")) for v in NeedDomain.values])
    return "\n".join(lines)
