"""What a reviewer needs to see of a change item: the diff, the behaviors in order, and the requests whose
outcome the change alters (the console's checklist, backed by data). Reads only; no AWS calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from distributions.cloudfront.analysis import origin_ids
from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.config_paths import items
from distributions.cloudfront.diff import Change, diff_configs
from distributions.cloudfront.patterns import behaviors_by_precedence
from distributions.cloudfront.simulate import simulate
from distributions.cloudfront.validation import EditError
from distributions.models import ChangeItem
from distributions.selectors.changes import (
    item_edits,
    item_planned_config,
    item_validate,
    suggested_invalidations,
)

MAX_SAMPLED_BEHAVIORS = 40


@dataclass(frozen=True)
class BehaviorRow:
    precedence: int
    path_pattern: str
    target_origin_id: str
    viewer_protocol_policy: str
    is_default: bool
    origin_exists: bool


@dataclass(frozen=True)
class Outcome:
    status: int
    summary: str
    detail: str


@dataclass(frozen=True)
class SampleRequest:
    method: str
    url: str
    http_version: str
    before: Outcome
    after: Outcome


@dataclass(frozen=True)
class ItemReview:
    item: ChangeItem
    edits: list[str]
    changes: list[Change]
    behaviors_before: list[BehaviorRow]
    behaviors_after: list[BehaviorRow]
    samples_changed: list[SampleRequest]
    samples_unchanged: int
    suggested_invalidations: list[str]
    problems: list[EditError]
    loosened: list[str] = field(default_factory=list)
    error: str = ""


def behavior_rows(config: dict) -> list[BehaviorRow]:
    """The behaviors in evaluation order, the default last, with whether each one's origin exists."""
    known = origin_ids(config)
    return [
        BehaviorRow(
            b.precedence,
            b.path_pattern,
            b.config["TargetOriginId"],
            b.config["ViewerProtocolPolicy"],
            b.is_default,
            b.config["TargetOriginId"] in known,
        )
        for b in behaviors_by_precedence(config)
    ]


def sample_path(pattern: str) -> str:
    """A concrete request path that the pattern matches (`*` → "example", `?` → "x")."""
    if pattern == "*":
        return "/"
    path = pattern.replace("*", "example").replace("?", "x")
    return path if path.startswith("/") else f"/{path}"


def _outcome(simulation) -> Outcome:
    if simulation.outcome == "redirect":
        return Outcome(simulation.status, f"{simulation.status} to HTTPS", f"Location: {simulation.location}")
    if simulation.outcome == "served":
        origin = simulation.origin
        via = f", origin over {origin.protocol.upper()}" if origin else ""
        return Outcome(simulation.status, f"{simulation.status} served{via}", simulation.reason)
    return Outcome(simulation.status, f"{simulation.status} refused", simulation.reason)


_STRENGTH = {"allow-all": 0, "redirect-to-https": 1, "https-only": 2}


def loosened_policies(before: dict, after: dict) -> list[str]:
    """Behaviors whose viewer protocol policy becomes weaker: worth a second look before submitting."""
    was = {row.path_pattern: row.viewer_protocol_policy for row in behavior_rows(before)}
    return [
        f"{row.path_pattern} goes from {was[row.path_pattern]} to {row.viewer_protocol_policy}: "
        "HTTP requests it refuses today would then be "
        + ("redirected." if row.viewer_protocol_policy == "redirect-to-https" else "served over plain HTTP.")
        for row in behavior_rows(after)
        if row.path_pattern in was
        and _STRENGTH.get(row.viewer_protocol_policy, 0) < _STRENGTH.get(was[row.path_pattern], 0)
    ]


def sample_requests(before: dict, after: dict, domain_name: str) -> tuple[list[SampleRequest], int]:
    """Plain-HTTP requests to each behavior's pattern, simulated on both configs; those whose outcome differs.

    HTTPS requests are served under every viewer protocol policy, so only HTTP ones can change outcome.
    """
    aliases = items(after.get("Aliases"))
    host = aliases[0] if aliases else domain_name
    paths = dict.fromkeys(
        sample_path(row.path_pattern) for row in behavior_rows(after)[:MAX_SAMPLED_BEHAVIORS]
    )
    changed, unchanged = [], 0
    for path in paths:
        url = f"http://{host}{path}"
        for method, version in (("GET", "1.1"), ("POST", "1.1"), ("POST", "1.0")):
            was = _outcome(
                simulate(url=url, config=before, domain_name=domain_name, method=method, http_version=version)
            )
            now = _outcome(
                simulate(url=url, config=after, domain_name=domain_name, method=method, http_version=version)
            )
            # Same status and location for the viewer is the same outcome, whatever the reason behind it.
            if (was.status, was.summary) == (now.status, now.summary):
                unchanged += 1
            else:
                changed.append(SampleRequest(method, url, version, was, now))
    return changed, unchanged


def item_review(item: ChangeItem, *, certificates: Sequence[CertificateRecord] | None = None) -> ItemReview:
    """Everything the review page shows for one distribution of a change.

    `certificates` are the item's account's (`certificates_by_account` reads many accounts' in one query);
    read here when not given.
    """
    before = item.base_config
    edits = [edit.describe() for edit in item_edits(item)]
    problems = item_validate(item, certificates=certificates)
    try:
        after = item_planned_config(item)
    except LookupError as error:
        return ItemReview(item, edits, [], behavior_rows(before), [], [], 0, [], problems, error=str(error))
    samples, unchanged = sample_requests(before, after, item.distribution.domain_name)
    return ItemReview(
        item=item,
        edits=edits,
        changes=diff_configs(before, after),
        behaviors_before=behavior_rows(before),
        behaviors_after=behavior_rows(after),
        samples_changed=samples,
        samples_unchanged=unchanged,
        suggested_invalidations=suggested_invalidations(item),
        problems=problems,
        loosened=loosened_policies(before, after),
    )
