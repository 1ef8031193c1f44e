from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from varta.accounts.permissions import ROLE_CHOICES
from varta.geo.models import AdminUnit, Country
from varta.orgs.models import Membership, Organisation, OrganisationType


class OrganisationOut(serializers.ModelSerializer[Organisation]):
    country = serializers.CharField(source="country_id", help_text="ISO 3166-1 alpha-2")
    areas = serializers.SerializerMethodField(help_text="P-codes of the areas of operation")

    class Meta:
        model = Organisation
        fields = ["id", "name", "acronym", "type", "country", "areas", "is_active"]

    def get_areas(self, obj: Organisation) -> list[str]:
        return sorted(a.pcode for a in obj.areas.all())


class OrganisationIn(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    acronym = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    type = serializers.ChoiceField(choices=OrganisationType.choices)
    country = serializers.SlugRelatedField(slug_field="iso2", queryset=Country.objects.all(),
                                           help_text="ISO 3166-1 alpha-2")
    areas = serializers.ListField(child=serializers.CharField(max_length=20), required=False, default=list,
                                  help_text="P-codes")

    def validate_areas(self, value: list[str]) -> list[AdminUnit]:
        codes = list(dict.fromkeys(v.strip().upper() for v in value))
        units = {u.pcode: u for u in AdminUnit.objects.filter(pcode__in=codes)}
        missing = [c for c in codes if c not in units]
        if missing:
            raise serializers.ValidationError(_("Unknown P-code: %(codes)s.") % {"codes": ", ".join(missing)})
        return [units[c] for c in codes]


class MemberOut(serializers.ModelSerializer[Membership]):
    user_id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    full_name = serializers.CharField(source="user.full_name")

    class Meta:
        model = Membership
        fields = ["id", "user_id", "username", "full_name", "role", "is_active"]


class MemberCreateIn(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    full_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=ROLE_CHOICES)
    password = serializers.CharField(min_length=12, write_only=True)


class MemberUpdateIn(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=ROLE_CHOICES, required=False)
    is_active = serializers.BooleanField(required=False)
