"""The audit API's input (filters) and output (events) serializers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from varta.audit.models import AuditEvent
from varta.audit.selectors import EventFilter


class AuditEventFilterSerializer(serializers.Serializer[EventFilter]):
    user = serializers.CharField(required=False, allow_blank=True, max_length=150,
                                 help_text=_("The actor's user id or username."))
    object_type = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                        help_text=_("Model label, e.g. orgs.organisation."))
    object_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    action = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                   help_text=_("Action prefix, e.g. auth. or accounts.user.update."))
    date_from = serializers.DateField(required=False, help_text=_("First day (server's local date), inclusive."))
    date_to = serializers.DateField(required=False, help_text=_("Last day (server's local date), inclusive."))
    organisation = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                                            help_text=_("Organisation id (system admins; others see only their "
                                                        "own organisation)."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError(_("The start date is after the end date."))
        return attrs

    def criteria(self) -> EventFilter:
        data = self.validated_data
        return EventFilter(
            user=data.get("user", ""),
            object_type=data.get("object_type", ""),
            object_id=data.get("object_id", ""),
            action=data.get("action", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            organisation_id=data.get("organisation"),
        )


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    """An event as stored, with the names of its actor and organisation (annotated by the selector)."""

    actor_username = serializers.CharField(read_only=True, allow_null=True)
    actor_full_name = serializers.CharField(read_only=True, allow_null=True)
    organisation_name = serializers.CharField(read_only=True, allow_null=True)
    changed_fields = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = AuditEvent
        fields = ["seq", "occurred_at", "actor_id", "actor_username", "actor_full_name", "organisation_id",
                  "organisation_name", "action", "object_type", "object_id", "changed_fields", "client_ip",
                  "request_id", "channel", "prev_hash", "hash"]
        read_only_fields = fields
