"""Hotline pages: escalating a contact to case management, and the escalations waiting for it.

An escalation waits here as pending until a case worker opens a case from it ("Open a case": the register page
of varta/cases with ``?escalation=<id>``), which marks it converted.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varta.accounts.permissions import Action, can
from varta.core.http import VartaRequest, acting
from varta.hotline import actions, selectors
from varta.hotline.forms import EscalateForm, add_action_errors
from varta.hotline.views.contacts import render_contact

PER_PAGE = 50


def escalation_list(request: VartaRequest) -> HttpResponse:
    membership = acting(request, Action.HOTLINE_ESCALATION_VIEW)
    escalations = selectors.pending_escalations(membership).prefetch_related("contact__consultations__topic")
    page = Paginator(escalations, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "hotline/escalations_list.html", {
        "page": page, "can_view_contacts": can(membership, Action.HOTLINE_CONTACT_VIEW),
        "can_register": can(membership, Action.CASE_REGISTER),
    })


@require_POST
def contact_escalate(request: VartaRequest, contact_id: int) -> HttpResponse:
    """"Escalate" on a contact's page: a pending escalation with the operator's reason, no data copied."""
    membership = acting(request, Action.HOTLINE_ESCALATE)
    contact = selectors.access_contact(membership, contact_id)
    form = EscalateForm(request.POST)
    if form.is_valid():
        try:
            actions.escalate(actor=request.actor, membership=membership, contact=contact,
                             reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Contact %(number)s escalated to case management.") % {"number": contact.pk})
            return redirect("hotline:contact_detail", contact_id=contact.pk)
    return render_contact(request, membership, contact, escalate_form=form, status=400)


urlpatterns: list[URLPattern] = [
    path("escalations/", escalation_list, name="escalations"),
    path("contacts/<int:contact_id>/escalate/", contact_escalate, name="contact_escalate"),
]
