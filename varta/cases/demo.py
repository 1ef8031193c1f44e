"""Demo cases for ``varta quickstart`` and ``varta demo-data`` (a generator of varta.core.demo).

For each new demo organisation with case workers and a supervisor it records a caseload opened since 2019 (more
cases from 2022, with the full-scale invasion): survivors of forced labour in construction, agriculture and
factories abroad (Poland, Russia, Czechia, Germany …) and at home, of sexual exploitation, forced begging and
domestic servitude, and people at risk, displaced people and third-country nationals. Each case follows the
workflow as time allows — registration, screening (HTCDS picklists, the national referral mechanism track),
consents, needs and a plan, about five services (medical, psychosocial, rehabilitation-centre stays, legal aid,
documents, cash in UAH, EUR or USD with donor codes …), follow-ups with reintegration scores, closure approved by
the supervisor — so old cases are mostly closed and recent ones sit in every earlier stage; a few closures wait
for approval and a few cases were reopened. Half of the hotline escalations still pending become cases (source
"hotline escalation") through the register action itself.

Names are invented (Faker: Ukrainian names in Cyrillic, some written in Latin as in a passport; Romanian and
Russian names in Moldova; third-country nationals from Uzbekistan, Azerbaijan, India, Nigeria, Viet Nam,
Pakistan, Turkey). Every person passes ``validate_person`` and every screening ``validate_screening``; personal
fields are encrypted by their fields as in real use and each person gets its blind-index tokens. Rows are inserted
in bulk (``writes.bulk_create``: one audit event per table and organisation). Rows with an ``auto_now_add`` date
(persons, cases, needs, services, notes) carry the day the demo was made there; the dates that tell the story
(opened, transitions, consents, services, follow-ups) are spread over the years.

The size per organisation is ``settings.DEMO_CASES`` (default ``CASES_PER_ORGANISATION``).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from faker import Faker

from varta.accounts.models import User
from varta.accounts.permissions import Role
from varta.audit import writes
from varta.audit.writes import Actor
from varta.cases import blind_index, reintegration
from varta.cases.actions import cases as case_actions
from varta.cases.actions.cases import CaseInput, PersonInput, person_fields, validate_person
from varta.cases.actions.consent import ConsentInput, record_consent
from varta.cases.actions.screening import ScreeningInput, screening_fields, validate_screening
from varta.cases.models import (
    WG_DOMAINS,
    Case,
    CaseNote,
    CaseSource,
    CaseStage,
    CaseTransition,
    ClosureReason,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    FollowUp,
    IdDocumentType,
    Need,
    NeedDomain,
    NrmDecision,
    Person,
    PersonCategory,
    PersonToken,
    PlanItem,
    PlanItemStatus,
    Relationship,
    Screening,
    Service,
    ServiceOutcome,
    ServiceType,
    WgLevel,
)
from varta.core.demo import DemoContext, demo_plan
from varta.core.htcds import (
    DecisionMakingOrg,
    ForcedLabourIndustry,
    Gender,
    MethodOfControl,
    RecruitmentMethod,
    SexExploitationType,
    TraffickingStatus,
    TypeOfExploitation,
)
from varta.geo.models import Country
from varta.hotline.demo import Places
from varta.hotline.models import Displacement, Escalation, EscalationStatus
from varta.orgs.models import Membership, Organisation

T = TypeVar("T")

CASES_PER_ORGANISATION = 300
FIRST_YEAR = 2019
# Year → relative number of new cases: fewer in the pandemic, many more after February 2022.
YEARS = {2019: 0.6, 2020: 0.45, 2021: 0.6, 2022: 1.5, 2023: 1.5, 2024: 1.35, 2025: 1.3, 2026: 1.25}
SEASON = {1: 0.8, 2: 0.85, 3: 0.95, 4: 1.0, 5: 1.05, 6: 1.1, 7: 1.1, 8: 1.15, 9: 1.2, 10: 1.1, 11: 0.95, 12: 0.75}
RECENT_BOOST, RECENT_DAYS = 2.5, 150
SUPERVISOR_OWN_SHARE = 0.15  # cases the supervisor works on personally

COUNTRIES = ("UA", "MD", "PL", "RU", "CZ", "DE", "IT", "TR", "LT", "IL", "AE", "SK", "HU", "RO", "BY", "KZ",
             "UZ", "AZ", "IN", "NG", "VN", "PK", "ES", "PT", "GB", "NL")
MOBILE_UA = ("50", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99")
MOBILE_MD = ("60", "62", "67", "68", "69", "78", "79")
THIRD_COUNTRIES = {"UZ": ("uz_UZ", 30), "AZ": ("az_AZ", 15), "IN": ("en_IN", 15), "NG": ("en_NG", 12),
                   "VN": ("vi_VN", 10), "PK": ("en_PK", 8), "TR": ("tr_TR", 10)}


# --- What happened to the person: profiles of exploitation ------------------------------------------------------


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Profile:
    key: str
    weight_ua: float  # share of the caseload in Ukraine
    weight_md: float  # … in Moldova
    female: float  # share of women
    category: Mapping[str, float]  # PersonCategory → weight
    exploitation: tuple[str, ...] = ()  # TypeOfExploitation values
    industries: Mapping[str, float] = field(default_factory=dict)  # ForcedLabourIndustry → weight (pick 1)
    sex_types: tuple[str, ...] = ()
    countries: Mapping[str, float] = field(default_factory=dict)  # where the exploitation took place
    services: Mapping[str, float] = field(default_factory=dict)  # ServiceType → weight, besides the common ones


_VICTIM: dict[str, float] = {PersonCategory.ACTUAL_VICTIM: 60, PersonCategory.POSSIBLE_VICTIM: 32,
                             PersonCategory.NOT_A_VICTIM: 8}
PROFILES: tuple[Profile, ...] = (
    Profile("labour_abroad", 38, 40, 0.3, _VICTIM, (TypeOfExploitation.FORCED_LABOUR,),
            {ForcedLabourIndustry.F: 38, ForcedLabourIndustry.A: 30, ForcedLabourIndustry.C: 16,
             ForcedLabourIndustry.H: 6, ForcedLabourIndustry.I: 6, ForcedLabourIndustry.G: 4},
            countries={"PL": 30, "RU": 22, "CZ": 14, "DE": 10, "LT": 4, "SK": 4, "HU": 3, "IT": 3, "IL": 3, "TR": 2,
                       "KZ": 2, "NL": 2, "PT": 1},
            services={ServiceType.TRAVEL_RETURN: 2, ServiceType.LEGAL_AID: 2, ServiceType.DOCUMENTATION: 2}),
    Profile("sexual", 17, 24, 0.95, _VICTIM, (TypeOfExploitation.SEXUAL_EXPLOITATION,),
            sex_types=(SexExploitationType.PROSTITUTION, SexExploitationType.PRIVATE, SexExploitationType.REMOTE,
                       SexExploitationType.PORNOGRAPHY),
            countries={"DE": 20, "PL": 18, "TR": 16, "AE": 10, "IL": 8, "RU": 8, "UA": 8, "IT": 6, "ES": 4, "NL": 2},
            services={ServiceType.MEDICAL: 2, ServiceType.PSYCHOSOCIAL: 3, ServiceType.REHABILITATION_STAY: 2,
                      ServiceType.SHELTER: 2}),
    Profile("labour_home", 8, 4, 0.35, _VICTIM, (TypeOfExploitation.FORCED_LABOUR,),
            {ForcedLabourIndustry.A: 35, ForcedLabourIndustry.F: 30, ForcedLabourIndustry.C: 20,
             ForcedLabourIndustry.B: 10, ForcedLabourIndustry.S: 5},
            countries={"UA": 1}, services={ServiceType.LEGAL_AID: 2, ServiceType.SHELTER: 1}),
    Profile("begging", 5, 6, 0.5, _VICTIM, (TypeOfExploitation.FORCED_BEGGING,),
            countries={"RU": 40, "PL": 20, "UA": 25, "CZ": 5, "IT": 10},
            services={ServiceType.MEDICAL: 2, ServiceType.SHELTER: 2, ServiceType.DOCUMENTATION: 2}),
    Profile("servitude", 6, 6, 0.8, _VICTIM, (TypeOfExploitation.SERVITUDE, TypeOfExploitation.FORCED_LABOUR),
            {ForcedLabourIndustry.T: 1},
            countries={"IL": 20, "TR": 15, "IT": 20, "PL": 15, "RU": 15, "AE": 15},
            services={ServiceType.TRAVEL_RETURN: 2, ServiceType.PSYCHOSOCIAL: 2}),
    Profile("labour_sexual", 4, 5, 0.85, _VICTIM,
            (TypeOfExploitation.FORCED_LABOUR, TypeOfExploitation.SEXUAL_EXPLOITATION),
            {ForcedLabourIndustry.I: 60, ForcedLabourIndustry.A: 40}, (SexExploitationType.PROSTITUTION,),
            countries={"PL": 25, "DE": 25, "TR": 25, "RU": 25},
            services={ServiceType.REHABILITATION_STAY: 2, ServiceType.PSYCHOSOCIAL: 2}),
    Profile("at_risk", 14, 10, 0.7, {PersonCategory.AT_RISK: 55, PersonCategory.IDP: 30,
                                     PersonCategory.VULNERABLE_MIGRANT: 15},
            services={ServiceType.CASH: 3, ServiceType.IN_KIND: 2, ServiceType.VOCATIONAL: 2,
                      ServiceType.JOB_PLACEMENT: 2}),
    Profile("third_country", 8, 5, 0.35, {PersonCategory.TCN: 55, PersonCategory.POSSIBLE_VICTIM: 30,
                                          PersonCategory.ACTUAL_VICTIM: 15},
            (TypeOfExploitation.FORCED_LABOUR,),
            {ForcedLabourIndustry.F: 40, ForcedLabourIndustry.A: 30, ForcedLabourIndustry.H: 15,
             ForcedLabourIndustry.I: 15},
            countries={"UA": 70, "PL": 15, "RU": 15},
            services={ServiceType.DOCUMENTATION: 3, ServiceType.LEGAL_AID: 3, ServiceType.TRAVEL_RETURN: 2}),
)

# ServiceType → (weight in a plan, need domain, currencies with their cost range, or no cost)
SERVICES: dict[str, tuple[float, str]] = {
    ServiceType.MEDICAL: (9, NeedDomain.HEALTH),
    ServiceType.REHABILITATION_STAY: (3, NeedDomain.HEALTH),
    ServiceType.PSYCHOSOCIAL: (9, NeedDomain.PSYCHOSOCIAL),
    ServiceType.SHELTER: (3, NeedDomain.SHELTER),
    ServiceType.LEGAL_AID: (5, NeedDomain.LEGAL),
    ServiceType.DOCUMENTATION: (4, NeedDomain.DOCUMENTATION),
    ServiceType.FAMILY_TRACING: (0.6, NeedDomain.FAMILY),
    ServiceType.TRAVEL_RETURN: (1, NeedDomain.RETURN),
    ServiceType.CASH: (8, NeedDomain.ECONOMIC),
    ServiceType.IN_KIND: (4, NeedDomain.ECONOMIC),
    ServiceType.VOCATIONAL: (2.5, NeedDomain.ECONOMIC),
    ServiceType.EDUCATION: (0.8, NeedDomain.EDUCATION),
    ServiceType.MICRO_GRANT: (1.5, NeedDomain.ECONOMIC),
    ServiceType.JOB_PLACEMENT: (1.5, NeedDomain.ECONOMIC),
    ServiceType.OTHER: (0.5, NeedDomain.SAFETY),
}
# Donor or project codes of the (invented) grants that pay for services, with the years they ran.
PROJECTS = (("EU-PROT-2019-04", 2019, 2021), ("USG-CTIP-2020-11", 2020, 2023), ("NOR-REINT-2021-02", 2021, 2024),
            ("ECHO-UA-2022-17", 2022, 2024), ("UKH-EMPW-2022-05", 2022, 2025), ("CH-MHPSS-2023-08", 2023, 2026),
            ("EU-CTHB-2024-03", 2024, 2026), ("CA-TCN-2025-01", 2025, 2026))
OTHER_PROVIDERS: dict[str, list[str]] = {
    ServiceType.MEDICAL: ["Обласна клінічна лікарня", "Центр первинної медико-санітарної допомоги"],
    ServiceType.LEGAL_AID: ["Центр з надання безоплатної правничої допомоги"],
    ServiceType.DOCUMENTATION: ["ЦНАП за місцем перебування", "Державна міграційна служба"],
    ServiceType.JOB_PLACEMENT: ["Державний центр зайнятості"],
    ServiceType.EDUCATION: ["Професійно-технічне училище"],
}
# ServiceType → shortest and longest number of days a service runs (else it is given on one day).
DAYS_OF_SERVICE: dict[str, tuple[int, int]] = {
    ServiceType.REHABILITATION_STAY: (14, 42), ServiceType.SHELTER: (7, 90), ServiceType.PSYCHOSOCIAL: (14, 120),
    ServiceType.VOCATIONAL: (30, 120), ServiceType.EDUCATION: (60, 270), ServiceType.LEGAL_AID: (1, 180),
    ServiceType.MEDICAL: (0, 21), ServiceType.FAMILY_TRACING: (7, 90)}
STATUS_OF_CATEGORY: dict[str, str] = {PersonCategory.ACTUAL_VICTIM: TraffickingStatus.ACTUAL,
                                      PersonCategory.NOT_A_VICTIM: TraffickingStatus.NOT_A_VICTIM}
REHABILITATION_CENTRE = "Центр медичної реабілітації «Віра» / Vira Medical Rehabilitation Centre"
REFERRING = {
    CaseSource.REFERRAL: ["Центр соціальних служб", "Консульство України у Польщі",
                          "Партнерська громадська організація", "Управління соціального захисту населення",
                          "Міжнародна організація (польовий офіс)"],
    CaseSource.LAW_ENFORCEMENT: ["Національна поліція, відділ протидії торгівлі людьми", "Державна прикордонна служба",
                                "Прокуратура області"],
}
NEEDS_TEXT: dict[str, str] = {
    NeedDomain.HEALTH: "Потрібне обстеження після повернення.", NeedDomain.PSYCHOSOCIAL: "Порушення сну, тривога.",
    NeedDomain.SHELTER: "Немає безпечного житла.", NeedDomain.LEGAL: "Борг перед роботодавцем, невиплачена зарплата.",
    NeedDomain.DOCUMENTATION: "Паспорт утримує роботодавець.", NeedDomain.ECONOMIC: "Немає доходу, борги за житло.",
    NeedDomain.RETURN: "Потрібен безпечний шлях додому.", NeedDomain.FAMILY: "Втрачено зв’язок із родиною.",
    NeedDomain.EDUCATION: "Хоче завершити професійне навчання.", NeedDomain.SAFETY: "Погрози від вербувальника.",
}
NOTES = {
    "uk": ["Перша зустріч: людина погодилася на допомогу, обговорили безпеку.",
           "Телефонна консультація: стан стабільний, нагадали про візит до лікаря.",
           "Супровід до ЦНАП для відновлення документів.",
           "Обговорили план реінтеграції; людина хоче пройти курси.",
           "Повідомила про повторні дзвінки від вербувальника; оновили план безпеки.",
           "Візит додому: умови проживання задовільні.",
           "Виплату отримано, звіт про використання коштів подано."],
    "en": ["First meeting: the person agreed to assistance; safety discussed.",
           "Phone check-in: stable; reminded of the medical appointment.",
           "Accompanied to the administrative services centre to replace documents.",
           "Discussed the reintegration plan; the person wants vocational training.",
           "Reports repeated calls from the recruiter; safety plan updated.",
           "Home visit: living conditions adequate.",
           "Cash received; spending report handed in."],
}


def cases_per_organisation() -> int:
    return int(getattr(settings, "DEMO_CASES", CASES_PER_ORGANISATION))


def _pick(rng: random.Random, weights: Mapping[T, float]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


# --- The generator ------------------------------------------------------------------------------------------------


def generate(context: DemoContext) -> None:
    """The varta.core.demo generator: a caseload for each new organisation with a case worker and a supervisor."""
    new = {o.pk for o in context.new_organisations}
    staff: dict[int, dict[str, list[Membership]]] = {}
    for m in context.memberships:
        if m.organisation_id in new and m.role in (Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.ORG_ADMIN):
            staff.setdefault(m.organisation_id, {}).setdefault(m.role, []).append(m)
    teams = {org_id: roles for org_id, roles in staff.items()
             if roles.get(Role.CASE_WORKER) and roles.get(Role.CASE_SUPERVISOR)}
    if not teams:
        return
    places = Places.load()
    countries = {c.iso2: c for c in Country.objects.filter(iso2__in=COUNTRIES)}
    languages = {s.name: s.language for s in demo_plan(scale=context.scale, seed=context.seed)}
    names = Names(context.seed)
    now = timezone.now()
    for organisation in context.new_organisations:
        team = teams.get(organisation.pk)
        if team is None:
            continue
        rng = random.Random(f"{context.seed}:cases:{organisation.name}")
        caseload = Caseload(context=context, organisation=organisation, team=team, places=places,
                            countries=countries, names=names, rng=rng, now=now,
                            partners=[o for o in context.organisations if o.pk != organisation.pk],
                            language=languages.get(organisation.name, "uk"))
        caseload.generate(cases_per_organisation())
        caseload.convert_escalations()


class Names:
    """Faker instances by locale, made once per run (making one costs tens of milliseconds)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.fakers: dict[str, Faker] = {}

    def faker(self, locale: str) -> Faker:
        if locale not in self.fakers:
            self.fakers[locale] = Faker(locale)
            self.fakers[locale].seed_instance(self.seed)
        return self.fakers[locale]


