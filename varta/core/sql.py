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
            cursor.execute("; ".join(sql for sql, _params in statements),
                           [value for _sql, params in statements for value in params])
            return
        for sql, params in statements:
            cursor.execute(sql, params)


# Most parameters one INSERT may carry on every supported database (SQLite's historical limit).
MAX_PARAMETERS = 999


def _insert_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


@functools.cache
def _insert_sql(model: type[models.Model], rows: int, alias: str, returning: bool) -> str:
    connection = connections[alias]
    qn = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(_insert_fields(model))) + ")"
    return (f"INSERT INTO {qn(model._meta.db_table)} "  # noqa: S608 - model names, values as parameters
            f"({', '.join(qn(f.column) for f in _insert_fields(model))}) VALUES {', '.join([row] * rows)}"
            + (f" RETURNING {qn(model._meta.pk.column)}" if returning else ""))


def _plain(model: type[models.Model], connection: BaseDatabaseWrapper, returning: bool) -> bool:
    """Whether rows of ``model`` can be inserted here without the ORM's help."""
    opts = model._meta
    return (not opts.parents and isinstance(opts.pk, models.AutoField | models.BigAutoField | models.SmallAutoField)
            and (connection.features.can_return_rows_from_bulk_insert or not returning)
            and not any(getattr(f, "generated", False) for f in opts.concrete_fields)
            and not signals.pre_save.has_listeners(model) and not signals.post_save.has_listeners(model))


def insert_statement(objs: Sequence[models.Model], *, using: str = "default",
                     returning: bool = False) -> Statement | None:
    """The INSERT of new rows of one model (``RETURNING`` their ids if asked), or None when the ORM must write
    them (then call ``save()`` or ``bulk_create``)."""
    connection = connections[using]
    model = type(objs[0])
    fields = _insert_fields(model)
    if (not _plain(model, connection, returning) or len(objs) * len(fields) > MAX_PARAMETERS
            or any(obj.pk is not None or type(obj) is not model for obj in objs)):
        return None
    values = []
    for obj in objs:
        # As save() and bulk_create do: refuse an unsaved related row, take the id of one saved since assigned.
        obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
        values.append([f.pre_save(obj, True) for f in fields])
    if any(hasattr(value, "resolve_expression") for row in values for value in row):
        return None
    params = [f.get_db_prep_save(value, connection) for row in values for f, value in zip(fields, row, strict=True)]
    return _insert_sql(model, len(objs), connection.alias, returning), params


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
    for obj, (pk,) in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return True
