"""SetViewerProtocolPolicy: what one behavior does with HTTP requests (docs/CLOUDFRONT.md §1)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.config_paths import DEFAULT_BEHAVIOR, Config, behavior_field, find_behavior
from distributions.cloudfront.constants import VIEWER_PROTOCOL_POLICIES
from distributions.cloudfront.edits.base import Edit
from distributions.cloudfront.edits.checks import EditError, check_choice, check_target


@dataclass(frozen=True)
class SetViewerProtocolPolicy(Edit):
    """Set one behavior's ViewerProtocolPolicy (allow-all, redirect-to-https, https-only)."""

    path_pattern: str
    policy: str
    kind: ClassVar[str] = "set_viewer_protocol_policy"

    def __post_init__(self) -> None:
        if self.path_pattern == "*":
            object.__setattr__(self, "path_pattern", DEFAULT_BEHAVIOR)

    @property
    def field(self) -> str:
        return f"{behavior_field(self.path_pattern)}.ViewerProtocolPolicy"

    @property
    def new_value(self) -> str:
        return self.policy

    def read(self, config: Mapping[str, Any]) -> Any:
        return find_behavior(config, self.path_pattern).get("ViewerProtocolPolicy")

    def _write(self, config: Config) -> None:
        find_behavior(config, self.path_pattern)["ViewerProtocolPolicy"] = self.policy

    def validate(
        self, index: int, config: Mapping[str, Any], certificates: Mapping[str, CertificateRecord]
    ) -> Iterator[EditError]:
        yield from check_choice(
            index, "policy", self.policy, VIEWER_PROTOCOL_POLICIES, "a viewer protocol policy"
        )
        yield from check_target(index, "path_pattern", lambda: find_behavior(config, self.path_pattern))
