"""The append-only audit trail and the base class of every audited model.

Actor and organisation are stored as plain ids, not foreign keys: the trail must never change (or cascade away)
when a user or organisation is deactivated, anonymised or removed.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from varta.audit.guard import assert_audited_write


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    organisation_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    changed_fields = models.JSONField(default=list)  # names only, never values
    client_ip = models.GenericIPAddressField(null=True)
    request_id = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=8, default="cli")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        # The viewer lists newest first (occurred_at, seq) under a filter; each index serves one filter with
        # that order, so a page is an index range scan however long the trail is.
        indexes = [
            models.Index(fields=["occurred_at", "seq"], name="audit_event_time_idx"),
            models.Index(fields=["organisation_id", "occurred_at", "seq"], name="audit_event_org_time_idx"),
            models.Index(fields=["actor_id", "occurred_at", "seq"], name="audit_event_actor_time_idx"),
            models.Index(fields=["object_type", "object_id", "occurred_at", "seq"], name="audit_event_obj_time_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """One row: the sequence number and hash of the newest event. Writers lock it to extend the chain."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit chain head at #{self.seq}"


class AuditedModel(models.Model):
    """Base of every model whose rows are written by users' actions.

    ``save`` and ``delete`` refuse to run outside the audited write path (``varta.audit.writes``), so a write
    without its audit event cannot happen by accident.
    """

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        assert_audited_write(self)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        assert_audited_write(self)
        return super().delete(*args, **kwargs)
