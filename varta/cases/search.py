"""Search before register: possible existing persons of the acting organisation, tolerant to typos and scripts.

``find_persons`` never decrypts the table. One SQL query counts, per person of the organisation, how many of the
query's keyed blind-index tokens (varta/cases/blind_index.py) the person carries, and keeps the best
``CANDIDATES``; only those are loaded (decrypted) and ranked in memory by ``blind_index.similarity`` of the names,
with a bonus for an equal date of birth. Candidates under ``THRESHOLD`` are dropped.

Need-to-know: a match whose cases the user may not see comes back with ``visible=False`` and no name or date of
birth, only its cases' references and case workers ("a possible match exists: case N, case worker X — ask them").
Each search is an audit event (``cases.person.search``) that records no search term, and each person whose name
is shown as a visible match gets one more (``cases.person.match_shown``), as for a reveal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from django.db import models
from django.db.models import Sum

from varta.accounts.permissions import Action, require
from varta.audit import writes
from varta.audit.writes import Actor
from varta.cases import blind_index
from varta.cases.models import Case, Person, PersonToken
from varta.cases.selectors import cases_visible
from varta.orgs.models import Membership

CANDIDATES = 100  # persons decrypted and ranked per search, at most (bench/cases.py: recall of typos)
THRESHOLD = 0.85  # 0..1 name similarity (+ the birth-date bonus) a candidate needs to be shown
BIRTH_DATE_BONUS = 0.1
MAX_MATCHES = 10


@dataclass(frozen=True)
class MatchCase:
    case_id: int
    reference: str
    stage: str
    stage_label: str
    case_worker: str  # full name, or the username when the user has none
    visible: bool


@dataclass(frozen=True)
class Match:
    """A possible existing person. Names and date of birth are empty unless ``visible``."""

    person_id: int
    score: float
    visible: bool
    given_name: str = ""
    family_name: str = ""
    patronymic: str = ""
    birth_date: str = ""  # ISO yyyy-mm-dd, or empty
    birth_date_matches: bool = False
    cases: list[MatchCase] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.family_name, self.given_name, self.patronymic) if part)


def _usable(names: Sequence[str]) -> list[str]:
    return [n.strip()[:200] for n in names if n and n.strip()]


def _spelling(query: Sequence[str], candidate: Sequence[str]) -> float:
    """How close the transliterated letters are, words sorted (a tie-break: Oleksandr before Oleksandra)."""
    def words(names: Sequence[str]) -> str:
        return " ".join(sorted(w for n in names for w in blind_index.transliterate(n).split()))
    return SequenceMatcher(None, words(query), words(candidate)).ratio()


def candidate_ids(organisation_id: int, weights: dict[str, int], *, limit: int = CANDIDATES) -> list[int]:
    """Persons of the organisation whose tokens meet the query's most closely, best first.

    ``weights``: token → its weight in the query (``blind_index.query_weights``), multiplied by the stored token's
    (1 for a one-deletion neighbour, else 2) and summed per person. One GROUP BY over the covering token index.
    """
    query_weight = models.Case(*(models.When(token=tok, then=models.Value(weight)) for tok, weight in weights.items()),
                               output_field=models.IntegerField())
    stored_weight = models.Case(models.When(kind="d", then=models.Value(1)), default=models.Value(2),
                                output_field=models.IntegerField())
    rows = (PersonToken.objects.filter(organisation_id=organisation_id, token__in=list(weights))
            .values("person_id").annotate(closeness=Sum(query_weight * stored_weight))
            .order_by("-closeness", "-person_id")[:limit])
    return [row["person_id"] for row in rows]


def find_persons(membership: Membership, *, names: Sequence[str], birth_date: date | None = None,
                 record: bool = True) -> list[Match]:
    """Possible existing persons for a registration, best first (at most ``MAX_MATCHES``).

    ``names``: what the worker typed (given, family, patronymic — any order, Cyrillic or Latin). Without a name
    nothing is searched (a date of birth alone would list strangers). ``record``: write the audit event (every
    page and API search does; a benchmark may not).
    """
    require(membership, Action.CASE_REGISTER)
    matches = _search(membership, _usable(names), birth_date)
    if record:
        _record(membership, matches)
    return matches


def _record(membership: Membership, matches: list[Match]) -> None:
    """The search (no terms), and each person whose name and date of birth it shows, as for a reveal; in one
    audit batch, so the statements do not grow with the matches."""
    actor = Actor(user=membership.user, organisation=membership.organisation)
    with writes.batch():
        writes.record(actor=actor, action="cases.person.search", object_type=writes.object_type(Person))
        for match in matches:
            if match.visible:
                writes.record(actor=actor, action="cases.person.match_shown", object_type=writes.object_type(Person),
                              object_id=match.person_id,
                              changed=["given_name", "family_name", "patronymic", "birth_date"])


def _search(membership: Membership, query_names: list[str], birth_date: date | None) -> list[Match]:
    if not blind_index.name_keys(*query_names):
        return []
    iso = birth_date.isoformat() if birth_date else ""
    ids = candidate_ids(membership.organisation_id, blind_index.query_weights(names=query_names, birth_date=iso))
    if not ids:
        return []
    persons = (Person.objects.filter(organisation_id=membership.organisation_id, pk__in=ids,
                                     anonymised_at__isnull=True)
               .only("pk", "given_name", "family_name", "patronymic", "birth_date"))
    ranked: list[tuple[float, bool, Person]] = []
    spelled: dict[int, float] = {}
    for person in persons:
        names_of = (person.given_name, person.family_name, person.patronymic)
        score = blind_index.similarity(query_names, names_of)
        same_birth = bool(iso) and person.birth_date == iso
        score += BIRTH_DATE_BONUS if same_birth else 0.0
        if score >= THRESHOLD:
            ranked.append((score, same_birth, person))
            spelled[person.pk] = _spelling(query_names, names_of)
    # Equal scores (the skeletons agree): the closer spelling first, then the newer person.
    ranked.sort(key=lambda item: (-item[0], -spelled[item[2].pk], -item[2].pk))
    ranked = ranked[:MAX_MATCHES]
    if not ranked:
        return []
    return _matches(membership, ranked)


def _matches(membership: Membership, ranked: list[tuple[float, bool, Person]]) -> list[Match]:
    person_ids = [person.pk for _score, _same, person in ranked]
    visible_ids = set(cases_visible(membership).filter(person_id__in=person_ids).values_list("pk", flat=True))
    cases: dict[int, list[MatchCase]] = {pid: [] for pid in person_ids}
    for case in (Case.objects.filter(organisation_id=membership.organisation_id, person_id__in=person_ids)
                 .select_related("case_worker").only("pk", "person_id", "reference", "stage", "case_worker__username",
                                                     "case_worker__full_name")
                 .order_by("-opened_on", "-pk")):
        cases[case.person_id].append(MatchCase(
            case_id=case.pk, reference=case.reference, stage=case.stage, stage_label=str(case.get_stage_display()),
            case_worker=case.case_worker.full_name or case.case_worker.username, visible=case.pk in visible_ids))
    matches = []
    for score, same_birth, person in ranked:
        person_cases = cases[person.pk]
        visible = any(c.visible for c in person_cases)
        if visible:
            matches.append(Match(person_id=person.pk, score=round(min(score, 1.0), 3), visible=True,
                                 given_name=person.given_name, family_name=person.family_name,
                                 patronymic=person.patronymic, birth_date=person.birth_date,
                                 birth_date_matches=same_birth, cases=person_cases))
        else:
            matches.append(Match(person_id=person.pk, score=round(min(score, 1.0), 3), visible=False,
                                 cases=person_cases))
    return matches
