"""SetViewerCertificate: the certificate and security policy viewers get (docs/CLOUDFRONT.md §3)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from distributions.cloudfront.certificates import (
    CLOUDFRONT_CERTIFICATE_REGION,
    CertificateRecord,
    certificate_source,
    uncovered_aliases,
)
from distributions.cloudfront.config_paths import Config, items
from distributions.cloudfront.constants import (
    DEFAULT_CERTIFICATE_PROTOCOL_VERSION,
    MINIMUM_PROTOCOL_VERSIONS,
    SSL_SUPPORT_METHODS,
    VIP_ALLOWED_PROTOCOL_VERSIONS,
)
from distributions.cloudfront.edits.base import Edit
from distributions.cloudfront.edits.checks import EditError, check_choice

CERTIFICATE_SOURCES = ("default", "acm", "iam")
ACM_ARN = re.compile(r"arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):\d{12}:certificate/[A-Za-z0-9-]+")
# IAM server certificate ids: "ASCA" then upper-case letters and digits, 16-128 characters in all
# (IAM's idType bounds; the prefix is what IAM gives server certificates).
IAM_CERTIFICATE_ID = re.compile(r"ASCA[A-Z0-9]{12,124}")


def read_viewer_certificate(config: Mapping[str, Any]) -> dict[str, Any]:
    """The viewer certificate in the canonical shape SetViewerCertificate compares with."""
    current = config.get("ViewerCertificate") or {}
    source = certificate_source(current)
    if source == "default":
        # CloudFront ignores the rest on the default certificate (and forces TLSv1), so neither do we.
        return _default_certificate_value()
    key = "ACMCertificateArn" if source == "acm" else "IAMCertificateId"
    return {
        "source": source,
        "certificate_id_or_arn": current.get(key) or current.get("Certificate"),
        "ssl_support_method": current.get("SSLSupportMethod"),
        "minimum_protocol_version": current.get("MinimumProtocolVersion"),
    }


def _default_certificate_value() -> dict[str, Any]:
    return {
        "source": "default",
        "certificate_id_or_arn": None,
        "ssl_support_method": None,
        "minimum_protocol_version": DEFAULT_CERTIFICATE_PROTOCOL_VERSION,
    }


@dataclass(frozen=True)
class SetViewerCertificate(Edit):
    """Set the viewer certificate, SSL support method and security policy (one field in CloudFront)."""

    source: str
    certificate_id_or_arn: str | None = None
    ssl_support_method: str | None = None
    minimum_protocol_version: str = DEFAULT_CERTIFICATE_PROTOCOL_VERSION
    kind: ClassVar[str] = "set_viewer_certificate"

    @property
    def field(self) -> str:
        return "ViewerCertificate"

    @property
    def new_value(self) -> dict[str, Any]:
        # On the default certificate CloudFront stores TLSv1 whatever is sent; writing that avoids a
        # perpetual difference between what we planned and what CloudFront keeps.
        if self.source == "default":
            return _default_certificate_value()
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def read(self, config: Mapping[str, Any]) -> Any:
        return read_viewer_certificate(config)

    def _write(self, config: Config) -> None:
        if self.source == "default":
            config["ViewerCertificate"] = {
                "CloudFrontDefaultCertificate": True,
                "MinimumProtocolVersion": DEFAULT_CERTIFICATE_PROTOCOL_VERSION,
                "CertificateSource": "cloudfront",
            }
            return
        key = "ACMCertificateArn" if self.source == "acm" else "IAMCertificateId"
        # Certificate/CertificateSource are deprecated mirrors, kept consistent since CloudFront returns them.
        config["ViewerCertificate"] = {
            "CloudFrontDefaultCertificate": False,
            key: self.certificate_id_or_arn,
            "SSLSupportMethod": self.ssl_support_method,
            "MinimumProtocolVersion": self.minimum_protocol_version,
            "Certificate": self.certificate_id_or_arn,
            "CertificateSource": self.source,
        }

    def validate(
        self, index: int, config: Mapping[str, Any], certificates: Mapping[str, CertificateRecord]
    ) -> Iterator[EditError]:
        if self.source not in CERTIFICATE_SOURCES:
            yield from check_choice(index, "source", self.source, CERTIFICATE_SOURCES, "a certificate source")
            return
        if self.source == "default":
            yield from _check_default_certificate(index, self, config)
            return
        if self.source == "acm":
            yield from _check_acm_certificate(index, self.certificate_id_or_arn, certificates, config)
        else:
            yield from _check_iam_certificate(index, self.certificate_id_or_arn)
        yield from _check_security_policy(index, self)


def _check_default_certificate(index: int, edit: SetViewerCertificate, config: Any) -> Iterator[EditError]:
    aliases = items(config.get("Aliases"))
    if aliases:
        message = (
            f"the distribution has alternate domain names ({', '.join(aliases)}), which need a custom "
            "certificate (InvalidViewerCertificate): choose an ACM certificate that covers them"
        )
        yield EditError(index, "source", "aliases_need_custom_certificate", message)
    if edit.minimum_protocol_version != DEFAULT_CERTIFICATE_PROTOCOL_VERSION:
        message = (
            f"CloudFront forces {DEFAULT_CERTIFICATE_PROTOCOL_VERSION} on the default certificate, so "
            f"{edit.minimum_protocol_version} will not take effect: use a custom certificate to choose a "
            "security policy"
        )
        yield EditError(
            index, "minimum_protocol_version", "forced_by_default_certificate", message, "warning"
        )
    if edit.certificate_id_or_arn or edit.ssl_support_method:
        message = "the default certificate takes no certificate id or SSL support method: they are ignored"
        yield EditError(index, "certificate_id_or_arn", "ignored", message, "warning")


def _check_acm_certificate(
    index: int, arn: str | None, certificates: Mapping[str, CertificateRecord], config: Any
) -> Iterator[EditError]:
    field = "certificate_id_or_arn"
    match = ACM_ARN.fullmatch(arn or "")
    if match is None:
        message = f"{arn!r} is not an ACM certificate ARN (arn:aws:acm:us-east-1:<account>:certificate/<id>)"
        yield EditError(index, field, "invalid_arn", message)
        return
    region = CLOUDFRONT_CERTIFICATE_REGION
    if match["region"] != region:
        message = (
            f"the certificate is in {match['region']}; CloudFront only uses ACM certificates from {region}: "
            f"request or import it in {region}"
        )
        yield EditError(index, field, "certificate_region", message)
    known = certificates.get(match.string)
    if known is None:
        message = "the account has no such synced certificate: sync certificates, then pick one from the list"
        yield EditError(index, field, "unknown_certificate", message)
        return
    if known.status != "ISSUED":
        message = (
            f"the certificate is {known.status}, not ISSUED: complete its validation in ACM or pick another"
        )
        yield EditError(index, field, "certificate_not_issued", message)
    uncovered = uncovered_aliases(items(config.get("Aliases")), known.names)
    if uncovered:
        message = (
            f"the certificate ({', '.join(known.names)}) does not cover {', '.join(uncovered)} "
            "(InvalidViewerCertificate; a wildcard covers exactly one label): choose a certificate that does"
        )
        yield EditError(index, field, "certificate_does_not_cover_alias", message)


def _check_iam_certificate(index: int, certificate_id: str | None) -> Iterator[EditError]:
    field = "certificate_id_or_arn"
    if IAM_CERTIFICATE_ID.fullmatch(certificate_id or "") is None:
        message = f"{certificate_id!r} is not an IAM server certificate id (ASCA then letters and digits)"
        yield EditError(index, field, "invalid_iam_certificate_id", message)
        return
    # IAM certificates are not synced, so their path and names cannot be checked here.
    message = (
        "make sure this IAM certificate was uploaded under /cloudfront/ and covers every alternate domain "
        "name, or CloudFront rejects the update (InvalidViewerCertificate); ACM certificates are checked"
    )
    yield EditError(index, field, "unchecked_iam_certificate", message, "warning")


def _check_security_policy(index: int, edit: SetViewerCertificate) -> Iterator[EditError]:
    method, version = edit.ssl_support_method, edit.minimum_protocol_version
    yield from check_choice(index, "ssl_support_method", method, SSL_SUPPORT_METHODS, "an SSL support method")
    yield from check_choice(
        index, "minimum_protocol_version", version, MINIMUM_PROTOCOL_VERSIONS, "a security policy"
    )
    if (
        method == "vip"
        and version in MINIMUM_PROTOCOL_VERSIONS
        and version not in VIP_ALLOWED_PROTOCOL_VERSIONS
    ):
        message = (
            "MinimumProtocolVersion cannot be used with the specified SSLSupportMethod: vip only takes "
            f"{' or '.join(VIP_ALLOWED_PROTOCOL_VERSIONS)} without an AWS support case; use sni-only instead"
        )
        yield EditError(index, "minimum_protocol_version", "vip_protocol_version", message)
    if method == "sni-only" and version == "SSLv3":
        message = "sni-only cannot be used with SSLv3 (InvalidProtocolSettings): choose TLSv1.2_2021"
        yield EditError(index, "minimum_protocol_version", "invalid_protocol_settings", message)
    if method == "vip":
        message = (
            "vip gives dedicated IP addresses billed per certificate (about $600 a month); sni-only is free"
        )
        yield EditError(index, "ssl_support_method", "vip_cost", message, "warning")
    if method == "static-ip":
        message = "static-ip needs AWS's approval for the account; without it CloudFront rejects the update"
        yield EditError(index, "ssl_support_method", "static_ip_approval", message, "warning")
