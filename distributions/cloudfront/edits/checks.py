"""What checking an edit finds (EditError), and the checks several edit kinds share.

Apart from the edits so that each kind's module can yield these and validation.py, which imports the
kinds for its cross-edit checks, can too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from distributions.cloudfront.config_paths import TargetNotFound


@dataclass(frozen=True)
class EditError:
    """A problem with one edit; warnings are shown but do not block submission."""

    edit_index: int
    field: str
    code: str
    message: str
    severity: str = "error"


def check_choice(
    index: int, field: str, value: Any, allowed: Sequence[str], what: str
) -> Iterator[EditError]:
    """An invalid_choice error unless `value` is one of `allowed` (`what` names the kind of value)."""
    if value not in allowed:
        message = f"{value!r} is not {what}: use one of {', '.join(allowed)}"
        yield EditError(index, field, "invalid_choice", message)


def check_target(index: int, field: str, read: Callable[[], Any]) -> Iterator[EditError]:
    """A no_such_target error if `read` cannot find the behavior or origin the edit names."""
    try:
        read()
    except TargetNotFound as exc:
        yield EditError(index, field, "no_such_target", f"{exc}: pick one from the distribution")


def listed_twice(values: Iterable[str]) -> list[str]:
    """The values that occur more than once, sorted."""
    return sorted(value for value, count in Counter(values).items() if count > 1)
