"""ReorderBehaviors: the order CloudFront tries the ordered behaviors in (docs/CLOUDFRONT.md §2)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.config_paths import (
    BEHAVIOR_ORDER_FIELD,
    Config,
    TargetNotFound,
    behavior_patterns,
    format_value,
    items,
)
from distributions.cloudfront.edits.base import Edit
from distributions.cloudfront.edits.checks import EditError, listed_twice


@dataclass(frozen=True)
class ReorderBehaviors(Edit):
    """Put the ordered behaviors in a new evaluation order (the default behavior always stays last)."""

    path_patterns: tuple[str, ...]
    kind: ClassVar[str] = "reorder_behaviors"

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

    def validate(
        self, index: int, config: Mapping[str, Any], certificates: Mapping[str, CertificateRecord]
    ) -> Iterator[EditError]:
        current = behavior_patterns(config)
        # Either would be "applied" by writing nothing, and complete as if it had done something.
        if not current:
            message = "this distribution has no ordered behaviors, only the default (*): nothing to reorder"
            yield EditError(index, "path_patterns", "nothing_to_reorder", message)
            return
        if not self.path_patterns:
            message = f"give every ordered behavior in the new order: {', '.join(current)}"
            yield EditError(index, "path_patterns", "required", message)
            return
        duplicates = listed_twice(self.path_patterns)
        missing = [p for p in current if p not in self.path_patterns]
        extra = [p for p in self.path_patterns if p not in current]
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


def describe_moves(before: Sequence[str], after: Sequence[str]) -> list[str]:
    """A reorder as the fewest moves that explain it, e.g. "Moved /img/* from 3 to 2" (precedences as the
    console numbers them, from 0).

    The behaviors that keep their relative order are a longest increasing run of their old positions; the
    others are the ones a person moved, named at their new precedence.
    """
    old = {pattern: index for index, pattern in enumerate(before)}
    kept = _longest_increasing([pattern for pattern in after if pattern in old], old)
    return [
        f"Moved {pattern} from {old[pattern]} to {index}"
        for index, pattern in enumerate(after)
        if pattern in old and pattern not in kept
    ]


def _longest_increasing(patterns: list[str], rank: Mapping[str, int]) -> set[str]:
    """The patterns of a longest subsequence whose ranks increase (quadratic: at most 75 behaviors).

    Of equally long ones, the latest is kept: when two neighbours swap, the one that went up is the one
    named as moved, as a person moving a behavior up to take requests first would say it.
    """
    best: list[list[str]] = []
    for i, pattern in enumerate(patterns):
        chains = [best[j] for j in reversed(range(i)) if rank[patterns[j]] < rank[pattern]]
        best.append([*max(chains, key=len, default=[]), pattern])
    longest: list[str] = max(reversed(best), key=len, default=[])
    return set(longest)
