"""The audited write path: every create, update and delete of an audited model goes through here.

Each function runs in one transaction that holds both the change and its audit event, so a change without its
event (or an event without its change) cannot be committed. Events record the names of changed fields, never
their values. Actions (``varta/<context>/actions.py``) call these instead of ``Model.save()``.

Each function locks the audit chain head before it touches a row (``chain.lock_head``): audited transactions
then always take their locks in the same order (head first), so they queue instead of deadlocking.

Inside a caller's transaction the functions add no savepoint of their own (``savepoint=False``): a failed write
fails the whole transaction, which is what an action wants, and it saves two statements per write on the hot path
of the hotline. A caller that wants to recover from a failed write wraps the call in its own ``atomic()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction

from varta.audit import chain
from varta.audit.guard import audited_write
from varta.audit.models import AuditChainHead, AuditEvent
from varta.core import sql
from varta.core.sql import Statement

if TYPE_CHECKING:
    from varta.accounts.models import User
    from varta.orgs.models import Organisation

M = TypeVar("M", bound=models.Model)
N = TypeVar("N", bound=models.Model)


@dataclass(frozen=True)
class Actor:
    """Who acts, and for which organisation. ``user`` is None for the system itself (commands, migrations)."""

    user: User | None
    organisation: Organisation | None

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None, organisation=None)

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def organisation_id(self) -> int | None:
        return self.organisation.pk if self.organisation is not None else None


def object_type(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


@dataclass
class Batch:
    """The audited writes of one ``batch()``: its chain head (locked by its first write), its events, and plain
    statements for its end."""

    head: AuditChainHead | None = None
    events: list[AuditEvent] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)

    def execute_at_end(self, statements: Iterable[Statement]) -> None:
        """Plain statements (derived data such as roll-up increments) to run when the batch ends, under the chain
        lock, in the same round trip as the batch's events."""
        self.statements.extend(statements)


_batch: ContextVar[Batch | None] = ContextVar("varta_audit_batch", default=None)


@contextmanager
def batch() -> Iterator[Batch]:
    """One transaction whose audited writes share one chain-head lock and insert their events together at its end.

    For a hot path that writes a few rows at once (a hotline contact and its consultations): it saves a head
    lock, an event insert and a head update per row, and its end (the statements given to ``execute_at_end``,
    the events, the head) is one round trip to PostgreSQL. The first audited write locks the head, before it
    writes (``create_with_children`` sends the lock in the same round trip as its INSERTs). Nothing inside may
    read the audit trail it is writing, nor write rows other than through this module before its first audited
    write. If the block raises, the transaction rolls back with nothing saved. Nested batches join the outer one.
    """
    outer = _batch.get()
    if outer is not None:
        yield outer
        return
    with transaction.atomic(savepoint=False), audited_write():
        current = Batch()
        token = _batch.set(current)
        try:
            yield current
        finally:
            _batch.reset(token)
        # not reached when the block raised
        if current.events or current.statements:  # the end's statements run under the lock too
            chain.save_events(_locked(current), current.events, before=current.statements)


def _locked(current: Batch) -> AuditChainHead:
    if current.head is None:
        current.head = chain.lock_head()
    return current.head


def _lock_head() -> AuditChainHead:
    current = _batch.get()
    return chain.lock_head() if current is None else _locked(current)


def record(
    *, actor: Actor, action: str, object_type: str = "", object_id: object = "", changed: Iterable[str] = (),
    head: AuditChainHead | None = None,
) -> AuditEvent:
    """An event that is not a row change: a login, a view of personal data, an export.

    ``head``: the chain head this transaction has locked already (the write functions pass it), else it is locked.
    """
    current = _batch.get()
    if current is not None:
        event = chain.next_event(head=_lock_head(), actor_id=actor.user_id, organisation_id=actor.organisation_id,
                                 action=action, object_type=object_type,
                                 object_id="" if object_id is None else str(object_id), changed_fields=changed)
        current.events.append(event)
        return event
    return chain.append(
        head=head,
        actor_id=actor.user_id,
        organisation_id=actor.organisation_id,
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        changed_fields=changed,
    )


def _concrete_fields(obj: models.Model | type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in obj._meta.concrete_fields if not f.primary_key]


def _is_set(value: Any) -> bool:
    return value not in (None, "", [], {})


def _record_create(obj: models.Model, *, actor: Actor, action: str | None, head: AuditChainHead,
                   fields: Sequence[models.Field[Any, Any]]) -> None:
    record(head=head, actor=actor, action=action or f"{object_type(obj)}.create", object_type=object_type(obj),
           object_id=obj.pk, changed=[f.name for f in fields if _is_set(getattr(obj, f.attname))])


def create(obj: M, *, actor: Actor, action: str | None = None) -> M:
    """Insert ``obj`` and record ``<app>.<model>.create`` with the names of the fields that were set."""
    with transaction.atomic(savepoint=False), audited_write():
        head = _lock_head()
        if not sql.insert([obj], using=transaction.get_connection().alias):
            obj.save(force_insert=True)
        _record_create(obj, actor=actor, action=action, head=head, fields=_concrete_fields(obj))
    return obj


def create_many(objs: Sequence[M], *, actor: Actor, action: str | None = None) -> list[M]:
    """Insert rows of one model in one statement, with an event per row (unlike ``bulk_create``'s one event)."""
    if not objs:
        return []
    model = type(objs[0])
    with transaction.atomic(savepoint=False), audited_write():
        head = _lock_head()
        connection = transaction.get_connection()
        created = objs if sql.insert(objs, using=connection.alias) else model._default_manager.bulk_create(objs)
        fields = _concrete_fields(model)
        for obj in created:
            _record_create(obj, actor=actor, action=action, head=head, fields=fields)
    return list(created)


