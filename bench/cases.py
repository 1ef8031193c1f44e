"""Case management benchmark: 100,000 persons and cases (about five services each), then the pages that matter.

    python bench/cases.py [--scale 0.01] [--requests 100] [--keep]

Without ``DATABASE_URL`` it runs on SQLite, in a file under a new temporary directory. With ``DATABASE_URL``
(``postgres://user@host:port/anything``) it creates a database ``varta_bench`` on that server (``--db-name``),
and drops it at the end (``--keep`` keeps it, and the SQLite directory, for a look afterwards). The throw-away
database is bench/hotline.py's.

1. **Build**: migrations, Ukraine's P-codes, one organisation with ``persons / 2,500`` case workers (teams of five
   under a supervisor) and an org admin, then ``100,000 × scale`` persons, each with one case opened since 2001
   (most of them closed; about 8 % open, so a worker has about 200 open cases), with the case's transitions,
   screening, consents, needs, plan items, about five services, follow-ups and notes, inserted straight into the
   tables (PostgreSQL: ``COPY`` through psycopg; SQLite: ``executemany`` in large transactions). Personal fields are
   encrypted by ``varta.core.crypto.encrypt`` and every person gets its blind-index tokens from
   ``blind_index.tokens_for``, as the write paths do (timed apart: ``encrypt_s``, ``tokens_s``). No audit events
   are written for the synthetic rows: they stand for history.
2. **Pages**, through the whole Django stack (middleware, session, permission check, selectors, templates) with
   the test client and a logged-in session per user, in one process: the case lists (my cases, a supervisor's
   team, the org admin's list of every case; default and filtered), the search before register
   (``POST /cases/register/search/`` with names typed in Cyrillic or Latin, with typos, with or without a date of
   birth, and names of people not registered), and the case page (``GET /cases/<id>/``, which also writes its
   audit event). Median and p95 per page and per group, against the targets of issue 4: lists p95 ≤ 200 ms,
   search p95 ≤ 300 ms, case page p95 ≤ 150 ms (PostgreSQL). The number of SQL queries of one request of each kind
   is reported too.

The last line of the output is one JSON object with every figure. docs/benchmarks.md records the results.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.hotline import _percentile, database_version, log, machine, throwaway_database  # noqa: E402 (after the path)

FULL_SCALE = 100_000
CHUNK = 5_000  # cases per COPY chunk / SQLite transaction
CASES_PER_WORKER = 2_500  # all stages; about 200 of them open
TEAM = 5  # case workers per supervisor
FIRST_YEAR = 2001

# Year → relative number of new cases: reintegration assistance since 2000, more since 2014 and 2022.
YEAR_WEIGHTS = {**{y: 1.0 for y in range(2001, 2014)}, **{y: 2.0 for y in range(2014, 2022)},
                **{y: 4.0 for y in range(2022, 2027)}}
# Stage by the age of the case in days: (upper bound, {stage: weight}).
STAGES_BY_AGE = (
    (7, {"registered": 60, "screening": 40}),
    (30, {"registered": 10, "screening": 40, "planning": 40, "closed": 10}),
    (90, {"screening": 5, "planning": 25, "assistance": 55, "closed": 15}),
    (365, {"assistance": 40, "monitoring": 40, "closed": 20}),
    (730, {"monitoring": 25, "closed": 75}),
    (10**6, {"monitoring": 0.6, "closed": 99.4}),
)
# Days from the stage before (closing from monitoring, or earlier).
DELAYS = {"screening": (0, 10), "planning": (5, 40), "assistance": (3, 30), "monitoring": (60, 300),
          "closed": (180, 540), "closed_early": (5, 60)}
ORDER = ["registered", "screening", "planning", "assistance", "monitoring"]
CATEGORIES = {"actual_victim": 45, "possible_victim": 25, "not_a_victim": 4, "at_risk": 10, "vulnerable_migrant": 5,
              "idp": 7, "tcn": 4}
SOURCES = {"referral": 34, "self_referral": 22, "hotline": 18, "outreach": 14, "law_enforcement": 12}
CLOSURES = {"goals_met": 70, "lost_contact": 10, "relocated": 7, "referred": 6, "declined": 5, "other": 2}
EXPLOITATION = [["ForcedLabour"], ["ForcedLabour"], ["ForcedLabour"], ["SexualExploitation"],
                ["SexualExploitation"], ["ForcedBegging"], ["Servitude", "ForcedLabour"],
                ["ForcedLabour", "SexualExploitation"]]
INDUSTRIES = ["F_Construction", "A_AgricultureForestryAndFishing", "C_Manufacturing",
              "I_AccommodationAndFoodServiceActivities", "T_ActivitiesOfHouseholdsAsEmployers"]
METHODS = ["WithholdsDocuments", "DebtBondage", "FalsePromises", "TakesEarnings", "ExcessiveWorkingHours",
           "PhysicalThreats", "PsychologicalAbuse", "RestrictsFinancialAccess", "ThreatensChildrenFamily"]
RECRUITMENT = ["ThroughAnOnlineAdvertisement", "ThroughOnlineSocialNetworks", "ThroughFriendsOrSocialEvents",
               "ThroughFamilyOrFamilyEvents", "AtWork"]
EXPLOITATION_COUNTRIES = {"PL": 25, "RU": 18, "CZ": 10, "DE": 10, "UA": 12, "TR": 6, "IL": 4, "IT": 4, "LT": 3,
                          "AE": 3, "SK": 3, "HU": 2}
SERVICES = {"medical": 9, "psychosocial": 9, "cash": 8, "legal_aid": 5, "documentation": 4, "in_kind": 4,
            "rehabilitation_stay": 3, "shelter": 3, "vocational": 2.5, "micro_grant": 1.5, "job_placement": 1.5,
            "travel_return": 1, "education": 0.8, "family_tracing": 0.6, "other": 0.5}
DOMAINS = {"medical": "health", "rehabilitation_stay": "health", "psychosocial": "psychosocial", "shelter": "shelter",
           "legal_aid": "legal", "documentation": "documentation", "family_tracing": "family",
           "travel_return": "return", "cash": "economic", "in_kind": "economic", "vocational": "economic",
           "micro_grant": "economic", "job_placement": "economic", "education": "education", "other": "safety"}
PROJECTS = ["EU-PROT-2019-04", "USG-CTIP-2020-11", "NOR-REINT-2021-02", "ECHO-UA-2022-17", "CH-MHPSS-2023-08"]
NOTES = ["Перша зустріч: людина погодилася на допомогу, обговорили безпеку.",
         "Телефонна консультація: стан стабільний, нагадали про візит до лікаря.",
         "Супровід до ЦНАП для відновлення документів.",
         "Обговорили план реінтеграції; людина хоче пройти курси."]
QUESTIONS = ["eco_income", "eco_work", "eco_food", "eco_debt", "eco_savings", "soc_housing", "soc_health",
             "soc_documents", "soc_education", "soc_justice", "psy_safety", "psy_support", "psy_belonging",
             "psy_fairness", "psy_wellbeing"]

# The most frequent Ukrainian names first (they weigh most in the Zipf-like draw), then Faker's lists.
TOP_MALE = ["Олександр", "Сергій", "Андрій", "Володимир", "Дмитро", "Іван", "Микола", "Віктор", "Юрій", "Олег",
            "Василь", "Максим", "Петро", "Михайло", "Віталій"]
TOP_FEMALE = ["Олена", "Наталія", "Тетяна", "Ірина", "Світлана", "Оксана", "Юлія", "Марія", "Анна", "Людмила",
              "Ганна", "Валентина", "Галина", "Вікторія", "Катерина"]
TOP_PATRONYMIC_MALE = ["Олександрович", "Сергійович", "Володимирович", "Миколайович", "Іванович", "Васильович",
                       "Вікторович", "Анатолійович", "Петрович", "Михайлович"]
TOP_PATRONYMIC_FEMALE = ["Олександрівна", "Сергіївна", "Володимирівна", "Миколаївна", "Іванівна", "Василівна",
                         "Вікторівна", "Анатоліївна", "Петрівна", "Михайлівна"]
TOP_FAMILY = ["Мельник", "Шевченко", "Бойко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Ковальчук",
              "Коваль", "Олійник", "Шевчук", "Поліщук", "Бондар", "Ткачук", "Марченко", "Лисенко", "Руденко",
              "Савченко", "Петренко", "Мороз"]
TCN_LOCALES = ["uz_UZ", "az_AZ", "en_IN", "en_NG", "vi_VN"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 100,000 persons and cases (default 1)")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page variant (default 100)")
    parser.add_argument("--db-name", default="varta_bench", help="PostgreSQL database to create and drop")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--build-only", action="store_true", help="build and keep the database, measure nothing")
    parser.add_argument("--seed", type=int, default=4)
    return parser.parse_args(argv)


# --- Names ---------------------------------------------------------------------------------------------------


class NamePools:
    """Names drawn with Zipf-like weights (a few very common names, a long tail), as in a real population."""

    def __init__(self, rng: random.Random) -> None:
        from faker import Faker
        from faker.providers.person.uk_UA import Provider as Ukrainian

        def pool(top: list[str], rest: tuple[str, ...], exponent: float) -> tuple[list[str], list[float]]:
            names = list(dict.fromkeys([*top, *rest]))
            return names, [1 / (rank + 1) ** exponent for rank in range(len(names))]

        self.rng = rng
        self.given = {"m": pool(TOP_MALE, Ukrainian.first_names_male, 0.9),
                      "f": pool(TOP_FEMALE, Ukrainian.first_names_female, 0.9)}
        self.patronymic = {"m": pool(TOP_PATRONYMIC_MALE, Ukrainian.middle_names_male, 0.9),
                           "f": pool(TOP_PATRONYMIC_FEMALE, Ukrainian.middle_names_female, 0.9)}
        self.family = {"m": pool(TOP_FAMILY, Ukrainian.last_names_male, 0.5),
                       "f": pool(TOP_FAMILY, Ukrainian.last_names_female, 0.5)}
        self.foreign: list[tuple[str, str, str]] = []  # (gender, given, family)
        for locale in TCN_LOCALES:
            fake = Faker(locale)
            fake.seed_instance(rng.randrange(2**32))
            for _ in range(200):
                self.foreign.append(("m", fake.first_name_male(), fake.last_name_male()))
                self.foreign.append(("f", fake.first_name_female(), fake.last_name_female()))
        streets = Faker("uk_UA")
        streets.seed_instance(rng.randrange(2**32))
        self.streets = [streets.street_address() for _ in range(2000)]

    def draw(self, table: dict[str, tuple[list[str], list[float]]], gender: str, k: int) -> list[str]:
        names, weights = table[gender]
        return self.rng.choices(names, weights=weights, k=k)


def latin(name: str) -> str:
    from varta.cases.blind_index import transliterate

    return " ".join(word.capitalize() for word in transliterate(name).split())


# --- Build ---------------------------------------------------------------------------------------------------


def build_reference(persons: int) -> dict[str, Any]:
    """Schema, places, the organisation and its case workers (teams of five under a supervisor) and org admin."""
    from django.core.management import call_command

    from varta.accounts import actions as account_actions
    from varta.accounts.permissions import Role
    from varta.audit import writes
    from varta.audit.writes import Actor
    from varta.geo.loader import load
    from varta.geo.models import AdminUnit, Country
    from varta.orgs import actions as org_actions
    from varta.orgs.models import Membership, OrganisationType

    call_command("migrate", interactive=False, verbosity=0)
    load(other_countries=[])
    system = Actor.system()
    ukraine = Country.objects.get(iso2="UA")
    org = org_actions.organisation_create(actor=system, name="Bench cases", acronym="BC",
                                          type=OrganisationType.NATIONAL_NGO, country=ukraine)
    other = org_actions.organisation_create(actor=system, name="Bench partner", acronym="BP",
                                            type=OrganisationType.NATIONAL_NGO, country=ukraine)
    workers_count = max(2, round(persons / CASES_PER_WORKER))

    def member(username: str, role: Role) -> Membership:
        user = account_actions.user_create(actor=system, username=username, full_name=username.replace("_", " "),
                                           password=None)
        return writes.create(Membership(user=user, organisation=org, role=role), actor=system)

    supervisors = [member(f"bench_supervisor_{i + 1}", Role.CASE_SUPERVISOR)
                   for i in range(math.ceil(workers_count / TEAM))]
    workers = [member(f"bench_worker_{i + 1}", Role.CASE_WORKER) for i in range(workers_count)]
    admin = member("bench_orgadmin", Role.ORG_ADMIN)
    hromadas = list(AdminUnit.objects.filter(country_iso3="UKR", level=3).values_list("pcode", flat=True))
    return {
        "organisation": org.pk, "partner": other.pk,
        "workers": [m.user_id for m in workers],
        "supervisor_of": {m.user_id: supervisors[i // TEAM].user_id for i, m in enumerate(workers)},
        "supervisors": [m.user_id for m in supervisors], "admin": admin.user_id,
        "hromadas": hromadas or [None],
        "countries": set(Country.objects.values_list("iso2", flat=True)),
    }


class Tables:
    """The tables the bench fills, their columns in model order and the defaults of columns a row leaves out."""

    def __init__(self) -> None:
        from django.db.models import NOT_PROVIDED

        from varta.cases import models as m

        self.models = {"person": m.Person, "token": m.PersonToken, "case": m.Case, "transition": m.CaseTransition,
                       "screening": m.Screening, "screening_country": m.Screening.exploitation_countries.through,
                       "consent": m.Consent, "need": m.Need, "plan_item": m.PlanItem, "service": m.Service,
                       "follow_up": m.FollowUp, "note": m.CaseNote}
        self.columns: dict[str, list[str]] = {}
        self.defaults: dict[str, dict[str, Any]] = {}
        for name, model in self.models.items():
            fields = [f for f in model._meta.concrete_fields if not (name == "token" and f.primary_key)]
            self.columns[name] = [f.column for f in fields]
            defaults = {}
            for f in fields:
                if f.primary_key or f.null:
                    defaults[f.column] = None
                elif f.default is not NOT_PROVIDED:
                    value = f.get_default()
                    defaults[f.column] = json.dumps(value) if isinstance(value, list | dict) else value
            self.defaults[name] = defaults

    def row(self, name: str, values: dict[str, Any]) -> tuple[Any, ...]:
        defaults = self.defaults[name]
        try:
            return tuple(values[c] if c in values else defaults[c] for c in self.columns[name])
        except KeyError as exc:
            raise RuntimeError(f"the bench gives no value for the required column {name}.{exc}") from None

    def table(self, name: str) -> str:
        return str(self.models[name]._meta.db_table)


class Builder:
    """Rows of every table, ``CHUNK`` cases at a time, with ids from 1 (the foreign keys point at them)."""

    def __init__(self, rng: random.Random, ref: dict[str, Any], tables: Tables, now: datetime) -> None:
        self.rng = rng
        self.ref = ref
        self.tables = tables
        self.now = now
        self.today = now.date()
        self.names = NamePools(rng)
        self.ids = dict.fromkeys(tables.models, 0)
        self.encrypt_s = 0.0
        self.tokens_s = 0.0
        self.references: dict[int, int] = {}
        start = date(FIRST_YEAR, 1, 1)
        self.days = [start + timedelta(days=n) for n in range((self.today - start).days + 1)]
        self.day_weights = [YEAR_WEIGHTS.get(d.year, 4.0) for d in self.days]
        self.countries = [c for c in EXPLOITATION_COUNTRIES if c in ref["countries"]]
        self.country_weights = [EXPLOITATION_COUNTRIES[c] for c in self.countries]
        self.probes: list[dict[str, Any]] = []  # persons the search will look for

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def at(self, day: date, hour: int = 10) -> datetime:
        return datetime(day.year, day.month, day.day, hour, self.rng.randrange(60), tzinfo=UTC)

    def chunks(self, total: int) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
        opened = sorted(self.rng.choices(self.days, weights=self.day_weights, k=total))
        for first in range(0, total, CHUNK):
            rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in self.tables.models}
            for day in opened[first:first + CHUNK]:
                self.one_case(day, rows)
            yield rows

    # --- one person and case -----------------------------------------------------------------------------------

    def person(self, rows: dict[str, list[tuple[Any, ...]]], opened: date) -> int:
        from varta.cases import blind_index
        from varta.core.crypto import encrypt

        rng = self.rng
        gender = "f" if rng.random() < 0.55 else "m"
        if rng.random() < 0.05:  # a third-country national
            gender, given, family = rng.choice(self.names.foreign)
            patronymic, citizenship = "", rng.choice(["UZ", "AZ", "IN", "NG", "VN"])
        else:
            given = self.names.draw(self.names.given, gender, 1)[0]
            family = self.names.draw(self.names.family, gender, 1)[0]
            patronymic = self.names.draw(self.names.patronymic, gender, 1)[0] if rng.random() < 0.85 else ""
            citizenship = "UA"
            if rng.random() < 0.12:  # written in Latin, as in a passport for travel abroad
                given, family, patronymic = latin(given), latin(family), ""
        age = rng.randint(14, 17) if rng.random() < 0.05 else max(18, min(75, round(rng.lognormvariate(3.5, 0.3))))
        birth = opened - timedelta(days=age * 365 + rng.randint(0, 364))
        birth_date = birth.isoformat() if rng.random() < 0.88 else ""
        plain = {"given_name": given, "family_name": family, "patronymic": patronymic, "birth_date": birth_date}
        if rng.random() < 0.8:
            plain["phone"] = f"+38067{rng.randrange(10**7):07d}"
        if rng.random() < 0.1:
            plain["email"] = f"person{rng.randrange(10**6)}@example.org"
        if rng.random() < 0.5:
            plain["address"] = rng.choice(self.names.streets)
        if rng.random() < 0.6:
            plain["id_document_type"] = "id_card"
            plain["id_document_number"] = f"{rng.randrange(10**9):09d}"
        began = time.perf_counter()
        values: dict[str, Any] = {name: encrypt(value) if value else "" for name, value in plain.items()}
        self.encrypt_s += time.perf_counter() - began
        person_id = self.next_id("person")
        values.update({
            "id": person_id, "organisation_id": self.ref["organisation"],
            "gender": "Feminine" if gender == "f" else "Masculine", "birth_year": birth.year if birth_date else None,
            "age_group": _age_group(age),
            "citizenship_id": citizenship if citizenship in self.ref["countries"] else None,
            "displacement": rng.choice(["idp", "idp", "returnee", "host_community", "host_community", "unknown"]),
            "location_id": rng.choice(self.ref["hromadas"]), "created_by_id": None, "created_at": self.at(opened),
            **{f"wg_{d}": "1" for d in ("seeing", "hearing", "walking", "cognition", "selfcare", "communication")},
        })
        rows["person"].append(self.tables.row("person", values))
        began = time.perf_counter()
        tokens = blind_index.tokens_for(names=(given, family, patronymic), birth_date=birth_date)
        self.tokens_s += time.perf_counter() - began
        rows["token"] += [self.tables.row("token", {"organisation_id": self.ref["organisation"],
                                                    "person_id": person_id, "key_id": kid, "kind": kind,
                                                    "token": tok}) for kid, kind, tok in tokens]
        if len(self.probes) < 2000 and rng.random() < 0.05:
            self.probes.append({"person_id": person_id, "given": given, "family": family, "patronymic": patronymic,
                                "birth_date": birth_date})
        return person_id

    def stage(self, opened: date) -> tuple[list[str], str]:
        """The stages the case went through (registration first) and where it is now."""
        age = (self.today - opened).days
        weights = next(w for bound, w in STAGES_BY_AGE if age < bound)
        final = _pick(self.rng, weights)
        if final != "closed":
            return ORDER[: ORDER.index(final) + 1], final
        closed_from = _pick(self.rng, {"monitoring": 80, "assistance": 8, "planning": 5, "screening": 7})
        return ORDER[: ORDER.index(closed_from) + 1], "closed"

    def one_case(self, opened: date, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        rng = self.rng
        ref, row = self.ref, self.tables.row
        org = ref["organisation"]
        person_id = self.person(rows, opened)
        case_id = self.next_id("case")
        worker = rng.choice(ref["workers"])
        supervisor = ref["supervisor_of"][worker]
        path, stage = self.stage(opened)
        # When each stage was reached: typical delays (days) from the stage before, squeezed into the time since
        # the opening when they do not fit.
        steps = [*path[1:], *(["closed"] if stage == "closed" else [])]
        offsets, elapsed = [], 0.0
        for name in steps:
            low, high = DELAYS["closed_early" if name == "closed" and path[-1] != "monitoring" else name]
            elapsed += rng.uniform(low, high)
            offsets.append(elapsed)
        span = max(1.0, (self.now - self.at(opened, 9)).total_seconds() / 86400 - 0.01)
        if offsets and offsets[-1] > span:
            offsets = [o * span / offsets[-1] for o in offsets]
        reached = {"registered": self.at(opened, 9)}
        for name, offset in zip(steps, offsets, strict=True):
            reached[name] = min(self.now - timedelta(minutes=5), self.at(opened, 9) + timedelta(days=offset))
        previous = ""
        for name in [*path, *(["closed"] if stage == "closed" else [])]:
            closing = name == "closed"
            rows["transition"].append(row("transition", {
                "id": self.next_id("transition"), "organisation_id": org, "case_id": case_id, "from_stage": previous,
                "to_stage": name, "by_id": supervisor if closing else worker,
                "approved_by_id": supervisor if closing else None, "at": reached[name]}))
            previous = name
        year = opened.year
        self.references[year] = self.references.get(year, 0) + 1
        closed_at = reached.get("closed")
        rows["case"].append(row("case", {
            "id": case_id, "organisation_id": org, "reference": f"{year}-{self.references[year]:05d}",
            "person_id": person_id, "case_worker_id": worker, "supervisor_id": supervisor,
            "category": _pick(rng, CATEGORIES), "source": _pick(rng, SOURCES), "stage": stage,
            "stage_changed_at": reached[previous], "opened_on": opened,
            "closure_reason": _pick(rng, CLOSURES) if closed_at else "",
            "closure_requested_by_id": worker if closed_at else None,
            "closure_requested_at": closed_at - timedelta(days=2) if closed_at else None, "closed_at": closed_at,
            "created_at": reached["registered"]}))
        end = (closed_at or self.now).date()
        if "screening" in reached:
            self.screening(rows, case_id, opened, reached["screening"].date())
        self.consents(rows, case_id, worker, reached)
        if "planning" in reached:
            self.plan_and_services(rows, case_id, reached, end)
        if "monitoring" in reached:
            self.follow_ups(rows, case_id, reached["monitoring"].date(), end, closed=closed_at is not None)
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3)) if "screening" in reached else 1):
            began = time.perf_counter()
            text = _encrypt(rng.choice(NOTES))
            self.encrypt_s += time.perf_counter() - began
            rows["note"].append(row("note", {"id": self.next_id("note"), "organisation_id": org, "case_id": case_id,
                                             "author_id": worker, "text": text,
                                             "created_at": self.at(_between(rng, opened, end))}))

    def screening(self, rows: dict[str, list[tuple[Any, ...]]], case_id: int, opened: date, on: date) -> None:
        rng = self.rng
        types = rng.choice(EXPLOITATION)
        screening_id = self.next_id("screening")
        end = opened - timedelta(days=rng.randint(3, 120))
        rows["screening"].append(self.tables.row("screening", {
            "id": screening_id, "organisation_id": self.ref["organisation"], "case_id": case_id,
            "types_of_exploitation": json.dumps(types),
            "forced_labour_industries": json.dumps([rng.choice(INDUSTRIES)] if "ForcedLabour" in types else []),
            "sex_exploitation_types": json.dumps(["Prostitution"] if "SexualExploitation" in types else []),
            "methods_of_control": json.dumps(sorted(rng.sample(METHODS, rng.randint(2, 4)))),
            "recruitment_methods": json.dumps([rng.choice(RECRUITMENT)]), "relationship": "recruiter",
            "recruitment_country_id": "UA", "exploitation_start": end - timedelta(days=rng.randint(14, 400)),
            "exploitation_end": end, "trafficking_status": "ActualVictimOfTrafficking" if rng.random() < 0.6 else "",
            "updated_at": self.at(on)}))
        if self.countries:
            rows["screening_country"].append(self.tables.row("screening_country", {
                "id": self.next_id("screening_country"), "screening_id": screening_id,
                "country_id": rng.choices(self.countries, weights=self.country_weights)[0]}))

    def consents(self, rows: dict[str, list[tuple[Any, ...]]], case_id: int, worker: int,
                 reached: dict[str, datetime]) -> None:
        first = (reached.get("screening") or reached["registered"]).date()
        purposes = []
        if "planning" in reached:
            purposes += ["assistance", "statistics"]
        if "monitoring" in reached:
            purposes.append("follow_up")
        for purpose in purposes:
            rows["consent"].append(self.tables.row("consent", {
                "id": self.next_id("consent"), "organisation_id": self.ref["organisation"], "case_id": case_id,
                "purpose": purpose, "given_on": first, "method": "written", "recorded_by_id": worker}))

    def plan_and_services(self, rows: dict[str, list[tuple[Any, ...]]], case_id: int,
                          reached: dict[str, datetime], end: date) -> None:
        rng, row, org = self.rng, self.tables.row, self.ref["organisation"]
        planned = reached["planning"].date()
        assisted = reached.get("assistance")
        count = max(2, min(10, round(rng.gauss(5.6, 1.7))))
        types = rng.choices(list(SERVICES), weights=list(SERVICES.values()), k=count)
        needs: dict[str, int] = {}
        for n, service_type in enumerate(types):
            domain = DOMAINS[service_type]
            if domain not in needs:
                needs[domain] = self.next_id("need")
                rows["need"].append(row("need", {"id": needs[domain], "organisation_id": org, "case_id": case_id,
                                                 "domain": domain, "description": "", "met": end < self.today,
                                                 "created_at": self.at(planned)}))
            target = planned + timedelta(days=rng.randint(3, 45) + 7 * n)
            start = max(assisted.date(), target + timedelta(days=rng.randint(-10, 20))) if assisted else None
            delivered = start is not None and start <= end
            item_id = self.next_id("plan_item")
            rows["plan_item"].append(row("plan_item", {
                "id": item_id, "organisation_id": org, "case_id": case_id, "need_id": needs[domain],
                "service_type": service_type, "target_date": target,
                "status": "done" if delivered else ("cancelled" if end < self.today else "planned")}))
            if not delivered or start is None:
                continue
            length = rng.randint(14, 42) if service_type == "rehabilitation_stay" else rng.randint(0, 60)
            ended = start + timedelta(days=length)
            finished = ended <= end
            currency = rng.choice(("UAH", "UAH", "UAH", "EUR", "USD"))
            rows["service"].append(row("service", {
                "id": self.next_id("service"), "organisation_id": org, "case_id": case_id, "plan_item_id": item_id,
                "service_type": service_type, "started_on": start, "ended_on": ended if finished else None,
                "cost": Decimal(rng.randrange(300, 12000, 50)) if service_type != "job_placement" else None,
                "currency": currency if service_type != "job_placement" else "",
                "project_code": rng.choice(PROJECTS) if service_type != "job_placement" else "",
                "outcome": "completed" if finished else "ongoing", "created_at": self.at(start)}))

    def follow_ups(self, rows: dict[str, list[tuple[Any, ...]]], case_id: int, start: date, end: date, *,
                   closed: bool) -> None:
        rng = self.rng
        last = end if closed else self.today + timedelta(days=120)
        level = rng.uniform(1.6, 3.2)
        for months in (3, 6, 12, 18):
            due = start + timedelta(days=30 * months)
            if due > last:
                break
            values: dict[str, Any] = {"id": self.next_id("follow_up"), "organisation_id": self.ref["organisation"],
                                      "case_id": case_id, "due_on": due}
            if due <= self.today and rng.random() < 0.88:
                level = min(5.0, level + rng.uniform(0, 0.7))
                answers = {q: max(1, min(5, round(rng.gauss(level, 0.8)))) for q in QUESTIONS}
                score = Decimal(str(round((sum(answers.values()) / len(answers) - 1) / 4, 2)))
                values.update({"done_on": min(self.today, due + timedelta(days=rng.randint(-7, 14))),
                               "answers": json.dumps(answers), "economic_score": score, "social_score": score,
                               "psychosocial_score": score, "overall_score": score})
            rows["follow_up"].append(self.tables.row("follow_up", values))


def _encrypt(value: str) -> str:
    from varta.core.crypto import encrypt

    return encrypt(value)


def _age_group(age: int) -> str:
    for group, upper in (("0-17", 17), ("18-24", 24), ("25-34", 34), ("35-49", 49), ("50-64", 64)):
        if age <= upper:
            return group
    return "65+"


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def bulk_load(engine: str, builder: Builder, total: int) -> dict[str, int]:
    """Insert every table, chunk by chunk; return the number of rows per table."""
    from django.db import connection

    tables = builder.tables
    counts = dict.fromkeys(tables.models, 0)
    with connection.cursor() as django_cursor:
        raw = django_cursor.cursor  # the driver's cursor: psycopg's COPY, sqlite3's executemany
        if engine == "postgresql":
            raw.execute("SET session_replication_role = replica")  # no FK triggers for the load (superuser)
        for chunk in builder.chunks(total):
            if engine != "postgresql":
                raw.execute("BEGIN")
            for name, rows in chunk.items():
                if not rows:
                    continue
                columns = tables.columns[name]
                if engine == "postgresql":
                    with raw.copy(f"COPY {tables.table(name)} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    raw.executemany(f"INSERT INTO {tables.table(name)} ({', '.join(columns)}) "
                                    f"VALUES ({', '.join('?' * len(columns))})", map(_sqlite_row, rows))
                counts[name] += len(rows)
            if engine != "postgresql":
                raw.execute("COMMIT")
            log(f"  {counts['case']:,} cases, {counts['service']:,} services, {counts['token']:,} tokens")
        if engine == "postgresql":
            raw.execute("SET session_replication_role = DEFAULT")
            for name in tables.models:
                table = tables.table(name)
                raw.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
            for name in tables.models:
                raw.execute(f"VACUUM ANALYZE {tables.table(name)}")  # Django's connection is in autocommit mode
        else:
            raw.execute("ANALYZE")
    return counts


def _sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Values as Django stores them in SQLite (datetimes naive UTC text, decimals as text)."""
    out = []
    for value in row:
        if isinstance(value, datetime):
            value = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        out.append(value)
    return tuple(out)


