"""Hotline benchmark: 1,000,000 contacts (about four consultations each), then the two figures that matter.

    python bench/hotline.py [--scale 0.01] [--requests 300] [--keep]

Without ``DATABASE_URL`` it runs on SQLite, in a file under a new temporary directory. With ``DATABASE_URL``
(``postgres://user@host:port/anything``) it creates a database ``varta_bench`` on that server (``--db-name``),
and drops it at the end (``--keep`` keeps it, and the SQLite directory, for a look afterwards).

1. **Build**: migrations, Ukraine's P-codes, ten organisations, then ``1,000,000 × scale`` contacts and their
   consultations inserted straight into the tables (PostgreSQL: ``COPY`` through psycopg; SQLite: ``executemany``
   in large transactions). No audit events are written for the synthetic rows: they stand for history. The raw
   load bypasses the write paths that keep the daily roll-ups, so ``rollups.rebuild()`` then builds them, timed
   apart (``rollup_build_s``).
2. **Create**: a real ``varta serve`` (waitress) on 127.0.0.1 in a child process; one keep-alive HTTP client
   posts contacts with two consultations to ``POST /api/v1/hotline/contacts/`` with an API token (authentication,
   validation, audit, commit) and, alternately in blocks, calls the bare authenticated ``GET /api/v1/me/``.
   Median and p95 latency of each; with one client its throughput is 1 / mean latency. Then ``--clients``
   clients (default 4, the server's threads) call at once, again in alternating blocks: throughput is calls per
   second of wall time, as when a shift of operators saves at the same time. Throughput ratio = creates per
   second / no-op calls per second, for one client and for the concurrent clients.
3. **Statistics**: the task-force view (every organisation, disclosure control on) of the last 365 days through
   ``varta.hotline.statistics`` — first run and median of the next runs — against one hand-written
   ``SELECT category_id, COUNT(*) … GROUP BY category_id`` over the same year's consultations (the largest set
   of rows the statistics read), timed the same way.

The last line of the output is one JSON object with every figure. docs/benchmarks.md records the results.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL_SCALE = 1_000_000
CHUNK = 50_000  # contacts per COPY chunk / SQLite transaction

# Shares of the synthetic traffic (roughly the shape of a national hotline's year).
CHANNELS = {"phone": 70, "telegram": 10, "viber": 8, "whatsapp": 3, "messenger": 2, "email": 2, "web_chat": 4,
            "walk_in": 1}
CALLER_TYPES = {"person_concerned": 60, "relative": 18, "friend": 6, "professional": 6, "anonymous": 10}
SEXES = {"Feminine": 62, "Masculine": 30, "NonSpecifiedUnknown": 8}
AGE_GROUPS = {"0-17": 2, "18-24": 12, "25-34": 28, "35-49": 30, "50-64": 15, "65+": 5, "unknown": 8}
DISPLACEMENT = {"idp": 35, "refugee_abroad": 20, "returnee": 5, "tcn": 2, "host_community": 28, "unknown": 10}
OUTCOMES = {"information": 70, "referred": 22, "case_opened": 2, "follow_up": 6}
CONSULTATIONS_PER_CONTACT = {1: 8, 2: 12, 3: 16, 4: 22, 5: 20, 6: 14, 7: 8}  # mean ≈ 4.1
METHODS = ["DebtBondage", "FalsePromises", "WithholdsDocuments", "TakesEarnings", "PhysicalThreats",
           "ExcessiveWorkingHours", "PsychologicalAbuse"]
EXPLOITATION = ["ForcedLabour", "SexualExploitation", "ForcedBegging", "Other"]
ORGANISATIONS = 10
SERVER_THREADS = 4  # varta serve's worker threads in the create test


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 1,000,000 contacts (default 1)")
    parser.add_argument("--requests", type=int, default=300, help="requests per endpoint for the create test")
    parser.add_argument("--clients", type=int, default=SERVER_THREADS,
                        help=f"concurrent clients for the create test's throughput (default {SERVER_THREADS}, "
                        "the server's threads; 1: one client only)")
    parser.add_argument("--stats-runs", type=int, default=5, help="timed runs of the statistics after the first")
    parser.add_argument("--db-name", default="varta_bench", help="PostgreSQL database to create and drop")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--build-only", action="store_true", help="build and keep the database, measure nothing")
    parser.add_argument("--seed", type=int, default=527)
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- The throw-away database -------------------------------------------------------------------------------


@contextmanager
def throwaway_database(args: argparse.Namespace) -> Iterator[str]:
    """Point the environment at a new, empty database; yield its engine name ("postgresql" or "sqlite")."""
    os.environ.update({"VARTA_HTTPS": "false", "VARTA_DEBUG": "false", "DJANGO_SETTINGS_MODULE": "varta.settings",
                       "VARTA_DEMO": "false"})
    workdir = Path(tempfile.mkdtemp(prefix="varta-bench-"))
    os.environ["VARTA_VAR_DIR"] = str(workdir)
    url = os.environ.get("DATABASE_URL", "")
    admin_url = ""
    try:
        if url:
            import psycopg

            from varta.core.keys import new_data_key

            parts = urlsplit(url)
            admin_url = urlunsplit(parts._replace(path="/postgres"))
            os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{args.db_name}"))
            os.environ.setdefault("VARTA_DATA_KEYS", new_data_key())
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.db_name}"')
                conn.execute(f'CREATE DATABASE "{args.db_name}"')
            yield "postgresql"
        else:
            yield "sqlite"
    finally:
        if url and not (args.keep or args.build_only):
            import psycopg
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')
        if args.keep or args.build_only:
            log(f"kept: {os.environ.get('DATABASE_URL') or workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


# --- Build ---------------------------------------------------------------------------------------------------


def _weighted(rng: random.Random, shares: dict[Any, int], k: int) -> list[Any]:
    return rng.choices(list(shares), weights=list(shares.values()), k=k)


def build_reference(rng: random.Random) -> dict[str, Any]:
    """Schema, places, organisations with operators, the benchmark operator's token."""
    from django.core.management import call_command

    from varta.accounts import actions as account_actions
    from varta.accounts.permissions import Role
    from varta.audit import writes
    from varta.audit.writes import Actor
    from varta.geo.loader import load
    from varta.geo.models import AdminUnit, Country
    from varta.hotline.models import Topic
    from varta.hotline.selectors import topic_choices
    from varta.orgs import actions as org_actions
    from varta.orgs.models import Membership, OrganisationType

    call_command("migrate", interactive=False, verbosity=0)
    load(other_countries=[])
    system = Actor.system()
    ukraine = Country.objects.get(iso2="UA")
    organisations = []
    operators: dict[int, list[int]] = {}
    for i in range(ORGANISATIONS):
        org = org_actions.organisation_create(actor=system, name=f"Bench hotline {i + 1}", acronym=f"BH{i + 1}",
                                              type=OrganisationType.NATIONAL_NGO, country=ukraine)
        organisations.append(org)
        operators[org.pk] = []
        for j in range(3):
            user = account_actions.user_create(actor=system, username=f"bench_op_{i + 1}_{j + 1}",
                                               full_name=f"Operator {i + 1}.{j + 1}", password=None)
            writes.create(Membership(user=user, organisation=org, role=Role.HOTLINE_OPERATOR), actor=system)
            operators[org.pk].append(user.pk)
    coordinator = account_actions.user_create(actor=system, username="bench_coordinator", full_name="Coordinator",
                                              password=None)
    coordination = writes.create(Membership(user=coordinator, organisation=organisations[0],
                                            role=Role.TASKFORCE_COORDINATOR), actor=system)
    operator_membership = Membership.objects.select_related("user", "organisation").get(
        user__username="bench_op_1_1")
    token = account_actions.api_token_issue(actor=system, membership=operator_membership, name="bench").raw
    hromadas = list(AdminUnit.objects.filter(country_iso3="UKR", level=3).values_list("pcode", "parent__parent_id"))
    # A few oblasts carry most of the traffic (frontline and western transit oblasts), as in real hotline logs.
    oblast_weight = {code: rng.choice([1, 1, 2, 3, 8]) for code in {o for _, o in hromadas}}
    topics = topic_choices(organisations[0].pk)
    return {
        "organisations": [o.pk for o in organisations],
        "org_weights": [40, 15, 10, 8, 7, 6, 5, 4, 3, 2],
        "operators": operators,
        "hromadas": hromadas,
        "hromada_weights": [oblast_weight[o] for _, o in hromadas],
        "topics": [(t.pk, t.parent_id or t.pk) for t in topics],
        "topic_weights": [rng.choice([1, 2, 4, 8, 16]) for _ in topics],
        "token": token,
        "operator_membership": operator_membership,
        "coordination": coordination,
        "topic_codes": [t.code for t in Topic.objects.filter(organisation__isnull=True, parent__isnull=False)[:2]],
        "place": hromadas[0][0],
    }


