"""Typed edits to a CloudFront DistributionConfig (DESIGN.md, "Changes are edits, not configs").

An edit names its target by natural key (a behavior's PathPattern, an origin's Id), never by list index, so
it can be re-applied to a config that moved since it was planned (see rebase.py). Configs are plain dicts
shaped like boto3's DistributionConfig; inputs are never mutated. Each edit knows the field it touches
(a path in diff.py's notation), how to read that field's current value, and the value it writes, in one
canonical shape, so that planned, live and wanted values compare with `==`.

Serialization (`to_dict` / `edit_from_dict`) checks the shape of a stored or submitted edit; whether its
values are ones CloudFront accepts is validation.py's job, so the API can report both per edit.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from distributions.cloudfront.certificates import certificate_source
from distributions.cloudfront.config_paths import (
    BEHAVIOR_ORDER_FIELD,
    DEFAULT_BEHAVIOR,
    Config,
    TargetNotFound,
    behavior_field,
    behavior_patterns,
    field_label,
    find_behavior,
    find_custom_origin_config,
    format_value,
    items,
)
from distributions.cloudfront.constants import DEFAULT_CERTIFICATE_PROTOCOL_VERSION, ORIGIN_SSL_PROTOCOLS

CERTIFICATE_SOURCES = ("default", "acm", "iam")


class EditFormatError(ValueError):
    """A stored or submitted edit dict does not have the shape of any edit."""


class _Edit:
    """What every edit shares: serialization and copy-then-write application."""

    kind: ClassVar[str]
    # Field name -> "str", "str?" (nullable, may be omitted) or "str[]" (a JSON list, a tuple here).
    schema: ClassVar[dict[str, str]]

    @property
    def field(self) -> str | None:
        """The config field this edit writes, or None when it writes none."""
        raise NotImplementedError

    @property
    def new_value(self) -> Any:
        """The value `read` returns once the edit is applied."""
        raise NotImplementedError

    def read(self, config: Mapping[str, Any]) -> Any:
        """The current value of the field; raises TargetNotFound if its behavior/origin is gone."""
        raise NotImplementedError

    def _write(self, config: Config) -> None:
        raise NotImplementedError

    def apply(self, config: Mapping[str, Any]) -> Config:
        """A copy of the config with this edit applied; raises TargetNotFound if the target is gone."""
        new = copy.deepcopy(dict(config))
        # A field already holding the value is left as CloudFront wrote it (item order of a set, an absent
        # Items, fields CloudFront ignores), so an applied edit never shows as a difference.
        if self.read(new) != self.new_value:
            self._write(new)
        return new

    def describe(self) -> str:
        """One line for people, e.g. "Viewer protocol policy of /api/* → https-only"."""
        return f"{field_label(self.field or '')} → {format_value(self.new_value)}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, with its `kind` discriminator; `edit_from_dict` reads it back."""
        out: dict[str, Any] = {"kind": self.kind}
        for name in self.schema:
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class SetViewerProtocolPolicy(_Edit):
    """Set one behavior's ViewerProtocolPolicy (allow-all, redirect-to-https, https-only)."""

    path_pattern: str
    policy: str
    kind: ClassVar[str] = "set_viewer_protocol_policy"
    schema: ClassVar[dict[str, str]] = {"path_pattern": "str", "policy": "str"}

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


@dataclass(frozen=True)
class SetOriginProtocolPolicy(_Edit):
    """Set a custom origin's OriginProtocolPolicy (http-only, match-viewer, https-only)."""

    origin_id: str
    policy: str
    kind: ClassVar[str] = "set_origin_protocol_policy"
    schema: ClassVar[dict[str, str]] = {"origin_id": "str", "policy": "str"}

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


def _canonical_protocols(protocols: Any) -> tuple[str, ...]:
    # OriginSslProtocols is a set: order it oldest first so equal sets compare and hash equal.
    rank = {name: index for index, name in enumerate(ORIGIN_SSL_PROTOCOLS)}
    return tuple(sorted(protocols, key=lambda p: (rank.get(p, len(rank)), p)))


@dataclass(frozen=True)
class SetOriginSslProtocols(_Edit):
    """Set the set of SSL/TLS protocols CloudFront may use to reach a custom origin."""

    origin_id: str
    protocols: tuple[str, ...]
    kind: ClassVar[str] = "set_origin_ssl_protocols"
    schema: ClassVar[dict[str, str]] = {"origin_id": "str", "protocols": "str[]"}

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
class SetViewerCertificate(_Edit):
    """Set the viewer certificate, SSL support method and security policy (one field in CloudFront)."""

    source: str
    certificate_id_or_arn: str | None = None
    ssl_support_method: str | None = None
    minimum_protocol_version: str = DEFAULT_CERTIFICATE_PROTOCOL_VERSION
    kind: ClassVar[str] = "set_viewer_certificate"
    schema: ClassVar[dict[str, str]] = {
        "source": "str",
        "certificate_id_or_arn": "str?",
        "ssl_support_method": "str?",
        "minimum_protocol_version": "str",
    }

    @property
    def field(self) -> str:
        return "ViewerCertificate"

    @property
    def new_value(self) -> dict[str, Any]:
        # On the default certificate CloudFront stores TLSv1 whatever is sent; writing that avoids a
        # perpetual difference between what we planned and what CloudFront keeps.
        if self.source == "default":
            return _default_certificate_value()
        return {name: getattr(self, name) for name in self.schema}

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