# --- Measure -------------------------------------------------------------------------------------------------


def _summary(times: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(times) * 1000, 1), "p95_ms": round(_percentile(times, 0.95) * 1000, 1),
            "n": len(times)}


class Pages:
    """Logged-in test clients and timed requests (each checked for its status code)."""

    def __init__(self) -> None:
        self.clients: dict[int, Any] = {}
        self.last_content = ""

    def client(self, user_id: int) -> Any:
        from django.test import Client

        from varta.accounts.models import User

        if user_id not in self.clients:
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(User.objects.get(pk=user_id), backend="django.contrib.auth.backends.ModelBackend")
            self.clients[user_id] = client
        return self.clients[user_id]

    def timed(self, user_id: int, method: str, url: str, data: dict[str, str] | None = None) -> float:
        client = self.client(user_id)
        began = time.perf_counter()
        response = client.post(url, data) if method == "POST" else client.get(url)
        elapsed = time.perf_counter() - began
        if response.status_code != 200:
            raise RuntimeError(f"{method} {url} as user {user_id}: {response.status_code} "
                               f"{response.content[:300]!r}")
        self.last_content = response.content.decode()
        return elapsed

    def queries(self, user_id: int, method: str, url: str, data: dict[str, str] | None = None) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            self.timed(user_id, method, url, data)
        return len(captured.captured_queries)


