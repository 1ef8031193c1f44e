"""Why a user looks at a person's identifying details: one short picklist for every reveal in Varta.

A reveal (a caller's name and phone on a hotline contact, a survivor's personal fields on a case) is an audit
event whose action names the reason, e.g. ``hotline.contact.reveal.contact`` or ``cases.person.reveal.verify``.
A picklist rather than free text: free text typed in a hurry would itself be personal data in the audit trail,
and a fixed list can be counted ("how often were details revealed for supervision?").
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RevealReason(models.TextChoices):
    CONTACT = "contact", _("To contact the person")
    SERVICE = "service", _("To arrange or deliver a service")
    DOCUMENTS = "documents", _("To prepare documents or a referral")
    VERIFY = "verify", _("To verify identity or avoid a duplicate")
    SUPERVISION = "supervision", _("Supervision or quality review")
    SUBJECT_REQUEST = "subject_request", _("The person's own request")


def is_reason(value: str) -> bool:
    return value in RevealReason.values
