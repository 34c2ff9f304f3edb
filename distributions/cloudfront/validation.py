"""The rules CloudFront enforces, checked before a change can be submitted (docs/CLOUDFRONT.md).

`validate_edits` checks a distribution's edits against the config they were planned on and the synced
certificates, with a message per problem that says what to do.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from distributions.cloudfront.certificates import (
    CLOUDFRONT_CERTIFICATE_REGION,
    CertificateRecord,
    uncovered_aliases,
)
from distributions.cloudfront.config_paths import (
    TargetNotFound,
    behavior_patterns,
    field_label,
    find_behavior,
    find_custom_origin_config,
    format_value,
    items,
)
from distributions.cloudfront.constants import (
    DEFAULT_CERTIFICATE_PROTOCOL_VERSION,
    MAX_INVALIDATION_FILE_PATHS_IN_PROGRESS,
    MAX_INVALIDATION_PATH_LENGTH,
    MAX_INVALIDATION_WILDCARD_PATHS_IN_PROGRESS,
    MINIMUM_PROTOCOL_VERSIONS,
    ORIGIN_PROTOCOL_POLICIES,
    ORIGIN_SSL_PROTOCOLS,
    SSL_SUPPORT_METHODS,
    VIEWER_PROTOCOL_POLICIES,
    VIP_ALLOWED_PROTOCOL_VERSIONS,
)
from distributions.cloudfront.edits import (
    CERTIFICATE_SOURCES,
    Edit,
    Invalidate,
    ReorderBehaviors,
    SetOriginProtocolPolicy,
    SetOriginSslProtocols,
    SetViewerCertificate,
    SetViewerProtocolPolicy,
)

ACM_ARN = re.compile(r"arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):\d{12}:certificate/[A-Za-z0-9-]+")
# IAM server certificate ids: "ASCA" then upper-case letters and digits, 16-128 characters in all
# (IAM's idType bounds; the prefix is what IAM gives server certificates).
IAM_CERTIFICATE_ID = re.compile(r"ASCA[A-Z0-9]{12,124}")


@dataclass(frozen=True)
class EditError:
    """A problem with one edit; warnings are shown but do not block submission."""

    edit_index: int
    field: str
    code: str
    message: str
    severity: str = "error"


def validate_edits(
    edits: Sequence[Edit], config: Mapping[str, Any], *, certificates: Iterable[CertificateRecord]
) -> list[EditError]:
    """Every problem CloudFront (or common sense) would find with these edits to this config.

    `certificates` are the account's synced ACM certificates. Warnings (severity "warning") do not block.
    """
    by_arn = {certificate.arn: certificate for certificate in certificates}
    errors: list[EditError] = []
    for index, edit in enumerate(edits):
        check = _CHECKS[type(edit)]
        errors.extend(check(index, edit, config, by_arn))
    errors.extend(_check_same_field(edits))
    errors.extend(_check_invalidation_totals(edits))
    return errors


def _choice(index: int, field: str, value: Any, allowed: Sequence[str], what: str) -> Iterator[EditError]:
    if value not in allowed:
        message = f"{value!r} is not {what}: use one of {', '.join(allowed)}"
        yield EditError(index, field, "invalid_choice", message)


def _target(index: int, field: str, read: Callable[[], Any]) -> Iterator[EditError]:
    try:
        read()
    except TargetNotFound as exc:
        yield EditError(index, field, "no_such_target", f"{exc}: pick one from the distribution")


def _check_viewer_protocol_policy(
    index: int, edit: SetViewerProtocolPolicy, config: Any, _: Any
) -> Iterator[EditError]:
    yield from _choice(index, "policy", edit.policy, VIEWER_PROTOCOL_POLICIES, "a viewer protocol policy")
    yield from _target(index, "path_pattern", lambda: find_behavior(config, edit.path_pattern))


def _check_origin_protocol_policy(
    index: int, edit: SetOriginProtocolPolicy, config: Any, _: Any
) -> Iterator[EditError]:
    yield from _choice(index, "policy", edit.policy, ORIGIN_PROTOCOL_POLICIES, "an origin protocol policy")
    yield from _target(index, "origin_id", lambda: find_custom_origin_config(config, edit.origin_id))


def _check_origin_ssl_protocols(
    index: int, edit: SetOriginSslProtocols, config: Any, _: Any
) -> Iterator[EditError]:
    yield from _target(index, "origin_id", lambda: find_custom_origin_config(config, edit.origin_id))
    if not edit.protocols:
        yield EditError(index, "protocols", "required", "choose at least one protocol, e.g. TLSv1.2")
    for protocol in edit.protocols:
        yield from _choice(index, "protocols", protocol, ORIGIN_SSL_PROTOCOLS, "an origin SSL protocol")
    duplicates = sorted(p for p, n in Counter(edit.protocols).items() if n > 1)
    if duplicates:
        message = f"{', '.join(duplicates)} listed twice: list each protocol once"
        yield EditError(index, "protocols", "duplicate", message)
    if "SSLv3" in edit.protocols:
        message = (
            "SSLv3 is deprecated and fails CloudFront.10: allow TLSv1.2 (and TLSv1.1 if the origin needs it)"
        )
        yield EditError(index, "protocols", "deprecated_protocol", message, "warning")


def _check_viewer_certificate(
    index: int, edit: SetViewerCertificate, config: Any, certificates: Any
) -> Iterator[EditError]:
    if edit.source not in CERTIFICATE_SOURCES:
        yield from _choice(index, "source", edit.source, CERTIFICATE_SOURCES, "a certificate source")
        return
    if edit.source == "default":
        yield from _check_default_certificate(index, edit, config)
        return
    if edit.source == "acm":
        yield from _check_acm_certificate(index, edit.certificate_id_or_arn, certificates, config)
    else:
        yield from _check_iam_certificate(index, edit.certificate_id_or_arn)
    yield from _check_security_policy(index, edit)


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
    yield from _choice(index, "ssl_support_method", method, SSL_SUPPORT_METHODS, "an SSL support method")
    yield from _choice(
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


def _check_reorder(index: int, edit: ReorderBehaviors, config: Any, _: Any) -> Iterator[EditError]:
    current = behavior_patterns(config)
    duplicates = sorted(p for p, n in Counter(edit.path_patterns).items() if n > 1)
    missing = [p for p in current if p not in edit.path_patterns]
    extra = [p for p in edit.path_patterns if p not in current]
    problems = [
        f"{', '.join(duplicates)} listed twice" if duplicates else "",
        f"{', '.join(missing)} missing" if missing else "",
        f"{', '.join(extra)} not a behavior of this distribution" if extra else "",
    ]
    if any(problems):
        message = (
            f"{'; '.join(p for p in problems if p)}: list each ordered behavior exactly once "
            f"({', '.join(current)}); the default behavior (*) always stays last"
        )
        yield EditError(index, "path_patterns", "not_a_permutation", message)


def _check_invalidate(index: int, edit: Invalidate, config: Any, _: Any) -> Iterator[EditError]:
    if not edit.paths:
        yield EditError(index, "paths", "required", "give at least one path, e.g. /*")
    for position, path in enumerate(edit.paths):
        problem = _invalidation_path_problem(path)
        if problem:
            yield EditError(index, f"paths[{position}]", "invalid_path", f"{path!r}: {problem}")


def encode_invalidation_path(path: str) -> str:
    """The path with non-ASCII characters URL-encoded, as CloudFront needs them."""
    return quote(path, safe="".join(chr(code) for code in range(0x21, 0x7F)))


def _invalidation_path_problem(path: str) -> str:
    if not path.startswith("/"):
        return f"a path starts with /: use /{path}"
    if "*" in path[:-1]:
        return "* is only allowed as the last character: invalidate the common prefix followed by *"
    if len(path) > MAX_INVALIDATION_PATH_LENGTH:
        return f"longer than {MAX_INVALIDATION_PATH_LENGTH} characters: shorten it or use a wildcard"
    if not path.isascii():
        return f"non-ASCII characters must be URL-encoded: use {encode_invalidation_path(path)}"
    return ""


def _check_invalidation_totals(edits: Sequence[Edit]) -> Iterator[EditError]:
    # The change's invalidations go out as one request, so CloudFront's in-progress limits bound the total.
    invalidations = {i: edit for i, edit in enumerate(edits) if isinstance(edit, Invalidate)}
    last = max(invalidations, default=0)
    paths = {path for edit in invalidations.values() for path in edit.paths}
    wildcards = sum(path.endswith("*") for path in paths)
    files = len(paths) - wildcards
    if files > MAX_INVALIDATION_FILE_PATHS_IN_PROGRESS:
        message = (
            f"{files} file paths: CloudFront allows {MAX_INVALIDATION_FILE_PATHS_IN_PROGRESS} in progress "
            "per distribution (TooManyInvalidationsInProgress): use wildcards such as /images/*"
        )
        yield EditError(last, "paths", "too_many_paths", message)
    if wildcards > MAX_INVALIDATION_WILDCARD_PATHS_IN_PROGRESS:
        message = (
            f"{wildcards} wildcard paths: CloudFront allows {MAX_INVALIDATION_WILDCARD_PATHS_IN_PROGRESS} in "
            "progress per distribution (TooManyInvalidationsInProgress): use a broader one such as /*"
        )
        yield EditError(last, "paths", "too_many_wildcards", message)


def _check_same_field(edits: Sequence[Edit]) -> Iterator[EditError]:
    first_by_field: dict[str, int] = {}
    for index, edit in enumerate(edits):
        if edit.field is None:
            continue
        first = first_by_field.setdefault(edit.field, index)
        if edits[first].new_value != edit.new_value:
            earlier, wanted = format_value(edits[first].new_value), format_value(edit.new_value)
            message = (
                f"edit {first + 1} already sets {field_label(edit.field)} to {earlier}; "
                f"this one sets it to {wanted}: keep one of them"
            )
            yield EditError(index, "", "conflicting_edits", message)


_CHECKS: dict[type, Callable[..., Iterator[EditError]]] = {
    SetViewerProtocolPolicy: _check_viewer_protocol_policy,
    SetOriginProtocolPolicy: _check_origin_protocol_policy,
    SetOriginSslProtocols: _check_origin_ssl_protocols,
    SetViewerCertificate: _check_viewer_certificate,
    ReorderBehaviors: _check_reorder,
    Invalidate: _check_invalidate,
}
