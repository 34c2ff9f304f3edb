"""The structural rules CloudFront enforces on a whole DistributionConfig (shared/CLOUDFRONT.md §2, §5).

Independent of the edit model so the sandbox's fidelity layer can reject what CloudFront would, with the
same error codes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from distributions.cloudfront.constants import MAX_CACHE_BEHAVIORS


@dataclass(frozen=True)
class ConfigError:
    """A structural problem in a DistributionConfig, with CloudFront's error code."""

    path: str
    code: str
    message: str


def validate_config(config: Mapping[str, Any]) -> list[ConfigError]:
    """Every structural problem CloudFront would reject this config for."""
    return [*_check_quantities("", config), *_check_behaviors(config)]


def _check_quantities(path: str, value: Any) -> Iterator[ConfigError]:
    # Every list in the API is {Quantity, Items}, at any depth; boto3 omits Items when Quantity is 0.
    if isinstance(value, Mapping):
        if "Quantity" in value:
            count = len(value.get("Items") or [])
            if value["Quantity"] != count:
                message = f"{path}: Quantity is {value['Quantity']} but there are {count} items"
                yield ConfigError(path, "InconsistentQuantities", message)
        for key, child in value.items():
            yield from _check_quantities(f"{path}.{key}" if path else key, child)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _check_quantities(f"{path}[{index}]", child)


def _items(wrapper: Any) -> list[Any]:
    return list((wrapper or {}).get("Items") or [])


def _check_behaviors(config: Mapping[str, Any]) -> Iterator[ConfigError]:
    behaviors = _items(config.get("CacheBehaviors"))
    if len(behaviors) > MAX_CACHE_BEHAVIORS:
        message = f"{len(behaviors)} cache behaviors; the quota is {MAX_CACHE_BEHAVIORS} per distribution"
        yield ConfigError("CacheBehaviors", "TooManyCacheBehaviors", message)
    counts = Counter(b.get("PathPattern") for b in behaviors)
    for pattern, count in counts.items():
        if count > 1:
            message = f"path pattern {pattern} is used by {count} cache behaviors; each must be unique"
            yield ConfigError(f"CacheBehaviors[{pattern}]", "InvalidArgument", message)
    targets = {o.get("Id") for o in _items(config.get("Origins"))}
    targets |= {g.get("Id") for g in _items(config.get("OriginGroups"))}
    named = [("DefaultCacheBehavior", config.get("DefaultCacheBehavior") or {})]
    named += [(f"CacheBehaviors[{b.get('PathPattern')}]", b) for b in behaviors]
    for path, behavior in named:
        if behavior.get("TargetOriginId") not in targets:
            message = f"{path} routes to origin {behavior.get('TargetOriginId')}, which does not exist"
            yield ConfigError(f"{path}.TargetOriginId", "NoSuchOrigin", message)
