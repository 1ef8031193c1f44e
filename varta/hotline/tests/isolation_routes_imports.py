"""Isolation entries of the call-log import pages: B calls them with the id of A's import job."""

from __future__ import annotations

from typing import Any

from tests.isolation import Route, World
from varta.accounts.permissions import Role
from varta.audit import writes
from varta.audit.writes import Actor
from varta.hotline.models import ImportJob, ImportStatus

MARKERS = ["Alpha secret call log.csv", "Alpha header marker"]


def _job(w: World) -> dict[str, Any]:
    return {"job_id": w.objects["import_job"].pk}


def _mapping(w: World) -> dict[str, Any]:
    return {"col_date": "0", "col_topics": "1", "default_channel": "phone", "duration_unit": "1"}


ROUTES: dict[str, Route] = {
    "hotline:imports": Route(why="own organisation's imports only"),
    "hotline:import_new": Route(methods=("GET", "POST"), why="an upload of B's own"),
    "hotline:import_template": Route(kwargs=lambda w: {"fmt": "xlsx"}, why="B's own topics"),
    "hotline:import_detail": Route(kwargs=_job),
    "hotline:import_map": Route(methods=("GET", "POST"), kwargs=_job, body=_mapping),
    "hotline:import_run": Route(methods=("POST",), kwargs=_job),
    "hotline:import_progress": Route(kwargs=_job),
    "hotline:import_report": Route(kwargs=_job),
}


def populate(world: World, personas: Any) -> None:
    manager = personas.a.membership(Role.INFORMATION_MANAGER)
    # Written directly (no file on disk): B is turned away before any route would read the upload.
    job = writes.create(ImportJob(
        organisation_id=manager.organisation_id, created_by=manager.user, file_name=MARKERS[0],
        stored_name="alpha-isolation.upload", file_sha256="0" * 64, file_kind="csv", encoding="utf-8",
        delimiter=",", header=["Date", "Topics", MARKERS[1]], mapping={"columns": {"date": 0, "topics": 1}},
        status=ImportStatus.UPLOADED), actor=Actor(user=manager.user, organisation=manager.organisation))
    world.objects["import_job"] = job
    world.markers.extend(MARKERS)
    world.snapshots.append(lambda: sorted(ImportJob.objects.filter(organisation=world.org_a).values_list(
        "pk", "status", "mapping", "strict", "rows_imported", "run_by_id")))