Request = tuple[int, str, str, dict[str, str] | None]  # user id, method, URL, POST data


def _measure(pages: Pages, requests: list[Request], *, expect: list[str] | None = None, warm_up: int = 5
             ) -> dict[str, Any]:
    """Median and p95 of the requests; with ``expect``, the share of answers that contain the expected text."""
    for user_id, method, url, data in requests[:warm_up]:
        pages.timed(user_id, method, url, data)
    times, found = [], 0
    for n, (user_id, method, url, data) in enumerate(requests):
        times.append(pages.timed(user_id, method, url, data))
        found += bool(expect) and expect[n] in pages.last_content  # type: ignore[index]
    result = {**_summary(times), "queries": pages.queries(*requests[0])}
    if expect:
        result["found_share"] = round(found / len(requests), 3)
    return result


def list_requests(ref: dict[str, Any], n: int, rng: random.Random) -> dict[str, list[Request]]:
    from django.urls import reverse

    mine, team = reverse("cases:my_cases"), reverse("cases:team")
    workers, supervisors, admin = ref["workers"], ref["supervisors"], ref["admin"]
    year = date.today().year

    def each(users: list[int], url: str) -> list[Request]:
        return [(rng.choice(users), "GET", url, None) for _ in range(n)]

    return {
        "my_cases": each(workers, mine),
        "my_cases_filtered": each(workers, f"{mine}?stage=all&category=actual_victim"),
        "my_cases_overdue": each(workers, f"{mine}?overdue=on"),
        "team": each(supervisors, team),
        "team_filtered": each(supervisors, f"{team}?stage=closed&source=referral&opened_from={year - 5}-01-01"),
        "all_cases": each([admin], team),
        "all_cases_every_stage": each([admin], f"{team}?stage=all"),
        "all_cases_filtered": each([admin], f"{team}?stage=all&category=actual_victim&source=hotline"),
        "all_cases_page_20": each([admin], f"{team}?stage=all&page=20"),
        "all_cases_reference": each([admin], f"{team}?stage=all&q={year - 3}-0"),
    }


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1:] if rng.random() < 0.5 else word[:i] + word[i + 1] + word[i] + word[i + 2:]


