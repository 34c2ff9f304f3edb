"""A distribution's behaviors as the Behaviors tab, the edit and the reorder pages list them: each one's
context (the console's read-only settings), whether a request can reach it, and what a stricter viewer
protocol policy would refuse. Reads the mirrored config only; no AWS calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from distributions.cloudfront.analysis import origin_ids, unreachable_behaviors
from distributions.cloudfront.behavior_context import BehaviorContext, behavior_context
from distributions.cloudfront.constants import VIEWER_PROTOCOL_POLICIES
from distributions.cloudfront.edits import ReorderBehaviors, SetViewerProtocolPolicy
from distributions.cloudfront.edits.reorder_behaviors import describe_moves
from distributions.cloudfront.patterns import behaviors_by_precedence
from distributions.cloudfront.reachability import POLICY_STRENGTH, ReachabilityChange, reachability_changes
from distributions.models import Distribution
from distributions.selectors.review import (
    SampleRequest,
    StricterPolicy,
    newly_refused,
    path_samples,
    sample_path,
    sample_requests,
    stricter_warnings,
)


@dataclass(frozen=True)
class StricterPreview:
    """What setting a stricter viewer protocol policy on one behavior would refuse among sampled requests."""

    policy: str
    refused: list[SampleRequest]


@dataclass(frozen=True)
class BehaviorDetail:
    """One behavior with its context and its reachability; the attribute names of the mirrored row."""

    precedence: int
    path_pattern: str
    is_default: bool
    target_origin_id: str
    viewer_protocol_policy: str
    origin_exists: bool
    shadowed_by: tuple[tuple[int, str], ...]  # the earlier behaviors taking all its requests
    context: BehaviorContext
    stricter: tuple[StricterPreview, ...] = ()

    @property
    def allowed_methods(self) -> tuple[str, ...]:
        return self.context.allowed_methods


def _stricter(
    config: dict, domain_name: str, pattern: str, is_default: bool, policy: str
) -> tuple[StricterPreview, ...]:
    """For each policy stricter than `policy`, the sampled requests to `pattern` it would newly refuse."""
    previews = []
    for stricter in VIEWER_PROTOCOL_POLICIES:
        if POLICY_STRENGTH[stricter] <= POLICY_STRENGTH.get(policy, 0):
            continue
        edit = SetViewerProtocolPolicy(path_pattern="default" if is_default else pattern, policy=stricter)
        samples = path_samples(config, edit.apply(config), domain_name, [sample_path(pattern)])
        previews.append(StricterPreview(stricter, newly_refused(samples)))
    return tuple(previews)


def config_behaviors(config: dict, domain_name: str, *, stricter: bool = False) -> list[BehaviorDetail]:
    """Every behavior of `config` in evaluation order; with `stricter`, what stricter policies refuse."""
    known, unreachable = origin_ids(config), unreachable_behaviors(config)
    details = []
    for b in behaviors_by_precedence(config):
        policy, target = b.config["ViewerProtocolPolicy"], b.config["TargetOriginId"]
        shadow = unreachable.get(b.precedence)
        details.append(
            BehaviorDetail(
                b.precedence,
                b.path_pattern,
                b.is_default,
                target,
                policy,
                target in known,
                shadow.shadowed_by if shadow else (),
                behavior_context(config, b.config),
                _stricter(config, domain_name, b.path_pattern, b.is_default, policy) if stricter else (),
            )
        )
    return details


def behavior_details(*, distribution: Distribution, stricter: bool = False) -> list[BehaviorDetail]:
    """The distribution's behaviors as its mirrored config has them, in evaluation order."""
    return config_behaviors(distribution.config, distribution.domain_name, stricter=stricter)


@dataclass(frozen=True)
class ReorderPreview:
    """The behaviors in a proposed order, the moves, which behaviors it makes (un)reachable, and the sampled
    requests it sends to a stricter behavior."""

    behaviors: list[BehaviorDetail]
    moves: list[str]
    reachability: tuple[ReachabilityChange, ...]
    stricter: list[StricterPolicy]


def reorder_preview(*, distribution: Distribution, order: Sequence[str]) -> ReorderPreview:
    """The distribution with its ordered behaviors in `order`; LookupError unless `order` is a permutation."""
    config = distribution.config
    after = ReorderBehaviors(path_patterns=tuple(order)).apply(config)
    current = [b.path_pattern for b in behaviors_by_precedence(config) if not b.is_default]
    samples, _ = sample_requests(config, after, distribution.domain_name)
    return ReorderPreview(
        [b for b in config_behaviors(after, distribution.domain_name) if not b.is_default],
        describe_moves(current, list(order)),
        reachability_changes(config, after),
        stricter_warnings(config, after, samples),
    )
