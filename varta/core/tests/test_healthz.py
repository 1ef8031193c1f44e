"""/healthz: database reachable and every migration applied; open to load balancers, never personal."""

from __future__ import annotations

from django.db import OperationalError
from django.db.migrations.executor import MigrationExecutor

from varta.core import views


def test_it_answers_ok_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}
    assert "no-store" in response["Cache-Control"]


def test_it_holds_nothing_personal(client, personas):
    body = client.get("/healthz").content.decode()
    for org in (personas.a, personas.b):
        assert org.organisation.name not in body
        for membership in org.members.values():
            assert membership.user.username not in body
    assert set(client.get("/healthz").json()) == {"status", "checks"}


def test_it_answers_503_with_pending_migrations(client, db, monkeypatch):
    def plan_with_two_pending(self, targets, clean_start=False):
        graph = self.loader.graph
        return [(graph.nodes[("accounts", "0001_initial")], False), (graph.nodes[("orgs", "0001_initial")], False)]

    monkeypatch.setattr(MigrationExecutor, "migration_plan", plan_with_two_pending)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "fail", "checks": {"database": "ok", "migrations": "2 pending"}}


def test_it_answers_503_when_the_database_is_unreachable(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(views, "connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "fail", "checks": {"database": "unreachable"}}
    assert "refused" not in response.content.decode()


def test_it_answers_head_requests(client, db):
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.content == b""
