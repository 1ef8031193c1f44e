"""Consents per purpose: record, withdraw, and the check every consent-gated action makes (``require_consent``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from varta.accounts.permissions import Action, require
from varta.audit import writes
from varta.audit.writes import Actor
from varta.cases.models import Case, Consent, ConsentMethod, ConsentPurpose
from varta.orgs.models import Membership, Organisation


@dataclass
class ConsentInput:
    purpose: str
    given_on: date
    method: str
    recipient: Organisation | None = None  # the organisation a referral consent names


def active_consent(case: Case, purpose: str, *, recipient_id: int | None = None,
                   on: date | None = None) -> Consent | None:
    on = on or timezone.localdate()
    consents = case.consents.filter(purpose=purpose, given_on__lte=on).filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
    if recipient_id is not None:
        consents = consents.filter(recipient_id=recipient_id)
    return consents.first()


def require_consent(case: Case, purpose: str, *, recipient: Organisation | None = None, field: str = "consent",
                    on: date | None = None) -> Consent:
    """The active consent for ``purpose`` (to ``recipient`` for a referral), or a ValidationError naming it."""
    consent = active_consent(case, purpose, recipient_id=recipient.pk if recipient is not None else None, on=on)
    if consent is not None:
        return consent
    if purpose == ConsentPurpose.REFERRAL and recipient is not None:
        message = _("The person has not consented to a referral to %(organisation)s. Record that consent first.") % {
            "organisation": recipient.name}
    else:
        message = _("The person has not given the consent this needs: “%(purpose)s”. Record that consent first.") % {
            "purpose": ConsentPurpose(purpose).label}
    raise ValidationError({field: [message]}, code="consent_missing")


def record_consent(*, actor: Actor, membership: Membership, case: Case, data: ConsentInput) -> Consent:
    require(membership, Action.CASE_WORK)
    errors: dict[str, list[str]] = {}
    if data.purpose not in {str(v) for v in ConsentPurpose.values}:
        errors["purpose"] = [_("Choose what the consent is for.")]
    if data.method not in {str(v) for v in ConsentMethod.values}:
        errors["method"] = [_("Say how the consent was given.")]
    if data.given_on > timezone.localdate():
        errors["given_on"] = [_("A consent cannot be given in the future.")]
    if data.purpose == ConsentPurpose.REFERRAL:
        if data.recipient is None or not data.recipient.is_active:
            errors["recipient"] = [_("A referral consent names the organisation the person agrees to be referred to.")]
    elif data.recipient is not None:
        errors["recipient"] = [_("Only a referral consent names an organisation.")]
    if case.is_closed:
        errors["case"] = [_("This case is closed.")]
    if errors:
        raise ValidationError(errors)
    return writes.create(Consent(organisation_id=case.organisation_id, case=case, purpose=data.purpose,
                                 recipient=data.recipient, given_on=data.given_on, method=data.method,
                                 recorded_by=membership.user), actor=actor)


def withdraw_consent(*, actor: Actor, membership: Membership, consent: Consent, on: date | None = None) -> Consent:
    require(membership, Action.CASE_WORK)
    on = on or timezone.localdate()
    if consent.withdrawn_on is not None:
        raise ValidationError({"withdrawn_on": [_("This consent has been withdrawn already.")]})
    if on < consent.given_on or on > timezone.localdate():
        raise ValidationError({"withdrawn_on": [_("The withdrawal date must lie between the consent and today.")]})
    return writes.update(consent, actor=actor, changes={"withdrawn_on": on}, action="cases.consent.withdraw")
