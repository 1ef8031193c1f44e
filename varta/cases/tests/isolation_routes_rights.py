"""Isolation entries of the rights pages (tests/test_isolation.py): the access-request export, retention, HTCDS.

Organisation A gets a full case (every personal field, a note, an attachment) and a second one closed long enough
ago to be due for anonymisation; B's users call every route with A's ids, confirmations ticked, and must neither
see A's strings nor anonymise, export or change A's rows.
"""

from __future__ import annotations

from typing import Any

from tests.isolation import Route, World
from varta.cases.models import Attachment, Case, CaseNote, Person
from varta.cases.tests.helpers_rights import ATTACHMENT_TEXTS, NOTE_TEXTS, PERSONS, close, full_case

MARKERS = [PERSONS[0]["given_name"], PERSONS[0]["family_name"], PERSONS[0]["id_document_number"],
           PERSONS[0]["email"], PERSONS[1]["given_name"], PERSONS[1]["family_name"], PERSONS[1]["phone"],
           NOTE_TEXTS[0], ATTACHMENT_TEXTS[0]]


def _case(w: World) -> dict[str, Any]:
    return {"case_id": w.objects["rights_case"].pk}


ROUTES: dict[str, Route] = {
    "cases:person_export": Route(methods=("GET", "POST"), kwargs=_case, body=lambda w: {"confirm": "on"}),
    "cases:retention": Route(methods=("GET", "POST"), why="B's own expired cases only; A's ids are ignored",
                             body=lambda w: {"case": str(w.objects["rights_expired"].pk), "confirm": "on"}),
    "cases:htcds_export": Route(methods=("GET", "POST"), why="B's own cases only; A's case id answers 404",
                                body=lambda w: {"case": str(w.objects["rights_case"].pk), "confirm": "on",
                                                "purpose": "subject_request"}),
}


def populate(world: World, personas: Any) -> None:
    case = full_case(personas.a, 0)
    expired = close(personas.a, full_case(personas.a, 1), days_ago=1827)
    world.objects.update({"rights_case": case, "rights_expired": expired})
    world.markers.extend(MARKERS)
    world.snapshots.append(lambda: _snapshot(world))


def _snapshot(world: World) -> Any:
    org = world.org_a.pk
    return (
        sorted(Case.objects.filter(organisation_id=org).values_list("pk", "stage", "anonymised_at")),
        sorted((p.pk, p.given_name, p.family_name, p.phone, p.anonymised_at)
               for p in Person.objects.filter(organisation_id=org)),
        CaseNote.objects.filter(organisation_id=org).count(),
        Attachment.objects.filter(organisation_id=org).count(),
    )
