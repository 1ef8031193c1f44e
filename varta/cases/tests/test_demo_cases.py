"""Demo cases (varta/cases/demo.py), generated at a small scale through the demo task force."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from conftest import restore_reference_data
from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.cases import demo as cases_demo
from varta.cases import reintegration, workflow
from varta.cases.models import (
    Case,
    CaseSource,
    CaseStage,
    CaseTransition,
    ConsentPurpose,
    FollowUp,
    Person,
    PersonToken,
    PlanItem,
    PlanItemStatus,
    Service,
    ServiceOutcome,
    ServiceType,
)
from varta.cases.search import find_persons
from varta.core import demo
from varta.geo.models import AdminUnit
from varta.hotline.models import Escalation, EscalationStatus
from varta.hotline.tests.test_demo_traffic import GEO
from varta.orgs.models import Membership

PER_ORGANISATION = 50


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The demo task force with a small geography, built once for the module (rolled back at its end); the
    cases generator is timed."""

    def ensure_loaded():
        for pcode, level, parent, en, uk in GEO:
            AdminUnit.objects.get_or_create(pcode=pcode, defaults={
                "country_iso3": "MDA" if pcode.startswith("MD") else "UKR", "level": level, "parent_id": parent,
                "name_en": en, "name_uk": uk, "search_en": en.lower(), "search_uk": uk.lower()})

    seconds: list[float] = []
    generate = cases_demo.generate

    def timed_generate(context):
        start = time.perf_counter()
        generate(context)
        seconds.append(time.perf_counter() - start)

    # Enough hotline calls for a few risk-flagged escalations; a cheap hasher for the demo users.
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch, override_settings(
            DEMO_CASES=PER_ORGANISATION, DEMO_HOTLINE_CONTACTS=300,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), transaction.atomic():
        patch.setattr("varta.geo.loader.ensure_loaded", ensure_loaded)
        patch.setattr(cases_demo, "generate", timed_generate)
        restore_reference_data()
        demo.create_demo_task_force()
        yield seconds
        transaction.set_rollback(True)


@pytest.fixture
def timed(built, db, settings):
    settings.DEMO_CASES = PER_ORGANISATION
    return built


def case_orgs() -> set[int]:
    return set(Membership.objects.filter(role=Role.CASE_WORKER).values_list("organisation_id", flat=True))


def test_it_gives_every_case_management_organisation_a_caseload(timed):
    per_org = Counter(Case.objects.exclude(source=CaseSource.HOTLINE, escalation__isnull=False)
                      .values_list("organisation_id", flat=True))

    assert set(per_org) == case_orgs()
    assert set(per_org.values()) == {PER_ORGANISATION}
    assert Person.objects.count() == Case.objects.count()
    assert len(set(Case.objects.values_list("organisation_id", "reference"))) == Case.objects.count()


def test_it_has_cases_in_every_stage_spread_over_years(timed):
    stages = Counter(Case.objects.values_list("stage", flat=True))
    years = {d.year for d in Case.objects.values_list("opened_on", flat=True)}

    assert set(stages) == set(CaseStage.values)
    assert stages[CaseStage.CLOSED] > stages[CaseStage.REGISTERED]
    assert years >= set(range(2019, timezone.localdate().year + 1))
    assert Case.objects.filter(closure_requested_at__isnull=False).exclude(stage=CaseStage.CLOSED).exists()


def test_it_moves_cases_through_the_workflow_step_by_step(timed):
    for case in Case.objects.prefetch_related("transitions"):
        steps = list(case.transitions.all())
        assert (steps[0].from_stage, steps[0].to_stage) == ("", CaseStage.REGISTERED)
        for step in steps[1:]:
            if step.to_stage == CaseStage.CLOSED:  # approved by someone other than who asked
                assert step.approved_by_id is not None
                assert step.approved_by_id != case.closure_requested_by_id
            elif step.from_stage == CaseStage.CLOSED:  # reopened
                assert step.to_stage in workflow.ORDER
            else:
                assert workflow.may_move(step.from_stage, step.to_stage)
        assert steps[-1].to_stage == case.stage
        assert [s.at for s in steps] == sorted(s.at for s in steps)
    closed = Case.objects.filter(stage=CaseStage.CLOSED)
    assert not closed.filter(closure_reason="").exists()
    assert not closed.filter(closed_at__isnull=True).exists()
    assert not CaseTransition.objects.filter(at__gt=timezone.now()).exists()


def test_it_encrypts_personal_data_and_writes_blind_index_tokens(timed):
    with connection.cursor() as cursor:
        cursor.execute("SELECT given_name, family_name, birth_date, phone FROM cases_person")
        rows = cursor.fetchall()

    assert rows
    assert all(value.startswith("v1.") for row in rows for value in row if value)
    tokens = Counter(PersonToken.objects.values_list("person_id", flat=True))
    assert set(tokens) == set(Person.objects.values_list("pk", flat=True))
    scripts = Counter("cyrillic" if any("а" <= ch <= "я" for ch in p.family_name.lower()) else "latin"
                      for p in Person.objects.all())
    assert scripts["cyrillic"] > scripts["latin"] > 0


