"""A change's page at any size: a summary over every item, the items grouped and paged, and the progress
rows that moved since the last poll. The number of queries does not grow with the items.

The summary's sampled outcomes depend only on an item's base config and edits, so they are cached under
(base version, edits): items planned on identical configs, and later loads of the page, reuse them.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet

from distributions import choices
from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.edits import EDIT_KINDS, edit_from_dict
from distributions.models import ChangeItem, ChangeRequest
from distributions.selectors.changes import certificates_by_account, item_planned_config, item_validate
from distributions.selectors.review import (
    ItemReview,
    Outcome,
    item_review,
    loosened_policies,
    sample_requests,
)
from distributions.selectors.traffic import items_traffic

PAGE_SIZE = 50
# Grouping of the items' cards: by their identical edits, or by account.
GROUPINGS = {"edits": "identical edits", "account": "account"}
# Cards start open when a change is this small (a fleet-wide one starts folded).
OPEN_CARDS_UP_TO = 3
OUTCOMES_CACHE_SECONDS = 6 * 3600


@dataclass(frozen=True)
class OutcomeChange:
    """Sampled requests of one method whose status goes from `before` to `after`, over the whole change."""

    method: str
    before: str  # the status, or what a redirect leads to ("307, then 403 over HTTPS")
    after: str
    count: int

    def __str__(self) -> str:
        return (
            f"{self.count} sampled {self.method}{'s' if self.count != 1 else ''} {self.before} → {self.after}"
        )


@dataclass(frozen=True)
class ChangeSummary:
    """A change in a few lines, over every item: what a reviewer reads before the cards."""

    distributions: int
    accounts: list[tuple[str, int]]
    edit_kinds: list[tuple[str, int]]
    edits: list[tuple[str, int]]
    outcome_changes: list[OutcomeChange]
    samples_unchanged: int
    with_errors: int
    with_warnings: int
    loosened: int
    unplannable: int


@dataclass(frozen=True)
class ItemGroup:
    """The cards of one group on this page, and how many items the group has over the whole change."""

    label: str
    total: int
    reviews: list[ItemReview]


@dataclass(frozen=True)
class ChangePage:
    """What the change page shows: the summary, this page's groups of cards and its items' progress."""

    summary: ChangeSummary
    grouping: str
    groups: list[ItemGroup]
    page: Page
    items: list[ChangeItem]
    cards_open: bool


def _item_rows(change_request: ChangeRequest) -> QuerySet[ChangeItem]:
    # The distribution's own config is never shown here (the item holds the config it was planned on).
    return change_request.items.select_related("distribution__account").defer("distribution__config")


@dataclass(frozen=True)
class ItemRow:
    """What the summary and the grouping read of every item: no config, no model instance."""

    pk: int
    edits: list[dict]
    edits_key: str
    base_version: str
    account_id: int
    account_name: str


def item_rows(change_request: ChangeRequest) -> list[ItemRow]:
    """Every item of the change as an ItemRow, in the order they were added (one query)."""
    rows = change_request.items.order_by("pk").values_list(
        "pk", "edits", "base_version", "distribution__account_id", "distribution__account__name"
    )
    return [
        ItemRow(pk, edits, json.dumps(edits, sort_keys=True), version, account_id, account)
        for pk, edits, version, account_id, account in rows
    ]


def _ordered_pks(rows: Sequence[ItemRow], grouping: str) -> tuple[list[int], dict[int, str]]:
    """Item pks by group (largest group first, then by key), then in the order the items were added; and
    each item's group key."""
    keys = {row.pk: row.account_name if grouping == "account" else row.edits_key for row in rows}
    sizes = Counter(keys.values())
    return sorted(keys, key=lambda pk: (-sizes[keys[pk]], keys[pk], pk)), keys


def _describe(edits: list[dict]) -> list[str]:
    return [edit_from_dict(data).describe() for data in edits]


def change_page(*, change_request: ChangeRequest, grouping: str, page_number: str | int | None) -> ChangePage:
    """The summary over every item, and the reviews of one page of items in groups.

    Every item is read as an ItemRow (the summary's figures are cached per base version and edits, see
    `item_outcomes`); only this page's items are read whole, for their cards.
    """
    grouping = grouping if grouping in GROUPINGS else "edits"
    rows = item_rows(change_request)
    certificates = certificates_by_account({row.account_id for row in rows})
    summary = change_summary(change_request, rows, certificates)
    ordered, keys = _ordered_pks(rows, grouping)
    page = Paginator(ordered, PAGE_SIZE).get_page(page_number)
    full = _item_rows(change_request).in_bulk(list(page.object_list))
    sizes = Counter(keys.values())
    traffic = items_traffic(items=[full[pk] for pk in page.object_list])
    groups: list[ItemGroup] = []
    for pk in page.object_list:
        item = full[pk]
        review = item_review(item, certificates=certificates[item.distribution.account_id])
        review = replace(review, traffic=traffic[pk])
        if not groups or keys[groups[-1].reviews[0].item.pk] != keys[pk]:
            if grouping == "account":
                label = f"Account {item.distribution.account.name}"
            else:
                label = "; ".join(_describe(item.edits)) or "No edits"
            groups.append(ItemGroup(label, sizes[keys[pk]], []))
        groups[-1].reviews.append(review)
    return ChangePage(
        summary=summary,
        grouping=grouping,
        groups=groups,
        page=page,
        items=[full[pk] for pk in page.object_list],
        cards_open=len(rows) <= OPEN_CARDS_UP_TO,
    )


