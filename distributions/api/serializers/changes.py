"""Change requests in and out: typed edits per distribution, items with their diff, approvals, decisions.

Input serializers check shapes only; every rule (roles, states, CloudFront's validation) is the services'.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from distributions.api.fields import EditField, NaturalKeyField, StrictBooleanField, StrictCharField
from distributions.api.serializers.revert import RevertNotesSerializer
from distributions.api.serializers.waves import RolloutFieldsMixin, RolloutInputSerializer
from distributions.choices import Decision
from distributions.cloudfront.diff import diff_configs
from distributions.cloudfront.edits import edit_from_dict
from distributions.models import ChangeItem, ChangeRequest, Distribution, PlanRevision
from distributions.selectors.changes import item_planned_config, suggested_invalidations
from distributions.selectors.teams import ApprovalsRequired, approvals_required_of
from distributions.selectors.two_person import decision_verdicts


def distribution_field(**kwargs: Any) -> NaturalKeyField:
    return NaturalKeyField(
        slug_field="distribution_id", queryset=Distribution.objects.all(), max_length=32, **kwargs
    )


# -- input ----------------------------------------------------------------------------------------


class ItemInputSerializer(serializers.Serializer):
    """Edits for one distribution; later edits to the same field replace earlier ones."""

    distribution = distribution_field(help_text="The distribution id, e.g. E2QWRUHAPOMQZL.")
    edits = serializers.ListField(child=EditField(), min_length=1)


class ChangeRequestCreateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=200, help_text="Why the change is made.")
    description = StrictCharField(required=False, default="", allow_blank=True)
    items = ItemInputSerializer(many=True, required=False, default=list)
    rollout = RolloutInputSerializer(required=False, help_text="Waves and gate overrides (README).")


class ChangeRequestUpdateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=200)
    description = StrictCharField(allow_blank=True)
    rollout = RolloutInputSerializer(required=False, help_text="Waves and gate overrides; drafts only.")


class ChecklistSerializer(serializers.Serializer):
    """The reviewer's checklist; every item must be true to submit."""

    path_patterns = StrictBooleanField(help_text="The path patterns cover only what should use HTTPS.")
    behavior_order = StrictBooleanField(help_text="The behaviors are in the intended order.")
    origins = StrictBooleanField(help_text="The behaviors route to the correct origins.")


class SubmitSerializer(serializers.Serializer):
    checklist = ChecklistSerializer()


class ApproveSerializer(serializers.Serializer):
    comment = StrictCharField(required=False, default="", allow_blank=True)
    plan_hash = StrictCharField(
        help_text="The plan_hash of the change as you reviewed it (from GET or submit): the approval is "
        "refused (412) if the change moved since, so nobody approves a plan they did not see.",
    )


class RejectSerializer(serializers.Serializer):
    comment = StrictCharField(allow_blank=True, help_text="Why it is rejected (required).")


class InvalidationCreateSerializer(serializers.Serializer):
    distribution = distribution_field()
    paths = serializers.ListField(child=StrictCharField(allow_blank=True), min_length=1)
    title = StrictCharField(max_length=200, required=False, default="Invalidate cached objects")


# -- output ---------------------------------------------------------------------------------------


class DiffEntrySerializer(serializers.Serializer):
    path = serializers.CharField(
        help_text="The config field, e.g. CacheBehaviors[/api/*].ViewerProtocolPolicy"
    )
    # A field named label: DRF's metaclass moves it out of the class, so it never shadows Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    description = serializers.CharField()


