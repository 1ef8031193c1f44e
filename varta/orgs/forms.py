from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from varta.accounts.permissions import ROLE_LABELS, Role
from varta.geo.forms import PcodeListField
from varta.geo.models import Country
from varta.orgs.models import OrganisationType


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    acronym = forms.CharField(label=_("Acronym"), max_length=30, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=OrganisationType.choices)
    country = forms.ModelChoiceField(label=_("Country"), queryset=Country.objects.all(), to_field_name="iso2")
    areas = PcodeListField(label=_("Areas of operation"), required=False,
                           help_text=_("Type a place name in Ukrainian or English, or a P-code."))


def role_choices(*, include_system_admin: bool) -> list[tuple[str, Any]]:
    return [(r.value, ROLE_LABELS[r]) for r in Role if include_system_admin or r != Role.SYSTEM_ADMIN]


class MemberCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"))
    password = forms.CharField(label=_("First password"), strip=False, min_length=12,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("Give it to the person in a safe way; they can change it later."))

    def __init__(self, *args: Any, include_system_admin: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(include_system_admin=include_system_admin)  # type: ignore[attr-defined]


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, include_system_admin: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(include_system_admin=include_system_admin)  # type: ignore[attr-defined]
