"""The audited write path: every create, update and delete of an audited model goes through here.

Each function runs in one transaction that holds both the change and its audit event, so a change without its
event (or an event without its change) cannot be committed. Events record the names of changed fields, never
their values. Actions (``varta/<context>/actions.py``) call these instead of ``Model.save()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction

from varta.audit import chain
from varta.audit.guard import audited_write
from varta.audit.models import AuditEvent

if TYPE_CHECKING:
    from varta.accounts.models import User
    from varta.orgs.models import Organisation

M = TypeVar("M", bound=models.Model)


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


def record(
    *, actor: Actor, action: str, object_type: str = "", object_id: object = "", changed: Iterable[str] = ()
) -> AuditEvent:
    """An event that is not a row change: a login, a view of personal data, an export."""
    return chain.append(
        actor_id=actor.user_id,
        organisation_id=actor.organisation_id,
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        changed_fields=changed,
    )


def _concrete_fields(obj: models.Model) -> list[models.Field[Any, Any]]:
    return [f for f in obj._meta.concrete_fields if not f.primary_key]


def _value(obj: models.Model, field: models.Field[Any, Any]) -> Any:
    return getattr(obj, field.attname)


def create(obj: M, *, actor: Actor, action: str | None = None) -> M:
    """Insert ``obj`` and record ``<app>.<model>.create`` with the names of the fields that were set."""
    with transaction.atomic(), audited_write():
        obj.save(force_insert=True)
        set_fields = [f.name for f in _concrete_fields(obj) if _value(obj, f) not in (None, "", [], {})]
        record(actor=actor, action=action or f"{object_type(obj)}.create", object_type=object_type(obj),
               object_id=obj.pk, changed=set_fields)
    return obj


def update(obj: M, *, actor: Actor, changes: dict[str, Any], action: str | None = None) -> M:
    """Apply ``changes`` (field name → new value), save the fields that really changed, record their names.

    Nothing is written (and no event recorded) when no value changed.
    """
    fields = {f.name: f for f in _concrete_fields(obj)}
    changed: list[str] = []
    for name, new in changes.items():
        if name not in fields:
            raise ValueError(f"{type(obj).__name__} has no field {name!r}")
        field = fields[name]
        current = getattr(obj, name)
        if current != new:
            setattr(obj, name, new)
            changed.append(field.name)
    if not changed:
        return obj
    with transaction.atomic(), audited_write():
        obj.save(update_fields=changed)
        record(actor=actor, action=action or f"{object_type(obj)}.update", object_type=object_type(obj),
               object_id=obj.pk, changed=changed)
    return obj


def set_m2m(obj: models.Model, field: str, values: Sequence[Any], *, actor: Actor) -> None:
    """Replace a many-to-many relation, recording the field name if the set changed."""
    manager = getattr(obj, field)
    before = set(manager.values_list("pk", flat=True))
    after = {v.pk if isinstance(v, models.Model) else v for v in values}
    if before == after:
        return
    with transaction.atomic(), audited_write():
        manager.set(list(after))
        record(actor=actor, action=f"{object_type(obj)}.update", object_type=object_type(obj),
               object_id=obj.pk, changed=[field])


def delete(obj: models.Model, *, actor: Actor, action: str | None = None) -> None:
    pk = obj.pk
    with transaction.atomic(), audited_write():
        obj.delete()
        record(actor=actor, action=action or f"{object_type(obj)}.delete", object_type=object_type(obj),
               object_id=pk)


def bulk_create(objs: Sequence[M], *, actor: Actor, action: str, batch_size: int = 1000) -> list[M]:
    """Insert many rows (imports, demo data) with one event naming the model and the count of rows."""
    if not objs:
        return []
    model = type(objs[0])
    with transaction.atomic(), audited_write():
        created = model._default_manager.bulk_create(objs, batch_size=batch_size)
        record(actor=actor, action=action, object_type=object_type(model), object_id=f"{len(created)} rows")
    return created
