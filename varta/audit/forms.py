"""The audit viewer's filter form (GET)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from varta.audit.selectors import EventFilter
from varta.orgs.models import Organisation

ISO_DATE = ["%Y-%m-%d"]


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("User (username or id)"), required=False, max_length=150)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=64,
                                  widget=forms.TextInput(attrs={"list": "audit-object-types"}))
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=64)
    date_from = forms.DateField(label=_("From"), required=False, input_formats=ISO_DATE,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), required=False, input_formats=ISO_DATE,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    organisation = forms.ModelChoiceField(label=_("Organisation"), required=False,
                                          queryset=Organisation.objects.order_by("name"),
                                          empty_label=_("All organisations"))

    def __init__(self, *args: Any, see_all: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not see_all:
            del self.fields["organisation"]  # an org admin sees their own organisation only

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def criteria(self) -> EventFilter:
        data = self.cleaned_data
        organisation = data.get("organisation")
        return EventFilter(
            user=data.get("user") or "",
            object_type=data.get("object_type") or "",
            object_id=data.get("object_id") or "",
            action=data.get("action") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            organisation_id=organisation.pk if organisation is not None else None,
        )
