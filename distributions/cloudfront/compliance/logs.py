"""Whether CloudFront records the requests it serves: standard logging (docs/CLOUDFRONT.md §7, §10).

Security Hub's CloudFront.5 checks the config's `Logging`: enabled, with a bucket. Turning it on needs an S3
bucket that CloudFront can write to (ACLs enabled, awslogsdelivery granted), a choice Edgeguard cannot
make: its Fix asks the admin for the bucket (and a prefix) and plans a set_logging edit with them.

ListDistributions' summaries carry no `Logging`: sync reads it with GetDistributionConfig for each
distribution whose summary changed (services/logging_config.py) and posture adds it to the config. On a
config without it (not read yet, or the read failed) the control gives no verdict (not applicable) rather
than a false failure. Without logs Edgeguard cannot measure what a change would do to real traffic.
"""

from __future__ import annotations

from collections.abc import Mapping

from distributions.cloudfront.compliance.base import (
    DISTRIBUTION,
    Check,
    Context,
    Control,
    Finding,
    Fix,
    register,
)
from distributions.cloudfront.edits import SetLogging
from distributions.cloudfront.patterns import Config


@register
class StandardLogging(Control):
    id = "CloudFront.5"
    severity = "medium"
    title = "Standard logging is enabled"
    needs_a_person = (
        "Needs an S3 bucket for the logs (with ACLs enabled, so CloudFront can write to it): enter it above "
        "the findings and Fix, or turn on standard logging with that bucket in the CloudFront console."
    )
    fix_inputs = ("log_bucket", "log_prefix")

    def fix_with(self, finding: Finding, config: Config, inputs: Mapping[str, str]) -> Fix:
        bucket = (inputs.get("log_bucket") or "").strip()
        if not bucket:
            return Fix(reason=self.needs_a_person)
        edit = SetLogging(bucket=bucket, prefix=inputs.get("log_prefix") or None)
        # Only the edit's own rules: whether Logging was read is the plan's check (it sees the stored row).
        errors = [e.message for e in edit.validate(0, {"Logging": None}, {})]
        return Fix(reason=" ".join(errors)) if errors else Fix(edits=(edit,))

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
            "a change on real traffic cannot be measured here. Turn on standard logging with Fix, to the S3 "
            "bucket you enter (name.s3.amazonaws.com, ACLs enabled, awslogsdelivery granted)."
        )
        yield DISTRIBUTION, "fail", message
