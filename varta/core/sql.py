"""Plain SQL for the few hot paths that need it: statements sent to the database together.

A hotline contact ends its transaction with a handful of small statements whose results nobody reads (roll-up
increments, the audit events, the chain head). On PostgreSQL each statement is a round trip, and on a busy
server the round trips, not the statements, are most of a contact's time. Django's PostgreSQL backend binds
parameters on the client by default (psycopg's ``ClientCursor``), which can send several statements in one
``execute``: :func:`execute_together` does that, and runs them one by one elsewhere (SQLite executes one statement
per call, and has no round trips to save).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

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
