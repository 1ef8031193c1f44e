"""Reads of organisations and memberships, scoped to what the acting membership may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from varta.accounts.models import User
from varta.accounts.permissions import Action, can
from varta.orgs.models import Membership, Organisation


def active_memberships(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def organisations_visible(membership: Membership) -> QuerySet[Organisation]:
    """Every organisation for a system admin; the acting organisation for everyone else."""
    if can(membership, Action.ORGS_MANAGE):
        return Organisation.objects.all()
    return Organisation.objects.filter(pk=membership.organisation_id)


def access_organisation(membership: Membership, organisation_id: int) -> Organisation:
    try:
        return organisations_visible(membership).get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def members_of(membership: Membership) -> QuerySet[Membership]:
    """Memberships of the acting organisation."""
    return (
        Membership.objects.filter(organisation_id=membership.organisation_id)
        .select_related("user")
        .order_by("user__full_name")
    )


def access_member(membership: Membership, member_id: int) -> Membership:
    """A membership of the acting organisation, or 404 (also for other organisations' memberships)."""
    try:
        return members_of(membership).get(pk=member_id)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