def test_it_finds_a_demo_person_by_a_latin_spelling_of_a_cyrillic_name(timed):
    person = next(p for p in Person.objects.exclude(birth_date="").order_by("pk")
                  if any("а" <= ch <= "я" for ch in p.family_name.lower()))
    case = person.cases.select_related("supervisor").first()
    assert case is not None
    membership = Membership.objects.get(user=case.supervisor, organisation_id=case.organisation_id)

    latin = [cases_demo.latin(person.given_name), cases_demo.latin(person.family_name)]  # Олена Бойко → Olena Boiko

    matches = find_persons(membership, names=latin, birth_date=date.fromisoformat(person.birth_date), record=False)

    assert person.pk in [m.person_id for m in matches]


def test_it_records_about_five_services_with_costs_and_donor_codes(timed):
    assisted = Case.objects.filter(transitions__to_stage=CaseStage.ASSISTANCE).distinct()
    services = Service.objects.filter(case__in=assisted)
    per_case = services.count() / assisted.count()
    types = Counter(services.values_list("service_type", flat=True))
    currencies = Counter(services.exclude(cost=None).values_list("currency", flat=True))

    assert 3.5 <= per_case <= 6.5
    assert {ServiceType.MEDICAL, ServiceType.PSYCHOSOCIAL, ServiceType.CASH, ServiceType.LEGAL_AID} <= set(types)
    assert {"UAH", "EUR", "USD"} <= set(currencies)
    assert not services.exclude(cost=None).filter(currency="").exists()
    assert not services.exclude(cost=None).filter(project_code="").exists()
    today = timezone.localdate()
    for service in Service.objects.select_related("case"):
        assert service.case.opened_on <= service.started_on <= today
        assert service.ended_on is None or service.started_on <= service.ended_on <= today
    stays = [s for s in Service.objects.filter(service_type=ServiceType.REHABILITATION_STAY) if s.ended_on]
    assert stays
    assert all(14 <= (s.length_of_stay or 0) <= 42 for s in stays
               if s.outcome == ServiceOutcome.COMPLETED)  # a closure may cut a stay short


def test_it_keeps_plans_consents_and_services_consistent(timed):
    today = timezone.localdate()
    for case in Case.objects.prefetch_related("consents", "services", "plan_items", "follow_ups"):
        consents = list(case.consents.all())
        purposes = {c.purpose for c in consents}
        if case.services.all():
            assert ConsentPurpose.ASSISTANCE in purposes
        referred = {c.recipient_id for c in consents if c.purpose == ConsentPurpose.REFERRAL}
        rows: list[Service | PlanItem] = [*case.services.all(), *case.plan_items.all()]
        for row in rows:
            assert row.provider_id is None or row.provider_id in referred
        if any(f.done_on for f in case.follow_ups.all()):
            assert ConsentPurpose.FOLLOW_UP in purposes
        assert all(c.given_on <= today for c in consents)
    assert PlanItem.objects.filter(status=PlanItemStatus.PLANNED, target_date__lt=today,
                                   case__closed_at__isnull=True).exists()  # overdue items to show
    assert not Service.objects.filter(plan_item__status=PlanItemStatus.CANCELLED).exists()


def test_it_scores_follow_ups_with_the_reintegration_rule(timed):
    done = list(FollowUp.objects.exclude(done_on=None))

    assert done
    for follow_up in done:
        scores = reintegration.score(follow_up.answers)
        assert (follow_up.economic_score, follow_up.social_score, follow_up.psychosocial_score,
                follow_up.overall_score) == (scores.economic, scores.social, scores.psychosocial, scores.overall)
    assert FollowUp.objects.filter(done_on=None, due_on__lt=timezone.localdate(),
                                   case__closed_at__isnull=True).exists()  # overdue follow-ups to show


def test_it_turns_half_the_pending_escalations_into_cases(timed):
    converted = Escalation.objects.filter(status=EscalationStatus.CONVERTED)

    assert converted.exists()
    assert Escalation.objects.filter(status=EscalationStatus.PENDING).exists()
    for escalation in converted:
        case = Case.objects.get(escalation=escalation)
        assert case.source == CaseSource.HOTLINE
        assert case.organisation_id == escalation.organisation_id
    assert AuditEvent.objects.filter(action="hotline.escalation.convert").count() == converted.count()


def test_it_writes_one_audit_event_per_table_and_organisation(timed):
    events = Counter(AuditEvent.objects.filter(action__startswith="cases.", action__endswith="demo_create")
                     .values_list("action", flat=True))

    assert events["cases.person.demo_create"] == len(case_orgs())
    assert events["cases.service.demo_create"] == len(case_orgs())


def test_it_creates_nothing_on_a_second_run(timed):
    before = (Person.objects.count(), Case.objects.count(), Service.objects.count(), AuditEvent.objects.count())

    demo.create_demo_task_force()

    assert (Person.objects.count(), Case.objects.count(), Service.objects.count(),
            AuditEvent.objects.count()) == before


def test_it_is_fast(timed):
    cases = Case.objects.count()
    seconds = timed[0]

    print(f"demo cases: {cases} cases in {seconds:.2f} s")
    # quickstart makes 300 cases in each of nine organisations and must stay within 20 s extra: about 2 ms a case
    # on a quiet machine. The bound is loose (shared CI machines are noisy); it catches a per-case query storm.
    assert seconds / cases < 0.02
