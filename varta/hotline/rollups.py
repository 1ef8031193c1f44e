"""The daily roll-ups of the hotline (``ContactDay``, ``ConsultationDay``), kept exact by every write path.

Every path that writes contacts or consultations collects what it adds and removes in a :class:`Delta` and
saves it in the same transaction: ``actions.contact_create`` / ``contact_update`` / ``escalate``, the importer's
and the demo's bulk paths. :func:`rebuild` recomputes them from the rows (migration 0004, ``manage.py
hotline_rollups --rebuild``, the benchmark after its raw ``COPY``).

Concurrency: every one of those paths makes audited writes first, and an audited write holds the audit chain
head lock (``varta.audit.chain.lock_head``) until its transaction ends. Roll-up increments written after it in
the same transaction are therefore serialised: the read-increment-or-create in :meth:`Delta.save` cannot race
another writer, and the unique constraints are only a safety net.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.apps.registry import Apps
from django.apps.registry import apps as global_apps
from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import IntegerField

from varta.core.sql import Statement, execute_together
from varta.hotline.models import (
    CONTACT_DAY_COLUMNS,
    OUTCOME_COLUMNS,
    Consultation,
    ConsultationDay,
    Contact,
    ContactDay,
)

ContactKey = tuple[int, date, str, bool, str]  # organisation, local day, oblast P-code or "", abroad, channel
ConsultationKey = tuple[int, date, int]  # organisation, local day, topic

_CONTACT_VALUES = ("organisation_id", "started_at", "oblast_id", "country_id", "channel", "caller_type", "sex",
                   "age_group", "displacement", "risk_flag", "methods_of_control", "exploitation_types")
_CONSULTATION_VALUES = ("organisation_id", "started_at", "topic_id", "outcome")
_PROFILE = tuple((name, CONTACT_DAY_COLUMNS[name]) for name in ("caller_type", "sex", "age_group", "displacement"))
_INDICATORS = tuple((name, CONTACT_DAY_COLUMNS[name]) for name in ("methods_of_control", "exploitation_types"))


@cache
def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(moment: datetime) -> date:
    """The local date (``TIME_ZONE``, whatever time zone is active) of an aware datetime."""
    return moment.astimezone(_zone()).date()


class Delta:
    """Counts to add to (or, with ``sign=-1``, take from) the roll-ups; :meth:`save` writes them."""

    def __init__(self) -> None:
        self.contacts: defaultdict[ContactKey, Counter[str]] = defaultdict(Counter)
        self.consultations: defaultdict[ConsultationKey, Counter[str]] = defaultdict(Counter)

    def contact(self, contact: Contact, sign: int = 1) -> Delta:
        self.contact_values(*(getattr(contact, name) for name in _CONTACT_VALUES), sign=sign)
        return self

    def contact_values(self, organisation_id: int, started_at: datetime, oblast_id: str | None,
                       country_id: str | None, channel: str, caller_type: str, sex: str, age_group: str,
                       displacement: str, risk_flag: bool, methods_of_control: list[str] | None,
                       exploitation_types: list[str] | None, *, sign: int = 1) -> None:
        key = (organisation_id, local_day(started_at), oblast_id or "", oblast_id is None and country_id is not None,
               channel)
        cells = self.contacts[key]
        cells["contacts"] += sign
        for (_name, columns), value in zip(_PROFILE, (caller_type, sex, age_group, displacement), strict=True):
            column = columns.get(value)
            if column is not None:  # a value outside the choices is counted in no breakdown
                cells[column] += sign
        if risk_flag:
            cells["risk"] += sign
            for (_name, columns), values in zip(_INDICATORS, (methods_of_control, exploitation_types), strict=True):
                for value in set(values or ()):
                    column = columns.get(value)
                    if column is not None:
                        cells[column] += sign

    def consultation(self, consultation: Consultation, sign: int = 1) -> Delta:
        self.consultation_values(*(getattr(consultation, name) for name in _CONSULTATION_VALUES), sign=sign)
        return self

    def consultation_values(self, organisation_id: int, started_at: datetime, topic_id: int, outcome: str, *,
                            sign: int = 1) -> None:
        cells = self.consultations[(organisation_id, local_day(started_at), topic_id)]
        cells["consultations"] += sign
        column = OUTCOME_COLUMNS.get(outcome)
        if column is not None:
            cells[column] += sign

    def save(self, apps: Apps = global_apps) -> None:
        """Add the counts to the roll-ups, inside the caller's transaction (which holds the audit chain lock)."""
        _save(apps.get_model("hotline", "ContactDay"), _CONTACT_KEY, self.contacts)
        _save(apps.get_model("hotline", "ConsultationDay"), _CONSULTATION_KEY, self.consultations)
        self.clear()

    def statements(self) -> list[Statement]:
        """The counts as one upsert per roll-up table (for a few rows: one contact's), to run under the audit
        chain lock (``varta.audit.writes.Batch.execute_at_end``)."""
        found = [_upsert(ContactDay, _CONTACT_KEY, _nonzero(self.contacts)),
                 _upsert(ConsultationDay, _CONSULTATION_KEY, _nonzero(self.consultations))]
        self.clear()
        return [statement for statement in found if statement is not None]

    def clear(self) -> None:
        self.contacts.clear()
        self.consultations.clear()


_CONTACT_KEY = ("organisation_id", "day", "oblast", "abroad", "channel")
_CONSULTATION_KEY = ("organisation_id", "day", "topic_id")


def _nonzero(delta: dict[Any, Counter[str]]) -> dict[Any, dict[str, int]]:
    changes = {key: {column: n for column, n in cells.items() if n} for key, cells in delta.items()}
    return {key: cells for key, cells in changes.items() if cells}


