"""Whether CloudFront records the requests it serves: standard logging (docs/CLOUDFRONT.md §7, §10).

Security Hub's CloudFront.5 checks the config's `Logging`: enabled, with a bucket. Turning it on needs an S3
bucket that CloudFront can write to (ACLs enabled), a choice Edgeguard cannot make and no edit kind writes,
so its findings have no automatic fix.

ListDistributions' summaries carry no `Logging`: sync reads it with GetDistributionConfig for each
distribution whose summary changed (services/logging_config.py) and posture adds it to the config. On a
config without it (not read yet, or the read failed) the control gives no verdict (not applicable) rather
than a false failure. Without logs Edgeguard cannot measure what a change would do to real traffic.
"""

from __future__ import annotations

from distributions.cloudfront.compliance.base import DISTRIBUTION, Check, Context, Control, register


@register
class StandardLogging(Control):
    id = "CloudFront.5"
    severity = "medium"
    title = "Standard logging is enabled"
    needs_a_person = (
        "Needs an S3 bucket for the logs (with ACLs enabled, so CloudFront can write to it): turn on "
        "standard logging with that bucket in the CloudFront console."
    )

    def check(self, ctx: Context) -> Check:
        if "Logging" not in ctx.facts.config:
            yield DISTRIBUTION, "not_applicable", None
            return
        logging = ctx.facts.config["Logging"] or {}
        if logging.get("Enabled") and logging.get("Bucket"):
            yield DISTRIBUTION, "pass", None
            return
        why = "is enabled without a bucket" if logging.get("Enabled") else "is off"
        message = (
            f"Standard logging {why}, so there is no record of the requests viewers make, and the impact of "
            "a change on real traffic cannot be measured here. Turn on standard logging to an S3 bucket "
            "(name.s3.amazonaws.com, ACLs enabled) in the CloudFront console."
        )
        yield DISTRIBUTION, "fail", message
