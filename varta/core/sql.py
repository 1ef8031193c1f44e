"""Plain SQL for the few hot paths that need it: inserts whose statement is built once, and statements sent to
the database together.

:func:`insert` writes new rows as ``Model.save(force_insert=True)`` (or ``bulk_create``) would, but builds the
statement's text once per model and row count instead of compiling it for every row: Django's compilation of a
hotline contact's INSERT (about 25 columns) cost more than the insert itself. The values still come from each
field's own ``pre_save`` and ``get_db_prep_save`` (defaults, ``auto_now_add``, encryption, JSON), so a row is
written exactly as the ORM writes it; anything unusual (inherited models, set primary keys, expressions, signal
receivers, generated columns) is left to the ORM.

A hotline contact ends its transaction with a handful of small statements whose results nobody reads (roll-up
increments, the audit events, the chain head). On PostgreSQL each statement is a round trip with its own
overhead on both sides, a large share of a contact's time (docs/benchmarks.md). Django's PostgreSQL backend binds
parameters on the client by default (psycopg's ``ClientCursor``), which can send several statements in one
``execute``: :func:`execute_together` does that, and runs them one by one elsewhere (SQLite executes one statement
per call, and has no round trips to save).

:func:`insert_with_children` does the same for the start of such a transaction: the chain-head lock, a contact's
INSERT and its consultations' INSERT go in one ``execute``, the consultations' foreign key being the id the
contact's INSERT has just drawn (``currval`` of its sequence, which PostgreSQL keeps per connection).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import signals

Statement = tuple[str, Sequence[Any]]


def _binds_on_client(connection: BaseDatabaseWrapper, cursor: Any) -> bool:
    if connection.vendor != "postgresql":
        return False
    import psycopg

    return isinstance(cursor.cursor, psycopg.ClientCursor)


def execute_together(statements: Sequence[Statement], *, using: str = "default") -> None:
    """Execute ``statements`` in order, in one round trip where the database allows it.

    The statements are our own (table and column names from models, values only as parameters): their text must
    not contain a literal ``%`` nor end with a semicolon.
    """
    if not statements:
        return
    connection = connections[using]
    with connection.cursor() as cursor:
        if len(statements) > 1 and _binds_on_client(connection, cursor):
            cursor.execute(*_joined(statements))
            return
        for sql, params in statements:
            cursor.execute(sql, params)


def _joined(statements: Sequence[Statement]) -> Statement:
    """Statements as one text with their parameters in order (for one ``execute`` of a client-binding cursor)."""
    return "; ".join(sql for sql, _params in statements), [value for _sql, params in statements for value in params]


# Most parameters one INSERT may carry on every supported database (SQLite's historical limit).
MAX_PARAMETERS = 999


@functools.cache
def _insert_fields(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    return tuple(f for f in model._meta.concrete_fields if not f.primary_key)


@functools.cache
def _insert_sql(model: type[models.Model], rows: int, alias: str, returning: bool, linked: str | None = None) -> str:
    """The INSERT text; ``linked``: the column of a foreign key whose value is the id the connection's last INSERT
    into the referenced table generated (PostgreSQL's ``currval`` of that table's id sequence), not a parameter."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    fields = _insert_fields(model)
    slots = []  # what each column's value is: a parameter, or the linked row's new id
    for f in fields:
        if f.column != linked:
            slots.append("%s")
            continue
        target = f.related_model._meta  # type: ignore[union-attr]  # a foreign key's model
        slots.append(f"currval(pg_get_serial_sequence('{qn(target.db_table)}', '{target.pk.column}'))")
    row = "(" + ", ".join(slots) + ")"
    return (f"INSERT INTO {qn(model._meta.db_table)} "  # noqa: S608 - model names, values as parameters
            f"({', '.join(qn(f.column) for f in fields)}) VALUES {', '.join([row] * rows)}"
            + (f" RETURNING {qn(model._meta.pk.column)}" if returning else ""))


def _plain(model: type[models.Model], connection: BaseDatabaseWrapper, returning: bool) -> bool:
    """Whether rows of ``model`` can be inserted here without the ORM's help."""
    opts = model._meta
    return (not opts.parents and isinstance(opts.pk, models.AutoField | models.BigAutoField | models.SmallAutoField)
            and (connection.features.can_return_rows_from_bulk_insert or not returning)
            and not any(getattr(f, "generated", False) for f in opts.concrete_fields)
            and not signals.pre_save.has_listeners(model) and not signals.post_save.has_listeners(model))