def contact_chunks(rng: random.Random, ref: dict[str, Any], total: int, now: datetime
                   ) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """(contacts, consultations) as tuples in column order, ``CHUNK`` contacts at a time, ids from 1."""
    year = 365 * 24 * 3600
    start = now - timedelta(seconds=year)
    consultation_id = 0
    topics, topic_weights = ref["topics"], ref["topic_weights"]
    outcome_names, outcome_weights = list(OUTCOMES), list(OUTCOMES.values())
    for first in range(1, total + 1, CHUNK):
        n = min(CHUNK, total + 1 - first)
        orgs = rng.choices(ref["organisations"], weights=ref["org_weights"], k=n)
        places = rng.choices(ref["hromadas"], weights=ref["hromada_weights"], k=n)
        columns = [_weighted(rng, shares, n) for shares in (CHANNELS, CALLER_TYPES, SEXES, AGE_GROUPS, DISPLACEMENT)]
        per_contact = _weighted(rng, CONSULTATIONS_PER_CONTACT, n)
        contacts, consultations = [], []
        for i in range(n):
            contact_id = first + i
            org = orgs[i]
            started = start + timedelta(seconds=rng.random() * year)
            abroad, unknown_place = rng.random() < 0.1, rng.random() < 0.08
            location, oblast = (None, None) if abroad or unknown_place else places[i]
            risk = rng.random() < 0.06
            methods = sorted(set(rng.sample(METHODS, rng.randint(0, 2)))) if risk else []
            exploitation = sorted(set(rng.sample(EXPLOITATION, rng.randint(0, 1)))) if risk else []
            contacts.append((
                contact_id, org, columns[0][i], "incoming", started, rng.randint(30, 1800),
                rng.choice(ref["operators"][org]), "uk", columns[1][i], columns[2][i], columns[3][i], columns[4][i],
                location, oblast, "PL" if abroad else None, json.dumps(methods), json.dumps(exploitation), risk,
                False, "", "", "", started, started))
            for position, (topic, category) in enumerate(
                    rng.choices(topics, weights=topic_weights, k=per_contact[i]), start=1):
                consultation_id += 1
                consultations.append((consultation_id, org, contact_id, topic, category,
                                      rng.choices(outcome_names, weights=outcome_weights)[0], "", started, position))
        yield contacts, consultations


