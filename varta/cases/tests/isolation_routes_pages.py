"""Isolation entries for the case lists, registration, the case page and the person's correction
(tests/test_isolation.py).

Organisation A gets a registered person with a case whose closure is requested; B's users call every route with
A's ids (and search for A's person by name) and must neither see A's strings nor change A's rows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.isolation import Route, World
from varta.accounts.permissions import Role
from varta.cases.actions import cases as case_actions
from varta.cases.models import Case, CaseTransition, ClosureReason, Person
from varta.cases.tests.helpers import acting_as, person_input, register_case

MARKERS = ["Isolationa", "Markerova", "FE998877", "isolation.marker@example.org", "671239876"]


def _case(w: World) -> dict[str, Any]:
    return {"case_id": w.objects["pages_case"].pk}


def _search_body(w: World) -> dict[str, Any]:
    return {"given_name": "Isolationa", "family_name": "Markerova", "birth_date": "1991-02-03"}


def _register_body(w: World) -> dict[str, Any]:
    # "Open a new case for this person" with A's person: must be a 404, never a case in B for A's person.
    return {"existing_person": w.objects["pages_case"].person_id, "given_name": "Taken", "family_name": "Over",
            "category": "possible_victim", "source": "referral", "none_of_these": "on"}


def _assign_body(w: World) -> dict[str, Any]:
    return {"case_worker": w.objects["pages_worker"].pk, "supervisor": w.objects["pages_supervisor"].pk}


ROUTES: dict[str, Route] = {
    "cases:my_cases": Route(),
    "cases:team": Route(),
    "cases:overdue": Route(),
    "cases:export": Route(why="B's own cases only; no personal column"),
    "cases:register": Route(methods=("GET", "POST"), body=_register_body),
    "cases:search": Route(methods=("POST",), body=_search_body, why="searches B's persons only"),
    "cases:case_detail": Route(kwargs=_case),
    "cases:case_reveal": Route(methods=("POST",), kwargs=_case, body=lambda w: {"reveal-reason": "contact"}),
    "cases:case_move": Route(methods=("POST",), kwargs=_case, body=lambda w: {"to_stage": "screening"}),
    "cases:closure_request": Route(methods=("POST",), kwargs=_case,
                                   body=lambda w: {"closure_reason": ClosureReason.GOALS_MET.value}),
    "cases:closure_approve": Route(methods=("POST",), kwargs=_case),
    "cases:closure_reject": Route(methods=("POST",), kwargs=_case),
    "cases:case_reopen": Route(methods=("POST",), kwargs=_case),
    "cases:case_assign": Route(methods=("POST",), kwargs=_case, body=_assign_body),
    "cases:person_edit": Route(methods=("GET", "POST"), kwargs=_case, body=lambda w: {"reveal-reason": "contact"}),
}


def populate(world: World, personas: Any) -> None:
    case = register_case(personas.a, person=person_input(
        given_name="Isolationa", family_name="Markerova", patronymic="", birth_date=date(1991, 2, 3),
        phone="+380671239876", email="isolation.marker@example.org", id_document_number="FE998877"))
    membership, actor = acting_as(personas.a)
    case_actions.request_closure(actor=actor, membership=membership, case=case, reason=ClosureReason.GOALS_MET)
    world.objects.update({"pages_case": case, "pages_worker": personas.a.user(Role.CASE_WORKER),
                          "pages_supervisor": personas.a.user(Role.CASE_SUPERVISOR)})
    world.markers.extend(MARKERS)
    world.snapshots.append(lambda: _snapshot(world))


def _snapshot(world: World) -> Any:
    org = world.org_a.pk
    return (
        sorted((p.pk, p.given_name, p.family_name, p.phone, p.email, p.id_document_number, p.gender,
                p.location_id) for p in Person.objects.filter(organisation_id=org)),
        sorted(Case.objects.filter(organisation_id=org).values_list(
            "pk", "person_id", "stage", "case_worker_id", "supervisor_id", "closure_reason", "closure_requested_at",
            "closed_at")),
        CaseTransition.objects.filter(organisation_id=org).count(),
    )
