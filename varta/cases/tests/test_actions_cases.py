"""Registering persons and cases, the workflow, closure approval, consents, need-to-know."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404

from varta.accounts.permissions import Role
from varta.audit.models import AuditEvent
from varta.cases import selectors
from varta.cases.actions import cases as case_actions
from varta.cases.models import Case, CaseStage, CaseTransition, ClosureReason, ConsentPurpose, Person, PersonToken
from varta.cases.tests.helpers import acting_as, add_case_worker, give_consent, person_input, register_case

pytestmark = pytest.mark.django_db


def test_it_registers_a_person_and_opens_a_case_with_its_first_transition(personas):
    case = register_case(personas.a)
    assert case.reference == f"{date.today().year}-00001"
    assert case.stage == CaseStage.REGISTERED
    assert case.person.birth_year == 1990
    assert case.person.age_group in ("25-34", "35-49")
    assert list(case.transitions.values_list("from_stage", "to_stage")) == [("", "registered")]
    assert PersonToken.objects.filter(person=case.person).count() > 5
    assert AuditEvent.objects.filter(object_type="cases.person", action="cases.person.create").exists()


def test_it_keeps_names_and_numbers_as_ciphertext_in_the_database(personas):
    case = register_case(personas.a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT given_name, family_name, phone, id_document_number, birth_date FROM cases_person "
                       "WHERE id = %s", [case.person_id])
        row = cursor.fetchone()
    assert all(value.startswith("v1.") for value in row)
    assert "Олександр" not in "".join(row)
    assert "FE123456" not in "".join(row)
    assert Person.objects.get(pk=case.person_id).given_name == "Олександр"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"birth_date": date.today() + timedelta(days=1)}, "birth_date"),
    ({"phone": "12"}, "phone"),
    ({"email": "not-an-address"}, "email"),
    ({"given_name": "<script>x</script>"}, "given_name"),
    ({"gender": "Robot"}, "gender"),
    ({"given_name": "", "family_name": ""}, "family_name"),
    ({"id_document_type": ""}, "id_document_type"),
])
def test_it_refuses_bad_person_input_and_writes_nothing(personas, overrides, field):
    with pytest.raises(ValidationError) as exc:
        register_case(personas.a, person=person_input(**overrides))
    assert field in exc.value.message_dict
    assert not Person.objects.exists()
    assert not Case.objects.exists()


def test_it_moves_one_step_at_a_time_and_records_who(personas):
    case = register_case(personas.a)
    membership, actor = acting_as(personas.a)
    with pytest.raises(ValidationError):
        case_actions.move(actor=actor, membership=membership, case=case, to_stage=CaseStage.ASSISTANCE)
    case_actions.move(actor=actor, membership=membership, case=case, to_stage=CaseStage.SCREENING)
    case_actions.move(actor=actor, membership=membership, case=case, to_stage=CaseStage.PLANNING)
    with pytest.raises(ValidationError) as exc:  # assistance needs the consent to assistance
        case_actions.move(actor=actor, membership=membership, case=case, to_stage=CaseStage.ASSISTANCE)
    assert "Assistance" in str(exc.value)
    give_consent(personas.a, case)
    case_actions.move(actor=actor, membership=membership, case=case, to_stage=CaseStage.ASSISTANCE)
    assert case.stage == CaseStage.ASSISTANCE
    assert CaseTransition.objects.filter(case=case).count() == 4
    assert CaseTransition.objects.filter(case=case).latest("pk").by == membership.user


def test_it_closes_only_with_a_reason_and_someone_elses_approval_and_reopens(personas):
    case = register_case(personas.a)
    worker, worker_actor = acting_as(personas.a)
    supervisor, supervisor_actor = acting_as(personas.a, Role.CASE_SUPERVISOR)
    with pytest.raises(ValidationError):
        case_actions.move(actor=worker_actor, membership=worker, case=case, to_stage=CaseStage.CLOSED)
    with pytest.raises(ValidationError):
        case_actions.request_closure(actor=worker_actor, membership=worker, case=case, reason="")
    with pytest.raises(ValidationError):
        case_actions.approve_closure(actor=supervisor_actor, membership=supervisor, case=case)
    case_actions.request_closure(actor=worker_actor, membership=worker, case=case, reason=ClosureReason.DECLINED)
    case_actions.approve_closure(actor=supervisor_actor, membership=supervisor, case=case)
    assert case.stage == CaseStage.CLOSED
    assert case.closed_at is not None
    assert case.transitions.latest("pk").approved_by == supervisor.user
    case_actions.reopen(actor=supervisor_actor, membership=supervisor, case=case)
    assert case.stage == CaseStage.REGISTERED
    assert case.closed_at is None


def test_a_supervisor_cannot_approve_their_own_closure_request(personas):
    case = register_case(personas.a, Role.CASE_SUPERVISOR, case_worker=personas.a.user(Role.CASE_SUPERVISOR))
    supervisor, actor = acting_as(personas.a, Role.CASE_SUPERVISOR)
    case_actions.request_closure(actor=actor, membership=supervisor, case=case, reason=ClosureReason.GOALS_MET)
    with pytest.raises(ValidationError):
        case_actions.approve_closure(actor=actor, membership=supervisor, case=case)
    admin, admin_actor = acting_as(personas.a, Role.ORG_ADMIN)
    case_actions.approve_closure(actor=admin_actor, membership=admin, case=case)
    assert case.is_closed


def test_need_to_know_worker_sees_own_supervisor_team_admin_all_coordinator_none(personas):
    mine = register_case(personas.a)
    other = add_case_worker(personas.a, "a_second_worker")
    theirs = register_case(personas.a, case_worker=other.user, person=person_input(given_name="Ганна"))
    worker, _actor = acting_as(personas.a)
    assert list(selectors.cases_visible(worker)) == [mine]
    with pytest.raises(Http404):
        selectors.access_case(worker, theirs.pk)
    supervisor, _actor = acting_as(personas.a, Role.CASE_SUPERVISOR)
    assert set(selectors.cases_visible(supervisor)) == {mine, theirs}
    admin, _actor = acting_as(personas.a, Role.ORG_ADMIN)
    assert selectors.cases_visible(admin).count() == 2
    for role in (Role.TASKFORCE_COORDINATOR, Role.SYSTEM_ADMIN, Role.HOTLINE_OPERATOR, Role.INFORMATION_MANAGER):
        with pytest.raises(Exception):  # noqa: B017 - 403 (PermissionDenied) for roles without cases.view
            selectors.cases_visible(personas.a.membership(role))
    b_admin, _actor = acting_as(personas.b, Role.ORG_ADMIN)
    assert selectors.cases_visible(b_admin).count() == 0


def test_withdrawn_consent_no_longer_counts(personas):
    from varta.cases.actions.consent import require_consent, withdraw_consent

    case = register_case(personas.a)
    consent = give_consent(personas.a, case, ConsentPurpose.FOLLOW_UP, given_on=date.today() - timedelta(days=3))
    assert require_consent(case, ConsentPurpose.FOLLOW_UP) == consent
    worker, actor = acting_as(personas.a)
    withdraw_consent(actor=actor, membership=worker, consent=consent)
    with pytest.raises(ValidationError) as exc:
        require_consent(case, ConsentPurpose.FOLLOW_UP)
    assert "Follow-up contact" in str(exc.value)


def test_referral_consent_names_the_organisation(personas):
    from varta.cases.actions.consent import require_consent

    case = register_case(personas.a)
    with pytest.raises(ValidationError):
        give_consent(personas.a, case, ConsentPurpose.REFERRAL)
    give_consent(personas.a, case, ConsentPurpose.REFERRAL, recipient=personas.b.organisation)
    require_consent(case, ConsentPurpose.REFERRAL, recipient=personas.b.organisation)
    other = personas.a.organisation
    with pytest.raises(ValidationError) as exc:
        require_consent(case, ConsentPurpose.REFERRAL, recipient=other)
    assert "Alpha Aid" in str(exc.value)