CONTACT_COLUMNS = ["id", "organisation_id", "channel", "direction", "started_at", "duration_seconds", "operator_id",
                   "language", "caller_type", "sex", "age_group", "displacement", "location_id", "oblast_id",
                   "country_id", "methods_of_control", "exploitation_types", "risk_flag", "callback_consent",
                   "caller_name", "caller_phone", "summary", "created_at", "updated_at"]
CONSULTATION_COLUMNS = ["id", "organisation_id", "contact_id", "topic_id", "category_id", "outcome", "referrals",
                        "started_at", "position"]


def _check_columns() -> None:
    from varta.hotline.models import Consultation, Contact

    for model, columns in ((Contact, CONTACT_COLUMNS), (Consultation, CONSULTATION_COLUMNS)):
        known = {f.column for f in model._meta.concrete_fields}
        required = {f.column for f in model._meta.concrete_fields if not f.null and not f.has_default()}
        assert set(columns) <= known, f"unknown columns: {set(columns) - known}"
        assert required <= set(columns), f"the bench misses required columns of {model.__name__}: " \
                                         f"{required - set(columns)}"


def bulk_load(engine: str, rng: random.Random, ref: dict[str, Any], total: int, now: datetime) -> int:
    """Insert the contacts and consultations; return the number of consultations."""
    from django.db import connection

    _check_columns()
    consultations_total = 0
    with connection.cursor() as django_cursor:
        raw = django_cursor.cursor  # the driver's cursor: psycopg's COPY, sqlite3's executemany
        if engine == "postgresql":
            raw.execute("SET session_replication_role = replica")  # no FK triggers for the load (superuser)
            for contacts, consultations in contact_chunks(rng, ref, total, now):
                with raw.copy(f"COPY hotline_contact ({', '.join(CONTACT_COLUMNS)}) FROM STDIN") as copy:
                    for row in contacts:
                        copy.write_row(row)
                with raw.copy(f"COPY hotline_consultation ({', '.join(CONSULTATION_COLUMNS)}) FROM STDIN") as copy:
                    for row in consultations:
                        copy.write_row(row)
                consultations_total += len(consultations)
            raw.execute("SET session_replication_role = DEFAULT")
            for table in ("hotline_contact", "hotline_consultation"):
                raw.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            raw.execute("VACUUM ANALYZE hotline_contact")  # Django's connection is in autocommit mode
            raw.execute("VACUUM ANALYZE hotline_consultation")
        else:
            def sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
                return tuple(v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v for v in row)

            contact_sql = (f"INSERT INTO hotline_contact ({', '.join(CONTACT_COLUMNS)}) "
                           f"VALUES ({', '.join('?' * len(CONTACT_COLUMNS))})")
            consultation_sql = (f"INSERT INTO hotline_consultation ({', '.join(CONSULTATION_COLUMNS)}) "
                                f"VALUES ({', '.join('?' * len(CONSULTATION_COLUMNS))})")
            for contacts, consultations in contact_chunks(rng, ref, total, now):
                raw.execute("BEGIN")
                raw.executemany(contact_sql, map(sqlite_row, contacts))
                raw.executemany(consultation_sql, map(sqlite_row, consultations))
                raw.execute("COMMIT")
                consultations_total += len(consultations)
            raw.execute("ANALYZE")
    return consultations_total


