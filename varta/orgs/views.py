"""Organisation pages: own organisation and its members (org admin), all organisations (system admin)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varta.accounts.permissions import Action, Role, can
from varta.core.http import VartaRequest, acting
from varta.orgs import actions, selectors
from varta.orgs.forms import MemberCreateForm, MemberRoleForm, OrganisationForm
from varta.orgs.models import Organisation


def _org_initial(org: Organisation) -> dict[str, object]:
    return {"name": org.name, "acronym": org.acronym, "type": org.type, "country": org.country_id,
            "areas": list(org.areas.all())}


def detail(request: VartaRequest) -> HttpResponse:
    membership = acting(request, Action.ORG_VIEW)
    org = membership.organisation
    return render(request, "orgs/detail.html", {
        "org": org, "areas": org.areas.order_by("pcode"),
        "members": selectors.members_of(membership),
        "can_manage": can(membership, Action.MEMBERS_MANAGE),
        "can_edit": can(membership, Action.ORG_EDIT),
    })


def edit(request: VartaRequest, organisation_id: int | None = None) -> HttpResponse:
    """Edit the acting organisation (org admin) or, with an id, any organisation (system admin)."""
    if organisation_id is None:
        membership = acting(request, Action.ORG_EDIT)
        org = membership.organisation
    else:
        membership = acting(request, Action.ORGS_MANAGE)
        org = selectors.access_organisation(membership, organisation_id)
    form = OrganisationForm(request.POST or None, initial=_org_initial(org))
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.organisation_update(actor=request.actor, organisation=org, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The organisation was saved."))
                return redirect("orgs:detail" if organisation_id is None else "orgs:list")
        return render(request, "orgs/edit.html", {"form": form, "org": org}, status=400)
    return render(request, "orgs/edit.html", {"form": form, "org": org})


def organisation_list(request: VartaRequest) -> HttpResponse:
    membership = acting(request, Action.ORGS_MANAGE)
    orgs = selectors.organisations_visible(membership).select_related("country")
    return render(request, "orgs/list.html", {"orgs": orgs})


def organisation_create(request: VartaRequest) -> HttpResponse:
    acting(request, Action.ORGS_MANAGE)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.organisation_create(actor=request.actor, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The organisation was created."))
                return redirect("orgs:list")
        return render(request, "orgs/edit.html", {"form": form, "org": None}, status=400)
    return render(request, "orgs/edit.html", {"form": form, "org": None})


@require_POST
def organisation_set_active(request: VartaRequest, organisation_id: int) -> HttpResponse:
    membership = acting(request, Action.ORGS_MANAGE)
    org = selectors.access_organisation(membership, organisation_id)
    if org.pk == membership.organisation_id:
        messages.error(request, _("You cannot deactivate your own organisation."))
    else:
        actions.organisation_set_active(actor=request.actor, organisation=org, active=not org.is_active)
    return redirect("orgs:list")


def member_create(request: VartaRequest) -> HttpResponse:
    membership = acting(request, Action.MEMBERS_MANAGE)
    include_sysadmin = can(membership, Action.ORGS_MANAGE)
    form = MemberCreateForm(request.POST or None, include_system_admin=include_sysadmin)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.member_create(actor=request.actor, acting=membership, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)  # errors naming a field land on that field
            else:
                messages.success(request, _("The user was added."))
                return redirect("orgs:detail")
        return render(request, "orgs/member_form.html", {"form": form}, status=400)
    return render(request, "orgs/member_form.html", {"form": form})


def member_edit(request: VartaRequest, member_id: int) -> HttpResponse:
    membership = acting(request, Action.MEMBERS_MANAGE)
    member = selectors.access_member(membership, member_id)
    include_sysadmin = can(membership, Action.ORGS_MANAGE)
    # Only a system admin may change, deactivate or reset a system admin (the actions refuse it too).
    can_touch = include_sysadmin or member.role != Role.SYSTEM_ADMIN
    form = MemberRoleForm(request.POST or None, initial={"role": member.role}, include_system_admin=include_sysadmin)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.membership_change_role(actor=request.actor, acting=membership, member=member,
                                               role=form.cleaned_data["role"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The role was changed."))
                return redirect("orgs:detail")
        return render(request, "orgs/member_edit.html", {"form": form, "member": member, "can_touch": can_touch},
                      status=400)
    return render(request, "orgs/member_edit.html", {"form": form, "member": member, "can_touch": can_touch})


@require_POST
def member_set_active(request: VartaRequest, member_id: int) -> HttpResponse:
    membership = acting(request, Action.MEMBERS_MANAGE)
    member = selectors.access_member(membership, member_id)
    try:
        actions.membership_set_active(actor=request.actor, acting=membership, member=member,
                                      active=not member.is_active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("orgs:detail")


@require_POST
def member_reset_two_factor(request: VartaRequest, member_id: int) -> HttpResponse:
    membership = acting(request, Action.MEMBERS_MANAGE)
    member = selectors.access_member(membership, member_id)
    actions.member_reset_two_factor(actor=request.actor, acting=membership, member=member)
    messages.success(request, _("Two-factor login was reset: the user will set it up at the next login."))
    return redirect("orgs:member_edit", member_id=member.pk)
