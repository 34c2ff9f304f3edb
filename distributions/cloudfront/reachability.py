"""What a change does to a distribution's behaviors: which it makes unreachable or reachable again (from
analysis.py's shadowing), and which it makes stricter (a viewer protocol policy that serves less plain HTTP).
"""

from __future__ import annotations

from dataclasses import dataclass

from distributions.cloudfront.analysis import ShadowedBehavior, unreachable_behaviors
from distributions.cloudfront.patterns import Config, behaviors_by_precedence


@dataclass(frozen=True)
class ReachabilityChange:
    """A behavior a change makes unreachable, or reachable again; `shadowed_by` names the earlier
    behaviors that take its requests (after the change when it becomes unreachable, before when freed)."""

    path_pattern: str
    reachable: bool
    shadowed_by: tuple[tuple[int, str], ...]


def _by_pattern(config: Config) -> dict[tuple[bool, str], ShadowedBehavior]:
    unreachable = unreachable_behaviors(config)
    return {
        (b.is_default, b.path_pattern): unreachable[b.precedence]
        for b in behaviors_by_precedence(config)
        if b.precedence in unreachable
    }


def reachability_changes(before: Config, after: Config) -> tuple[ReachabilityChange, ...]:
    """The behaviors of `after` whose reachability differs from `before` (a new behavior counts as
    reachable before), in `after`'s evaluation order."""
    was, now = _by_pattern(before), _by_pattern(after)
    changes = []
    for b in behaviors_by_precedence(after):
        key = (b.is_default, b.path_pattern)
        if key in now and key not in was:
            changes.append(ReachabilityChange(b.path_pattern, False, now[key].shadowed_by))
        elif key in was and key not in now:
            changes.append(ReachabilityChange(b.path_pattern, True, was[key].shadowed_by))
    return tuple(changes)


# How much of plain HTTP a viewer protocol policy refuses: a higher strength serves less of it.
POLICY_STRENGTH = {"allow-all": 0, "redirect-to-https": 1, "https-only": 2}


@dataclass(frozen=True)
class PolicyChange:
    """A behavior whose viewer protocol policy a change moves, from `before` to `after`."""

    path_pattern: str
    before: str
    after: str


def stricter_policies(before: Config, after: Config) -> tuple[PolicyChange, ...]:
    """Behaviors whose viewer protocol policy becomes stricter: HTTP requests served (200) or redirected
    (301, 307) today would be refused (403) once the change is applied (docs/CLOUDFRONT.md §1)."""
    was = {(b.is_default, b.path_pattern): b.config for b in behaviors_by_precedence(before)}
    stricter = []
    for b in behaviors_by_precedence(after):
        old = was.get((b.is_default, b.path_pattern))
        if old is None:
            continue
        old_policy, new_policy = old["ViewerProtocolPolicy"], b.config["ViewerProtocolPolicy"]
        if POLICY_STRENGTH.get(new_policy, 0) > POLICY_STRENGTH.get(old_policy, 0):
            stricter.append(PolicyChange(b.path_pattern, old_policy, new_policy))
    return tuple(stricter)
