"""Serializer plumbing shared by every context's API: fields built once per class, and cheap per-request copies.

DRF builds a serializer's fields for every instance, so for every request: it deep-copies each declared field,
which re-runs the field's ``__init__`` with deep copies of its arguments (choices, lazy labels, validators), and a
``ModelSerializer`` first looks every field up on the model again. On the hotline's create path that was about a
millisecond of a request whose whole budget is a few (docs/benchmarks.md).

:class:`BuiltOnce` builds a class's fields once and gives each instance shallow copies of them. That is safe
because a field's per-instance state is what ``bind()`` sets (its name, parent, label, source) and each copy gets
its own; everything else a field holds (choices, validators, error messages, a ``ListField``'s child) is read,
never written, while serializing or validating. Nested serializers hold state of their own (initial data,
errors), so they are still deep-copied, and build their own fields the same way if they use :class:`BuiltOnce`.
"""

from __future__ import annotations

import copy
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
