"""SetOriginSslProtocols: the protocols CloudFront may reach a custom origin with (docs/CLOUDFRONT.md §4)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.config_paths import Config, find_custom_origin_config, items
from distributions.cloudfront.constants import ORIGIN_SSL_PROTOCOLS
from distributions.cloudfront.edits.base import Edit
from distributions.cloudfront.edits.checks import EditError, check_choice, check_target, listed_twice


def _canonical_protocols(protocols: Any) -> tuple[str, ...]:
    # OriginSslProtocols is a set: order it oldest first so equal sets compare and hash equal.
    rank = {name: index for index, name in enumerate(ORIGIN_SSL_PROTOCOLS)}
    return tuple(sorted(protocols, key=lambda p: (rank.get(p, len(rank)), p)))


@dataclass(frozen=True)
class SetOriginSslProtocols(Edit):
    """Set the set of SSL/TLS protocols CloudFront may use to reach a custom origin."""

    origin_id: str
    protocols: tuple[str, ...]
    kind: ClassVar[str] = "set_origin_ssl_protocols"

    def __post_init__(self) -> None:
        object.__setattr__(self, "protocols", _canonical_protocols(self.protocols))

    @property
    def field(self) -> str:
        return f"Origins[{self.origin_id}].CustomOriginConfig.OriginSslProtocols"

    @property
    def new_value(self) -> tuple[str, ...]:
        return self.protocols

    def read(self, config: Mapping[str, Any]) -> Any:
        return _canonical_protocols(
            items(find_custom_origin_config(config, self.origin_id).get("OriginSslProtocols"))
        )

    def _write(self, config: Config) -> None:
        wrapper = {"Quantity": len(self.protocols), "Items": list(self.protocols)}
        find_custom_origin_config(config, self.origin_id)["OriginSslProtocols"] = wrapper

    def validate(
        self, index: int, config: Mapping[str, Any], certificates: Mapping[str, CertificateRecord]
    ) -> Iterator[EditError]:
        yield from check_target(index, "origin_id", lambda: find_custom_origin_config(config, self.origin_id))
        if not self.protocols:
            yield EditError(index, "protocols", "required", "choose at least one protocol, e.g. TLSv1.2")
        for protocol in self.protocols:
            yield from check_choice(
                index, "protocols", protocol, ORIGIN_SSL_PROTOCOLS, "an origin SSL protocol"
            )
        duplicates = listed_twice(self.protocols)
        if duplicates:
            message = f"{', '.join(duplicates)} listed twice: list each protocol once"
            yield EditError(index, "protocols", "duplicate", message)
        if "SSLv3" in self.protocols:
            message = (
                "SSLv3 is deprecated and fails CloudFront.10: "
                "allow TLSv1.2 (and TLSv1.1 if the origin needs it)"
            )
            yield EditError(index, "protocols", "deprecated_protocol", message, "warning")