def search_requests(ref: dict[str, Any], picked: list[dict[str, Any]], rng: random.Random
                    ) -> dict[str, list[Request]]:
    """Names as a worker types them: exact, in Latin, with a typo, without the date of birth, and new people."""
    from django.urls import reverse

    url = reverse("cases:search")
    workers = ref["workers"]

    def body(given: str, family: str, patronymic: str = "", birth_date: str = "") -> dict[str, str]:
        return {"given_name": given, "family_name": family, "patronymic": patronymic, "birth_date": birth_date}

    n = len(picked)
    return {
        "exact": [(rng.choice(workers), "POST", url, body(p["given"], p["family"], p["patronymic"], p["birth_date"]))
                  for p in picked],
        "latin": [(rng.choice(workers), "POST", url, body(latin(p["given"]), latin(p["family"]), "",
                                                          p["birth_date"])) for p in picked],
        "typo_no_birth_date": [(rng.choice(workers), "POST", url, body(p["given"], _typo(p["family"], rng)))
                               for p in picked],
        "new_person": [(rng.choice(workers), "POST", url,
                        body(rng.choice(TOP_MALE + TOP_FEMALE), rng.choice(TOP_FAMILY) + rng.choice(("ук", "ич", "ко")),
                             "", f"{rng.randint(1960, 2005)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"))
                       for _ in range(n)],
    }


