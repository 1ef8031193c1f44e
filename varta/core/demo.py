"""The demo task force: fictional organisations of the response in Ukraine and Moldova, one user per role.

Used by ``varta quickstart`` and ``varta demo-data --scale N``. Everything is written through the actions, so the
demo has the same audit trail as real use. Running it again creates only what is missing: the rows are found by
organisation name and username, so a second run writes nothing and returns the same logins.

Other contexts add their synthetic data (contacts, cases, …) with a generator: a function
``generate(context: DemoContext) -> None`` named by its dotted path in ``GENERATORS``. It is called on every run,
inside the same transaction, and fills in rows for ``context.new_organisations`` only (the organisations created
by this run), which keeps a second run fast and free of duplicates.

Every organisation and person here is invented; any resemblance to a real organisation is unintended.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.module_loading import import_string
from faker import Faker

from varta.accounts import actions as account_actions
from varta.accounts.models import User
from varta.accounts.permissions import Role
from varta.audit import writes
from varta.audit.writes import Actor
from varta.geo.models import AdminUnit, Country
from varta.orgs import actions as org_actions
from varta.orgs.models import Membership, Organisation, OrganisationType

# One password for every demo user, printed by quickstart. It passes the password validators (12+ characters).
DEMO_PASSWORD = "demo-varta-2026"

# Dotted paths of generator functions, in order (e.g. "varta.hotline.demo.generate"). See the module docstring.
GENERATORS: list[str] = ["varta.hotline.demo.generate", "varta.cases.demo.generate"]

# Short usernames: the main organisation's users are plain ("operator"), the others' are prefixed ("lantern_operator").
ROLE_USERNAMES: dict[Role, str] = {
    Role.HOTLINE_OPERATOR: "operator",
    Role.CASE_WORKER: "caseworker",
    Role.CASE_SUPERVISOR: "supervisor",
    Role.INFORMATION_MANAGER: "infomanager",
    Role.TASKFORCE_COORDINATOR: "coordinator",
    Role.ORG_ADMIN: "orgadmin",
    Role.SYSTEM_ADMIN: "sysadmin",
}

_SERVICE_ROLES = (Role.CASE_WORKER, Role.CASE_SUPERVISOR, Role.INFORMATION_MANAGER, Role.ORG_ADMIN)


@dataclass(frozen=True)
class OrgSpec:
    key: str  # username prefix; "" for the main organisation
    name: str
    acronym: str
    type: str
    country: str  # ISO 3166 alpha-2
    areas: tuple[str, ...]  # P-codes of the areas of operation
    roles: tuple[Role, ...]
    locale: str  # Faker locale of the staff's names
    language: str  # interface language of the staff

    def username(self, role: Role) -> str:
        short = ROLE_USERNAMES[role]
        return f"{self.key}_{short}" if self.key else short


# The main organisation: the international co-chair of the task force, one user per role. Its name marks a demo
# database (see ``demo_exists``).
MAIN = OrgSpec(
    key="", name="International Agency for Safe Migration", acronym="IASM", type=OrganisationType.UN_AGENCY,
    country="UA", areas=("UA80", "UA46", "UA21", "UA51", "UA63", "UA12"), roles=tuple(Role),
    locale="en_US", language="en",
)

# The partners. At --scale N each of them appears N times (copies 2…N in other oblasts / raions).
PARTNERS: tuple[OrgSpec, ...] = (
    OrgSpec(key="lantern", name="ГО «Ліхтар надії» / Lantern of Hope", acronym="LOH",
            type=OrganisationType.NATIONAL_NGO, country="UA", areas=("UA80", "UA32"),
            roles=tuple(r for r in Role if r != Role.SYSTEM_ADMIN), locale="uk_UA", language="uk"),
    OrgSpec(key="carpathian", name="БФ «Карпатський міст» / Carpathian Bridge Foundation", acronym="CBF",
            type=OrganisationType.NATIONAL_NGO, country="UA", areas=("UA21", "UA2110023", "UA2104015"),
            roles=(Role.HOTLINE_OPERATOR, *_SERVICE_ROLES), locale="uk_UA", language="uk"),
    OrgSpec(key="liongate", name="ГО «Левова брама» / Lion Gate Initiative", acronym="LGI",
            type=OrganisationType.NATIONAL_NGO, country="UA", areas=("UA46", "UA4606025"),
            roles=_SERVICE_ROLES, locale="uk_UA", language="uk"),
    OrgSpec(key="beacon", name="ГО «Чорноморський маяк» / Black Sea Beacon", acronym="BSB",
            type=OrganisationType.NATIONAL_NGO, country="UA", areas=("UA51", "UA5110027", "UA5108003"),
            roles=_SERVICE_ROLES, locale="uk_UA", language="uk"),
    OrgSpec(key="sloboda", name="БФ «Слобожанська опора» / Sloboda Support Fund", acronym="SSF",
            type=OrganisationType.NATIONAL_NGO, country="UA", areas=("UA63", "UA6312027", "UA12", "UA1202001"),
            roles=_SERVICE_ROLES, locale="uk_UA", language="uk"),
    OrgSpec(key="centre", name="Міжрегіональний центр соціальної підтримки / Interregional Social Support Centre",
            acronym="ISSC", type=OrganisationType.GOVERNMENT, country="UA", areas=("UA12", "UA1202001"),
            roles=_SERVICE_ROLES, locale="uk_UA", language="uk"),
    OrgSpec(key="frontier", name="Frontier Care International", acronym="FCI",
            type=OrganisationType.INTERNATIONAL_NGO, country="UA", areas=("UA51", "UA63", "UA12"),
            roles=_SERVICE_ROLES, locale="en_US", language="en"),
    OrgSpec(key="openroad", name="Asociația «Drum Deschis» / Open Road Association", acronym="ODD",
            type=OrganisationType.NATIONAL_NGO, country="MD", areas=("MD010", "MD002", "MD006"),
            roles=(Role.HOTLINE_OPERATOR, *_SERVICE_ROLES), locale="ro_RO", language="en"),
)

# Areas for the copies made at --scale N > 1: government-controlled oblasts, and Moldova without Transnistria.
_AREA_POOLS: dict[str, tuple[str, ...]] = {
    "UA": ("UA05", "UA07", "UA12", "UA18", "UA21", "UA26", "UA32", "UA35", "UA46", "UA48", "UA51", "UA53",
           "UA56", "UA59", "UA61", "UA63", "UA68", "UA71", "UA73", "UA74", "UA80"),
    "MD": tuple(f"MD{n:03d}" for n in range(1, 38) if n != 35),
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: Role
    organisation: Organisation


@dataclass
class DemoContext:
    """What a generator gets: the demo organisations and members, and a seeded random source."""

    actor: Actor
    scale: int
    seed: int
    organisations: list[Organisation]
    new_organisations: list[Organisation]
    memberships: list[Membership]
    random: random.Random


@dataclass
class DemoResult:
    logins: list[DemoLogin]
    organisations: list[Organisation]
    password: str = DEMO_PASSWORD
    created: bool = False  # whether this run wrote anything
    skipped_areas: list[str] = field(default_factory=list)  # P-codes not in the database (geography not loaded)


def demo_plan(*, scale: int = 1, seed: int = 2026) -> list[OrgSpec]:
    """The organisations of the demo at this scale, always the same for the same scale and seed."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    rng = random.Random(seed)
    plan = [MAIN, *PARTNERS]
    for copy in range(2, scale + 1):
        for spec in PARTNERS:
            areas = tuple(sorted(rng.sample(_AREA_POOLS[spec.country], 2)))
            plan.append(OrgSpec(
                key=f"{spec.key}{copy}", name=f"{spec.name} ({copy})", acronym=f"{spec.acronym}-{copy}",
                type=spec.type, country=spec.country, areas=areas, roles=spec.roles, locale=spec.locale,
                language=spec.language,
            ))
    return plan


