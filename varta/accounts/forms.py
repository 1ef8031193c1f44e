from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code from your authenticator app"), max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*", "autofocus": True}),
    )


class RecoveryForm(forms.Form):
    code = forms.CharField(label=_("Recovery code"), max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}))


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class PasswordChangeForm(forms.Form):
    current = forms.CharField(label=_("Current password"), strip=False,
                              widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new = forms.CharField(label=_("New password"), strip=False, min_length=12,
                          widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                          help_text=_("At least 12 characters; not a common password."))


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What is this token for?"), max_length=100)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=90)
