"""A copy of the whole database without the key holds no personal value (issue 4, item 13).

The test creates persons (Cyrillic and Latin names) with every personal field, cases with notes, an attachment whose
content carries a distinctive text, encrypted need and plan texts, and a hotline caller with name and phone; then
it dumps the whole database — SQLite: ``iterdump()`` plus the raw bytes of every BLOB; PostgreSQL: ``pg_dump`` —
and looks for each value as text and as hex (how both dumps write binary columns).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from django.db import connection

from varta.cases.tests.helpers_rights import CALLER, caller_contact, full_case, secrets_of

pytestmark = pytest.mark.django_db(transaction=True)

# How the Cyrillic person's names would be written in Latin: no trace of them either.
TRANSLITERATED = ["Yaroslava", "Kvitchastenko", "Ostapivna"]


def _sqlite_dump() -> str:
    raw = connection.connection  # the sqlite3 connection of the test database (in memory)
    parts = list(raw.iterdump())
    tables = [row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for row in raw.execute(f'SELECT * FROM "{table}"'):
            parts.extend(bytes(value).decode("latin-1") for value in row if isinstance(value, bytes | memoryview))
            parts.extend(bytes(value).decode("utf-8", "replace") for value in row
                         if isinstance(value, bytes | memoryview))
    return "\n".join(parts)


def _pg_dump() -> str:
    executable = shutil.which("pg_dump")
    if executable is None:
        pytest.skip("pg_dump is not on PATH (install the PostgreSQL client tools to run this test on PostgreSQL)")
    database = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(database.get("PASSWORD") or "")}
    command = [executable, "--no-owner", "--no-privileges", "--format=plain", "--dbname", str(database["NAME"])]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            command += [option, str(database[key])]
    result = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    return result.stdout.decode("utf-8")


def test_it_finds_no_personal_value_in_a_dump_of_the_database(personas):
    cases = [full_case(personas.a, 0), full_case(personas.a, 1)]
    caller_contact(personas.a)
    dump = _sqlite_dump() if connection.vendor == "sqlite" else _pg_dump()
    assert cases[0].reference in dump
    assert "Ternopilska" in dump
    assert dump.count("v1.") > 20  # and the encrypted ones are there as ciphertext
    secrets = [*secrets_of(0), *secrets_of(1), *TRANSLITERATED, *CALLER.values(),
               CALLER["caller_phone"].removeprefix("+380")]
    lowered = dump.lower()
    found = [s for s in secrets if s in dump or s.lower() in lowered or s.encode("utf-8").hex() in lowered]
    assert found == [], f"personal values readable in the database dump: {found}"
