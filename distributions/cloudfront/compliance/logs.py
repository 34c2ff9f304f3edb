"""Whether CloudFront records the requests it serves: standard logging (docs/CLOUDFRONT.md §7, §10).

Security Hub's CloudFront.5 checks the config's `Logging`: enabled, with a bucket. Turning it on needs an S3
bucket that CloudFront can write to (ACLs enabled), a choice Edgeguard cannot make and no edit kind writes,
so its findings have no automatic fix.

ListDistributions' summaries, which sync mirrors, carry no `Logging` (only GetDistributionConfig does): on a
config without it the control gives no verdict (not applicable) rather than a false failure.
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
            f"Standard logging {why}, so there is no record of the requests viewers make. Turn on standard "
            "logging to an S3 bucket (name.s3.amazonaws.com, ACLs enabled) in the CloudFront console."
        )
        yield DISTRIBUTION, "fail", message
