"""One audit event: who did what to which object, from where, chained to the event before it."""

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64
# The event that starts the keyed chain in a schema whose chain so far was unkeyed.
CHAIN_KEYED_ACTION = "audit.chain_keyed"


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        CHANGE = "change", _("Change")
        SECURITY = "security", _("Security")
        ACCESS = "access", _("Access")

    class Scheme(models.IntegerChoices):
        """How an event's hash is made; events written before keying are SHA256, every later one HMAC_SHA256."""

        SHA256 = 1, _("SHA-256 (unkeyed, before the chain was keyed)")
        HMAC_SHA256 = 2, _("HMAC-SHA-256 with the audit key")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CHANGE)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    # No database constraint: events outlive nothing, and rows are never updated to clear it.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    method = models.CharField(_("method"), max_length=8, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    status = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    scheme = models.PositiveSmallIntegerField(_("hash scheme"), choices=Scheme.choices, default=Scheme.HMAC_SHA256)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["occurred_at"], name="audit_event_time"),
            models.Index(fields=["actor", "-id"], name="audit_event_actor"),
            models.Index(fields=["action", "-id"], name="audit_event_action"),
            models.Index(fields=["object_type", "object_id"], name="audit_event_object"),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label or '-'} {self.action} {self.object_label}"

    def canonical_bytes(self) -> bytes:
        """The event's content in one fixed byte form; what the hash covers."""
        content: dict[str, Any] = {
            "kind": self.kind,
            "occurred_at": self.occurred_at.astimezone(dt.UTC).isoformat(),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_label": self.object_label,
            "changes": self.changes,
            "ip": self.ip,
            "user_agent": self.user_agent,
            "request_id": self.request_id,
            "method": self.method,
            "path": self.path,
            "status": self.status,
        }
        if self.scheme != self.Scheme.SHA256:
            # Covered by the hash, so flipping a keyed event to the unkeyed scheme changes what is hashed.
            # Left out of unkeyed events, whose bytes must stay what they were when they were written.
            content["scheme"] = self.scheme
        return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()

    def compute_hash(self, key: bytes) -> str:
        """The hash this event must carry under its scheme: ``HMAC-SHA256(key, prev_hash || canonical bytes)``."""
        message = self.prev_hash.encode() + self.canonical_bytes()
        if self.scheme == self.Scheme.SHA256:
            return hashlib.sha256(message).hexdigest()
        return hmac.new(key, message, hashlib.sha256).hexdigest()