class ChangeItemSerializer(serializers.ModelSerializer):
    """One distribution's edits, what they change (the diff from its base config) and its progress."""

    distribution: serializers.SlugRelatedField[Distribution] = serializers.SlugRelatedField(
        slug_field="distribution_id", read_only=True
    )
    edits = serializers.ListField(child=EditField(), read_only=True)
    descriptions = serializers.SerializerMethodField()
    diff = serializers.SerializerMethodField()
    suggested_invalidations = serializers.SerializerMethodField()

    class Meta:
        model = ChangeItem
        fields = [
            "id",
            "distribution",
            "status",
            "edits",
            "descriptions",
            "diff",
            "suggested_invalidations",
            "base_version",
            "attempts",
            "applied_etag",
            "conflicts",
            "error_code",
            "error",
            "invalidation_id",
            "invalidation_status",
            "applied_at",
            "deployed_at",
            "completed_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_descriptions(self, item: ChangeItem) -> list[str]:
        return [edit_from_dict(data).describe() for data in item.edits]

    @extend_schema_field(DiffEntrySerializer(many=True))
    def get_diff(self, item: ChangeItem) -> list[dict]:
        changes = diff_configs(item.base_config, item_planned_config(item))
        return [
            {
                "path": c.path,
                "label": c.label,
                "before": c.before,
                "after": c.after,
                "description": c.describe(),
            }
            for c in changes
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_suggested_invalidations(self, item: ChangeItem) -> list[str]:
        return suggested_invalidations(item)


class ApprovalSerializer(serializers.Serializer):
    """A decision, and whether the two-person rule counts it toward the approvals needed (README)."""

    approver = serializers.CharField(source="approval.approver.get_username", read_only=True)
    decision = serializers.ChoiceField(source="approval.decision", choices=Decision.choices, read_only=True)
    comment = serializers.CharField(source="approval.comment", read_only=True)
    plan_hash = serializers.CharField(source="approval.plan_hash", read_only=True)
    created_at = serializers.DateTimeField(source="approval.created_at", read_only=True)
    voided_at = serializers.DateTimeField(
        source="approval.voided_at",
        read_only=True,
        allow_null=True,
        help_text="When an edit sent the change back to draft; null: stands.",
    )
    counts = serializers.BooleanField(
        read_only=True,
        help_text="Whether this approval counts toward the approvals needed (false for rejections).",
    )
    reason = serializers.CharField(
        read_only=True,
        help_text="Why an approval does not count (the approver was made one by the requester, approved an "
        "earlier plan, ...); empty when it counts.",
    )


class PlanRevisionSerializer(serializers.ModelSerializer):
    """A submitted plan: its number, hash, who submitted it and when, the distributions it touched."""

    submitted_by = serializers.CharField(source="submitted_by.get_username", read_only=True)
    submitted_at = serializers.DateTimeField(source="created_at", read_only=True)
    distributions = serializers.SerializerMethodField()

    class Meta:
        model = PlanRevision
        fields = ["number", "plan_hash", "submitted_by", "submitted_at", "distributions"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_distributions(self, revision: PlanRevision) -> list[str]:
        return list(revision.plan)


class EditChangeSerializer(serializers.Serializer):
    change = serializers.ChoiceField(choices=["added", "removed", "changed"])
    before = serializers.CharField(
        allow_null=True, help_text="The edit as it was (describe()); null if added."
    )
    after = serializers.CharField(allow_null=True, help_text="The edit as it is now; null if removed.")
    description = serializers.CharField(source="describe")


class DistributionPlanChangeSerializer(serializers.Serializer):
    distribution = serializers.CharField(source="distribution_id")
    change = serializers.ChoiceField(
        choices=["added", "removed", "changed"],
        help_text="The distribution joined, left, or its edits changed.",
    )
    edits = EditChangeSerializer(many=True)
    replanned = serializers.BooleanField(help_text="Planned again on another version of its config.")
    base_version_before = serializers.CharField(allow_null=True)
    base_version_after = serializers.CharField(allow_null=True)


class PlanDiffSerializer(serializers.Serializer):
    """What changed in the plan since an earlier revision (null `since`: nothing to compare yet)."""

    since = serializers.IntegerField(allow_null=True, help_text="The revision compared against.")
    why = serializers.CharField(
        help_text="Why that revision: the one you approved, the previous submission, or as asked (?since=)."
    )
    to = serializers.IntegerField(
        allow_null=True, help_text="The revision compared; null: the draft as it is now."
    )
    distributions = DistributionPlanChangeSerializer(
        many=True, help_text="Empty when the plans are the same."
    )


class ChangeRequestSerializer(RolloutFieldsMixin, serializers.ModelSerializer):
    """A change request; `version` is also its ETag, to send back in If-Match when editing."""

    requester = serializers.CharField(source="requester.get_username", read_only=True)
    items = ChangeItemSerializer(many=True, read_only=True)
    approvals = serializers.SerializerMethodField()
    plan_revisions = PlanRevisionSerializer(
        source="revisions", many=True, read_only=True, help_text="Each submission's plan, first to last."
    )
    sent_back = serializers.SerializerMethodField(
        help_text="True when an edit after submission sent the change back to draft: its approvals are void, "
        "and it must be submitted again with the checklist confirmed."
    )
    apply_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="The maintenance window's start (UTC), if any."
    )
    apply_time_zone = serializers.CharField(
        read_only=True, help_text="The IANA time zone the window was chosen in (for display)."
    )
    reverts: serializers.PrimaryKeyRelatedField[ChangeRequest] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The change this one reverts."
    )
    reverted_by: serializers.PrimaryKeyRelatedField[ChangeRequest] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="The reverts planned of this change, oldest first."
    )
    revert_notes = RevertNotesSerializer(
        read_only=True, help_text="A revert's fields left alone (changed since) and what it cannot undo."
    )
    approvals_required = serializers.SerializerMethodField(
        help_text="Approvals it needs: the most of the global default and each touched account's."
    )
    approvals_required_reason = serializers.SerializerMethodField(
        help_text='In words: "2 approvals required: account prod requires 2".'
    )

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "title",
            "description",
            "requester",
            "status",
            "plan_hash",
            "version",
            "created_at",
            "updated_at",
            "submitted_at",
            "decided_at",
            "finished_at",
            "items",
            "approvals",
            "plan_revisions",
            "sent_back",
            "apply_at",
            "apply_time_zone",
            "reverts",
            "reverted_by",
            "revert_notes",
            "rollout",
            "waves",
            "approvals_required",
            "approvals_required_reason",
        ]

    @extend_schema_field(ApprovalSerializer(many=True))
    def get_approvals(self, change_request: ChangeRequest) -> list[dict[str, Any]]:
        verdicts = decision_verdicts(change_request, change_request.approvals.all())
        return list(ApprovalSerializer(verdicts, many=True).data)

    def get_approvals_required(self, change_request: ChangeRequest) -> int:
        return self._approvals(change_request).count

    def get_approvals_required_reason(self, change_request: ChangeRequest) -> str:
        return str(self._approvals(change_request))

    def _approvals(self, change_request: ChangeRequest) -> ApprovalsRequired:
        # From the prefetched items (change_request_queryset): no query per change.
        return approvals_required_of(
            (item.distribution.account for item in change_request.items.all()),
            revert=change_request.reverts_id is not None,
        )

    def get_sent_back(self, change_request: ChangeRequest) -> bool:
        return change_request.status == "draft" and bool(change_request.revisions.all())


