from __future__ import annotations

from rest_framework import serializers

from varta.accounts.models import ApiToken


class MembershipOut(serializers.Serializer[object]):
    id = serializers.IntegerField()
    organisation_id = serializers.IntegerField()
    organisation = serializers.CharField(source="organisation.name")
    role = serializers.CharField()
    role_label = serializers.CharField()


class MeOut(serializers.Serializer[object]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    language = serializers.CharField()
    acting_membership = MembershipOut(allow_null=True)
    memberships = MembershipOut(many=True)
    actions = serializers.ListField(child=serializers.CharField(), help_text="What the acting role may do.")


class TokenOut(serializers.ModelSerializer[ApiToken]):
    organisation_id = serializers.IntegerField(source="membership.organisation_id")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "organisation_id", "created_at", "expires_at", "last_used_at", "revoked_at"]


class TokenIn(serializers.Serializer[object]):
    name = serializers.CharField(max_length=100)
    days = serializers.IntegerField(min_value=1, max_value=366, default=90)


class TokenIssuedOut(TokenOut):
    token = serializers.CharField(help_text="The token itself. Shown once: only a fingerprint is kept.")

    class Meta(TokenOut.Meta):
        fields = [*TokenOut.Meta.fields, "token"]
