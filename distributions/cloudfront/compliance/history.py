"""What Edgeguard's own change history shows: an origin moved to HTTPS and not invalidated since
(docs/CLOUDFRONT.md §1: objects cached over HTTP would still be served)."""

from __future__ import annotations

from distributions.cloudfront.compliance.base import (
    Check,
    Context,
    Control,
    Finding,
    Fix,
    origin_target,
    register,
)
from distributions.cloudfront.config_paths import items
from distributions.cloudfront.edits import Invalidate
from distributions.cloudfront.patterns import Config


@register
class InvalidatedAfterHttps(Control):
    id = "edgeguard.origin-https-invalidated"
    severity = "medium"
    title = "Invalidated after moving an origin to HTTPS"

    def check(self, ctx: Context) -> Check:
        last = ctx.facts.last_full_invalidation_at
        for origin in items(ctx.facts.config.get("Origins")):
            moved = ctx.facts.origins_moved_to_https.get(origin["Id"])
            if moved is None:
                yield origin_target(origin), "not_applicable", None
            elif last is not None and last >= moved:
                yield origin_target(origin), "pass", None
            else:
                message = (
                    f"Origin {origin['Id']} moved to HTTPS on {moved:%Y-%m-%d %H:%M} with no invalidation "
                    "since, so objects cached over HTTP are still served. Invalidate /*."
                )
                yield origin_target(origin), "fail", message

    def fix(self, finding: Finding, config: Config) -> Fix:
        return Fix((Invalidate(paths=("/*",)),))