def _kind_label(kind: str) -> str:
    return kind.replace("_", " ").capitalize() if kind in EDIT_KINDS else kind


def change_summary(
    change_request: ChangeRequest,
    rows: Sequence[ItemRow],
    certificates: dict[int, list[CertificateRecord]],
) -> ChangeSummary:
    """Counts over every item: distributions per account, edits by kind and by what they set, sampled
    requests whose outcome changes by (method, status before, status after), and items with problems."""
    accounts = Counter(row.account_name for row in rows)
    kinds: Counter[str] = Counter()
    edits: Counter[str] = Counter()
    for key, count in Counter(row.edits_key for row in rows).items():
        stored = json.loads(key)
        kinds.update({data["kind"]: count for data in stored})
        edits.update(dict.fromkeys(_describe(stored), count))
    outcomes = item_outcomes(change_request, rows, certificates).values()
    changes: Counter[tuple[str, str, str]] = Counter()
    for outcome in outcomes:
        for method, before, after, count in outcome["changed"]:
            changes[(method, before, after)] += count
    return ChangeSummary(
        distributions=len(rows),
        accounts=sorted(accounts.items(), key=lambda pair: (-pair[1], pair[0])),
        edit_kinds=[(_kind_label(kind), count) for kind, count in kinds.most_common()],
        edits=edits.most_common(),
        outcome_changes=[
            OutcomeChange(method, before, after, count)
            for (method, before, after), count in sorted(changes.items(), key=lambda pair: -pair[1])
        ],
        samples_unchanged=sum(outcome["unchanged"] for outcome in outcomes),
        with_errors=sum(outcome["errors"] for outcome in outcomes),
        with_warnings=sum(outcome["warnings"] for outcome in outcomes),
        loosened=sum(outcome["loosened"] for outcome in outcomes),
        unplannable=sum(outcome["error"] for outcome in outcomes),
    )


def _fingerprint(records: list[CertificateRecord]) -> str:
    return hashlib.sha256(repr(sorted(map(repr, records))).encode()).hexdigest()[:16]


def item_outcomes(
    change_request: ChangeRequest,
    rows: Sequence[ItemRow],
    certificates: dict[int, list[CertificateRecord]],
) -> dict[int, dict]:
    """Per item pk: its sampled requests whose outcome changes, counted by (method, before, after), how many
    keep theirs, whether it loosens a policy, has validation errors or warnings, or cannot be planned.

    All of it follows from the base config (its version), the edits and the account's certificates, so it
    is cached under those: items planned on identical configs share it, and so do later loads. Only the
    items missing from the cache are read whole (one query).
    """
    prints = {account_id: _fingerprint(records) for account_id, records in certificates.items()}
    keys = {
        row.pk: "change-outcomes:2:"
        + hashlib.sha256(
            f"{row.base_version}\n{row.edits_key}\n{prints[row.account_id]}".encode()
        ).hexdigest()
        for row in rows
    }
    known = cache.get_many(set(keys.values()))
    missing: dict[str, int] = {}
    for pk, key in keys.items():
        if key not in known:
            missing.setdefault(key, pk)
    if missing:
        items = _item_rows(change_request).in_bulk(list(missing.values()))
        computed = {
            key: _outcomes(items[pk], certificates[items[pk].distribution.account_id])
            for key, pk in missing.items()
        }
        cache.set_many(computed, OUTCOMES_CACHE_SECONDS)
        known.update(computed)
    return {pk: known[key] for pk, key in keys.items()}


def _status(outcome: Outcome) -> str:
    """The status a viewer ends with: a redirect the HTTPS retry refuses reads as such, not as a 307."""
    if outcome.refused and outcome.status != 403:
        return outcome.summary
    return str(outcome.status)


def _outcomes(item: ChangeItem, certificates: list[CertificateRecord]) -> dict:
    severities = {p.severity for p in item_validate(item, certificates=certificates)}
    outcome = {"errors": "error" in severities, "warnings": "warning" in severities}
    try:
        after = item_planned_config(item)
    except LookupError:
        return {**outcome, "changed": [], "unchanged": 0, "loosened": False, "error": True}
    samples, unchanged = sample_requests(item.base_config, after, item.distribution.domain_name)
    changed = Counter((s.method, _status(s.before), _status(s.after)) for s in samples)
    return {
        **outcome,
        "changed": [[*key, count] for key, count in changed.items()],
        "unchanged": unchanged,
        "loosened": bool(loosened_policies(item.base_config, after)),
        "error": False,
    }


# -- live progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


def item_status_counts(change_request: ChangeRequest) -> list[StatusCount]:
    """How many of the change's items are in each status, in the lifecycle's order."""
    counts = dict(
        change_request.items.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return [
        StatusCount(status, label, counts[status])
        for status, label in choices.ItemStatus.choices
        if counts.get(status)
    ]


def page_items_since(
    *, change_request: ChangeRequest, grouping: str, page_number: str | int | None, since: datetime | None
) -> tuple[Page, list[ChangeItem]]:
    """The page of items (as `change_page` orders them) and those of its items that moved since `since`
    (all of them without `since`): the rows a progress poll sends."""
    grouping = grouping if grouping in GROUPINGS else "edits"
    ordered, _ = _ordered_pks(item_rows(change_request), grouping)
    page = Paginator(ordered, PAGE_SIZE).get_page(page_number)
    moved = _item_rows(change_request).defer("base_config").filter(pk__in=list(page.object_list))
    if since is not None:
        moved = moved.filter(updated_at__gte=since)
    return page, list(moved.order_by("pk"))
