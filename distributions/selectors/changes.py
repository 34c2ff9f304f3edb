"""Reads of the change workflow: change requests for pages and the API, an item's edits and planned config,
approvals on the current plan, invalidations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet

from distributions import choices
from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.diff import DistributionPlanChange, origin_moved_to_https, plan_diff
from distributions.cloudfront.edits import Edit, Invalidate, edit_from_dict
from distributions.cloudfront.validation import EditError, validate_edits
from distributions.errors import Invalid
from distributions.models import Approval, Certificate, ChangeItem, ChangeRequest, Distribution, PlanRevision

# The change list's tabs: label and condition (None: the user's own changes).
LIST_TABS: dict[str, tuple[str, Q | None]] = {
    "pending": ("Awaiting approval", Q(status=choices.ChangeStatus.SUBMITTED)),
    "active": ("In flight", Q(status__in=list(choices.CHANGE_ACTIVE))),
    "scheduled": ("Scheduled", Q(status=choices.ChangeStatus.SCHEDULED)),
    "mine": ("Mine", None),
    "all": ("All", Q()),
}


def change_request_queryset(*, user: User) -> QuerySet[ChangeRequest]:
    """The user's change requests (models/scoping.py) with everything their API representation reads, in a
    fixed number of queries."""
    return (
        ChangeRequest.objects.restrict(user)
        .select_related("requester")
        .prefetch_related(
            "items__distribution__account",
            "approvals__approver",
            "revisions__submitted_by",
            "reverted_by",
            "waves",
        )
    )


def change_list(*, user: User, tab: str) -> QuerySet[ChangeRequest]:
    """One tab of the change list (see LIST_TABS), most recently updated first, with item counts."""
    _, condition = LIST_TABS[tab]
    queryset = (
        ChangeRequest.objects.restrict(user).select_related("requester").annotate(item_count=Count("items"))
    )
    queryset = queryset.filter(requester=user) if condition is None else queryset.filter(condition)
    return queryset.order_by("-updated_at")


def change_list_counts(*, user: User) -> dict[str, int]:
    """How many changes await approval and how many are in flight, for the tabs' badges."""
    return ChangeRequest.objects.restrict(user).aggregate(
        pending=Count("pk", filter=LIST_TABS["pending"][1]),
        active=Count("pk", filter=LIST_TABS["active"][1]),
    )


def change_get(*, user: User, pk: int) -> ChangeRequest:
    """One change request with its requester; ChangeRequest.DoesNotExist if there is none the user may see."""
    return ChangeRequest.objects.restrict(user).select_related("requester").get(pk=pk)


def change_items(change_request: ChangeRequest) -> list[ChangeItem]:
    """The change's items with their distributions and accounts, in the order they were added."""
    return list(change_request.items.select_related("distribution__account").order_by("pk"))


def open_changes(user: User) -> QuerySet[ChangeRequest]:
    """The user's own changes that can still be edited (draft or submitted), newest first."""
    editable = ChangeRequest.objects.restrict(user).filter(status__in=list(choices.CHANGE_EDITABLE))
    return editable.filter(requester=user).order_by("-updated_at", "-pk")


def valid_approvals(change_request: ChangeRequest) -> QuerySet[Approval]:
    """Approvals given on the current plan (an edit since voids the earlier ones)."""
    return change_request.approvals.filter(
        decision=choices.Decision.APPROVED, plan_hash=change_request.plan_hash, voided_at__isnull=True
    )


def simulatable_changes(user: User) -> QuerySet[ChangeRequest]:
    """The changes the user may simulate requests against: their own drafts, anyone's submitted or
    approved change (what approvers review, what is about to be applied). Newest first."""
    mine = Q(requester=user, status=choices.ChangeStatus.DRAFT)
    reviewed = Q(status__in=[choices.ChangeStatus.SUBMITTED, choices.ChangeStatus.APPROVED])
    return (
        ChangeRequest.objects.restrict(user)
        .filter(mine | reviewed)
        .select_related("requester")
        .order_by("-updated_at", "-pk")
    )


def invalidation_items(*, user: User) -> QuerySet[ChangeItem]:
    """Change items that carry an invalidate edit, of changes the user may see, newest first."""
    return (
        ChangeItem.objects.filter(change_request__in=ChangeRequest.objects.restrict(user).values("pk"))
        .with_edit_kind(Invalidate.kind)
        .select_related("distribution", "change_request")
        .order_by("-pk")
    )


# -- an item's edits -------------------------------------------------------------------------------


def item_edits(item: ChangeItem) -> list[Edit]:
    """The item's stored edits as typed edits."""
    return [edit_from_dict(data) for data in item.edits]


def item_planned_config(item: ChangeItem, edits: Sequence[Edit] | None = None) -> dict:
    """The item's base config with its edits applied: what the distribution will look like."""
    config = item.base_config
    for edit in item_edits(item) if edits is None else edits:
        config = edit.apply(config)
    return config


def suggested_invalidations(
    item: ChangeItem, edits: Sequence[Edit] | None = None, planned: dict | None = None
) -> list[str]:
    """`/*` when an edit moves an origin to HTTPS and no invalidation is planned yet.

    CloudFront caches regardless of protocol, so objects fetched over HTTP would still be served: AWS
    recommends invalidating after such a move (docs/CLOUDFRONT.md §1). `edits` and `planned` (the item's
    typed edits and planned config) spare a caller that has them a second decoding and copy.
    """
    edits = item_edits(item) if edits is None else edits
    if any(isinstance(edit, Invalidate) for edit in edits):
        return []
    planned = item_planned_config(item, edits) if planned is None else planned
    return ["/*"] if origin_moved_to_https(item.base_config, planned) else []


