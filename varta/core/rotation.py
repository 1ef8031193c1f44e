"""Key rotation: re-encrypt every encrypted value and every blind-index token under the active key (``varta
rotate-keys``; the procedure is in docs/operations.md, "Rotating the data key").

The columns are found, not listed: every ``EncryptedTextField`` and ``EncryptedBinaryField`` of every installed
model. Each table is walked in primary-key batches; a value is touched only when its stored ciphertext names
another key than the active one (read raw with SQL, so nothing is decrypted and re-encrypted blindly). Each batch
is one short transaction that takes the audit chain head first, as every audited writer does, so it queues with
them instead of deadlocking, and writes with ``UPDATE … WHERE <column> = <the ciphertext read>``: a value a user
changed meanwhile is left alone (the next pass looks again). No row goes through ``Model.save``; the command
writes one audit event for the whole rotation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from varta.audit import chain
from varta.core.crypto import (
    DecryptionError,
    EncryptedBinaryField,
    EncryptedTextField,
    active_key_id,
    ciphertext_key_id,
    decrypt,
    decrypt_bytes,
    encrypt,
    encrypt_bytes,
)

BATCH_SIZE = 500


class RotationError(Exception):
    """Old keys cannot be retired: some values (or tokens) still name them."""


@dataclass(frozen=True)
class EncryptedTable:
    model: type[models.Model]
    fields: tuple[models.Field[Any, Any], ...]

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def pk_column(self) -> str:
        pk = self.model._meta.pk
        assert pk is not None
        return pk.column

    def field_names(self) -> list[str]:
        return [f"{self.label}.{f.name}" for f in self.fields]


@dataclass
class TableResult:
    label: str
    rows: int = 0  # rows read
    reencrypted: int = 0  # values written under the active key
    unreadable: int = 0  # values under a key the keyring does not hold, or altered


@dataclass
class PassResult:
    tables: list[TableResult] = field(default_factory=list)
    token_persons: int = 0  # persons whose blind-index tokens were rewritten
    token_persons_skipped: int = 0  # persons whose names cannot be decrypted (their tokens stay as they are)

    @property
    def changed(self) -> int:
        return sum(t.reencrypted for t in self.tables) + self.token_persons

    @property
    def unreadable(self) -> int:
        return sum(t.unreadable for t in self.tables) + self.token_persons_skipped


def _binary(f: models.Field[Any, Any]) -> bool:
    return isinstance(f, EncryptedBinaryField)


def encrypted_tables() -> list[EncryptedTable]:
    """Every table with encrypted columns, across all installed apps (proxies and unmanaged models skipped)."""
    found: list[EncryptedTable] = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = tuple(f for f in model._meta.concrete_fields
                       if isinstance(f, EncryptedTextField | EncryptedBinaryField))
        if fields:
            found.append(EncryptedTable(model=model, fields=fields))
    return sorted(found, key=lambda t: t.label)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _key_of(f: models.Field[Any, Any], value: Any) -> str | None:
    """The key id a stored value names; None for an empty value (nothing to rotate)."""
    if value is None or value == "" or (_binary(f) and len(value) == 0):
        return None
    return ciphertext_key_id(bytes(value) if _binary(f) else str(value))


def _batches(t: EncryptedTable, batch_size: int) -> Iterator[list[tuple[Any, ...]]]:
    """(pk, value or first 10 bytes of a binary value, …) in primary-key order, one batch at a time."""
    columns = ", ".join(f"substr({_q(f.column)}, 1, 10)" if _binary(f) else _q(f.column) for f in t.fields)
    last: Any = None
    while True:
        where, params = ("", []) if last is None else (f" WHERE {_q(t.pk_column)} > %s", [last])
        sql = (f"SELECT {_q(t.pk_column)}, {columns} FROM {_q(t.table)}{where} "  # noqa: S608 (quoted names)
               f"ORDER BY {_q(t.pk_column)} LIMIT {int(batch_size)}")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def _full_value(t: EncryptedTable, f: models.Field[Any, Any], pk: Any) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_q(f.column)} FROM {_q(t.table)} WHERE {_q(t.pk_column)} = %s", [pk])  # noqa: S608
        row = cursor.fetchone()
    return None if row is None else row[0]


def _reencrypt(f: models.Field[Any, Any], value: Any) -> Any:
    if _binary(f):
        return encrypt_bytes(decrypt_bytes(bytes(value)))
    return encrypt(decrypt(str(value)))


def reencrypt_table(t: EncryptedTable, *, active: str, batch_size: int = BATCH_SIZE) -> TableResult:
    result = TableResult(label=t.label)
    for rows in _batches(t, batch_size):
        result.rows += len(rows)
        # pk → [(field, old ciphertext, new ciphertext)], computed before the transaction so it stays short.
        pending: list[tuple[Any, list[tuple[models.Field[Any, Any], Any, Any]]]] = []
        for row in rows:
            changes = []
            for f, value in zip(t.fields, row[1:], strict=True):
                kid = _key_of(f, value)
                if kid is None or kid == active:
                    continue
                old = _full_value(t, f, row[0]) if _binary(f) else value
                if old is None:
                    continue
                try:
                    changes.append((f, old, _reencrypt(f, old)))
                except DecryptionError:
                    result.unreadable += 1
            if changes:
                pending.append((row[0], changes))
        if pending:
            result.reencrypted += _write(t, pending)
    return result


def _write(t: EncryptedTable, pending: list[tuple[Any, list[tuple[models.Field[Any, Any], Any, Any]]]]) -> int:
    written = 0
    with transaction.atomic():
        chain.lock_head()  # the lock order of every audited writer: head first, then rows
        with connection.cursor() as cursor:
            for pk, changes in pending:
                sets = ", ".join(f"{_q(f.column)} = %s" for f, _old, _new in changes)
                checks = " AND ".join(f"{_q(f.column)} = %s" for f, _old, _new in changes)
                cursor.execute(
                    f"UPDATE {_q(t.table)} SET {sets} WHERE {_q(t.pk_column)} = %s AND {checks}",  # noqa: S608
                    [*(new for _f, _old, new in changes), pk, *(old for _f, old, _new in changes)])
                if cursor.rowcount == 1:
                    written += len(changes)
    return written


def rewrite_tokens(*, active: str, batch_size: int = BATCH_SIZE) -> tuple[int, int]:
    """Rewrite the blind-index tokens of every person who still has a token under an older key.

    Returns (persons rewritten, persons skipped because a name or birth date cannot be decrypted).
    """
    from varta.cases import blind_index
    from varta.cases.models import Person, PersonToken

    done = skipped = 0
    last = 0
    while True:
        ids = list(PersonToken.objects.exclude(key_id=active).filter(person_id__gt=last).order_by("person_id")
                   .values_list("person_id", flat=True).distinct()[:batch_size])
        if not ids:
            return done, skipped
        last = ids[-1]
        with transaction.atomic():
            chain.lock_head()  # person updates (which rewrite tokens) wait, so the names read here are current
            persons = _readable_persons(Person.objects.filter(pk__in=ids).only(
                "pk", "organisation_id", "given_name", "family_name", "patronymic", "birth_date"))
            PersonToken.objects.filter(person_id__in=[p.pk for p in persons]).delete()
            PersonToken.objects.bulk_create(
                PersonToken(organisation_id=p.organisation_id, person=p, key_id=kid, kind=kind, token=tok)
                for p in persons
                for kid, kind, tok in blind_index.tokens_for(names=(p.given_name, p.family_name, p.patronymic),
                                                             birth_date=p.birth_date))
        done += len(persons)
        skipped += len(ids) - len(persons)


def _readable_persons(persons: models.QuerySet[Any]) -> list[Any]:
    try:
        return list(persons)
    except DecryptionError:  # one unreadable value: take the persons one by one and leave that one alone
        readable = []
        for pk in persons.values_list("pk", flat=True):
            try:
                readable.append(persons.get(pk=pk))
            except DecryptionError:
                continue
        return readable


def one_pass(*, batch_size: int = BATCH_SIZE, tables: Iterable[EncryptedTable] | None = None) -> PassResult:
    active = active_key_id()
    result = PassResult()
    for t in tables if tables is not None else encrypted_tables():
        result.tables.append(reencrypt_table(t, active=active, batch_size=batch_size))
    result.token_persons, result.token_persons_skipped = rewrite_tokens(active=active, batch_size=batch_size)
    return result


def key_census() -> dict[str, dict[str, int]]:
    """``{label: {key id: number of values}}`` for every encrypted table, plus the blind-index tokens."""
    census: dict[str, dict[str, int]] = {}
    for t in encrypted_tables():
        counts = census.setdefault(t.label, {})
        for f in t.fields:
            start = 3 if _binary(f) else 4  # b"v1" + id, or "v1." + id
            empty = f"length({_q(f.column)}) > 0" if _binary(f) else f"{_q(f.column)} <> ''"
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT substr({_q(f.column)}, {start}, 8), COUNT(*) FROM {_q(t.table)} "  # noqa: S608
                    f"WHERE {_q(f.column)} IS NOT NULL AND {empty} GROUP BY 1")
                for kid, count in cursor.fetchall():
                    name = bytes(kid).decode("ascii", "replace") if isinstance(kid, bytes | memoryview) else str(kid)
                    counts[name] = counts.get(name, 0) + int(count)
    from varta.cases.models import PersonToken

    tokens = census.setdefault(PersonToken._meta.label_lower, {})
    for kid, count in PersonToken.objects.values_list("key_id").annotate(n=models.Count("pk")).order_by():
        tokens[kid] = tokens.get(kid, 0) + count
    return census


def left_under_old_keys(active: str | None = None) -> dict[str, int]:
    """``{label: values or tokens naming another key than the active one}``, only tables with any."""
    active = active or active_key_id()
    left = {label: sum(n for kid, n in counts.items() if kid != active) for label, counts in key_census().items()}
    return {label: n for label, n in left.items() if n}
