"""An org admin manages the own organisation's users: add, change role, deactivate, reset two-factor."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied, ValidationError

from varta.accounts.models import RecoveryCode, TotpDevice, User
from varta.accounts.permissions import Role
from varta.accounts.tests.helpers import enrol, nothing_written
from varta.audit.models import AuditEvent
from varta.audit.writes import Actor
from varta.orgs import actions
from varta.orgs.models import Membership

FIRST_PASSWORD = "a first password for olena"


def _new_user(role: Role = Role.CASE_WORKER, **overrides: str) -> dict[str, str]:
    return {"username": "olena.k", "full_name": "Olena K", "email": "", "role": role.value,
            "password": FIRST_PASSWORD, **overrides}


@pytest.fixture
def admin(client, personas, login_as):
    login_as(personas.a.user(Role.ORG_ADMIN))
    return client


def _edit_url(member: Membership) -> str:
    return f"/organisations/mine/members/{member.pk}/"


# --- Adding a user ------------------------------------------------------------------------------------------


def test_it_shows_the_members_of_the_own_organisation_only(admin, personas):
    content = admin.get("/organisations/mine/").content.decode()
    assert personas.a.user(Role.CASE_WORKER).username in content
    assert personas.b.user(Role.CASE_WORKER).username not in content
    assert 'href="/organisations/mine/members/new/"' in content


def test_it_adds_a_user_to_the_own_organisation(admin, personas):
    response = admin.post("/organisations/mine/members/new/", _new_user())
    assert response.status_code == 302
    assert response["Location"] == "/organisations/mine/"
    user = User.objects.get(username="olena.k")
    assert check_password(FIRST_PASSWORD, user.password)
    member = Membership.objects.get(user=user)
    assert (member.organisation, member.role, member.is_active) == (personas.a.organisation, "case_worker", True)
    event = AuditEvent.objects.filter(action="orgs.membership.create").order_by("-seq")[0]
    assert event.object_id == str(member.pk)
    assert (event.actor_id, event.organisation_id) == (personas.a.user(Role.ORG_ADMIN).pk, personas.a.organisation.pk)


def test_it_refuses_a_taken_username_with_400_and_writes_nothing(admin, personas):
    taken = personas.b.user(Role.CASE_WORKER).username.upper()
    with nothing_written(User, Membership):
        response = admin.post("/organisations/mine/members/new/", _new_user(username=taken))
    assert response.status_code == 400
    assert "This username is taken." in response.content.decode()


def test_it_refuses_a_weak_first_password_on_the_password_field(admin):
    with nothing_written(User, Membership):
        response = admin.post("/organisations/mine/members/new/", _new_user(password="olena.k12345"))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors.get("password")
    assert not form.errors.get("username")


def test_it_refuses_the_system_admin_role_to_an_org_admin(admin):
    with nothing_written(User, Membership):
        response = admin.post("/organisations/mine/members/new/", _new_user(Role.SYSTEM_ADMIN))
    assert response.status_code == 400
    assert 'value="system_admin"' not in admin.get("/organisations/mine/members/new/").content.decode()


def test_it_offers_the_system_admin_role_to_a_system_admin(client, personas, login_as):
    login_as(personas.a.user(Role.SYSTEM_ADMIN))
    assert 'value="system_admin"' in client.get("/organisations/mine/members/new/").content.decode()
    assert client.post("/organisations/mine/members/new/", _new_user(Role.SYSTEM_ADMIN)).status_code == 302
    assert Membership.objects.get(user__username="olena.k").role == "system_admin"


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ORG_ADMIN, Role.SYSTEM_ADMIN)],
                         ids=lambda r: r.value)
def test_it_requires_members_manage(client, personas, login_as, role):
    login_as(personas.a.user(role))
    member = personas.a.membership(Role.HOTLINE_OPERATOR if role != Role.HOTLINE_OPERATOR else Role.CASE_WORKER)
    with nothing_written(User, Membership):
        assert client.get("/organisations/mine/members/new/").status_code == 403
        assert client.post("/organisations/mine/members/new/", _new_user()).status_code == 403
        assert client.post(_edit_url(member), {"role": "org_admin"}).status_code == 403
        assert client.post(f"{_edit_url(member)}active/").status_code == 403
        assert client.post(f"{_edit_url(member)}reset-two-factor/").status_code == 403
    assert Membership.objects.get(pk=member.pk).is_active


# --- Changing a role, deactivating ----------------------------------------------------------------------------


def test_it_changes_a_role(admin, personas):
    member = personas.a.membership(Role.HOTLINE_OPERATOR)
    assert admin.get(_edit_url(member)).status_code == 200
    response = admin.post(_edit_url(member), {"role": Role.CASE_SUPERVISOR.value})
    assert response["Location"] == "/organisations/mine/"
    member.refresh_from_db()
    assert member.role == "case_supervisor"
    assert AuditEvent.objects.filter(action="orgs.membership.update", object_id=str(member.pk),
                                     changed_fields=["role"]).exists()


def test_it_refuses_granting_system_admin_by_changing_a_role(admin, personas):
    member = personas.a.membership(Role.HOTLINE_OPERATOR)
    with nothing_written(Membership):
        assert admin.post(_edit_url(member), {"role": Role.SYSTEM_ADMIN.value}).status_code == 400
    member.refresh_from_db()
    assert member.role == "hotline_operator"


def test_it_refuses_an_org_admin_touching_a_system_admin(admin, personas):
    sysadmin = personas.a.membership(Role.SYSTEM_ADMIN)
    page = admin.get(_edit_url(sysadmin)).content.decode()
    assert "Only a system admin can change a system admin." in page
    assert "reset-two-factor" not in page
    events = AuditEvent.objects.count()
    assert admin.post(_edit_url(sysadmin), {"role": Role.CASE_WORKER.value}).status_code == 403
    assert admin.post(f"{_edit_url(sysadmin)}active/").status_code == 403
    sysadmin.refresh_from_db()
    assert (sysadmin.role, sysadmin.is_active) == ("system_admin", True)
    assert AuditEvent.objects.count() == events


def test_it_deactivates_and_reactivates_a_membership(admin, personas):
    member = personas.a.membership(Role.CASE_WORKER)
    assert admin.post(f"{_edit_url(member)}active/")["Location"] == "/organisations/mine/"
    member.refresh_from_db()
    assert not member.is_active
    assert "deactivated" in admin.get("/organisations/mine/").content.decode()
    admin.post(f"{_edit_url(member)}active/")
    member.refresh_from_db()
    assert member.is_active


def test_it_refuses_deactivating_oneself(admin, personas):
    me = personas.a.membership(Role.ORG_ADMIN)
    with nothing_written(Membership):
        response = admin.post(f"{_edit_url(me)}active/", follow=True)
    assert "You cannot deactivate your own membership." in response.content.decode()
    me.refresh_from_db()
    assert me.is_active


def test_it_refuses_changing_ones_own_role(admin, personas):
    me = personas.a.membership(Role.ORG_ADMIN)
    with nothing_written(Membership):
        assert admin.post(_edit_url(me), {"role": Role.CASE_WORKER.value}).status_code == 400
    me.refresh_from_db()
    assert me.role == "org_admin"


def test_it_answers_404_for_another_organisations_member(admin, personas):
    other = personas.b.membership(Role.CASE_WORKER)
    with nothing_written(Membership, TotpDevice):
        assert admin.get(_edit_url(other)).status_code == 404
        assert admin.post(_edit_url(other), {"role": Role.ORG_ADMIN.value}).status_code == 404
        assert admin.post(f"{_edit_url(other)}active/").status_code == 404
        assert admin.post(f"{_edit_url(other)}reset-two-factor/").status_code == 404
    assert admin.get("/organisations/mine/members/999999/").status_code == 404


def test_it_requires_post_to_deactivate(admin, personas):
    assert admin.get(f"{_edit_url(personas.a.membership(Role.CASE_WORKER))}active/").status_code == 405


# --- Two-factor reset ------------------------------------------------------------------------------------------


def test_it_resets_a_members_two_factor(admin, personas):
    user = personas.a.user(Role.CASE_WORKER)
    enrol(user)
    response = admin.post(f"{_edit_url(personas.a.membership(Role.CASE_WORKER))}reset-two-factor/")
    assert response.status_code == 302
    assert not TotpDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="auth.totp.reset").exists()


def test_it_refuses_an_org_admin_resetting_a_system_admins_two_factor(admin, personas):
    sysadmin = personas.a.membership(Role.SYSTEM_ADMIN)
    enrol(sysadmin.user)
    with nothing_written(TotpDevice, RecoveryCode):
        response = admin.post(f"{_edit_url(sysadmin)}reset-two-factor/")
    assert response.status_code == 403
    assert "Only a system admin can reset" in response.content.decode()
    assert TotpDevice.objects.filter(user=sysadmin.user).exists()


def test_it_refuses_resetting_a_user_who_is_system_admin_elsewhere(admin, personas):
    from varta.audit import writes

    # B's system admin also works as a case worker in A: A's org admin may not weaken that login.
    sysadmin_b = personas.b.user(Role.SYSTEM_ADMIN)
    member = writes.create(Membership(user=sysadmin_b, organisation=personas.a.organisation, role=Role.CASE_WORKER),
                           actor=Actor.system())
    enrol(sysadmin_b)
    with nothing_written(TotpDevice, RecoveryCode):
        assert admin.post(f"{_edit_url(member)}reset-two-factor/").status_code == 403


def test_it_lets_a_system_admin_reset_a_system_admin(client, personas, login_as):
    from varta.audit import writes

    login_as(personas.a.user(Role.SYSTEM_ADMIN))
    other = writes.create(Membership(user=personas.b.user(Role.SYSTEM_ADMIN), organisation=personas.a.organisation,
                                     role=Role.SYSTEM_ADMIN), actor=Actor.system())
    enrol(other.user)
    assert client.post(f"{_edit_url(other)}reset-two-factor/").status_code == 302
    assert not TotpDevice.objects.filter(user=other.user).exists()


# --- The actions refuse on their own too (defence in depth) ----------------------------------------------------


def test_the_actions_refuse_members_of_another_organisation(personas):
    admin_a = personas.a.membership(Role.ORG_ADMIN)
    other = personas.b.membership(Role.CASE_WORKER)
    actor = Actor(user=admin_a.user, organisation=admin_a.organisation)
    with nothing_written(Membership, TotpDevice):
        with pytest.raises(PermissionDenied):
            actions.membership_change_role(actor=actor, acting=admin_a, member=other, role=Role.ORG_ADMIN)
        with pytest.raises(PermissionDenied):
            actions.membership_set_active(actor=actor, acting=admin_a, member=other, active=False)
        with pytest.raises(PermissionDenied):
            actions.member_reset_two_factor(actor=actor, acting=admin_a, member=other)
        with pytest.raises(PermissionDenied):
            actions.membership_add(actor=actor, acting=admin_a, organisation=personas.b.organisation,
                                   user=personas.a.user(Role.CASE_WORKER), role=Role.CASE_WORKER)


def test_the_actions_refuse_roles_without_members_manage(personas):
    worker = personas.a.membership(Role.CASE_WORKER)
    actor = Actor(user=worker.user, organisation=worker.organisation)
    with nothing_written(User, Membership), pytest.raises(PermissionDenied):
        actions.member_create(actor=actor, acting=worker, **_new_user())


def test_the_actions_refuse_an_unknown_role(personas):
    admin_a = personas.a.membership(Role.ORG_ADMIN)
    actor = Actor(user=admin_a.user, organisation=admin_a.organisation)
    with nothing_written(User, Membership), pytest.raises(ValidationError):
        actions.member_create(actor=actor, acting=admin_a, **{**_new_user(), "role": "boss"})
