"""Hotline pages: the operator screen (new contact), the contacts list, a contact's page, its correction and the
audited reveal of the caller's details."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, TextChoices
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varta.accounts.permissions import Action, can
from varta.audit import writes
from varta.core.htcds import MethodOfControl, TypeOfExploitation
from varta.core.http import VartaRequest, acting
from varta.hotline import actions, selectors
from varta.hotline.forms import (
    CONVERSATION_LANGUAGES,
    ContactFilter,
    ContactFilterForm,
    ContactForm,
    EscalateForm,
    RevealForm,
    contact_initial,
    contact_topic_rows,
    default_callback_time,
    follow_up_initial,
    format_duration,
    local_now,
    topic_groups,
    topic_options,
    topics_json,
)
from varta.hotline.models import Callback, CallbackStatus, Consultation, Contact, Escalation, Outcome
from varta.orgs.models import Membership
from varta.orgs.selectors import members_of

PER_PAGE = 50
# The page key of the draft that the last save made obsolete: the next operator page tells operator.js to drop it.
SESSION_SAVED_DRAFT = "hotline_saved_draft"


# --- The operator screen ----------------------------------------------------------------------------------------


def _callback_of(request: VartaRequest, membership: Membership) -> Callback | None:
    """The call-back being made (?callback=<id>): 404 when it is not the organisation's."""
    raw = request.GET.get("callback")
    if not raw:
        return None
    return selectors.access_callback(membership, raw)


def _callback_counts(membership: Membership) -> dict[str, int]:
    now = timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    counts = selectors.callback_queue(membership, now=now).aggregate(
        due=Count("pk", filter=Q(due_at__lte=end_of_today)), overdue=Count("pk", filter=Q(due_at__lt=now)))
    return {"due": counts["due"] or 0, "overdue": counts["overdue"] or 0}


def _operator_page(request: VartaRequest, membership: Membership, form: ContactForm, *, status: int = 200,
                   callback: Callback | None = None, contact: Contact | None = None) -> HttpResponse:
    options = topic_options(selectors.topic_choices(membership.organisation_id))
    context: dict[str, Any] = {
        "form": form, "contact": contact, "callback": callback,
        "topic_data": topics_json(options), "topic_groups": topic_groups(options), "outcomes": Outcome.choices,
        "rows": form.rows_for_display(), "choice_ids": {str(o.id) for o in options},
    }
    if contact is None:
        context.update({
            "draft_page": f"callback-{callback.pk}" if callback else "new",
            "draft_saved": request.session.pop(SESSION_SAVED_DRAFT, ""),
            # A page that shows what was posted (errors) is newer than any draft: nothing to restore then.
            "draft_restore": not form.is_bound,
            # When operator.js filled the duration from its timer it posts when the timer started (epoch ms).
            "timer_started": _digits(request.POST.get("timer", "")) if form.is_bound else "",
            "recent": selectors.recent_contacts(membership), "today": timezone.localdate(),
            "callbacks_due": _callback_counts(membership),
        })
    return render(request, "hotline/contacts_form.html", context, status=status)


def _digits(value: str) -> str:
    return value if value.isdigit() and len(value) <= 15 else ""


def _forms_topics(membership: Membership) -> list[Any]:
    # Every term the organisation can see, retired ones too: a correction shows an old contact's topic by name,
    # and the action (not the form) says that a retired topic cannot be chosen again.
    return list(selectors.topics_visible(membership.organisation_id, include_retired=True))


def contact_new(request: VartaRequest) -> HttpResponse:
    """The operator screen: one page to record a contact, its topics, a call-back and an escalation."""
    membership = acting(request, Action.HOTLINE_CONTACT_CREATE)
    callback = _callback_of(request, membership)
    if callback is not None and callback.status != CallbackStatus.SCHEDULED:
        messages.error(request, _("This call-back is already closed."))
        return redirect("hotline:callbacks")
    can_escalate = can(membership, Action.HOTLINE_ESCALATE)
    topics = _forms_topics(membership)
    if request.method == "POST":
        form = ContactForm(request.POST, topics=topics,
                           can_escalate=can_escalate)
        if form.is_valid():
            try:
                contact = _record(request, membership, form, callback)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("Contact %(number)s saved.") % {"number": contact.pk})
                request.session[SESSION_SAVED_DRAFT] = f"callback-{callback.pk}" if callback else "new"
                if request.POST.get("then") == "view":
                    return redirect("hotline:contact_detail", contact_id=contact.pk)
                return redirect("hotline:contact_new")
        return _operator_page(request, membership, form, status=400, callback=callback)
    initial = follow_up_initial(callback.contact) if callback is not None else {"started_at": local_now()}
    initial["callback_due_at"] = default_callback_time()
    form = ContactForm(topics=topics, can_escalate=can_escalate,
                       initial=initial)
    return _operator_page(request, membership, form, callback=callback)