@dataclass(frozen=True)
class ReorderBehaviors(_Edit):
    """Put the ordered behaviors in a new evaluation order (the default behavior always stays last)."""

    path_patterns: tuple[str, ...]
    kind: ClassVar[str] = "reorder_behaviors"
    schema: ClassVar[dict[str, str]] = {"path_patterns": "str[]"}

    def __post_init__(self) -> None:
        object.__setattr__(self, "path_patterns", tuple(self.path_patterns))

    @property
    def field(self) -> str:
        return BEHAVIOR_ORDER_FIELD

    @property
    def new_value(self) -> tuple[str, ...]:
        return self.path_patterns

    def read(self, config: Mapping[str, Any]) -> Any:
        return behavior_patterns(config)

    def _write(self, config: Config) -> None:
        current = behavior_patterns(config)
        if sorted(current) != sorted(self.path_patterns):
            raise TargetNotFound(
                f"the behaviors are {format_value(current)}, not {format_value(sorted(self.path_patterns))}"
            )
        by_pattern = {b["PathPattern"]: b for b in items(config.get("CacheBehaviors"))}
        ordered = [by_pattern[pattern] for pattern in self.path_patterns]
        config["CacheBehaviors"] = {"Quantity": len(ordered), "Items": ordered}


@dataclass(frozen=True)
class Invalidate(_Edit):
    """Invalidate paths once the change is deployed; it writes no config field."""

    paths: tuple[str, ...]
    kind: ClassVar[str] = "invalidate"
    schema: ClassVar[dict[str, str]] = {"paths": "str[]"}

    def __post_init__(self) -> None:
        object.__setattr__(self, "paths", tuple(self.paths))

    @property
    def field(self) -> None:
        return None

    @property
    def new_value(self) -> None:
        return None

    def read(self, config: Mapping[str, Any]) -> None:
        return None

    def _write(self, config: Config) -> None:
        return None

    def describe(self) -> str:
        return f"Invalidate {format_value(self.paths)} after deployment"


Edit = (
    SetViewerProtocolPolicy
    | SetOriginProtocolPolicy
    | SetOriginSslProtocols
    | SetViewerCertificate
    | ReorderBehaviors
    | Invalidate
)
EDIT_KINDS: dict[str, type[_Edit]] = {
    cls.kind: cls
    for cls in (
        SetViewerProtocolPolicy,
        SetOriginProtocolPolicy,
        SetOriginSslProtocols,
        SetViewerCertificate,
        ReorderBehaviors,
        Invalidate,
    )
}


def edit_from_dict(data: Any) -> Edit:
    """The edit a JSON object describes; raises EditFormatError saying what is wrong with its shape."""
    if not isinstance(data, Mapping):
        raise EditFormatError(f"an edit must be a JSON object, not {_json_type(data)}")
    kind = data.get("kind")
    cls = EDIT_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise EditFormatError(f"unknown edit kind {kind!r}: use one of {', '.join(EDIT_KINDS)}")
    required = [name for name, type_ in cls.schema.items() if not type_.endswith("?")]
    missing = [name for name in required if name not in data]
    if missing:
        raise EditFormatError(f"{kind}: missing {', '.join(missing)}")
    unknown = sorted(set(data) - set(cls.schema) - {"kind"})
    if unknown:
        raise EditFormatError(f"{kind}: unknown {', '.join(unknown)}; expected {', '.join(cls.schema)}")
    values = {name: _parse(kind, name, type_, data.get(name)) for name, type_ in cls.schema.items()}
    return cast(Edit, cls(**values))


def _parse(kind: str, name: str, type_: str, value: Any) -> Any:
    if type_ == "str?" and value is None:
        return None
    if type_ in ("str", "str?"):
        if isinstance(value, str):
            return value
        expected = "a string or null" if type_ == "str?" else "a string"
        raise EditFormatError(f"{kind}: {name} must be {expected}, not {_json_type(value)}")
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise EditFormatError(f"{kind}: {name} must be a list of strings, not {_json_type(value)}")


def _json_type(value: Any) -> str:
    if isinstance(value, list) and value:
        return "a list containing " + ", ".join(
            sorted({_json_type(v) for v in value if not isinstance(v, str)})
        )
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list"}
    names.update({dict: "an object", type(None): "null"})
    return names.get(type(value), type(value).__name__)