def case_page_requests(n: int, rng: random.Random) -> list[Request]:
    """Case pages opened by their own case worker: random cases, open ones twice as often."""
    from django.urls import reverse

    from varta.cases.models import Case

    total = Case.objects.count()
    open_ids = list(Case.objects.exclude(stage="closed").values_list("pk", "case_worker_id")[:50_000])
    picked: list[Request] = []
    for i in range(n):
        if i % 3 and open_ids:
            case_id, worker = rng.choice(open_ids)
        else:
            case_id = rng.randint(1, total)
            worker = Case.objects.values_list("case_worker_id", flat=True).get(pk=case_id)
        picked.append((worker, "GET", reverse("cases:case_detail", args=[case_id]), None))
    return picked


def measure_pages(ref: dict[str, Any], probes: list[dict[str, Any]], n: int, rng: random.Random
                  ) -> dict[str, Any]:
    import logging

    from varta.cases.models import Case

    logging.getLogger("varta.request").setLevel(logging.WARNING)  # one log line per request otherwise
    pages = Pages()
    result: dict[str, Any] = {"lists": {}, "search": {}}
    for name, requests in list_requests(ref, n, rng).items():
        result["lists"][name] = _measure(pages, requests)
        log(f"  list {name}: {result['lists'][name]}")
    picked = [rng.choice(probes) for _ in range(n)]
    references = dict(Case.objects.filter(person_id__in={p["person_id"] for p in picked})
                      .values_list("person_id", "reference"))
    expect = [references[p["person_id"]] for p in picked]
    for name, requests in search_requests(ref, picked, rng).items():
        result["search"][name] = _measure(pages, requests, expect=None if name == "new_person" else expect)
        log(f"  search {name}: {result['search'][name]}")
    result["case_page"] = _measure(pages, case_page_requests(n, rng))
    log(f"  case page: {result['case_page']}")

    def pooled(group: dict[str, Any]) -> float:
        return max(v["p95_ms"] for v in group.values())

    result["targets"] = {
        "lists_p95_ms_worst": pooled(result["lists"]), "lists_target_ms": 200,
        "search_p95_ms_worst": pooled(result["search"]), "search_target_ms": 300,
        "case_page_p95_ms": result["case_page"]["p95_ms"], "case_page_target_ms": 150,
    }
    return result