class DroppedEditSerializer(serializers.Serializer):
    """An edit that was sent but not added because it changes nothing."""

    distribution = serializers.CharField()
    edit = EditField()
    reason = serializers.CharField()


class ChangeRequestEditedSerializer(ChangeRequestSerializer):
    """The change after adding edits, with the edits dropped because they change nothing (a setting the
    distribution already has); an item left with no edits is not created."""

    dropped_edits = DroppedEditSerializer(many=True, read_only=True)

    class Meta(ChangeRequestSerializer.Meta):
        fields = [*ChangeRequestSerializer.Meta.fields, "dropped_edits"]


class InvalidationSerializer(serializers.ModelSerializer):
    """An invalidation planned in a change: its paths, and CloudFront's status once created."""

    change_request: serializers.PrimaryKeyRelatedField[ChangeRequest] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    change_request_status = serializers.CharField(source="change_request.status", read_only=True)
    distribution: serializers.SlugRelatedField[Distribution] = serializers.SlugRelatedField(
        slug_field="distribution_id", read_only=True
    )
    paths = serializers.SerializerMethodField()

    class Meta:
        model = ChangeItem
        fields = [
            "id",
            "change_request",
            "change_request_status",
            "distribution",
            "paths",
            "status",
            "invalidation_id",
            "invalidation_status",
            "completed_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_paths(self, item: ChangeItem) -> list[str]:
        return [path for edit in item.edits if edit.get("kind") == "invalidate" for path in edit["paths"]]
