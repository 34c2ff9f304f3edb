"""AWS Security Hub's CloudFront controls, CloudFront.1 to CloudFront.17: which Edgeguard evaluates, and why
the others are out of its scope (one line each), for the posture page.

Edgeguard is about how viewers and origins connect (HTTPS, certificates, TLS policies) and the logs that
record it; controls about other concerns stay with Security Hub. Titles are Security Hub's.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SecurityHubControl:
    """One Security Hub CloudFront control and Edgeguard's stance on it."""

    id: str
    title: str
    evaluated: bool
    why: str


SECURITY_HUB_CONTROLS = (
    SecurityHubControl(
        "CloudFront.1",
        "CloudFront distributions should have a default root object configured",
        False,
        "What the root URL returns, not how viewers or origins connect.",
    ),
    SecurityHubControl(
        "CloudFront.2",
        "CloudFront distributions should have origin access identity enabled",
        False,
        "Retired by Security Hub in favour of CloudFront.13.",
    ),
    SecurityHubControl(
        "CloudFront.3",
        "CloudFront distributions should require encryption in transit",
        True,
        "On every behavior, not only the default one; Fix sets that behavior to redirect-to-https.",
    ),
    SecurityHubControl(
        "CloudFront.4",
        "CloudFront distributions should have origin failover configured",
        False,
        "Availability (origin groups), not transport security.",
    ),
    SecurityHubControl(
        "CloudFront.5",
        "CloudFront distributions should have logging enabled",
        True,
        "Standard logging to a bucket, where the config read holds Logging (ListDistributions' summaries "
        "do not); Fix sets it to the bucket the admin enters.",
    ),
    SecurityHubControl(
        "CloudFront.6",
        "CloudFront distributions should have WAF enabled",
        False,
        "Request filtering by AWS WAF web ACLs, which Edgeguard neither reads nor writes.",
    ),
    SecurityHubControl(
        "CloudFront.7",
        "CloudFront distributions should use custom SSL/TLS certificates",
        True,
        "The viewer certificate; attaching one needs a person's choice of certificate.",
    ),
    SecurityHubControl(
        "CloudFront.8",
        "CloudFront distributions should use SNI to serve HTTPS requests",
        True,
        "The SSL support method; leaving vip drops clients without SNI, so a person decides.",
    ),
    SecurityHubControl(
        "CloudFront.9",
        "CloudFront distributions should encrypt traffic to custom origins",
        True,
        "Each custom origin, with the behaviors that reach it; Fix sets the origin to https-only.",
    ),
    SecurityHubControl(
        "CloudFront.10",
        "CloudFront distributions should not use deprecated SSL protocols between edge locations and "
        "custom origins",
        True,
        "Each custom origin's SSL protocols; Fix removes SSLv3.",
    ),
    SecurityHubControl(
        "CloudFront.11",
        "",
        False,
        "No control with this number in Security Hub's current list.",
    ),
    SecurityHubControl(
        "CloudFront.12",
        "CloudFront distributions should not point to non-existent S3 origins",
        False,
        "Needs S3 (does the bucket exist?), which Edgeguard does not read; edgeguard.origin-exists checks "
        "that behaviors target the distribution's own origins.",
    ),
    SecurityHubControl(
        "CloudFront.13",
        "CloudFront distributions should use origin access control",
        False,
        "Who may read the S3 bucket (origin access control, bucket policies), not transport security.",
    ),
    SecurityHubControl(
        "CloudFront.14",
        "CloudFront distributions should be tagged",
        False,
        "Tagging hygiene, not HTTPS settings.",
    ),
    SecurityHubControl(
        "CloudFront.15",
        "CloudFront distributions should use the recommended TLS security policy",
        True,
        "Custom certificates not configured for legacy clients (vip); Fix sets TLSv1.2_2021.",
    ),
    SecurityHubControl(
        "CloudFront.16",
        "CloudFront distributions should use origin access control for Lambda function URL origins",
        False,
        "Who may invoke a Lambda function URL (IAM), not transport security.",
    ),
    SecurityHubControl(
        "CloudFront.17",
        "CloudFront distributions should use trusted key groups for signed URLs and cookies",
        False,
        "Private content (signing keys), not transport security.",
    ),
)