def create_with_children(parent: M, children: Sequence[N], *, link: str, actor: Actor) -> list[N]:
    """Insert ``parent`` and ``children`` (new rows whose foreign key ``link`` points to it), with an event per row,
    as ``create`` and then ``create_many`` would; the children come back with their ids and their link set.

    In a batch whose head is not locked yet, the lock goes with the INSERTs: on PostgreSQL the lock and both
    INSERTs are one round trip (``varta.core.sql.insert_with_children``) instead of three.
    """
    if not children:
        create(parent, actor=actor)
        return []
    with transaction.atomic(savepoint=False), audited_write():
        connection = transaction.get_connection()
        current = _batch.get()
        opening = current is not None and current.head is None
        if not opening:
            _lock_head()
        locked = sql.insert_with_children(parent, children, link, using=connection.alias,
                                          first=chain.head_lock_statement(connection) if opening else None)
        if locked is None:  # the ORM writes them
            create(parent, actor=actor)
            for child in children:
                setattr(child, link, parent)
            return create_many(children, actor=actor)
        if current is not None and opening:
            current.head = chain.head_from_rows(connection, locked) or chain.lock_head()
        head = _lock_head()
        _record_create(parent, actor=actor, action=None, head=head, fields=_concrete_fields(parent))
        fields = _concrete_fields(children[0])
        for child in children:
            _record_create(child, actor=actor, action=None, head=head, fields=fields)
    return list(children)


def update(obj: M, *, actor: Actor, changes: dict[str, Any], action: str | None = None) -> M:
    """Apply ``changes`` (field name or attname → new value), save the fields that really changed, record names.

    Nothing is written (and no event recorded) when no value changed. A foreign key is compared by id, so
    passing the same related row (or its id) is no change and costs no query.
    """
    fields: dict[str, models.Field[Any, Any]] = {}
    for f in _concrete_fields(obj):
        fields[f.name] = f
        fields[f.attname] = f
    pending: list[tuple[models.Field[Any, Any], str, Any]] = []
    for name, new in changes.items():
        field = fields.get(name)
        if field is None:
            raise ValueError(f"{type(obj).__name__} has no field {name!r}")
        current = getattr(obj, field.attname)
        if field.is_relation and name == field.name:
            new_value = new.pk if isinstance(new, models.Model) else new
        else:
            new_value = new
        if current != new_value:
            pending.append((field, name, new))
    if not pending:
        return obj
    changed = [field.name for field, _name, _new in pending]
    # Fields Django stamps on every save (``auto_now``) are saved too, but they are not the user's change.
    stamped = [f.name for f in _concrete_fields(obj) if getattr(f, "auto_now", False) and f.name not in changed]
    with transaction.atomic(savepoint=False), audited_write():
        head = _lock_head()
        for _field, name, new in pending:
            setattr(obj, name, new)
        obj.save(update_fields=[*changed, *stamped])
        record(head=head, actor=actor, action=action or f"{object_type(obj)}.update", object_type=object_type(obj),
               object_id=obj.pk, changed=changed)
    return obj


def set_m2m(obj: models.Model, field: str, values: Sequence[Any], *, actor: Actor, action: str | None = None) -> None:
    """Replace a many-to-many relation, recording the field name if the set changed."""
    manager = getattr(obj, field)
    before = set(manager.values_list("pk", flat=True))
    after = {v.pk if isinstance(v, models.Model) else v for v in values}
    if before == after:
        return
    with transaction.atomic(savepoint=False), audited_write():
        head = _lock_head()
        manager.set(list(after))
        record(head=head, actor=actor, action=action or f"{object_type(obj)}.update", object_type=object_type(obj),
               object_id=obj.pk, changed=[field])


def delete(obj: models.Model, *, actor: Actor, action: str | None = None) -> None:
    """Delete ``obj``; rows deleted with it by cascade get one event per model with their count."""
    pk = obj.pk
    own_label = obj._meta.label
    with transaction.atomic(savepoint=False), audited_write():
        head = _lock_head()
        _total, per_model = obj.delete()
        main_action = action or f"{object_type(obj)}.delete"
        record(head=head, actor=actor, action=main_action, object_type=object_type(obj), object_id=pk)
        for label, count in sorted(per_model.items()):
            cascaded = count - 1 if label == own_label else count
            if cascaded > 0:
                record(head=head, actor=actor, action=f"{object_type(obj)}.delete.cascade", object_type=label.lower(),
                       object_id=f"{cascaded} rows")


def bulk_create(objs: Sequence[M], *, actor: Actor, action: str, batch_size: int = 1000) -> list[M]:
    """Insert many rows (imports, demo data) with one event naming the model, the fields set and the count."""
    if not objs:
        return []
    model = type(objs[0])
    fields = _concrete_fields(model)
    set_fields = sorted({f.name for obj in objs for f in fields if _is_set(getattr(obj, f.attname))})
    with transaction.atomic(savepoint=False), audited_write():
        head = _lock_head()
        created = model._default_manager.bulk_create(objs, batch_size=batch_size)
        record(head=head, actor=actor, action=action, object_type=object_type(model), object_id=f"{len(created)} rows",
               changed=set_fields)
    return created
