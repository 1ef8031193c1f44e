"""Every write to organisations and memberships.

Member management is checked here as well as in the views (defence in depth): the acting membership must allow
``org.members.manage``, may only touch members of its own organisation (a system admin's ``orgs.manage`` reaches
every organisation), and only a system admin may grant, change, deactivate or reset a system admin.
Acting on a member one may not touch raises PermissionDenied (403); bad input, including a role one may not
grant, raises ValidationError (400).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from varta.accounts import actions as account_actions
from varta.accounts.models import User
from varta.accounts.permissions import Action, Role, can, require
from varta.audit import writes
from varta.audit.writes import Actor
from varta.geo.models import AdminUnit, Country
from varta.orgs.models import Membership, Organisation


def _check_name_free(name: str, *, except_pk: int | None = None) -> None:
    taken = Organisation.objects.filter(name__iexact=name.strip())
    if except_pk is not None:
        taken = taken.exclude(pk=except_pk)
    if taken.exists():
        raise ValidationError({"name": _("An organisation with this name exists.")})


def organisation_create(*, actor: Actor, name: str, acronym: str, type: str, country: Country,
                        areas: Sequence[AdminUnit] = ()) -> Organisation:
    with transaction.atomic():
        _check_name_free(name)
        org = writes.create(Organisation(name=name.strip(), acronym=acronym.strip(), type=type, country=country),
                            actor=actor)
        if areas:
            writes.set_m2m(org, "areas", areas, actor=actor)
        return org


def organisation_update(*, actor: Actor, organisation: Organisation, name: str, acronym: str, type: str,
                        country: Country, areas: Sequence[AdminUnit]) -> Organisation:
    with transaction.atomic():
        _check_name_free(name, except_pk=organisation.pk)
        writes.update(organisation, actor=actor, changes={"name": name.strip(), "acronym": acronym.strip(),
                                                          "type": type, "country": country})
        writes.set_m2m(organisation, "areas", areas, actor=actor)
        return organisation


def organisation_set_active(*, actor: Actor, organisation: Organisation, active: bool) -> Organisation:
    return writes.update(organisation, actor=actor, changes={"is_active": active})


def _is_system_admin(acting: Membership) -> bool:
    return can(acting, Action.ORGS_MANAGE)


def _check_grantable(acting: Membership, role: str) -> None:
    if role not in {r.value for r in Role}:
        raise ValidationError({"role": _("Unknown role.")})
    if role == Role.SYSTEM_ADMIN and not _is_system_admin(acting):
        raise ValidationError({"role": _("Only a system admin can grant the system admin role.")})


def _check_reach(acting: Membership, organisation_id: int) -> None:
    if organisation_id != acting.organisation_id and not _is_system_admin(acting):
        raise PermissionDenied(_("You may manage only your own organisation's users."))


def membership_add(*, actor: Actor, acting: Membership, organisation: Organisation, user: User,
                   role: str) -> Membership:
    require(acting, Action.MEMBERS_MANAGE)
    _check_reach(acting, organisation.pk)
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
        raise ValidationError({"username": _("This username is taken.")})
    with transaction.atomic():
        try:
            user = account_actions.user_create(actor=actor, username=username, full_name=full_name, email=email,
                                               password=password, language=language)
        except ValidationError as exc:  # the password validators
            raise ValidationError({"password": exc.messages}) from exc
        return writes.create(Membership(user=user, organisation=acting.organisation, role=role), actor=actor)


def membership_change_role(*, actor: Actor, acting: Membership, member: Membership, role: str) -> Membership:
    require(acting, Action.MEMBERS_MANAGE)
    _check_reach(acting, member.organisation_id)
    _check_grantable(acting, role)
    if member.role == Role.SYSTEM_ADMIN and not _is_system_admin(acting):
        raise PermissionDenied(_("Only a system admin can change a system admin's role."))
    if member.pk == acting.pk and role != member.role:
        raise ValidationError(_("You cannot change your own role; ask another admin."))
    return writes.update(member, actor=actor, changes={"role": role})


def membership_set_active(*, actor: Actor, acting: Membership, member: Membership, active: bool) -> Membership:
    require(acting, Action.MEMBERS_MANAGE)
    _check_reach(acting, member.organisation_id)
    if member.role == Role.SYSTEM_ADMIN and not _is_system_admin(acting):
        raise PermissionDenied(_("Only a system admin can deactivate or reactivate a system admin."))
    if member.pk == acting.pk and not active:
        raise ValidationError(_("You cannot deactivate your own membership."))
    return writes.update(member, actor=actor, changes={"is_active": active})


def member_reset_two_factor(*, actor: Actor, acting: Membership, member: Membership) -> None:
    """Remove a member's authenticator and recovery codes (a lost phone): they enrol again at the next login.

    Two-factor belongs to the user, not the membership, so the reset reaches every organisation the user works
    for. That is why only a system admin may reset a user who is a system admin anywhere.
    """
    require(acting, Action.MEMBERS_MANAGE)
    _check_reach(acting, member.organisation_id)
    if not _is_system_admin(acting) and Membership.objects.filter(user_id=member.user_id,
                                                                  role=Role.SYSTEM_ADMIN).exists():
        raise PermissionDenied(_("Only a system admin can reset a system admin's two-factor login."))
    account_actions.totp_reset(actor=actor, user=member.user)