def demo_exists() -> bool:
    return Organisation.objects.filter(name=MAIN.name).exists()


def holds_other_data() -> bool:
    """True when the database has organisations but no demo task force: a real database, not a demo one."""
    return Organisation.objects.exists() and not demo_exists()


def create_demo_task_force(*, scale: int = 1, seed: int = 2026) -> DemoResult:
    """Create what is missing of the demo task force at this scale and return its logins."""
    from varta.geo.loader import ensure_loaded

    plan = demo_plan(scale=scale, seed=seed)
    ensure_loaded()
    orgs = {o.name: o for o in Organisation.objects.filter(name__in=[s.name for s in plan])}
    # Usernames are matched without regard to case, as at login.
    taken = set(User.objects.annotate(lower=Lower("username"))
                .filter(lower__in=[s.username(r) for s in plan for r in s.roles]).values_list("lower", flat=True))
    missing_orgs = [s for s in plan if s.name not in orgs]
    missing_users = [(s, r) for s in plan for r in s.roles if s.username(r) not in taken]

    actor = Actor.system()
    skipped: list[str] = []
    new_orgs: list[Organisation] = []
    with transaction.atomic():
        if missing_orgs:
            new_orgs, skipped = _create_organisations(actor, missing_orgs)
            orgs.update({o.name: o for o in new_orgs})
        if missing_users:
            _create_members(actor, missing_users, orgs, seed)
        memberships = _demo_memberships(plan, orgs)
        context = DemoContext(actor=actor, scale=scale, seed=seed, organisations=[orgs[s.name] for s in plan],
                              new_organisations=new_orgs, memberships=memberships, random=random.Random(seed))
        for path in GENERATORS:
            import_string(path)(context)

    logins = [DemoLogin(username=m.user.username, full_name=m.user.full_name, role=Role(m.role),
                        organisation=m.organisation) for m in memberships]
    return DemoResult(logins=logins, organisations=context.organisations,
                      created=bool(missing_orgs or missing_users), skipped_areas=skipped)