def _record(request: VartaRequest, membership: Membership, form: ContactForm, callback: Callback | None) -> Contact:
    """The contact, and the call-back and escalation asked for with it: all saved, or nothing."""
    data = form.to_input()
    cleaned = form.cleaned_data
    with transaction.atomic():
        if callback is not None:
            contact = actions.callback_complete(actor=request.actor, membership=membership, callback=callback,
                                                data=data)
        else:
            contact = actions.contact_create(actor=request.actor, membership=membership, data=data)
        if cleaned.get("callback_consent") and cleaned.get("callback_due_at"):
            actions.callback_schedule(actor=request.actor, membership=membership, contact=contact,
                                      due_at=cleaned["callback_due_at"], assigned_to=request.user)
        if cleaned.get("escalate"):
            actions.escalate(actor=request.actor, membership=membership, contact=contact,
                             reason=cleaned.get("escalate_reason") or "")
    return contact


def contact_edit(request: VartaRequest, contact_id: int) -> HttpResponse:
    membership = acting(request, Action.HOTLINE_CONTACT_CREATE)
    contact = selectors.access_contact(membership, contact_id)
    topics = _forms_topics(membership)
    if request.method == "POST":
        form = ContactForm(request.POST, topics=topics, contact=contact,
                           initial={"language": contact.language})
        if form.is_valid():
            try:
                actions.contact_update(actor=request.actor, membership=membership, contact=contact,
                                       data=form.to_input())
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("Contact %(number)s saved.") % {"number": contact.pk})
                return redirect("hotline:contact_detail", contact_id=contact.pk)
        return _operator_page(request, membership, form, status=400, contact=contact)
    _record_view(request, contact)
    form = ContactForm(topics=topics, contact=contact,
                       initial=contact_initial(contact), topic_rows=contact_topic_rows(contact))
    return _operator_page(request, membership, form, contact=contact)


# --- Contacts list ----------------------------------------------------------------------------------------------