# --- Create: through the whole stack ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server() -> Iterator[int]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "varta.cli", "serve", "--port", str(port), "--threads", str(SERVER_THREADS)],
        cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("varta serve did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Client:
    """One keep-alive HTTP connection with the benchmark operator's token; ``call`` returns the latency."""

    def __init__(self, port: int, ref: dict[str, Any]) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.ref = ref
        self.headers = {"Authorization": f"Token {ref['token']}", "Content-Type": "application/json",
                        "Accept": "application/json", "Host": "127.0.0.1"}

    def body(self) -> bytes:
        started = (datetime.now(UTC) - timedelta(minutes=2)).isoformat()
        return json.dumps({
            "channel": "phone", "started_at": started, "duration_seconds": 240, "caller_type": "person_concerned",
            "sex": "Feminine", "age_group": "25-34", "displacement": "idp", "place": self.ref["place"],
            "consultations": [{"topic": self.ref["topic_codes"][0]},
                              {"topic": self.ref["topic_codes"][1], "outcome": "referred", "referrals": "Consulate"}],
        }).encode()

    def call(self, endpoint: str) -> float:
        method, path, expected = ENDPOINTS[endpoint]
        payload = self.body() if method == "POST" else None
        began = time.perf_counter()
        self.connection.request(method, path, body=payload, headers=self.headers)
        response = self.connection.getresponse()
        content = response.read()
        elapsed = time.perf_counter() - began
        if response.status != expected:
            raise RuntimeError(f"{method} {path}: {response.status} {content[:300]!r}")
        return elapsed


ENDPOINTS = {"noop": ("GET", "/api/v1/me/", 200), "create": ("POST", "/api/v1/hotline/contacts/", 201)}
ROUNDS = 5  # blocks of each endpoint, alternating, so that drift affects both alike


def _summary(times: list[float], wall: float | None = None) -> dict[str, float]:
    """Median and p95 latency; requests per second over ``wall`` (one client: the sum of its latencies)."""
    return {"median_ms": round(statistics.median(times) * 1000, 2),
            "p95_ms": round(_percentile(times, 0.95) * 1000, 2),
            "per_second": round(len(times) / (wall if wall is not None else sum(times)), 1)}


def _one_client(client: Client, requests: int) -> dict[str, Any]:
    times: dict[str, list[float]] = {"noop": [], "create": []}
    block = max(10, requests // ROUNDS)
    while len(times["create"]) < requests:
        for endpoint in ("noop", "create"):
            times[endpoint].extend(client.call(endpoint) for _ in range(block))
    created, bare = _summary(times["create"]), _summary(times["noop"])
    return {"create_contact": created, "noop_me": bare, "requests_each": len(times["create"]),
            "throughput_ratio": round(created["per_second"] / bare["per_second"], 3)}


def _concurrent_clients(clients: list[Client], requests: int) -> dict[str, Any]:
    """All clients call one endpoint at once, ``requests`` calls in all per round and endpoint; throughput is the
    calls over the wall time from the common start to the last answer."""
    times: dict[str, list[float]] = {"noop": [], "create": []}
    walls = {"noop": 0.0, "create": 0.0}
    each = max(2, requests // ROUNDS // len(clients))

    def block(client: Client, endpoint: str, start: threading.Barrier, out: list[float]) -> None:
        start.wait()
        out.extend(client.call(endpoint) for _ in range(each))

    for _ in range(ROUNDS):
        for endpoint in ("noop", "create"):
            start = threading.Barrier(len(clients) + 1)
            outs: list[list[float]] = [[] for _ in clients]
            threads = [threading.Thread(target=block, args=(client, endpoint, start, out))
                       for client, out in zip(clients, outs, strict=True)]
            for thread in threads:
                thread.start()
            start.wait()
            began = time.perf_counter()
            for thread in threads:
                thread.join()
            walls[endpoint] += time.perf_counter() - began
            if any(len(out) != each for out in outs):
                raise RuntimeError(f"a client failed during the concurrent {endpoint} block")
            times[endpoint] += [t for out in outs for t in out]
    created, bare = _summary(times["create"], walls["create"]), _summary(times["noop"], walls["noop"])
    return {"clients": len(clients), "create_contact": created, "noop_me": bare,
            "requests_each": len(times["create"]),
            "throughput_ratio": round(created["per_second"] / bare["per_second"], 3)}


def measure_create(ref: dict[str, Any], requests: int, clients: int) -> dict[str, Any]:
    """One client alternating blocks of creates and no-op calls (latency; its throughput is 1 / mean latency),
    then ``clients`` clients at once (throughput with the server's threads busy, as with a shift of operators)."""
    with server() as port:
        pool = [Client(port, ref) for _ in range(max(1, clients))]
        for client in pool:  # warm-up: connections, caches, the first audit chain lock
            for _ in range(20 if client is pool[0] else 3):
                client.call("noop")
                client.call("create")
        result = _one_client(pool[0], requests)
        if clients > 1:
            result["concurrent"] = _concurrent_clients(pool, requests)
        for client in pool:
            client.connection.close()
    return result


# --- Statistics ---------------------------------------------------------------------------------------------


def _timed(fn: Callable[[], Any], runs: int) -> dict[str, float]:
    began = time.perf_counter()
    fn()
    first = time.perf_counter() - began
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return {"first_s": round(first, 4), "median_s": round(statistics.median(times), 4) if times else round(first, 4)}


def measure_statistics(ref: dict[str, Any], runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from varta.hotline.statistics import FigureFilter, figures_for, local_midnight

    today = timezone.localdate()
    year_ago = today - timedelta(days=365)
    criteria = FigureFilter(date_from=year_ago, date_to=today)
    coordination = ref["coordination"]
    result: dict[str, Any] = {}
    figures = figures_for(coordination, criteria)
    result["contacts_in_year"] = figures.contacts.value
    result["consultations_in_year"] = figures.consultations.value
    result["sentence"] = figures.sentence()
    result["statistics"] = _timed(lambda: figures_for(coordination, criteria), runs)
    # The parameters as Django stores them (SQLite compares datetimes as text in its own format).
    start = connection.ops.adapt_datetimefield_value(local_midnight(year_ago))
    end = connection.ops.adapt_datetimefield_value(local_midnight(today + timedelta(days=1)))

    def hand_written(sql: str) -> Callable[[], Any]:
        def run() -> Any:
            with connection.cursor() as cursor:
                cursor.execute(sql, [start, end])
                return cursor.fetchall()
        return run

    result["baseline_sql"] = ("SELECT category_id, COUNT(*) FROM hotline_consultation "
                              "WHERE started_at >= %s AND started_at < %s GROUP BY category_id")
    result["baseline"] = _timed(hand_written(result["baseline_sql"]), runs)
    result["contacts_group_by"] = _timed(hand_written(
        "SELECT channel, COUNT(*) FROM hotline_contact WHERE started_at >= %s AND started_at < %s "
        "GROUP BY channel"), runs)
    result["ratio_to_baseline"] = round(result["statistics"]["median_s"] / result["baseline"]["median_s"], 2)
    return result


# --- Main ----------------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    memory = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            memory = f"{int(fh.readline().split()[1]) // 1024 // 1024} GiB"
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "memory": memory, "python": platform.python_version(),
            "platform": platform.platform()}


def database_version(engine: str) -> dict[str, str]:
    """Set Django up on the throw-away database and name the server's version (for the machine description)."""
    import django

    django.setup()
    from django.db import connection

    if engine == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return {"postgresql": cursor.fetchone()[0]}
    import sqlite3

    return {"sqlite": sqlite3.sqlite_version}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    total = max(1, round(FULL_SCALE * args.scale))
    rng = random.Random(args.seed)
    result: dict[str, Any] = {"scale": args.scale, "contacts": total, "machine": machine()}
    with throwaway_database(args) as engine:
        result["engine"] = engine
        result["machine"].update(database_version(engine))
        from django.db import connection
        began = time.perf_counter()
        ref = build_reference(rng)
        result["build_reference_s"] = round(time.perf_counter() - began, 1)
        log(f"{engine}: schema and reference data in {result['build_reference_s']} s; loading {total:,} contacts")
        began = time.perf_counter()
        result["consultations"] = bulk_load(engine, rng, ref, total, datetime.now(UTC) - timedelta(hours=1))
        result["build_contacts_s"] = round(time.perf_counter() - began, 1)
        log(f"loaded {total:,} contacts and {result['consultations']:,} consultations in "
            f"{result['build_contacts_s']} s; building the daily roll-ups")
        from varta.hotline import rollups

        began = time.perf_counter()
        result["rollup_rows"] = rollups.rebuild()  # the raw COPY bypasses the write paths that keep them
        if engine == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE hotline_contactday")
                cursor.execute("ANALYZE hotline_consultationday")
        result["rollup_build_s"] = round(time.perf_counter() - began, 1)
        log(f"roll-ups ({result['rollup_rows'][0]:,} contact and {result['rollup_rows'][1]:,} consultation rows) "
            f"in {result['rollup_build_s']} s; measuring the statistics")
        if args.build_only:
            print(json.dumps(result, ensure_ascii=False))
            return result
        result["statistics"] = measure_statistics(ref, args.stats_runs)
        log(f"statistics: {result['statistics']['statistics']}, baseline {result['statistics']['baseline']}; "
            "measuring contact creation through the API")
        connection.close()
        result["create"] = measure_create(ref, args.requests, args.clients)
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