def _create_organisations(actor: Actor, specs: Sequence[OrgSpec]) -> tuple[list[Organisation], list[str]]:
    countries = {c.iso2: c for c in Country.objects.filter(iso2__in={s.country for s in specs})}
    units = {u.pcode: u for u in AdminUnit.objects.filter(pcode__in={p for s in specs for p in s.areas})}
    skipped = sorted({p for s in specs for p in s.areas if p not in units})
    created = [
        org_actions.organisation_create(actor=actor, name=s.name, acronym=s.acronym, type=s.type,
                                        country=countries[s.country],
                                        areas=[units[p] for p in s.areas if p in units])
        for s in specs
    ]
    return created, skipped


def _create_members(actor: Actor, missing: Sequence[tuple[OrgSpec, Role]], orgs: dict[str, Organisation],
                    seed: int) -> None:
    fakers: dict[str, Faker] = {}
    rng = random.Random(seed)
    for spec, role in missing:
        if spec.locale not in fakers:
            fakers[spec.locale] = Faker(spec.locale)
            fakers[spec.locale].seed_instance(seed)
        fake = fakers[spec.locale]
        if rng.random() < 0.6:  # the sector's staff are mostly women
            full_name = f"{fake.first_name_female()} {fake.last_name_female()}"
        else:
            full_name = f"{fake.first_name_male()} {fake.last_name_male()}"
        user = account_actions.user_create(actor=actor, username=spec.username(role), full_name=full_name,
                                           password=DEMO_PASSWORD, language=spec.language)
        writes.create(Membership(user=user, organisation=orgs[spec.name], role=role), actor=actor)


def _demo_memberships(plan: Sequence[OrgSpec], orgs: dict[str, Organisation]) -> list[Membership]:
    """The planned memberships that exist, in plan order. A username taken by someone else is left alone."""
    found = {
        (m.user.username, m.organisation_id, m.role): m
        for m in Membership.objects.filter(organisation__in=list(orgs.values()),
                                           user__username__in=[s.username(r) for s in plan for r in s.roles])
        .select_related("user", "organisation")
    }
    result = []
    for spec in plan:
        org = orgs.get(spec.name)
        if org is None:
            continue
        for role in spec.roles:
            membership = found.get((spec.username(role), org.pk, role.value))
            if membership is not None:
                result.append(membership)
    return result
