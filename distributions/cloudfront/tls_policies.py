"""CloudFront's security policies as data, and the HTTPS viewers each would refuse (issue 13).

AWS's table "Supported protocols and ciphers between viewers and CloudFront" (the developer guide; its
source and date are in docs/CLOUDFRONT.md §11). CloudFront logs the negotiated `ssl-protocol` and
`ssl-cipher` of each HTTPS request, in OpenSSL names as the table's.

What a log line proves: a viewer negotiates the highest protocol both sides support, so a viewer logged on
TLSv1.1 has no TLSv1.2, and a policy without TLSv1.1 refuses it: certain. Ciphers are chosen in the table's
order among those the viewer offers, and the list is not strength-ordered (ECDHE-RSA-AES128-SHA comes before
ECDHE-RSA-AES256-GCM-SHA384), so a viewer logged on a cipher a policy lacks may still offer one it keeps:
such viewers are counted apart, as an upper bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from distributions.cloudfront.constants import MINIMUM_PROTOCOL_VERSIONS

# Every security policy, oldest first: the same list validation and the controls use.
POLICIES = MINIMUM_PROTOCOL_VERSIONS


def _first(n: int) -> frozenset[str]:
    """The first n policies of the table (SSLv3 onwards): rows of the table are prefixes, but for two."""
    return frozenset(POLICIES[:n])


ALL_BUT_TLS13_ONLY = _first(8)
# protocol → the policies that support it.
PROTOCOLS: dict[str, frozenset[str]] = {
    "TLSv1.3": _first(9),
    "TLSv1.2": ALL_BUT_TLS13_ONLY,
    "TLSv1.1": _first(4),
    "TLSv1": _first(3),
    "SSLv3": _first(1),
}
# cipher (OpenSSL name) → the policies that support it, in the table's order.
CIPHERS: dict[str, frozenset[str]] = {
    # TLSv1.3
    "TLS_AES_128_GCM_SHA256": _first(9),
    "TLS_AES_256_GCM_SHA384": _first(9),
    "TLS_CHACHA20_POLY1305_SHA256": ALL_BUT_TLS13_ONLY,
    # ECDSA
    "ECDHE-ECDSA-AES128-GCM-SHA256": ALL_BUT_TLS13_ONLY,
    "ECDHE-ECDSA-AES128-SHA256": _first(6),
    "ECDHE-ECDSA-AES128-SHA": _first(4),
    "ECDHE-ECDSA-AES256-GCM-SHA384": ALL_BUT_TLS13_ONLY,
    "ECDHE-ECDSA-CHACHA20-POLY1305": _first(7),
    "ECDHE-ECDSA-AES256-SHA384": _first(6),
    "ECDHE-ECDSA-AES256-SHA": _first(4),
    # RSA
    "ECDHE-RSA-AES128-GCM-SHA256": ALL_BUT_TLS13_ONLY,
    "ECDHE-RSA-AES128-SHA256": _first(6),
    "ECDHE-RSA-AES128-SHA": _first(4),
    # TLSv1.2_2025 for the next two: inferred from the ECDSA rows (docs/CLOUDFRONT.md §11).
    "ECDHE-RSA-AES256-GCM-SHA384": ALL_BUT_TLS13_ONLY,
    "ECDHE-RSA-CHACHA20-POLY1305": _first(7),
    "ECDHE-RSA-AES256-SHA384": _first(6),
    "ECDHE-RSA-AES256-SHA": _first(4),
    "AES128-GCM-SHA256": _first(5),
    "AES256-GCM-SHA384": _first(5),
    "AES128-SHA256": _first(5),
    "AES256-SHA": _first(4),
    "AES128-SHA": _first(4),
    "DES-CBC3-SHA": _first(2),
    "RC4-MD5": _first(1),
}


def effective_policy(config: Mapping[str, Any]) -> str:
    """The security policy viewers meet: the config's, except on the default certificate, where CloudFront
    forces TLSv1 whatever is sent (docs/CLOUDFRONT.md §3)."""
    certificate = config.get("ViewerCertificate") or {}
    if certificate.get("CloudFrontDefaultCertificate") or not certificate:
        return "TLSv1"
    return str(certificate.get("MinimumProtocolVersion", "TLSv1"))


def supports(policy: str, protocol: str, cipher: str) -> tuple[bool, bool]:
    """(protocol supported, cipher supported) under `policy`. An unknown protocol is not supported; a cipher
    missing from the table is not judged (the viewer did connect with it, so the table is what lacks it)."""
    cipher_ok = cipher not in CIPHERS or policy in CIPHERS[cipher]
    return policy in PROTOCOLS.get(protocol, ()), cipher_ok


@dataclass(frozen=True)
class PolicyRefusal:
    """HTTPS requests of the window a security policy would refuse."""

    policy: str
    https_requests: int
    refused: int  # their protocol is not supported: refused for certain
    at_most: int  # refused plus those whose negotiated cipher the policy lacks (they may offer another)
    current: bool
    days: int = 1

    @property
    def refused_per_day_text(self) -> str:
        per_day = self.refused / max(self.days, 1)
        return f"{per_day:,.0f}" if per_day >= 10 or per_day == int(per_day) else f"{per_day:,.1f}"

    @property
    def share(self) -> float:
        return self.refused / self.https_requests if self.https_requests else 0.0

    @property
    def share_at_most(self) -> float:
        return self.at_most / self.https_requests if self.https_requests else 0.0

    @property
    def share_text(self) -> str:
        return _percent(self.share)

    @property
    def share_at_most_text(self) -> str:
        return _percent(self.share_at_most)

    @property
    def protocols(self) -> list[str]:
        """The protocols the policy supports, newest first."""
        return [protocol for protocol, policies in PROTOCOLS.items() if self.policy in policies]


def _percent(share: float) -> str:
    """0 as "0%", a share too small to show at one decimal as "< 0.1%"."""
    if share == 0:
        return "0%"
    return "< 0.1%" if share < 0.001 else f"{share:.1%}"


def tls_floor(rows: Iterable[Mapping[str, Any]], *, current: str, days: int = 1) -> list[PolicyRefusal]:
    """For each policy, the HTTPS requests it would refuse. `rows` have `tls_protocol`, `tls_cipher` and
    `requests` (plain-HTTP rows, with no protocol, are skipped)."""
    viewers = [
        (str(r["tls_protocol"]), str(r["tls_cipher"]), int(r["requests"]))
        for r in rows
        if r["tls_protocol"] not in ("", "-")
    ]
    total = sum(n for _, _, n in viewers)
    result = []
    for policy in POLICIES:
        refused = at_most = 0
        for protocol, cipher, n in viewers:
            protocol_ok, cipher_ok = supports(policy, protocol, cipher)
            refused += 0 if protocol_ok else n
            at_most += 0 if protocol_ok and cipher_ok else n
        result.append(PolicyRefusal(policy, total, refused, at_most, policy == current, days))
    return result
