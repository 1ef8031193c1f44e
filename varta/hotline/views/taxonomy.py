"""Hotline pages: the consultation taxonomy — a tree of standard categories with their standard and own terms.

Org admins add, rename, reorder and retire their organisation's own terms under a standard category; system admins
also edit the standard terms every organisation shares. Terms are retired, never deleted.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from varta.accounts.permissions import Action, can
from varta.core.http import VartaRequest, acting
from varta.core.validators import no_markup
from varta.hotline import actions, selectors
from varta.hotline.models import Topic
from varta.hotline.serializers import TOPIC_CODE, standard_code_taken, tree_order


class TopicNamesForm(forms.Form):
    name_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=150, validators=[no_markup])
    name_uk = forms.CharField(label=gettext_lazy("Name in Ukrainian"), max_length=150, validators=[no_markup])
    sort_order = forms.IntegerField(label=gettext_lazy("Sort order"), min_value=0, max_value=32767, initial=100,
                                    help_text=gettext_lazy("Smaller numbers come first."))


class TopicCreateForm(TopicNamesForm):
    parent = forms.ChoiceField(label=gettext_lazy("Category"))
    code = forms.CharField(label=gettext_lazy("Code"), max_length=60,
                           help_text=gettext_lazy("A short stable name for exports and the API: lower-case letters, "
                                                  "digits and hyphens, e.g. evacuation-kharkiv."))
    standard = forms.BooleanField(label=gettext_lazy("Standard term, shared by every organisation"), required=False)

    field_order = ["parent", "code", "name_en", "name_uk", "sort_order", "standard"]

    def __init__(self, *args: Any, categories: list[Topic], may_edit_standard: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [(str(c.pk), f"{c.name_en} / {c.name_uk}") for c in categories]
        if may_edit_standard:
            choices.insert(0, ("", _("— none: a new standard category —")))
        else:
            del self.fields["standard"]
        self.fields["parent"].choices = choices  # type: ignore[attr-defined]
        self.fields["parent"].required = not may_edit_standard
        self.categories = {str(c.pk): c for c in categories}

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip().lower()
        if not TOPIC_CODE.match(code):
            raise ValidationError(_("Use lower-case letters, digits and hyphens only."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("standard") and data.get("code") and standard_code_taken(data["code"]):
            self.add_error("code", _("This code is taken."))
        return data

    def parent_topic(self) -> Topic | None:
        return self.categories.get(self.cleaned_data.get("parent") or "")


def _may_edit(membership: Any, topic: Topic) -> bool:
    return topic.organisation_id is not None or can(membership, Action.TAXONOMY_MANAGE_STANDARD)


def taxonomy(request: VartaRequest) -> HttpResponse:
    membership = acting(request, Action.TAXONOMY_MANAGE)
    topics = tree_order(selectors.topics_visible(membership.organisation_id, include_retired=True))
    terms: dict[int, list[Topic]] = {}
    for topic in topics:
        if topic.parent_id is not None:
            terms.setdefault(topic.parent_id, []).append(topic)
    may_edit_standard = can(membership, Action.TAXONOMY_MANAGE_STANDARD)
    tree = [{"category": c, "terms": [{"topic": t, "may_edit": _may_edit(membership, t)} for t in terms.get(c.pk, [])],
             "may_edit": _may_edit(membership, c)}
            for c in topics if c.parent_id is None]
    return render(request, "hotline/taxonomy_list.html", {
        "tree": tree, "may_edit_standard": may_edit_standard, "organisation": membership.organisation,
    })


def topic_new(request: VartaRequest) -> HttpResponse:
    membership = acting(request, Action.TAXONOMY_MANAGE)
    may_edit_standard = can(membership, Action.TAXONOMY_MANAGE_STANDARD)
    categories = [t for t in tree_order(selectors.topics_visible(membership.organisation_id))
                  if t.parent_id is None and t.organisation_id is None]
    initial = {"parent": request.GET.get("parent", ""), "sort_order": 100}
    form = TopicCreateForm(request.POST or None, initial=initial, categories=categories,
                           may_edit_standard=may_edit_standard)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    actions.topic_create(actor=request.actor, membership=membership, parent=form.parent_topic(),
                                         code=data["code"], name_en=data["name_en"], name_uk=data["name_uk"],
                                         standard=bool(data.get("standard")), sort_order=data["sort_order"])
            except ValidationError as exc:
                form.add_error(None, exc)  # errors naming a field land on that field
            except IntegrityError:  # the same code, added twice at the same moment
                form.add_error("code", _("This code is taken."))
            else:
                messages.success(request, _("The topic was added."))
                return redirect("hotline:taxonomy")
        return render(request, "hotline/taxonomy_form.html", {"form": form, "topic": None}, status=400)
    return render(request, "hotline/taxonomy_form.html", {"form": form, "topic": None})


def topic_edit(request: VartaRequest, topic_id: int) -> HttpResponse:
    membership = acting(request, Action.TAXONOMY_MANAGE)
    topic = selectors.access_topic(membership, topic_id)
    if topic.organisation_id is None:
        acting(request, Action.TAXONOMY_MANAGE_STANDARD)
    form = TopicNamesForm(request.POST or None, initial={"name_en": topic.name_en, "name_uk": topic.name_uk,
                                                         "sort_order": topic.sort_order})
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.topic_update(actor=request.actor, membership=membership, topic=topic,
                                     **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The topic was saved."))
                return redirect("hotline:taxonomy")
        return render(request, "hotline/taxonomy_form.html", {"form": form, "topic": topic}, status=400)
    return render(request, "hotline/taxonomy_form.html", {"form": form, "topic": topic})


@require_POST
def topic_retire(request: VartaRequest, topic_id: int) -> HttpResponse:
    """Retire a term (``retired=1``, the default) or bring it back (``retired=0``)."""
    membership = acting(request, Action.TAXONOMY_MANAGE)
    topic = selectors.access_topic(membership, topic_id)
    retire = request.POST.get("retired", "1") != "0"
    actions.topic_set_retired(actor=request.actor, membership=membership, topic=topic, retired=retire)
    if retire:
        messages.success(request, _("“%(name)s” was retired: it leaves the pickers; old consultations keep it.")
                         % {"name": topic.name})
    else:
        messages.success(request, _("“%(name)s” is back in the pickers.") % {"name": topic.name})
    return redirect("hotline:taxonomy")


urlpatterns: list[URLPattern] = [
    path("topics/", taxonomy, name="taxonomy"),
    path("topics/new/", topic_new, name="topic_new"),
    path("topics/<int:topic_id>/edit/", topic_edit, name="topic_edit"),
    path("topics/<int:topic_id>/retire/", topic_retire, name="topic_retire"),
]
