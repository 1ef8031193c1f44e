"""Organisations of the response and users' memberships in them (each membership carries one role)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from varta.accounts.permissions import ROLE_LABELS, Role
from varta.audit.models import AuditedModel


class OrganisationType(models.TextChoices):
    UN_AGENCY = "un_agency", _("UN agency")
    INTERNATIONAL_NGO = "international_ngo", _("International NGO")
    NATIONAL_NGO = "national_ngo", _("National NGO")
    GOVERNMENT = "government", _("Government")
    OTHER = "other", _("Other")


class Organisation(AuditedModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    type = models.CharField(_("type"), max_length=32, choices=OrganisationType.choices)
    country = models.ForeignKey("geo.Country", on_delete=models.PROTECT, verbose_name=_("country"))
    areas = models.ManyToManyField("geo.AdminUnit", blank=True, verbose_name=_("areas of operation"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.acronym or self.name


class Membership(AuditedModel):
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=[(r.value, ROLE_LABELS[r]) for r in Role])
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")]
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[Role(self.role)])


class TenantModel(AuditedModel):
    """Base of every row owned by one organisation. Selectors filter on ``organisation`` before anything else."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True