def _day_start(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_contacts(contacts: QuerySet[Contact], criteria: ContactFilter) -> QuerySet[Contact]:
    if criteria.date_from:
        contacts = contacts.filter(started_at__gte=_day_start(criteria.date_from))
    if criteria.date_to:
        contacts = contacts.filter(started_at__lt=_day_start(criteria.date_to + timedelta(days=1)))
    if criteria.channel:
        contacts = contacts.filter(channel=criteria.channel)
    if criteria.operator_id is not None:
        contacts = contacts.filter(operator_id=criteria.operator_id)
    if criteria.risk_flag is not None:
        contacts = contacts.filter(risk_flag=criteria.risk_flag)
    if criteria.oblast is not None:
        contacts = contacts.filter(oblast=criteria.oblast)
    if criteria.category is not None:
        contacts = contacts.filter(Exists(Consultation.objects.filter(
            organisation_id=OuterRef("organisation_id"), contact=OuterRef("pk"), category=criteria.category)))
    return contacts


def _page_number(request: VartaRequest) -> int:
    raw = request.GET.get("page", "1")
    return max(int(raw), 1) if raw.isdigit() and len(raw) < 7 else 1


def contact_list(request: VartaRequest) -> HttpResponse:
    """The organisation's contacts, newest first, 50 a page (no total count: it would scan a million rows)."""
    membership = acting(request, Action.HOTLINE_CONTACT_VIEW)
    members = list(members_of(membership))
    form = ContactFilterForm(request.GET, members=members)
    context: dict[str, Any] = {"form": form, "can_create": can(membership, Action.HOTLINE_CONTACT_CREATE)}
    if not form.is_valid():
        return render(request, "hotline/contacts_list.html", {**context, "contacts": None}, status=400)
    number = _page_number(request)
    contacts = (filter_contacts(selectors.contacts_visible(membership), form.criteria())
                .select_related("operator", "location", "oblast", "country")
                .prefetch_related(Prefetch("consultations",
                                           queryset=Consultation.objects.select_related("topic", "category")))
                .order_by("-started_at", "-pk"))
    rows = list(contacts[(number - 1) * PER_PAGE: number * PER_PAGE + 1])
    return render(request, "hotline/contacts_list.html", {
        **context, "contacts": rows[:PER_PAGE], "page": number, "has_next": len(rows) > PER_PAGE,
        "first_number": (number - 1) * PER_PAGE + 1, "last_number": (number - 1) * PER_PAGE + len(rows[:PER_PAGE]),
    })


# --- A contact's page -------------------------------------------------------------------------------------------


def _record_view(request: VartaRequest, contact: Contact) -> None:
    writes.record(actor=request.actor, action="hotline.contact.view", object_type=writes.object_type(contact),
                  object_id=contact.pk)


def render_contact(request: VartaRequest, membership: Membership, contact: Contact, *, revealed: bool = False,
                   reveal_form: RevealForm | None = None, escalate_form: EscalateForm | None = None,
                   status: int = 200) -> HttpResponse:
    """A contact's page; ``revealed`` shows the caller's name and phone (after an audited reveal, in this
    response only)."""
    escalation = Escalation.objects.filter(contact=contact).select_related("escalated_by").first()
    can_create = can(membership, Action.HOTLINE_CONTACT_CREATE)
    return render(request, "hotline/contacts_detail.html", {
        "contact": contact,
        "consultations": contact.consultations.select_related("topic", "category").order_by("position"),
        "callbacks": contact.callbacks.select_related("assigned_to", "result").order_by("due_at"),
        "follow_ups": contact.follow_ups.select_related("operator").order_by("started_at"),
        "follows": contact.follows,
        "escalation": escalation,
        "has_caller_details": bool(contact.caller_name or contact.caller_phone),
        "revealed": revealed,
        "reveal_form": reveal_form or RevealForm(),
        "escalate_form": escalate_form or EscalateForm(),
        "can_edit": can_create,
        "can_schedule": can_create and contact.callback_consent and bool(contact.caller_phone),
        "can_escalate": can(membership, Action.HOTLINE_ESCALATE) and escalation is None,
        "can_see_escalation": can(membership, Action.HOTLINE_ESCALATION_VIEW),
        "draft_saved": request.session.pop(SESSION_SAVED_DRAFT, ""),
        "duration": format_duration(contact.duration_seconds),
        "language": dict(CONVERSATION_LANGUAGES).get(contact.language, contact.language),
        "methods": _labels(MethodOfControl, contact.methods_of_control),
        "exploitation": _labels(TypeOfExploitation, contact.exploitation_types),
    }, status=status)


def _labels(choices: type[TextChoices], values: list[str]) -> list[str]:
    labels = dict(choices.choices)
    return [str(labels.get(value, value)) for value in values]


def contact_detail(request: VartaRequest, contact_id: int) -> HttpResponse:
    membership = acting(request, Action.HOTLINE_CONTACT_VIEW)
    contact = selectors.access_contact(membership, contact_id)
    _record_view(request, contact)
    return render_contact(request, membership, contact)


@require_POST
def contact_reveal(request: VartaRequest, contact_id: int) -> HttpResponse:
    """Show the caller's name and phone once, after recording who looked and why."""
    membership = acting(request, Action.HOTLINE_CONTACT_VIEW)
    contact = selectors.access_contact(membership, contact_id)
    if not (contact.caller_name or contact.caller_phone):
        return redirect("hotline:contact_detail", contact_id=contact.pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return render_contact(request, membership, contact, reveal_form=form, status=400)
    actions.contact_reveal(actor=request.actor, membership=membership, contact=contact,
                           reason=form.cleaned_data["reason"])
    return render_contact(request, membership, contact, revealed=True)


urlpatterns: list[URLPattern] = [
    path("contacts/", contact_list, name="contact_list"),
    path("contacts/new/", contact_new, name="contact_new"),
    path("contacts/<int:contact_id>/", contact_detail, name="contact_detail"),
    path("contacts/<int:contact_id>/edit/", contact_edit, name="contact_edit"),
    path("contacts/<int:contact_id>/reveal/", contact_reveal, name="contact_reveal"),
]