def item_validate(
    item: ChangeItem,
    edits: Sequence[Edit] | None = None,
    certificates: Sequence[CertificateRecord] | None = None,
) -> list[EditError]:
    """CloudFront's rules applied to the item's edits on its planned config (errors and warnings).

    `certificates` are the account's (from `certificates_by_account`); read here when not given.
    """
    edits = item_edits(item) if edits is None else list(edits)
    if certificates is None:
        certificates = certificate_records(item.distribution.account_id)
    return validate_edits(edits, item.base_config, certificates=certificates)


def items_validate(items: Sequence[ChangeItem]) -> dict[int, list[EditError]]:
    """`item_validate` for many items (by item pk), reading the certificates once for all their accounts."""
    by_account = certificates_by_account({item.distribution.account_id for item in items})
    return {
        item.pk: item_validate(item, certificates=by_account.get(item.distribution.account_id, []))
        for item in items
    }


def _record(certificate: Certificate) -> CertificateRecord:
    return CertificateRecord(
        arn=certificate.arn,
        names=tuple(dict.fromkeys([certificate.domain_name, *certificate.subject_alternative_names])),
        not_after=certificate.not_after,
        status=certificate.status,
    )


def certificate_records(account_id: int) -> list[CertificateRecord]:
    """The account's synced ACM certificates, as the pure rules read them."""
    return [_record(c) for c in Certificate.objects.filter(account_id=account_id)]


def certificates_by_account(account_ids: Iterable[int]) -> dict[int, list[CertificateRecord]]:
    """The synced certificates of several accounts in one query, by account id (every id is a key)."""
    ids = set(account_ids)
    by_account: dict[int, list[CertificateRecord]] = {account_id: [] for account_id in ids}
    for certificate in Certificate.objects.filter(account_id__in=ids).order_by("pk"):
        by_account[certificate.account_id].append(_record(certificate))
    return by_account


# -- plan revisions --------------------------------------------------------------------------------


def change_plan(change_request: ChangeRequest) -> dict[str, dict]:
    """The change's plan as a revision stores it: per distribution id, its edits and base version.

    Three columns per item, no model instance: a draft's page and its submit read every item, and the
    whole rows (the base config's JSON, the distribution's) were most of a 1,000-item change's page."""
    rows = change_request.items.order_by("pk").values_list(
        "distribution__distribution_id", "edits", "base_version"
    )
    return {
        distribution_id: {"edits": edits, "base_version": version} for distribution_id, edits, version in rows
    }


@dataclass(frozen=True)
class PlanDiff:
    """What changed in a change's plan since an earlier revision, and why that revision is the base."""

    since: PlanRevision
    why: str
    to_number: int | None  # None: the draft being prepared, not yet submitted
    changes: list[DistributionPlanChange]
    names: dict[str, str]

    @property
    def named(self) -> list[tuple[DistributionPlanChange, str]]:
        """Each distribution's change with the distribution's name (its id if it is gone)."""
        return [(c, self.names.get(c.distribution_id, c.distribution_id)) for c in self.changes]


def plan_revisions(change_request: ChangeRequest) -> list[PlanRevision]:
    """The change's submitted plans, first to last."""
    return list(change_request.revisions.select_related("submitted_by").order_by("number"))


def _base_revision(user: User, revisions: list[PlanRevision]) -> tuple[PlanRevision, str]:
    """The revision this user saw last: the one they approved, else the one before the current plan."""
    approved = (
        Approval.objects.filter(
            change_request_id=revisions[-1].change_request_id,
            approver=user,
            decision=choices.Decision.APPROVED,
            plan_hash__in=[r.plan_hash for r in revisions],
        )
        .order_by("-created_at")
        .values_list("plan_hash", "created_at")
        .first()
    )
    if approved is not None:
        seen = [r for r in revisions if r.plan_hash == approved[0] and r.created_at <= approved[1]]
        if seen:
            return seen[-1], "the revision you approved"
    return revisions[-1], "the previous submission"


def change_plan_diff(
    change_request: ChangeRequest,
    *,
    user: User,
    since: int | None = None,
    revisions: list[PlanRevision] | None = None,
) -> PlanDiff | None:
    """What changed in the plan since the revision `user` last saw (or revision `since`); None when
    there is nothing to compare: never submitted, or submitted once and not edited since.

    A draft that was submitted before is compared with what was submitted; a submitted (or later)
    change's last revision with the one the user approved, else the one before it. `revisions`: the
    change's `plan_revisions`, when the caller has read them already (each holds a whole plan).
    """
    revisions = plan_revisions(change_request) if revisions is None else revisions
    if change_request.status == choices.ChangeStatus.DRAFT:
        current, to_number, earlier = change_plan(change_request), None, revisions
    elif revisions:
        current, to_number, earlier = revisions[-1].plan, revisions[-1].number, revisions[:-1]
    else:
        return None
    if since is not None:
        base = next((r for r in earlier if r.number == since), None)
        if base is None:
            numbers = ", ".join(str(r.number) for r in earlier) or "none"
            raise Invalid(
                f"Change #{change_request.pk} has no earlier revision {since} "
                f"(earlier revisions: {numbers}).",
                code="unknown_revision",
                field="since",
            )
        why = f"revision {since}, as asked"
    elif not earlier:
        return None
    else:
        base, why = _base_revision(user, earlier)
        if to_number is None and why == "the previous submission":
            why = "the last submission"  # a draft: nothing after it was submitted yet
    changes = plan_diff(base.plan, current)
    ids = {c.distribution_id for c in changes}
    names = {d.distribution_id: d.display_name for d in Distribution.objects.filter(distribution_id__in=ids)}
    return PlanDiff(base, why, to_number, changes, names)
