"""Viewer certificates (docs/CLOUDFRONT.md §3): the source a distribution uses, the aliases it covers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

CertificateSource = Literal["default", "acm", "iam"]

# The name on the certificate CloudFront presents for `dxxxx.cloudfront.net` domains.
DEFAULT_CERTIFICATE_NAME = "*.cloudfront.net"
# ACM certificates are usable by CloudFront only from this region (§3).
CLOUDFRONT_CERTIFICATE_REGION = "us-east-1"


@dataclass(frozen=True)
class CertificateRecord:
    """What Edgeguard knows of an ACM certificate: its ARN, names (domain + SANs), expiry and status."""

    arn: str
    names: tuple[str, ...]
    not_after: datetime | None = None
    status: str = "ISSUED"

    @property
    def region(self) -> str:
        """The region part of the ARN (`arn:aws:acm:<region>:<account>:certificate/<id>`)."""
        parts = self.arn.split(":")
        return parts[3] if len(parts) > 3 else ""

    def expires_within(self, now: datetime, window: timedelta) -> bool:
        """Whether the certificate is expired or expires before `now + window`."""
        return self.not_after is not None and self.not_after - now < window


def _host(name: str) -> str:
    return name.strip().lower().rstrip(".")


def covers(san: str, host: str) -> bool:
    """Whether a certificate name covers a host: exact, or `*.parent` for exactly one extra label."""
    san, host = _host(san), _host(host)
    if san == host:
        return True
    if not san.startswith("*."):
        return False
    label, dot, parent = host.partition(".")
    return bool(label and dot) and label != "*" and parent == san[2:]


def uncovered_aliases(aliases: Iterable[str], sans: Iterable[str]) -> tuple[str, ...]:
    """The aliases, in their order, that no certificate name covers (CloudFront: InvalidViewerCertificate)."""
    names = tuple(sans)
    return tuple(alias for alias in aliases if not any(covers(san, alias) for san in names))


def certificate_source(viewer_certificate: Mapping[str, Any] | None) -> CertificateSource:
    """Which certificate a ViewerCertificate dict selects: `default`, `acm` or `iam`.

    The explicit fields win over the deprecated `CertificateSource` mirror; an empty or missing
    ViewerCertificate is what CloudFront treats as the default certificate.
    """
    vc = viewer_certificate or {}
    if vc.get("ACMCertificateArn"):
        return "acm"
    if vc.get("IAMCertificateId"):
        return "iam"
    if vc.get("CloudFrontDefaultCertificate"):
        return "default"
    legacy = vc.get("CertificateSource")
    if legacy in ("acm", "iam"):
        return legacy
    return "default"


def certificate_identifier(viewer_certificate: Mapping[str, Any] | None) -> str:
    """A human label for the selected certificate: its ARN, its IAM id, or `*.cloudfront.net`."""
    vc = viewer_certificate or {}
    source = certificate_source(vc)
    if source == "acm":
        return vc.get("ACMCertificateArn") or vc.get("Certificate", "")
    if source == "iam":
        return vc.get("IAMCertificateId") or vc.get("Certificate", "")
    return DEFAULT_CERTIFICATE_NAME
