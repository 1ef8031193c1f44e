"""What the record tabs of a case share: rows of the case by id (404 otherwise) and the consents an action lacks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from varta.cases import selectors
from varta.cases.actions.consent import active_consent
from varta.cases.models import Case, ConsentPurpose
from varta.orgs.models import Membership, Organisation, TenantModel

R = TypeVar("R", bound=TenantModel)


def row_of(membership: Membership, case: Case, model: type[R], row_id: int) -> R:
    """A row of ``case`` (a need, a plan item, a service…) the membership may see; 404 for any other."""
    row = selectors.access_case_row(membership, model, row_id)
    if getattr(row, "case_id", None) != case.pk:
        raise Http404
    return row


@dataclass(frozen=True)
class MissingConsent:
    label: str


def missing_consents(case: Case, purposes: tuple[str, ...] = (),
                     recipients: tuple[Organisation | None, ...] = ()) -> list[MissingConsent]:
    """The consents ``case`` lacks among ``purposes`` and referrals to ``recipients`` (other organisations)."""
    missing = [MissingConsent(str(ConsentPurpose(p).label)) for p in purposes if active_consent(case, p) is None]
    for org in recipients:
        if org is not None and org.pk != case.organisation_id and \
                active_consent(case, ConsentPurpose.REFERRAL, recipient_id=org.pk) is None:
            missing.append(MissingConsent(_("Referral to %(organisation)s") % {"organisation": org.name}))
    return missing


def referral_consents(case: Case) -> set[int]:
    """Organisations the person has agreed to be referred to (active consents)."""
    return {c.recipient_id for c in case.consents.filter(purpose=ConsentPurpose.REFERRAL, withdrawn_on__isnull=True)
            if c.recipient_id is not None}


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def back_to(route: str, case: Case, anchor: str = "") -> HttpResponse:
    response = redirect(route, case_id=case.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response