# --- Main ----------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    total = max(50, round(FULL_SCALE * args.scale))
    rng = random.Random(args.seed)
    result: dict[str, Any] = {"scale": args.scale, "persons": total, "machine": machine()}
    with throwaway_database(args) as engine:
        result["engine"] = engine
        result["machine"].update(database_version(engine))
        began = time.perf_counter()
        ref = build_reference(total)
        result["build_reference_s"] = round(time.perf_counter() - began, 1)
        result["case_workers"], result["supervisors"] = len(ref["workers"]), len(ref["supervisors"])
        log(f"{engine}: schema and reference data in {result['build_reference_s']} s; loading {total:,} cases")
        began = time.perf_counter()
        builder = Builder(rng, ref, Tables(), datetime.now(UTC) - timedelta(hours=1))
        result["rows"] = bulk_load(engine, builder, total)
        result["build_rows_s"] = round(time.perf_counter() - began, 1)
        result["encrypt_s"], result["tokens_s"] = round(builder.encrypt_s, 1), round(builder.tokens_s, 1)
        from varta.cases.models import Case

        open_cases = Case.objects.exclude(stage="closed").count()
        result["open_cases"] = open_cases
        result["open_cases_per_worker"] = round(open_cases / len(ref["workers"]))
        log(f"loaded {total:,} persons and cases ({open_cases:,} open) in {result['build_rows_s']} s "
            f"(encryption {result['encrypt_s']} s, tokens {result['tokens_s']} s)")
        if args.build_only:
            print(json.dumps(result, ensure_ascii=False))
            return result
        log("measuring the pages")
        result["pages"] = measure_pages(ref, builder.probes, args.requests, rng)
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
