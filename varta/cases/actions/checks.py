"""Small checks the case-record actions share (plan, services, follow-ups, notes): one message per bad field."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from varta.cases.models import Case
from varta.core.validators import no_markup

Errors = dict[str, list[str]]


def add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def choice(errors: Errors, name: str, value: str, choices: type[models.Choices]) -> None:
    if value not in {str(v) for v in choices.values}:
        add(errors, name, _("“%(value)s” is not one of the allowed values.") % {"value": value})


def text(errors: Errors, name: str, value: str, *, max_length: int, required: bool = False) -> None:
    """Free text: no HTML, not too long, present when ``required``."""
    if required and not value.strip():
        add(errors, name, _("This field is required."))
    if len(value) > max_length:
        add(errors, name, _("This is too long (at most %(max)s characters).") % {"max": max_length})
    try:
        no_markup(value)
    except ValidationError as exc:
        errors.setdefault(name, []).extend(exc.messages)


def open_case(errors: Errors, case: Case) -> None:
    """A closed case is read-only: corrections wait until a supervisor reopens it."""
    if case.is_closed:
        add(errors, "case", _("This case is closed. A supervisor can reopen it."))


def merge(errors: Errors, exc: ValidationError) -> None:
    for name, messages in exc.message_dict.items():
        errors.setdefault(name, []).extend(messages)


def raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)