def _upsert(model: Any, names: tuple[str, ...], changes: dict[Any, dict[str, int]]) -> Statement | None:
    """``INSERT … ON CONFLICT (key) DO UPDATE SET c = c + excluded.c`` for these rows, in plain SQL (column names
    are our own, values are parameters): a new day's row is created, an existing one incremented, in one statement
    on either database. The key is the table's unique constraint."""
    if not changes:
        return None
    connection = connections[router.db_for_write(model)]
    parts = _upsert_parts(model, names, connection.alias)
    touched = sorted({column for cells in changes.values() for column in cells})
    rows: list[str] = []
    params: list[Any] = []
    for key, cells in changes.items():
        # The counts a contact does not touch (most of ContactDay's) are the constant 0, not parameters.
        rows.append(parts.row_start + ", ".join(["%s" if c in cells else "0" for c in parts.counters]) + ")")
        params += [f.get_db_prep_value(v, connection) for f, v in zip(parts.key_fields, key, strict=True)]
        params += [cells[c] for c in parts.counters if c in cells]
    return (parts.insert + ", ".join(rows) + parts.on_conflict + ", ".join(parts.increments[c] for c in touched),
            params)


class _UpsertParts(NamedTuple):
    key_fields: list[Any]
    counters: list[str]
    insert: str  # INSERT INTO t (key…, counts…) VALUES
    row_start: str  # "(%s, …, " for the key
    on_conflict: str  # ON CONFLICT (key) DO UPDATE SET
    increments: dict[str, str]  # count column → "c = t.c + excluded.c"


@cache
def _upsert_parts(model: Any, names: tuple[str, ...], alias: str) -> _UpsertParts:
    """The fixed text of a roll-up table's upsert, quoted once per table (it has some thirty count columns)."""
    qn = connections[alias].ops.quote_name
    key_fields = [model._meta.get_field(name) for name in names]
    counters = _counter_columns(model)
    table = qn(model._meta.db_table)
    key = ", ".join(qn(f.column) for f in key_fields)
    return _UpsertParts(
        key_fields=key_fields, counters=counters,
        insert=f"INSERT INTO {table} ({key}, {', '.join(qn(c) for c in counters)}) VALUES ",  # noqa: S608 - our names
        row_start="(" + "%s, " * len(key_fields),
        on_conflict=f" ON CONFLICT ({key}) DO UPDATE SET ",
        increments={c: f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in counters})


@cache
def _counter_columns(model: Any) -> list[str]:
    """Every count column of a roll-up table (all of them NOT NULL: an insert names each)."""
    return [f.column for f in model._meta.concrete_fields if isinstance(f, IntegerField) and not f.primary_key]


def _save(model: Any, names: tuple[str, ...], delta: dict[Any, Counter[str]]) -> None:
    changes = _nonzero(delta)
    if len(changes) <= 4:  # one contact: one upsert
        statement = _upsert(model, names, changes)
        if statement is not None:
            execute_together([statement], using=router.db_for_write(model))
        return
    # Many (bulk paths): read the rows of those days once, then one bulk update and one bulk insert.
    existing = {tuple(getattr(row, name) for name in names): row for row in model.objects.filter(
        organisation_id__in={key[0] for key in changes}, day__in={key[1] for key in changes})}
    updated: list[Any] = []
    created: list[Any] = []
    columns: set[str] = set()
    for key, cells in changes.items():
        row = existing.get(key)
        if row is None:
            created.append(model(**dict(zip(names, key, strict=True)), **cells))
            continue
        for column, n in cells.items():
            setattr(row, column, getattr(row, column) + n)
        columns.update(cells)
        updated.append(row)
    if updated:
        model.objects.bulk_update(updated, sorted(columns), batch_size=500)
    if created:
        model.objects.bulk_create(created, batch_size=1000)


def add(contacts: Iterable[Contact] = (), consultations: Iterable[Consultation] = ()) -> None:
    """Count new rows (the bulk paths), inside their transaction."""
    delta = Delta()
    for contact in contacts:
        delta.contact(contact)
    for consultation in consultations:
        delta.consultation(consultation)
    delta.save()


def rebuild(organisation_id: int | None = None, *, apps: Apps = global_apps, chunk: int = 20_000) -> tuple[int, int]:
    """Recompute the roll-ups from the rows (every organisation's, or one's); returns the roll-up rows written."""
    contact_model = apps.get_model("hotline", "Contact")
    consultation_model = apps.get_model("hotline", "Consultation")
    contact_day = apps.get_model("hotline", "ContactDay")
    consultation_day = apps.get_model("hotline", "ConsultationDay")
    scope = {} if organisation_id is None else {"organisation_id": organisation_id}
    delta = Delta()
    for row in contact_model.objects.filter(**scope).order_by().values_list(*_CONTACT_VALUES).iterator(chunk):
        delta.contact_values(*row)
    for row in (consultation_model.objects.filter(**scope).order_by().values_list(*_CONSULTATION_VALUES)
                .iterator(chunk)):
        delta.consultation_values(*row)
    with transaction.atomic():
        contact_day.objects.filter(**scope).delete()
        consultation_day.objects.filter(**scope).delete()
        contact_day.objects.bulk_create(
            (contact_day(organisation_id=k[0], day=k[1], oblast=k[2], abroad=k[3], channel=k[4],
                         **{c: n for c, n in cells.items() if n})
             for k, cells in delta.contacts.items() if cells["contacts"]), batch_size=5000)
        consultation_day.objects.bulk_create(
            (consultation_day(organisation_id=k[0], day=k[1], topic_id=k[2], **{c: n for c, n in cells.items() if n})
             for k, cells in delta.consultations.items() if cells["consultations"]), batch_size=5000)
    return len(delta.contacts), len(delta.consultations)
