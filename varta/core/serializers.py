"""Serializer plumbing shared by every context's API: fields built once per class, cheap per-request copies, and
output serializers whose instances share one set of fields.

DRF builds a serializer's fields for every instance, so for every request: it deep-copies each declared field,
which re-runs the field's ``__init__`` with deep copies of its arguments (choices, lazy labels, validators), and a
``ModelSerializer`` first looks every field up on the model again. On the hotline's create path that was about a
millisecond of a request whose whole budget is a few (docs/benchmarks.md).

:class:`BuiltOnce` builds a class's fields once and gives each instance shallow copies of them. That is safe
because a field's per-instance state is what ``bind()`` sets (its name, parent, label, source) and each copy gets
its own; everything else a field holds (choices, validators, error messages, a ``ListField``'s child) is read,
never written, while serializing or validating. Nested serializers hold state of their own (initial data,
errors), so they are still deep-copied, and build their own fields the same way if they use :class:`BuiltOnce`.

:class:`SharedFields` goes further for serializers that only ever turn rows into JSON: every instance reads the
same bound fields, so an instance costs nothing to set up. A created hotline contact's response (a contact and its
consultations: three serializer instances, about forty fields) spent more time copying and binding fields than
reading the row.
"""

from __future__ import annotations

import copy
from functools import cached_property
from typing import Any

from django.db import models
from rest_framework import serializers

AnyField = serializers.Field[Any, Any, Any, Any]


# No docstring on purpose: drf-spectacular would show it as the description of every serializer that has none.
class BuiltOnce:
    def get_fields(self) -> dict[str, AnyField]:
        built: dict[str, AnyField] | None = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]  # the serializer class this is mixed into
            type.__setattr__(type(self), "_built_fields", built)
        return {name: copy.deepcopy(field) if isinstance(field, serializers.BaseSerializer) else _shallow(field)
                for name, field in built.items()}


# No docstring on purpose (as BuiltOnce).
class SharedFields(BuiltOnce):
    # Instances of an output serializer share one set of fields, built and bound once per class on an instance
    # made for that purpose. Only for serializers that read nothing but the instance they are given: fields and
    # ``get_<name>`` methods must not use ``self.context``, ``self.instance`` or ``self.partial`` (they would see
    # the shared instance's). Used for validation (``data=``), a serializer gets fields of its own as usual.
    @cached_property
    def fields(self) -> Any:  # DRF's BindingDict
        if hasattr(self, "initial_data"):
            own: Any = super()  # the serializer class this is mixed into
            return own.fields
        cls = type(self)
        shared = cls.__dict__.get("_shared_fields")
        if shared is None:
            template: Any = super(SharedFields, cls())
            shared = template.fields
            type.__setattr__(cls, "_shared_fields", shared)
        return shared


def _shallow(field: AnyField) -> AnyField:
    """``copy.copy(field)`` without the pickle protocol it goes through (a tenth of the cost)."""
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone


class SharedChoices(tuple[tuple[Any, Any], ...]):
    """A ChoiceField's choices that the field's copies share (a deep copy of a field copies its choices too)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedChoices:
        return self


def choices_of(choices: type[models.Choices]) -> SharedChoices:
    return SharedChoices(choices.choices)
