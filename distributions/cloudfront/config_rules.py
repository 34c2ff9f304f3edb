"""Rules CloudFront enforces on a whole DistributionConfig that no edit kind owns (docs/CLOUDFRONT.md §2, §9).

- `AllowedMethods` is one of three sets and `CachedMethods` one of two, a subset of the allowed ones;
- path patterns are the same with or without their leading `/`, so `images/*` beside `/images/*` is a
  duplicate.

Edgeguard's validation checks a change's planned config with these, and the sandbox checks every
CreateDistribution and UpdateDistribution with them: one rule, one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from distributions.cloudfront.config_paths import behavior_field, items
from distributions.cloudfront.constants import ALLOWED_METHOD_SETS, CACHED_METHOD_SETS
from distributions.cloudfront.patterns import behaviors_by_precedence, normalize_path_pattern


@dataclass(frozen=True)
class ConfigProblem:
    """Something CloudFront refuses in a config (InvalidArgument), with what to do instead."""

    field: str
    code: str
    message: str


# The order AWS's documentation lists methods in; the choices as the API reference states them.
DOCUMENTED_ORDER = ("GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE")
ALLOWED_CHOICES = "GET, HEAD; GET, HEAD, OPTIONS; or all seven (GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE)"
CACHED_CHOICES = "GET, HEAD or GET, HEAD, OPTIONS"


def _listed(methods: Iterable[str]) -> str:
    def position(method: str) -> tuple[int, str]:
        return (
            DOCUMENTED_ORDER.index(method) if method in DOCUMENTED_ORDER else len(DOCUMENTED_ORDER),
            method,
        )

    return ", ".join(sorted(methods, key=position)) or "(none)"


def methods_problem(allowed_methods: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """`(code, message)` if a behavior's AllowedMethods (and CachedMethods) is not a set CloudFront takes.

    No AllowedMethods at all is CloudFront's default, GET and HEAD; no CachedMethods caches GET and HEAD.
    """
    if allowed_methods is None:
        return None
    allowed = items(allowed_methods)
    cached = items(allowed_methods.get("CachedMethods")) if "CachedMethods" in allowed_methods else None
    if len(set(allowed)) != len(allowed) or frozenset(allowed) not in ALLOWED_METHOD_SETS:
        return (
            "invalid_allowed_methods",
            f"AllowedMethods {_listed(allowed)} is not a set CloudFront accepts: use one of "
            f"{ALLOWED_CHOICES}",
        )
    if cached is None:
        return None
    if len(set(cached)) != len(cached) or frozenset(cached) not in CACHED_METHOD_SETS:
        return (
            "invalid_cached_methods",
            f"CachedMethods {_listed(cached)} is not a set CloudFront accepts: use {CACHED_CHOICES}",
        )
    if not set(cached) <= set(allowed):
        return (
            "cached_methods_not_allowed",
            f"CachedMethods {_listed(cached)} caches a method that AllowedMethods {_listed(allowed)} does "
            "not allow: cache GET, HEAD, or allow OPTIONS too",
        )
    return None


def duplicate_path_patterns(patterns: Iterable[str]) -> list[tuple[str, str]]:
    """`(earlier, duplicate)` for each pattern equal to an earlier one once both have their leading `/`."""
    first: dict[str, str] = {}
    duplicates = []
    for pattern in patterns:
        key = normalize_path_pattern(pattern)
        if key in first:
            duplicates.append((first[key], pattern))
        else:
            first[key] = pattern
    return duplicates


def config_problems(config: Mapping[str, Any]) -> list[ConfigProblem]:
    """Every problem of these rules in the config, behaviors in precedence order."""
    problems = []
    for b in behaviors_by_precedence(config):
        problem = methods_problem(b.config.get("AllowedMethods"))
        if problem is not None:
            name = "the default behavior (*)" if b.is_default else f"behavior {b.path_pattern}"
            code, message = problem
            problems.append(
                ConfigProblem(f"{behavior_field(b.path_pattern)}.AllowedMethods", code, f"{name}: {message}")
            )
    patterns = [b["PathPattern"] for b in items(config.get("CacheBehaviors"))]
    for earlier, duplicate in duplicate_path_patterns(patterns):
        message = (
            f"path patterns {earlier} and {duplicate} are the same pattern (CloudFront treats a pattern the "
            "same with or without its leading /): keep one behavior for it"
        )
        problems.append(ConfigProblem(behavior_field(duplicate), "duplicate_path_pattern", message))
    return problems
