"""Validators shared by every context."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]")


def no_markup(value: str) -> None:
    """Free text must not carry HTML: it is shown escaped anyway, but markup in a record is a sign of an attack
    or of a paste from a web page that the person should clean."""
    if _MARKUP.search(value or ""):
        raise ValidationError(_("HTML tags such as <script> are not allowed here. Remove them and save again."),
                              code="markup")


def normalise_phone(value: str, *, region: str = "UA") -> str:
    """The number in E.164 (+380…), or ValidationError. Numbers without a country code are read as ``region``'s."""
    raw = (value or "").strip()
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("This is not a phone number."), code="phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This phone number is not valid. Check the digits and the country code."),
                              code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
