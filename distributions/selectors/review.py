"""What a reviewer needs to see of a change item: the diff, the behaviors in order, and the requests whose
outcome the change alters (the console's checklist, backed by data). Reads only; no AWS calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from distributions.cloudfront.analysis import origin_ids, unreachable_behaviors
from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.config_paths import items
from distributions.cloudfront.diff import Change, diff_configs
from distributions.cloudfront.patterns import behaviors_by_precedence, match_behavior
from distributions.cloudfront.reachability import ReachabilityChange, reachability_changes, stricter_policies
from distributions.cloudfront.simulate import simulate
from distributions.cloudfront.validation import EditError
from distributions.models import ChangeItem
from distributions.selectors.changes import (
    item_edits,
    item_planned_config,
    item_validate,
    suggested_invalidations,
)
from distributions.selectors.traffic import ItemTraffic

MAX_SAMPLED_BEHAVIORS = 40
# (method, HTTP version) of each sampled request: GET, a POST a 307 resends, a POST too old for a 307.
SAMPLED_REQUESTS = (("GET", "1.1"), ("POST", "1.1"), ("POST", "1.0"))


@dataclass(frozen=True)
class BehaviorRow:
    precedence: int
    path_pattern: str
    target_origin_id: str
    viewer_protocol_policy: str
    is_default: bool
    origin_exists: bool
    shadowed_by: tuple[tuple[int, str], ...] = ()  # the earlier behaviors taking all its requests


@dataclass(frozen=True)
class Outcome:
    status: int
    summary: str
    detail: str
    refused: bool = False  # the viewer ends with a 403, at once or after following a redirect


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
    stricter: list[StricterPolicy] = field(default_factory=list)
    reachability: list[ReachabilityChange] = field(default_factory=list)
    traffic: ItemTraffic | None = None  # the impact on counted traffic (selectors/traffic.py), if read


def behavior_rows(config: dict) -> list[BehaviorRow]:
    """The behaviors in evaluation order, the default last, with whether each one's origin exists."""
    known = origin_ids(config)
    unreachable = unreachable_behaviors(config)
    return [
        BehaviorRow(
            b.precedence,
            b.path_pattern,
            b.config["TargetOriginId"],
            b.config["ViewerProtocolPolicy"],
            b.is_default,
            b.config["TargetOriginId"] in known,
            unreachable[b.precedence].shadowed_by if b.precedence in unreachable else (),
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
    if simulation.outcome == "redirect" and not simulation.method_allowed:
        # The redirected request reaches the same behavior over HTTPS, which refuses the method.
        summary = f"{simulation.status}, then 403 over HTTPS"
        return Outcome(simulation.status, summary, simulation.reason, refused=True)
    if simulation.outcome == "redirect":
        return Outcome(simulation.status, f"{simulation.status} to HTTPS", f"Location: {simulation.location}")
    if simulation.outcome == "served":
        origin = simulation.origin
        via = f", origin over {origin.protocol.upper()}" if origin else ""
        return Outcome(simulation.status, f"{simulation.status} served{via}", simulation.reason)
    return Outcome(simulation.status, f"{simulation.status} refused", simulation.reason, refused=True)


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
        for method, version in SAMPLED_REQUESTS:
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
    typed = item_edits(item)
    edits = [edit.describe() for edit in typed]
    problems = item_validate(item, typed, certificates=certificates)
    try:
        after = item_planned_config(item, typed)
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
        suggested_invalidations=suggested_invalidations(item, typed, after),
        problems=problems,
        loosened=loosened_policies(before, after),
        stricter=stricter_warnings(before, after, samples),
        reachability=list(reachability_changes(before, after)),
    )


@dataclass(frozen=True)
class StricterPolicy:
    """Sampled requests a change makes refused: their behavior's policy becomes stricter, or (`moved_from`)
    a reorder sends them from a behavior that answered them to a stricter one."""

    path_pattern: str
    before: str
    after: str
    refused: list[SampleRequest]
    moved_from: str = ""


def newly_refused(samples: list[SampleRequest]) -> list[SampleRequest]:
    """The sampled requests a viewer gets through today and that end in 403 after the change."""
    return [s for s in samples if s.after.refused and not s.before.refused]


def stricter_warnings(before: dict, after: dict, samples: list[SampleRequest]) -> list[StricterPolicy]:
    """Each behavior made stricter, and each move of requests to a stricter behavior, with the changed
    samples that will now be refused."""
    stricter = {
        c.path_pattern: StricterPolicy(c.path_pattern, c.before, c.after, [])
        for c in stricter_policies(before, after)
    }
    moved: dict[tuple[str, str], StricterPolicy] = {}
    for sample in newly_refused(samples):
        path = urlsplit(sample.url).path
        was, now = match_behavior(before, path), match_behavior(after, path)
        if (was.is_default, was.path_pattern) == (now.is_default, now.path_pattern):
            if now.path_pattern in stricter:
                stricter[now.path_pattern].refused.append(sample)
            continue
        policies = was.behavior["ViewerProtocolPolicy"], now.behavior["ViewerProtocolPolicy"]
        entry = StricterPolicy(now.path_pattern, *policies, [], moved_from=was.path_pattern)
        moved.setdefault((was.path_pattern, now.path_pattern), entry).refused.append(sample)
    return [*stricter.values(), *moved.values()]


def path_samples(before: dict, after: dict, domain_name: str, paths: list[str]) -> list[SampleRequest]:
    """The sampled plain-HTTP requests to these paths, simulated on both configs, changed or not."""
    aliases = items(after.get("Aliases"))
    host = aliases[0] if aliases else domain_name
    samples = []
    for path in paths:
        url = f"http://{host}{path}"
        for method, version in SAMPLED_REQUESTS:
            outcomes = [
                _outcome(
                    simulate(url=url, config=c, domain_name=domain_name, method=method, http_version=version)
                )
                for c in (before, after)
            ]
            samples.append(SampleRequest(method, url, version, *outcomes))
    return samples