def latin(name: str) -> str:
    """A Cyrillic name as a Ukrainian passport writes it in Latin (close to the 2010 rules): Шевченко → Shevchenko."""
    return " ".join(word.capitalize() for word in blind_index.transliterate(name).split())


@dataclass
class Story:
    """One case, planned in memory (the person, the path through the workflow, what was done) before writing."""

    person: PersonInput
    profile: Profile
    worker: User
    supervisor: User
    category: str
    source: str
    referring: str
    opened: datetime
    steps: list[tuple[str, str, datetime]]  # (from stage, to stage, when), registration first
    closure_reason: str = ""
    closure_requested_at: datetime | None = None
    closed_at: datetime | None = None
    screening: ScreeningInput | None = None
    minor: bool = False

    def reached(self, stage: str) -> datetime | None:
        """When the case first entered ``stage`` (None if it never did)."""
        return next((at for _from, to, at in self.steps if to == stage), None)

    @property
    def stage(self) -> str:
        return self.steps[-1][1]


class Caseload:
    """One organisation's cases."""

    def __init__(self, *, context: DemoContext, organisation: Organisation, team: dict[str, list[Membership]],
                 places: Places, countries: dict[str, Country], names: Names, rng: random.Random, now: datetime,
                 partners: Sequence[Organisation], language: str) -> None:
        self.context = context
        self.actor = context.actor
        self.organisation = organisation
        self.worker = team[Role.CASE_WORKER][0]
        self.supervisor = team[Role.CASE_SUPERVISOR][0]
        admins = team.get(Role.ORG_ADMIN) or []
        self.admin = admins[0] if admins else None
        self.places = places
        self.countries = countries
        self.names = names
        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.tz = timezone.get_default_timezone()
        self.moldovan = organisation.country_id == "MD"
        self.home = "MD" if self.moldovan else "UA"
        self.partners = [p for p in partners if p.country_id == organisation.country_id][:4] or list(partners[:2])
        self.language = "en" if language == "en" else "uk"

    # --- planning the stories ----------------------------------------------------------------------------------

    def opening_times(self, count: int) -> list[datetime]:
        days = [date(FIRST_YEAR, 1, 1) + timedelta(days=n)
                for n in range((self.today - date(FIRST_YEAR, 1, 1)).days + 1)]
        # The caseload has grown lately: the last months weigh more (so every stage has cases to show).
        weights = [YEARS.get(d.year, 1.0) * SEASON[d.month] * (0.35 if d.weekday() >= 5 else 1.0)
                   * (1 + RECENT_BOOST * math.exp(-(self.today - d).days / RECENT_DAYS)) for d in days]
        chosen = sorted(self.rng.choices(days, weights=weights, k=count))
        moments = []
        for day in chosen:
            moment = datetime.combine(day, time(self.rng.randint(8, 17), self.rng.randrange(60)), tzinfo=self.tz)
            moments.append(min(moment, self.now - timedelta(minutes=self.rng.randint(5, 120))))
        return moments

    def story(self, opened: datetime) -> Story:
        rng = self.rng
        profile = _pick(rng, {p: p.weight_md if self.moldovan else p.weight_ua for p in PROFILES})
        person, minor = self.person(profile, opened.date())
        worker = self.supervisor if rng.random() < SUPERVISOR_OWN_SHARE else self.worker
        category = _pick(rng, profile.category)
        source = _pick(rng, {CaseSource.REFERRAL: 34, CaseSource.SELF_REFERRAL: 22, CaseSource.HOTLINE: 18,
                             CaseSource.OUTREACH: 14, CaseSource.LAW_ENFORCEMENT: 12})
        referring = rng.choice(REFERRING[source]) if source in REFERRING else ""
        story = Story(person=person, profile=profile, worker=worker.user, supervisor=self.supervisor.user,
                      category=category, source=source, referring=referring, opened=opened,
                      steps=[("", CaseStage.REGISTERED, opened)], minor=minor)
        self.walk(story)
        if story.reached(CaseStage.SCREENING):
            story.screening = self.screening(story)
        return story

    def walk(self, story: Story) -> None:
        """Move the case along the workflow with plausible delays, up to now; close, or ask to close, on the way."""
        rng = self.rng
        delays = {  # days to reach each stage from the one before
            CaseStage.SCREENING: rng.lognormvariate(math.log(5), 0.8), CaseStage.PLANNING: rng.uniform(4, 40),
            CaseStage.ASSISTANCE: rng.uniform(2, 30), CaseStage.MONITORING: rng.lognormvariate(math.log(150), 0.5),
        }
        roll = rng.random()
        stop_at: str | None = None  # the stage from which the case is closed early
        if roll < 0.07:
            stop_at, reason = CaseStage.SCREENING, _pick(rng, {ClosureReason.DECLINED: 4, ClosureReason.NOT_ELIGIBLE: 4,
                                                               ClosureReason.LOST_CONTACT: 2})
        elif roll < 0.11:
            stop_at, reason = CaseStage.PLANNING, _pick(rng, {ClosureReason.DECLINED: 5, ClosureReason.REFERRED: 3,
                                                              ClosureReason.LOST_CONTACT: 2})
        elif roll < 0.17:
            stop_at, reason = CaseStage.ASSISTANCE, _pick(rng, {ClosureReason.LOST_CONTACT: 4,
                                                                ClosureReason.RELOCATED: 4,
                                                                ClosureReason.REFERRED: 2})
        else:
            stop_at, reason = CaseStage.MONITORING, _pick(rng, {
                ClosureReason.GOALS_MET: 78, ClosureReason.LOST_CONTACT: 9, ClosureReason.RELOCATED: 7,
                ClosureReason.REFERRED: 4, ClosureReason.DECEASED: 0.5, ClosureReason.OTHER: 1.5})
        at = story.opened
        for stage, delay in delays.items():
            at = at + timedelta(days=delay, hours=rng.uniform(0, 6))
            if at > self.now:
                return
            story.steps.append((story.stage, stage, at))
            if stage == stop_at:
                break
        stay = rng.lognormvariate(math.log(240), 0.5) if stop_at == CaseStage.MONITORING else rng.uniform(5, 60)
        close_at = at + timedelta(days=stay)
        requested = close_at - timedelta(days=rng.uniform(0.2, 8))
        if requested > self.now:
            return
        story.closure_reason = reason
        story.closure_requested_at = max(requested, at + timedelta(hours=1))
        if close_at > self.now:
            return  # the closure waits for the supervisor's approval
        story.closed_at = close_at
        story.steps.append((story.stage, CaseStage.CLOSED, close_at))
        reopen_at = close_at + timedelta(days=rng.uniform(20, 200))
        if rng.random() < 0.02 and reopen_at < self.now:  # the person came back: reopened by the supervisor
            back_to = story.steps[-2][1]
            story.steps.append((CaseStage.CLOSED, back_to, reopen_at))
            story.closed_at = None
            story.closure_reason = ""
            story.closure_requested_at = None

    def person(self, profile: Profile, opened: date) -> tuple[PersonInput, bool]:
        rng = self.rng
        female = rng.random() < profile.female
        if profile.key == "third_country" or (not self.moldovan and rng.random() < 0.015):
            citizenship = _pick(rng, {c: w for c, (_locale, w) in THIRD_COUNTRIES.items()})
            locale, script = THIRD_COUNTRIES[citizenship][0], "latin"
        elif self.moldovan and rng.random() < 0.7:
            citizenship, script = "MD", "latin"
            locale = "ru_RU" if rng.random() < 0.2 else "ro_RO"  # Russian-speaking Moldovans write in Cyrillic
            if locale == "ru_RU":
                script = "cyrillic"
        else:
            citizenship, locale = "UA", "uk_UA"
            script = "latin" if rng.random() < 0.12 else "cyrillic"  # copied from a passport for travel abroad
        fake = self.names.faker(locale)
        given = fake.first_name_female() if female else fake.first_name_male()
        family = fake.last_name_female() if female else fake.last_name_male()
        patronymic = ""
        if locale in ("uk_UA", "ru_RU") and rng.random() < 0.8:
            patronymic = fake.middle_name_female() if female else fake.middle_name_male()
        if script == "latin" and locale == "uk_UA":
            given, family, patronymic = latin(given), latin(family), ""
        minor = rng.random() < 0.05
        age = rng.randint(14, 17) if minor else max(18, min(72, round(rng.lognormvariate(math.log(33), 0.3))))
        birth = opened - timedelta(days=age * 365 + rng.randint(0, 364))
        data = PersonInput(given_name=given, family_name=family, patronymic=patronymic,
                           gender=Gender.FEMININE if female else Gender.MASCULINE,
                           citizenship=self.countries.get(citizenship))
        known = rng.random()
        if known < 0.85:
            data.birth_date = birth
        elif known < 0.95:
            data.birth_year = birth.year
        if rng.random() < 0.8:
            data.phone = (f"+373{rng.choice(MOBILE_MD)}{rng.randrange(10**6):06d}" if citizenship == "MD"
                          else f"+380{rng.choice(MOBILE_UA)}{rng.randrange(10**7):07d}")
        if rng.random() < 0.15:
            initial, surname = blind_index.transliterate(given)[:1], blind_index.transliterate(family)
            local = re.sub(r"[^a-z]", "", surname) or "contact"
            data.email = f"{initial if initial.isascii() and initial.isalpha() else 'x'}.{local}" \
                         f"{rng.randint(1, 99)}@example.org"
        in_moldova = self.moldovan and (citizenship == "MD" or rng.random() < 0.6)
        data.location = self.places.in_moldova(rng) if in_moldova else self.places.in_ukraine(rng)
        if rng.random() < 0.6:
            street = self.names.faker("uk_UA" if data.location is None or data.location.country_iso3 == "UKR"
                                      else "ro_RO").street_address()
            data.address = f"{street}, {data.location.name}" if data.location is not None else street
        if rng.random() < 0.7:
            if minor:
                data.id_document_type = IdDocumentType.BIRTH_CERTIFICATE
                data.id_document_number = f"I-{rng.choice('АБВГ')}{rng.choice('АБВГ')} {rng.randrange(10**6):06d}"
            elif citizenship not in ("UA", "MD"):
                data.id_document_type = _pick(rng, {IdDocumentType.PASSPORT: 6, IdDocumentType.RESIDENCE_PERMIT: 4})
                data.id_document_number = f"{rng.choice('ABCDKN')}{rng.randrange(10**7):07d}"
            else:
                data.id_document_type = _pick(rng, {IdDocumentType.ID_CARD: 5, IdDocumentType.PASSPORT: 2,
                                                    IdDocumentType.INTERNATIONAL_PASSPORT: 3,
                                                    IdDocumentType.IDP_CERTIFICATE: 1})
                data.id_document_number = (f"{rng.randrange(10**9):09d}" if data.id_document_type in (
                    IdDocumentType.ID_CARD, IdDocumentType.IDP_CERTIFICATE)
                    else f"{rng.choice(('FE', 'FK', 'FX', 'EA', 'GT'))}{rng.randrange(10**6):06d}")
        if citizenship not in ("UA", "MD"):
            data.displacement = Displacement.TCN
        elif self.moldovan and citizenship == "UA":
            data.displacement = Displacement.REFUGEE_ABROAD
        elif self.moldovan:
            data.displacement = _pick(rng, {Displacement.HOST_COMMUNITY: 8, Displacement.RETURNEE: 2})
        else:
            data.displacement = _pick(rng, {Displacement.IDP: 34 if opened.year >= 2022 else 8,
                                            Displacement.RETURNEE: 25, Displacement.HOST_COMMUNITY: 32,
                                            Displacement.REFUGEE_ABROAD: 4, Displacement.UNKNOWN: 5})
        roll = rng.random()
        if roll < 0.9:
            data.disability = {name: WgLevel.NO_DIFFICULTY for name, _label in WG_DOMAINS}
            if roll < 0.08:
                data.disability[rng.choice(WG_DOMAINS)[0]] = rng.choice((WgLevel.SOME, WgLevel.A_LOT, WgLevel.CANNOT))
        return validate_person(data, today=opened), minor

    def screening(self, story: Story) -> ScreeningInput:
        rng = self.rng
        profile = story.profile
        screened = story.reached(CaseStage.SCREENING)
        assert screened is not None
        data = ScreeningInput()
        if profile.exploitation:
            data.types_of_exploitation = list(profile.exploitation)
            if profile.industries:
                data.forced_labour_industries = [_pick(rng, profile.industries)]
            if profile.sex_types:
                data.sex_exploitation_types = [rng.choice(profile.sex_types)]
            data.methods_of_control = rng.sample(
                [MethodOfControl.WITHHOLDS_DOCUMENTS, MethodOfControl.DEBT_BONDAGE, MethodOfControl.FALSE_PROMISES,
                 MethodOfControl.TAKES_EARNINGS, MethodOfControl.EXCESSIVE_HOURS, MethodOfControl.PHYSICAL_THREATS,
                 MethodOfControl.PSYCHOLOGICAL_ABUSE, MethodOfControl.RESTRICTS_FINANCIAL_ACCESS,
                 MethodOfControl.THREATENS_FAMILY, MethodOfControl.WITHHOLDS_NECESSITIES,
                 MethodOfControl.PHYSICAL_ABUSE]
                + ([MethodOfControl.SEXUAL_ABUSE, MethodOfControl.PSYCHOACTIVE_SUBSTANCE]
                   if TypeOfExploitation.SEXUAL_EXPLOITATION in profile.exploitation else []),
                rng.randint(2, 5))
            data.recruitment_methods = [_pick(rng, {
                RecruitmentMethod.ONLINE_ADVERT: 30, RecruitmentMethod.SOCIAL_NETWORKS: 25,
                RecruitmentMethod.FRIENDS: 25, RecruitmentMethod.FAMILY: 8, RecruitmentMethod.AT_WORK: 6,
                RecruitmentMethod.NEWSPAPER_ADVERT: 3, RecruitmentMethod.OTHER: 3})]
            data.relationship = _pick(rng, {Relationship.RECRUITER: 40, Relationship.EMPLOYER: 22,
                                            Relationship.FRIEND: 18, Relationship.STRANGER: 8,
                                            Relationship.INTIMATE_PARTNER: 6 if profile.female > 0.5 else 1,
                                            Relationship.FAMILY: 4, Relationship.OTHER: 2})
            citizenship = story.person.citizenship
            data.recruitment_country = citizenship if citizenship is not None and rng.random() < 0.85 else \
                self.countries.get(self.home)
            if data.recruitment_country is not None and data.recruitment_country.iso2 == self.home:
                place = story.person.location
                if place is not None and place.country_iso3 == data.recruitment_country.iso3:
                    data.recruitment_place = place
            where = self.countries.get(_pick(rng, profile.countries))
            data.exploitation_countries = [where] if where is not None else []
            if where is not None and where.iso2 == "UA" and not self.moldovan:
                data.exploitation_place = self.places.in_ukraine(rng)
            months = rng.lognormvariate(math.log(5), 0.8)
            end = story.opened.date() - timedelta(days=rng.randint(3, 120))
            data.exploitation_start = end - timedelta(days=max(7, round(months * 30)))
            data.exploitation_end = end
            if story.category in (PersonCategory.ACTUAL_VICTIM, PersonCategory.NOT_A_VICTIM) or rng.random() < 0.3:
                data.trafficking_status = STATUS_OF_CATEGORY.get(story.category, TraffickingStatus.POSSIBLE)
                data.decided_by = _pick(rng, {DecisionMakingOrg.NGO: 45, DecisionMakingOrg.GOVERNMENT: 30,
                                              DecisionMakingOrg.POLICE: 20, DecisionMakingOrg.COURT: 5})
                data.decided_on = min(self.today, screened.date() + timedelta(days=rng.randint(0, 30)))
            if not self.moldovan and story.category == PersonCategory.ACTUAL_VICTIM and rng.random() < 0.6:
                self.nrm(data, screened.date())
        return validate_screening(data, today=self.today)

    def nrm(self, data: ScreeningInput, screened: date) -> None:
        """The national referral mechanism: application, interview, the Ministry's decision — as far as time allows."""
        rng = self.rng
        applied = screened + timedelta(days=rng.randint(1, 30))
        if applied > self.today:
            return
        data.nrm_applied_on = applied
        interview = applied + timedelta(days=rng.randint(5, 25))
        if interview > self.today:
            data.nrm_decision = NrmDecision.PENDING
            return
        data.nrm_interview_on = interview
        decided = interview + timedelta(days=rng.randint(10, 45))
        if decided > self.today:
            data.nrm_decision = NrmDecision.PENDING
            return
        data.nrm_decision = NrmDecision.GRANTED if rng.random() < 0.82 else NrmDecision.REFUSED
        data.nrm_decision_on = decided

    # --- writing -----------------------------------------------------------------------------------------------

    def generate(self, count: int) -> list[Case]:
        stories = [self.story(moment) for moment in self.opening_times(count)]
        org_id = self.organisation.pk
        persons = writes.bulk_create(
            [Person(organisation_id=org_id, created_by=s.worker, **person_fields(s.person)) for s in stories],
            actor=self.actor, action="cases.person.demo_create")
        PersonToken.objects.bulk_create(
            (PersonToken(organisation_id=org_id, person=person, key_id=kid, kind=kind, token=tok)
             for person, story in zip(persons, stories, strict=True)
             for kid, kind, tok in blind_index.tokens_for(
                names=(story.person.given_name, story.person.family_name, story.person.patronymic),
                birth_date=story.person.birth_date.isoformat() if story.person.birth_date else "")),
            batch_size=2000)
        numbers: dict[int, int] = {}
        cases = []
        for person, story in zip(persons, stories, strict=True):
            year = story.opened.year
            numbers[year] = numbers.get(year, 0) + 1
            closed = story.closed_at is not None
            cases.append(Case(
                organisation_id=org_id, reference=f"{year}-{numbers[year]:05d}", person=person,
                case_worker=story.worker, supervisor=story.supervisor, category=story.category,
                source=story.source, referring_organisation=story.referring, stage=story.stage,
                stage_changed_at=story.steps[-1][2], opened_on=story.opened.date(),
                closure_reason=story.closure_reason,
                closure_requested_by=story.worker if story.closure_requested_at else None,
                closure_requested_at=story.closure_requested_at, closed_at=story.closed_at if closed else None))
        cases = writes.bulk_create(cases, actor=self.actor, action="cases.case.demo_create")
        self.transitions(cases, stories)
        self.screenings(cases, stories)
        self.assistance(cases, stories)
        self.notes(cases, stories)
        return cases

    def approver(self, story: Story) -> User:
        """Who approves a closure: the supervisor, or the org admin when the supervisor asked for it."""
        if story.worker == story.supervisor and self.admin is not None:
            return self.admin.user
        return story.supervisor

    def transitions(self, cases: list[Case], stories: list[Story]) -> None:
        rows = []
        for case, story in zip(cases, stories, strict=True):
            for from_stage, to_stage, at in story.steps:
                closing = to_stage == CaseStage.CLOSED
                by = self.approver(story) if closing or from_stage == CaseStage.CLOSED else story.worker
                rows.append(CaseTransition(organisation_id=case.organisation_id, case=case, from_stage=from_stage,
                                           to_stage=to_stage, by=by, approved_by=by if closing else None, at=at))
        writes.bulk_create(rows, actor=self.actor, action="cases.transition.demo_create")

    def screenings(self, cases: list[Case], stories: list[Story]) -> None:
        pairs = [(case, story.screening) for case, story in zip(cases, stories, strict=True) if story.screening]
        screenings = writes.bulk_create(
            [Screening(organisation_id=case.organisation_id, case=case, **screening_fields(data))
             for case, data in pairs], actor=self.actor, action="cases.screening.demo_create")
        through = Screening.exploitation_countries.through
        writes.bulk_create(
            [through(screening_id=screening.pk, country_id=country.pk)
             for screening, (_case, data) in zip(screenings, pairs, strict=True)
             for country in data.exploitation_countries],
            actor=self.actor, action="cases.screening.demo_create_countries")

    def assistance(self, cases: list[Case], stories: list[Story]) -> None:
        """Consents, needs, plan items, services and follow-ups, in that order (each refers to the one before)."""
        consents: list[Consent] = []
        needs: list[Need] = []
        items: list[tuple[PlanItem, Need | None]] = []
        services: list[tuple[Service, PlanItem | None]] = []
        follow_ups: list[FollowUp] = []
        for case, story in zip(cases, stories, strict=True):
            plan = self.plan(case, story)
            consents += self.consents(case, story, {p.provider for p in plan[1] if p.provider is not None})
            needs += plan[0]
            items += [(item, need) for item, need in zip(plan[1], plan[2], strict=True)]
            services += self.services(case, story, plan[1])
            follow_ups += self.follow_ups(case, story)
        writes.bulk_create(consents, actor=self.actor, action="cases.consent.demo_create")
        writes.bulk_create(needs, actor=self.actor, action="cases.need.demo_create")
        for item, need in items:
            item.need = need  # the need has its id now
        writes.bulk_create([item for item, _need in items], actor=self.actor, action="cases.plan_item.demo_create")
        for service, answered in services:
            service.plan_item = answered  # saved just above: it has its id now
        writes.bulk_create([service for service, _item in services], actor=self.actor,
                           action="cases.service.demo_create")
        writes.bulk_create(follow_ups, actor=self.actor, action="cases.follow_up.demo_create")

    def consents(self, case: Case, story: Story, providers: set[Organisation]) -> list[Consent]:
        rng = self.rng
        method = ConsentMethod.GUARDIAN if story.minor else _pick(rng, {
            ConsentMethod.WRITTEN: 78, ConsentMethod.VERBAL: 16, ConsentMethod.ELECTRONIC: 6})
        first = (story.reached(CaseStage.SCREENING) or story.opened).date()
        rows = []

        def add(purpose: str, on: date, recipient: Organisation | None = None) -> None:
            rows.append(Consent(organisation_id=case.organisation_id, case=case, purpose=purpose, recipient=recipient,
                                given_on=min(on, self.today), method=method, recorded_by=story.worker))

        if story.reached(CaseStage.PLANNING) or (story.reached(CaseStage.SCREENING) and rng.random() < 0.6):
            add(ConsentPurpose.ASSISTANCE, first)
            if rng.random() < 0.85:
                add(ConsentPurpose.STATISTICS, first)
                if rng.random() < 0.03:
                    rows[-1].withdrawn_on = _between(rng, rows[-1].given_on, self.today)
        planning = story.reached(CaseStage.PLANNING)
        for provider in sorted(providers, key=lambda o: o.pk):
            add(ConsentPurpose.REFERRAL, planning.date() if planning else first, provider)
        monitoring = story.reached(CaseStage.MONITORING)
        if monitoring is not None:
            add(ConsentPurpose.FOLLOW_UP, monitoring.date() - timedelta(days=rng.randint(0, 20)))
        return rows

    def plan(self, case: Case, story: Story) -> tuple[list[Need], list[PlanItem], list[Need | None]]:
        """The needs and the plan (one item per planned service) of a case that reached planning."""
        rng = self.rng
        planned_at = story.reached(CaseStage.PLANNING)
        if planned_at is None:
            return [], [], []
        weights = {t: w for t, (w, _domain) in SERVICES.items()}
        for service_type, extra in story.profile.services.items():
            weights[service_type] = weights[service_type] * (1 + extra)
        if story.person.citizenship is None or story.person.citizenship.iso2 == self.home:
            weights[ServiceType.TRAVEL_RETURN] *= 0.3
        count = max(2, min(9, round(rng.gauss(5.3, 1.6))))
        chosen: list[str] = []
        for _attempt in range(count * 4):
            if len(chosen) >= count:
                break
            service_type = _pick(rng, weights)
            if service_type not in chosen or service_type in (ServiceType.CASH, ServiceType.PSYCHOSOCIAL,
                                                              ServiceType.MEDICAL):
                chosen.append(service_type)
        needs: dict[str, Need] = {}
        items: list[PlanItem] = []
        item_needs: list[Need | None] = []
        closed = story.closed_at is not None
        for n, service_type in enumerate(chosen):
            domain = SERVICES[service_type][1]
            if domain not in needs:
                needs[domain] = Need(organisation_id=case.organisation_id, case=case, domain=domain,
                                     description=NEEDS_TEXT[domain] if rng.random() < 0.4 else "",
                                     met=closed and story.closure_reason == ClosureReason.GOALS_MET)
            late = service_type in (ServiceType.VOCATIONAL, ServiceType.MICRO_GRANT, ServiceType.JOB_PLACEMENT,
                                    ServiceType.EDUCATION)
            target = planned_at.date() + timedelta(days=rng.randint(60, 240) if late else rng.randint(3, 45) + 7 * n)
            provider = rng.choice(self.partners) if self.partners and rng.random() < 0.12 else None  # None: own
            items.append(PlanItem(organisation_id=case.organisation_id, case=case, service_type=service_type,
                                  provider=provider, target_date=target, status=PlanItemStatus.PLANNED))
            item_needs.append(needs[domain])
        return list(needs.values()), items, item_needs

    def services(self, case: Case, story: Story, items: list[PlanItem]) -> list[tuple[Service, PlanItem | None]]:
        """Services delivered for the plan items whose time came while the case was in assistance or later."""
        rng = self.rng
        started = story.reached(CaseStage.ASSISTANCE)
        if started is None:
            for item in items:
                if story.closed_at is not None:
                    item.status = PlanItemStatus.CANCELLED
            return []
        end = (story.closed_at or self.now).date()
        rows: list[tuple[Service, PlanItem | None]] = []
        for item in items:
            on = max(started.date(), item.target_date + timedelta(days=rng.randint(-10, 20)))
            if on > end or rng.random() < 0.06:  # not yet, or not delivered
                if story.closed_at is not None:
                    item.status = PlanItemStatus.CANCELLED
                continue
            item.status = PlanItemStatus.DONE
            rows.append((self.service(case, item.service_type, on, end, item.provider), item))
        if story.reached(CaseStage.MONITORING) and rng.random() < 0.3:  # an extra round of cash or counselling
            on = _between(rng, story.reached(CaseStage.MONITORING).date(), end)  # type: ignore[union-attr]
            rows.append((self.service(case, rng.choice((ServiceType.CASH, ServiceType.PSYCHOSOCIAL)), on, end,
                                      None), None))
        return rows

    def service(self, case: Case, service_type: str, on: date, end: date, provider: Organisation | None) -> Service:
        rng = self.rng
        row = Service(organisation_id=case.organisation_id, case=case, service_type=service_type, provider=provider,
                      started_on=on, outcome=ServiceOutcome.COMPLETED)
        length = DAYS_OF_SERVICE.get(service_type, (0, 0))
        ended = on + timedelta(days=rng.randint(*length))
        if ended > end:  # still running, or cut short by the closure
            row.outcome = ServiceOutcome.ONGOING if end >= self.today else ServiceOutcome.PARTIAL
            row.ended_on = None if end >= self.today else end
        else:
            row.ended_on = ended
            if rng.random() < 0.05:
                row.outcome = _pick(rng, {ServiceOutcome.PARTIAL: 3, ServiceOutcome.DISCONTINUED: 1})
        if provider is None and service_type in OTHER_PROVIDERS and rng.random() < 0.35:
            row.provider_other = rng.choice(OTHER_PROVIDERS[service_type])  # a state service, free of charge
        elif service_type == ServiceType.REHABILITATION_STAY:
            row.provider, row.provider_other = None, REHABILITATION_CENTRE  # paid for by the organisation
        if not row.provider_other or service_type == ServiceType.REHABILITATION_STAY:
            self.cost(row, length=(row.ended_on - on).days if row.ended_on else 0)
        return row

    def cost(self, row: Service, *, length: int) -> None:
        """Cost, currency and the donor's project code (services given free of charge by the state have none)."""
        rng = self.rng
        money: dict[str, tuple[str, int, int]] = {  # type → (currency, lowest, highest)
            ServiceType.MEDICAL: ("UAH", 400, 9000), ServiceType.PSYCHOSOCIAL: ("UAH", 1200, 6000),
            ServiceType.SHELTER: ("UAH", 3000, 24000), ServiceType.LEGAL_AID: ("UAH", 1500, 12000),
            ServiceType.DOCUMENTATION: ("UAH", 300, 2500), ServiceType.IN_KIND: ("UAH", 600, 4500),
            ServiceType.VOCATIONAL: ("UAH", 6000, 22000), ServiceType.EDUCATION: ("UAH", 5000, 30000),
        }
        if row.service_type == ServiceType.REHABILITATION_STAY:
            currency, amount = "UAH", Decimal(max(length, 1) * rng.choice((950, 1100, 1250)))
        elif row.service_type == ServiceType.CASH:
            currency = _pick(rng, {"UAH": 70, "EUR": 18, "USD": 12})
            amount = Decimal({"UAH": rng.choice((3600, 7200, 10800)), "EUR": rng.choice((150, 200, 300, 450)),
                              "USD": rng.choice((200, 300, 500))}[currency])
        elif row.service_type == ServiceType.MICRO_GRANT:
            currency = _pick(rng, {"USD": 60, "EUR": 40})
            amount = Decimal(rng.randrange(1000, 3600, 100))
        elif row.service_type == ServiceType.TRAVEL_RETURN:
            currency, amount = "EUR", Decimal(rng.randrange(60, 480, 5))
        elif row.service_type in money:
            currency, low, high = money[row.service_type]
            amount = Decimal(rng.randrange(low, high, 50))
        else:
            return
        row.cost, row.currency = amount.quantize(Decimal("0.01")), currency
        year = row.started_on.year
        running = [code for code, first, last in PROJECTS if first <= year <= last]
        row.project_code = rng.choice(running) if running else PROJECTS[0][0]

    def follow_ups(self, case: Case, story: Story) -> list[FollowUp]:
        """Follow-ups at 3, 6, 12 and 18 months of monitoring; the scores rise as reintegration goes on."""
        rng = self.rng
        monitoring = story.reached(CaseStage.MONITORING)
        if monitoring is None:
            return []
        rows = []
        end = story.closed_at.date() if story.closed_at else self.today + timedelta(days=120)
        level = rng.uniform(1.6, 3.2)  # where the person starts, on the questionnaire's 1–5 scale
        for months in (3, 6, 12, 18):
            due = monitoring.date() + timedelta(days=months * 30)
            if due > end:
                break
            row = FollowUp(organisation_id=case.organisation_id, case=case, due_on=due)
            if due <= self.today and rng.random() < 0.88:
                row.done_on = min(self.today, due + timedelta(days=rng.randint(-7, 14)))
                level = min(5.0, level + rng.uniform(0.0, 0.7))
                self.score(row, level)
            rows.append(row)
        return rows

    def score(self, row: FollowUp, level: float) -> None:
        """Answer the questionnaire around ``level`` and let reintegration.py compute the scores."""
        rng = self.rng
        answers = {q.code: max(1, min(5, round(rng.gauss(level, 0.8)))) for q in reintegration.QUESTIONS
                   if rng.random() < 0.95}  # now and then a statement is left unanswered
        try:
            scores = reintegration.score(answers)
        except ValidationError:  # too few answers in a dimension: ask them all
            scores = reintegration.score({q.code: round(level) for q in reintegration.QUESTIONS})
        row.answers = scores.answers
        row.economic_score, row.social_score = scores.economic, scores.social
        row.psychosocial_score, row.overall_score = scores.psychosocial, scores.overall

    def notes(self, cases: list[Case], stories: list[Story]) -> None:
        rng = self.rng
        texts = NOTES[self.language]
        rows = [CaseNote(organisation_id=case.organisation_id, case=case, author=story.worker, text=text)
                for case, story in zip(cases, stories, strict=True)
                for text in rng.sample(texts, rng.randint(0, 3) if story.reached(CaseStage.SCREENING) else 1)]
        writes.bulk_create(rows, actor=self.actor, action="cases.note.demo_create")

    # --- escalations --------------------------------------------------------------------------------------------

    def convert_escalations(self) -> list[Case]:
        """Half of the organisation's pending hotline escalations become cases, through the register action."""
        pending = list(Escalation.objects.filter(organisation=self.organisation, status=EscalationStatus.PENDING)
                       .select_related("contact", "contact__location").order_by("pk"))
        membership = self.worker
        actor = Actor(user=membership.user, organisation=self.organisation)
        fake = self.names.faker("uk_UA")
        opened = []
        for n, escalation in enumerate(pending[:len(pending) // 2]):
            person = case_actions.escalation_person(escalation)
            female = person.gender == Gender.FEMININE
            if not person.given_name:
                person.given_name = fake.first_name_female() if female else fake.first_name_male()
            if " " not in person.given_name:  # the caller gave a first name only; the worker asks the rest
                person.family_name = fake.last_name_female() if female else fake.last_name_male()
            case = case_actions.register(actor=actor, membership=membership, person=person, case=CaseInput(
                category=PersonCategory.POSSIBLE_VICTIM, source=CaseSource.HOTLINE,
                supervisor=self.supervisor.user), escalation=escalation)
            if n % 2 == 0:  # the first meeting happened: consent to assistance, then screening
                record_consent(actor=actor, membership=membership, case=case, data=ConsentInput(
                    purpose=ConsentPurpose.ASSISTANCE, given_on=self.today, method=ConsentMethod.WRITTEN))
                case_actions.move(actor=actor, membership=membership, case=case, to_stage=CaseStage.SCREENING)
            opened.append(case)
        return opened

