"""Every write to organisations and memberships."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from varta.accounts import actions as account_actions
from varta.accounts.models import User
from varta.accounts.permissions import Action, Role, can, require
from varta.audit import writes
from varta.audit.writes import Actor
from varta.geo.models import AdminUnit, Country
from varta.orgs.models import Membership, Organisation


def organisation_create(*, actor: Actor, name: str, acronym: str, type: str, country: Country,
                        areas: Sequence[AdminUnit] = ()) -> Organisation:
    with transaction.atomic():
        org = writes.create(Organisation(name=name.strip(), acronym=acronym.strip(), type=type, country=country),
                            actor=actor)
        if areas:
            writes.set_m2m(org, "areas", areas, actor=actor)
        return org


def organisation_update(*, actor: Actor, organisation: Organisation, name: str, acronym: str, type: str,
                        country: Country, areas: Sequence[AdminUnit]) -> Organisation:
    with transaction.atomic():
        writes.update(organisation, actor=actor, changes={"name": name.strip(), "acronym": acronym.strip(),
                                                          "type": type, "country": country})
        writes.set_m2m(organisation, "areas", areas, actor=actor)
        return organisation


def organisation_set_active(*, actor: Actor, organisation: Organisation, active: bool) -> Organisation:
    return writes.update(organisation, actor=actor, changes={"is_active": active})


def _check_grantable(acting: Membership, role: str) -> None:
    # Only a system admin may make another system admin.
    if role == Role.SYSTEM_ADMIN and not can(acting, Action.ORGS_MANAGE):
        raise ValidationError(_("Only a system admin can grant the system admin role."))


def membership_add(*, actor: Actor, acting: Membership, organisation: Organisation, user: User,
                   role: str) -> Membership:
    require(acting, Action.MEMBERS_MANAGE)
    _check_grantable(acting, role)
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(_("This user is already a member of the organisation."))
    return writes.create(Membership(user=user, organisation=organisation, role=role), actor=actor)


def member_create(*, actor: Actor, acting: Membership, username: str, full_name: str, email: str, role: str,
                  password: str, language: str = "en") -> Membership:
    """An org admin creates a new user directly in the acting organisation, with a first password."""
    require(acting, Action.MEMBERS_MANAGE)
    _check_grantable(acting, role)
    if User.objects.filter(username__iexact=username.strip()).exists():
        raise ValidationError(_("This username is taken."))
    with transaction.atomic():
        user = account_actions.user_create(actor=actor, username=username, full_name=full_name, email=email,
                                           password=password, language=language)
        return writes.create(Membership(user=user, organisation=acting.organisation, role=role), actor=actor)


def membership_change_role(*, actor: Actor, acting: Membership, member: Membership, role: str) -> Membership:
    require(acting, Action.MEMBERS_MANAGE)
    _check_grantable(acting, role)
    if member.role == Role.SYSTEM_ADMIN and not can(acting, Action.ORGS_MANAGE):
        raise ValidationError(_("Only a system admin can change a system admin's role."))
    return writes.update(member, actor=actor, changes={"role": role})


def membership_set_active(*, actor: Actor, acting: Membership, member: Membership, active: bool) -> Membership:
    require(acting, Action.MEMBERS_MANAGE)
    if member.pk == acting.pk and not active:
        raise ValidationError(_("You cannot deactivate your own membership."))
    if member.role == Role.SYSTEM_ADMIN and not can(acting, Action.ORGS_MANAGE):
        raise ValidationError(_("Only a system admin can deactivate a system admin."))
    return writes.update(member, actor=actor, changes={"is_active": active})
