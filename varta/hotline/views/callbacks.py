"""Hotline pages: the call-back queue, scheduling a call-back from a contact, cancelling one, and showing the
number to call (an audited reveal, like the contact page's).

A call-back is made from the operator screen (``hotline:contact_new`` with ``?callback=<id>``): the new contact is
saved through ``actions.callback_complete``, linked to the first one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varta.accounts.permissions import ROLE_ACTIONS, Action, can
from varta.core.http import VartaRequest, acting
from varta.core.reveal import RevealReason
from varta.hotline import actions, selectors
from varta.hotline.forms import CallbackForm, add_action_errors, default_callback_time
from varta.hotline.models import Callback
from varta.orgs.models import Membership
from varta.orgs.selectors import members_of

QUEUE_LIMIT = 200
OPERATOR_ROLES = [role.value for role, allowed in ROLE_ACTIONS.items() if Action.HOTLINE_CONTACT_CREATE in allowed]


@dataclass
class QueueRow:
    callback: Callback
    state: str  # "overdue", "today" or "later"
    phone: str  # the number, only in the response that follows its reveal


def _queue_url(team: bool) -> str:
    url = reverse("hotline:callbacks")
    return f"{url}?team=1" if team else url


def _render_queue(request: VartaRequest, membership: Membership, *, team: bool, revealed: Callback | None = None
                  ) -> HttpResponse:
    now = timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    queue = list(selectors.callback_queue(membership, now=now, everyone=team)
                 .select_related("contact__location")
                 .prefetch_related("contact__consultations__topic")[:QUEUE_LIMIT])
    rows = []
    for callback in queue:
        due: datetime = callback.due_at
        state = "overdue" if due < now else "today" if due <= end_of_today else "later"
        phone = revealed.contact.caller_phone if revealed is not None and revealed.pk == callback.pk else ""
        rows.append(QueueRow(callback=callback, state=state, phone=phone))
    return render(request, "hotline/callbacks_queue.html", {
        "rows": rows, "team": team, "limited": len(queue) == QUEUE_LIMIT,
        "overdue": sum(1 for r in rows if r.state == "overdue"),
        "can_call": can(membership, Action.HOTLINE_CONTACT_CREATE),
        "revealed": revealed,
    })


def callback_queue(request: VartaRequest) -> HttpResponse:
    """Scheduled call-backs, overdue first: the user's own, or the whole team's with ?team=1."""
    membership = acting(request, Action.HOTLINE_CONTACT_VIEW)
    return _render_queue(request, membership, team=request.GET.get("team") == "1")


@require_POST
def callback_reveal(request: VartaRequest, callback_id: int) -> HttpResponse:
    """"Show number": record the reveal of the caller's details, then show the number in this response only."""
    membership = acting(request, Action.HOTLINE_CONTACT_VIEW)
    callback = selectors.access_callback(membership, callback_id)
    actions.contact_reveal(actor=request.actor, membership=membership, contact=callback.contact,
                           reason=RevealReason.CONTACT)
    return _render_queue(request, membership, team=request.POST.get("team") == "1", revealed=callback)


@require_POST
def callback_cancel(request: VartaRequest, callback_id: int) -> HttpResponse:
    membership = acting(request, Action.HOTLINE_CONTACT_CREATE)
    callback = selectors.access_callback(membership, callback_id)
    try:
        actions.callback_cancel(actor=request.actor, membership=membership, callback=callback)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Call-back %(number)s cancelled.") % {"number": callback.pk})
    return redirect(_queue_url(request.POST.get("team") == "1"))


def _operators(membership: Membership) -> list[Membership]:
    return list(members_of(membership).filter(is_active=True, role__in=OPERATOR_ROLES))


def callback_new(request: VartaRequest, contact_id: int) -> HttpResponse:
    """Schedule a call-back of a contact whose caller agreed to one and left a number."""
    membership = acting(request, Action.HOTLINE_CONTACT_CREATE)
    contact = selectors.access_contact(membership, contact_id)
    operators = _operators(membership)
    context: dict[str, Any] = {"contact": contact, "has_phone": contact.callback_consent and bool(contact.caller_phone)}
    if request.method == "POST":
        form = CallbackForm(request.POST, operators=operators)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.callback_schedule(actor=request.actor, membership=membership, contact=contact,
                                          due_at=data["due_at"], assigned_to=data["assigned_to"], note=data["note"])
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("Call-back scheduled."))
                return redirect("hotline:contact_detail", contact_id=contact.pk)
        return render(request, "hotline/callbacks_form.html", {**context, "form": form}, status=400)
    form = CallbackForm(operators=operators,
                        initial={"due_at": default_callback_time(), "assigned_to": str(request.user.pk)})
    return render(request, "hotline/callbacks_form.html", {**context, "form": form})


urlpatterns: list[URLPattern] = [
    path("callbacks/", callback_queue, name="callbacks"),
    path("callbacks/<int:callback_id>/reveal/", callback_reveal, name="callback_reveal"),
    path("callbacks/<int:callback_id>/cancel/", callback_cancel, name="callback_cancel"),
    path("contacts/<int:contact_id>/callbacks/new/", callback_new, name="callback_new"),
]