def insert_statement(objs: Sequence[models.Model], *, using: str = "default", returning: bool = False,
                     linked: models.ForeignKey[Any, Any] | None = None) -> Statement | None:
    """The INSERT of new rows of one model (``RETURNING`` their ids if asked), or None when the ORM must write
    them (then call ``save()`` or ``bulk_create``).

    ``linked``: a foreign key of the rows that points to a row inserted just before, in the same round trip, whose
    id is not known yet (PostgreSQL only: see :func:`insert_with_children`). The rows' own value of it is ignored.
    """
    connection = connections[using]
    model = type(objs[0])
    fields = _insert_fields(model)
    if (not _plain(model, connection, returning) or len(objs) * len(fields) > MAX_PARAMETERS
            or any(obj.pk is not None or type(obj) is not model for obj in objs)):
        return None
    if linked is not None:
        fields = tuple(f for f in fields if f is not linked)
    values = []
    for obj in objs:
        if linked is None:
            # As save() and bulk_create do: refuse an unsaved related row, take the id of one saved since assigned.
            obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
        else:
            _prepare_related_except(obj, linked)
        values.append([f.pre_save(obj, True) for f in fields])
    if any(hasattr(value, "resolve_expression") for row in values for value in row):
        return None
    params = [f.get_db_prep_save(value, connection) for row in values for f, value in zip(fields, row, strict=True)]
    return _insert_sql(model, len(objs), connection.alias, returning, linked.column if linked else None), params


def _prepare_related_except(obj: models.Model, linked: models.ForeignKey[Any, Any]) -> None:
    """``_prepare_related_fields_for_save`` for every foreign key but ``linked`` (its row is not saved yet)."""
    cached = linked.get_cached_value(obj, default=None)
    value = getattr(obj, linked.attname)
    if cached is not None:
        linked.delete_cached_value(obj)
    setattr(obj, linked.attname, None)
    try:
        obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    finally:
        setattr(obj, linked.attname, value)
        if cached is not None:
            linked.set_cached_value(obj, cached)


def _saved(objs: Sequence[models.Model], ids: Sequence[Sequence[Any]], alias: str) -> None:
    for obj, (pk, *_rest) in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias


def insert(objs: Sequence[models.Model], *, using: str = "default") -> bool:
    """Insert new rows of one model in one statement and set their primary keys; False (nothing written) when
    the ORM must do it (then call ``save()`` or ``bulk_create``)."""
    statement = insert_statement(objs, using=using, returning=True)
    if statement is None:
        return False
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        ids = cursor.fetchall()
    _saved(objs, ids, connection.alias)
    return True


def insert_with_children(parent: models.Model, children: Sequence[models.Model], link: str, *,
                         using: str = "default", first: Statement | None = None) -> list[Any] | None:
    """Insert a new row and new rows that point to it (``link``: the children's foreign key to it), set their
    primary keys and the children's link; None (nothing written, ``first`` not run) when the ORM must do it.

    ``first``: a statement to run before them (a lock); its rows are returned (an empty list without one).
    On PostgreSQL all of it is one round trip: the children's link is the id the parent's INSERT just drew from
    its sequence (``currval``, which is per connection). Elsewhere the statements run one by one.
    """
    if not children:
        raise ValueError("insert_with_children needs children; insert() a row alone")
    connection = connections[using]
    model = type(children[0])
    field = model._meta.get_field(link)
    if not isinstance(field, models.ForeignKey) or field.related_model is not type(parent):
        raise ValueError(f"{link!r} is not the children's foreign key to {type(parent).__name__}")
    parent_insert = insert_statement([parent], using=using, returning=True)
    children_insert = insert_statement(children, using=using, returning=True, linked=field)
    if parent_insert is None or children_insert is None:
        return None
    statements = [*([first] if first else []), parent_insert, children_insert]
    with connection.cursor() as cursor:
        if _binds_on_client(connection, cursor):
            cursor.execute(*_joined(statements))
            results = []
            for _statement in statements:
                results.append(cursor.fetchall())
                cursor.nextset()
        else:  # one by one, the parent's id put in the children's rows where the link goes
            results = []
            for sql, params in statements[:-1]:
                cursor.execute(sql, params)
                results.append(cursor.fetchall())
            columns = _insert_fields(model)
            position, width = columns.index(field), len(columns) - 1
            rows = [list(children_insert[1][start:start + width]) for start in range(0, len(children_insert[1]), width)]
            cursor.execute(_insert_sql(model, len(children), connection.alias, True),
                           [value for row in rows for value in (*row[:position], results[-1][0][0], *row[position:])])
            results.append(cursor.fetchall())
    *first_rows, parent_ids, children_ids = results
    _saved([parent], parent_ids, connection.alias)
    _saved(children, children_ids, connection.alias)
    for child in children:
        setattr(child, link, parent)
    return first_rows[0] if first_rows else []
