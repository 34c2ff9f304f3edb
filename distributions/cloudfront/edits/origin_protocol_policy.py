"""SetOriginProtocolPolicy: how CloudFront connects to a custom origin (docs/CLOUDFRONT.md §4)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.config_paths import Config, find_custom_origin_config
from distributions.cloudfront.constants import ORIGIN_PROTOCOL_POLICIES
from distributions.cloudfront.edits.base import Edit
from distributions.cloudfront.edits.checks import EditError, check_choice, check_target


@dataclass(frozen=True)
class SetOriginProtocolPolicy(Edit):
    """Set a custom origin's OriginProtocolPolicy (http-only, match-viewer, https-only)."""

    origin_id: str
    policy: str
    kind: ClassVar[str] = "set_origin_protocol_policy"

    @property
    def field(self) -> str:
        return f"Origins[{self.origin_id}].CustomOriginConfig.OriginProtocolPolicy"

    @property
    def new_value(self) -> str:
        return self.policy

    def read(self, config: Mapping[str, Any]) -> Any:
        return find_custom_origin_config(config, self.origin_id).get("OriginProtocolPolicy")

    def _write(self, config: Config) -> None:
        find_custom_origin_config(config, self.origin_id)["OriginProtocolPolicy"] = self.policy

    def validate(
        self, index: int, config: Mapping[str, Any], certificates: Mapping[str, CertificateRecord]
    ) -> Iterator[EditError]:
        yield from check_choice(
            index, "policy", self.policy, ORIGIN_PROTOCOL_POLICIES, "an origin protocol policy"
        )
        yield from check_target(index, "origin_id", lambda: find_custom_origin_config(config, self.origin_id))
