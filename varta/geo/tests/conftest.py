"""Geo test data: Ukraine (all four levels) and Moldova from the real files, loaded once for the geo tests.

Loaded outside the per-test transactions and removed after the last geo test, so other apps' tests (which create
their own few units) start from an empty table.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from varta.geo.loader import global_rows, sync_units, ukraine_rows
from varta.geo.models import AdminUnit


def delete_all_units() -> None:
    # One statement: the ORM's collector would fetch every row to honour on_delete=PROTECT between units.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AdminUnit._meta.db_table}")


@pytest.fixture(scope="package")
def geo_units(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        delete_all_units()
        sync_units({**ukraine_rows(), **global_rows(countries={"MDA"})})
    yield
    with django_db_blocker.unblock(), transaction.atomic():
        delete_all_units()
