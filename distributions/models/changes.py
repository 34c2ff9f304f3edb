"""The change workflow: change requests, their per-distribution items, approvals and the audit trail."""

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from distributions import choices
from distributions.models.mirror import Distribution
from distributions.models.scoping import (
    ChangeRequestQuerySet,
    RestrictedQuerySet,
    ViaDistributionQuerySet,
    audit_in_scope,
)


class ChangeRequest(models.Model):
    """A set of typed edits across one or more distributions, approved as one plan and applied by a worker.

    Its status, and its items', move only through the compare-and-set guards of services/lifecycle.py
    (docs/LIFECYCLE.md). `plan_hash` binds approvals to the exact edits and base versions; `version`
    increments on every edit, for the API's If-Match.
    """

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=16, choices=choices.ChangeStatus.choices, default=choices.ChangeStatus.DRAFT, db_index=True
    )
    plan_hash = models.CharField(max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A maintenance window: approved, the change waits (status scheduled) until beat starts it at `apply_at`
    # (UTC); `apply_time_zone` is the IANA zone it was chosen in, for display.
    apply_at = models.DateTimeField(null=True, blank=True, db_index=True)
    apply_time_zone = models.CharField(max_length=64, blank=True)
    # A revert is a change of its own, linked to the change it reverts (`reverted_by` the other way);
    # `revert_notes` keeps what its planning left alone or could not undo (services/revert.py).
    reverts = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reverted_by"
    )
    revert_notes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.status in choices.CHANGE_EDITABLE

    @property
    def is_active(self) -> bool:
        return self.status in choices.CHANGE_ACTIVE

    @property
    def is_live(self) -> bool:
        """The change page follows it live: in flight, held (paused, halted), or waiting for its window."""
        return self.is_active or self.status == choices.ChangeStatus.SCHEDULED


class ChangeItemQuerySet(ViaDistributionQuerySet):
    def with_edit_kind(self, *kinds: str) -> "ChangeItemQuerySet":
        """Items carrying at least one edit of any of these kinds (see `ChangeItem.edit_kinds`)."""
        condition = models.Q()
        for kind in kinds:
            condition |= models.Q(edit_kinds__contains=f" {kind} ")
        return self.filter(condition)


def edit_kinds_text(edits: list[dict]) -> str:
    """The value of `ChangeItem.edit_kinds` for these stored edits."""
    return " " + " ".join(sorted({edit["kind"] for edit in edits})) + " " if edits else ""


class ChangeItem(models.Model):
    """The edits of one change request to one distribution, and that distribution's apply progress.

    `base_config` is the config the edits were planned on (as mirrored at planning time) and `base_version`
    its version (the ETag when known, else the mirror's config hash). Applying re-reads the live config and
    rebases the edits onto it; `applied_over` keeps that live config when the apply wrote it (at
    `applied_at`): the access logs of the days before are matched to behaviors on it (services/traffic.py).
    """

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="items")
    distribution = models.ForeignKey(Distribution, on_delete=models.PROTECT, related_name="change_items")
    edits = models.JSONField(default=list)
    # The kinds of `edits`, sorted, each with a space on either side (" invalidate set_viewer_protocol_policy
    # "): a column to filter on, since SQLite has no JSON containment lookup. Derived from `edits` on save.
    edit_kinds = models.CharField(max_length=255, blank=True, default="", editable=False)
    base_config = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    base_version = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=choices.ItemStatus.choices, default=choices.ItemStatus.PENDING, db_index=True
    )
    # Which wave of the rollout writes this distribution (0: the first; see models/waves.py).
    wave = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    # A worker holds the item until this time; another worker (or the sweeper) waits it out.
    lease_until = models.DateTimeField(null=True, blank=True)
    # When the item's next step is due, and which scheduled chain of steps is the live one: the sweeper
    # starts a new chain (step + 1) and any older message still in flight then finds itself stale.
    next_check_at = models.DateTimeField(null=True, blank=True)
    step = models.PositiveIntegerField(default=0)
    # CloudFront's CallerReference for this item's invalidation: unique across databases and restores.
    invalidation_reference = models.UUIDField(default=uuid.uuid4, editable=False)
    applied_etag = models.CharField(max_length=64, blank=True)
    wrote_update = models.BooleanField(default=False)
    # The live config the UpdateDistribution replaced (null: nothing written, or applied before it was kept).
    applied_over = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    conflicts = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    error_code = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    invalidation_id = models.CharField(max_length=64, blank=True)
    invalidation_status = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    deployed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ChangeItemQuerySet.as_manager()

    class Meta:
        ordering = ["change_request", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["change_request", "distribution"], name="item_unique_distribution"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.change_request_id} {self.distribution_id}"

    def save(self, *args, **kwargs):
        self.edit_kinds = edit_kinds_text(self.edits)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "edits" in update_fields:
            kwargs["update_fields"] = {*update_fields, "edit_kinds"}
        super().save(*args, **kwargs)


class Approval(models.Model):
    """An approver's decision on a change request, valid only for the plan hash it was given on.

    `voided_at` is set when an edit sends the change back to draft: a resubmitted plan that hashes like
    an earlier one is still a new submission, approved anew.
    """

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=16, choices=choices.Decision.choices)
    plan_hash = models.CharField(max_length=64)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["change_request", "approver", "plan_hash"],
                condition=models.Q(voided_at__isnull=True),
                name="approval_once_per_plan",
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision} #{self.change_request_id} by {self.approver_id}"


class PlanRevision(models.Model):
    """The plan of a change as it was submitted, numbered 1, 2, ... per change.

    `plan` maps each distribution id to `{"edits": [...], "base_version": "..."}`: what an approver saw,
    so the next submission can show them what changed since.
    """

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    plan_hash = models.CharField(max_length=64)
    plan = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["change_request", "number"]
        constraints = [
            models.UniqueConstraint(fields=["change_request", "number"], name="revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"#{self.change_request_id} revision {self.number}"


class AuditEventQuerySet(RestrictedQuerySet):
    def in_scope(self, user):
        return audit_in_scope(user)

    def update(self, **kwargs):
        raise TypeError("Audit events are never updated.")

    def delete(self):
        raise TypeError("Audit events are never deleted.")


class AuditEvent(models.Model):
    """Who did what, when, from where, to which change and distribution. Append-only."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # PROTECT: deleting a user or a change must not rewrite history (deactivate users instead).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, help_text="'system' for the worker.")
    action = models.CharField(max_length=64, db_index=True)
    change_request = models.ForeignKey(
        ChangeRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    distribution_id = models.CharField(max_length=32, blank=True, db_index=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit events are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are never deleted.")
