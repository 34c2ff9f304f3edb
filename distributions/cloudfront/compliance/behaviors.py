"""Every behavior is reachable and targets an origin the distribution has (docs/CLOUDFRONT.md §2)."""

from __future__ import annotations

from distributions.cloudfront.analysis import behavior_covers, origin_ids
from distributions.cloudfront.compliance.base import (
    Check,
    Context,
    Control,
    describe,
    register,
)


@register
class BehaviorReachable(Control):
    id = "edgeguard.shadowed-behavior"
    severity = "low"
    title = "Behavior is reachable"
    needs_a_person = "Needs a choice: move the behavior up, narrow the earlier patterns, or delete it."

    def check(self, ctx: Context) -> Check:
        # Every behavior but the default, which is last.
        ordered = zip(
            ctx.behaviors[:-1], ctx.behavior_targets[:-1], behavior_covers(ctx.patterns), strict=True
        )
        for b, target, cover in ordered:
            if not cover:
                yield target, "pass", None
                continue
            earlier = ", ".join([f"{pattern} (precedence {p})" for p, pattern in cover])
            message = (
                f"{describe(b)} is never used: {earlier} already match every path it would. Move it above "
                "them, narrow their patterns, or delete it."
            )
            yield target, "fail", message


@register
class OriginExists(Control):
    id = "edgeguard.origin-exists"
    severity = "high"
    title = "Behavior targets an existing origin"
    needs_a_person = "Needs a choice of origin for the behavior."

    def check(self, ctx: Context) -> Check:
        known = origin_ids(ctx.facts.config)
        for b, target in zip(ctx.behaviors, ctx.behavior_targets, strict=True):
            target_id = b.config.get("TargetOriginId", "")
            if target_id in known:
                yield target, "pass", None
            else:
                message = (
                    f"{describe(b)} targets a missing origin {target_id!r}. Point it at an existing origin."
                )
                yield target, "fail", message
