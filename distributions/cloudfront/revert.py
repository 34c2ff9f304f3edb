"""Plan the inverse of applied edits on the current config, leaving alone what changed since.

A change wrote each edit's `new_value` over the value its field held when the change was planned (the
rebase writes only where the live field still held the planned value, rebase.py). Reverting writes that
earlier value back, but only where the field still holds what the change wrote: a field that moved since
(somebody decided something newer) is listed and left alone, never overwritten. An invalidation cannot be
undone (the cached copies are gone), so it is listed as such.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from distributions.cloudfront.config_paths import TargetNotFound, field_label, format_value
from distributions.cloudfront.edits import (
    Edit,
    Invalidate,
    ReorderBehaviors,
    SetOriginProtocolPolicy,
    SetOriginSslProtocols,
    SetViewerCertificate,
    SetViewerProtocolPolicy,
)


@dataclass(frozen=True)
class LeftAlone:
    """A field the change wrote that holds another value now: the revert keeps the current value."""

    field: str
    label: str
    wrote: Any
    now: Any
    before: Any
    message: str


@dataclass(frozen=True)
class RevertPlan:
    """The edits that give the fields back their earlier values, what is left alone, what cannot be undone."""

    edits: tuple[Edit, ...]
    left_alone: tuple[LeftAlone, ...]
    not_revertible: tuple[str, ...]


# How to build, per edit kind, the edit of the same target that writes `value` (its field's earlier value,
# in the canonical shape `read` returns). None when that value cannot be written back (the field was empty).
INVERSES: dict[type[Edit], Callable[[Any, Any], Edit | None]] = {
    SetViewerProtocolPolicy: lambda edit, value: dataclasses.replace(edit, policy=value) if value else None,
    SetOriginProtocolPolicy: lambda edit, value: dataclasses.replace(edit, policy=value) if value else None,
    SetOriginSslProtocols: lambda edit, value: (
        dataclasses.replace(edit, protocols=tuple(value)) if value else None
    ),
    SetViewerCertificate: lambda edit, value: SetViewerCertificate(**value) if value else None,
    ReorderBehaviors: lambda edit, value: dataclasses.replace(edit, path_patterns=tuple(value)),
}
# set_logging has none: no edit turns logging off (or back to another bucket), so a revert leaves it on and
# says so (`_left_alone`).

_GONE = object()


def _read(edit: Edit, config: Mapping[str, Any]) -> Any:
    try:
        return edit.read(config)
    except TargetNotFound:
        return _GONE


def inverse_edit(edit: Edit, value: Any) -> Edit | None:
    """The edit that writes `value` into the field `edit` writes, or None if it cannot be written back."""
    build = INVERSES.get(type(edit))
    return build(edit, value) if build is not None else None


def plan_revert(edits: Sequence[Edit], before: Mapping[str, Any], current: Mapping[str, Any]) -> RevertPlan:
    """The revert of `edits`, applied over `before` (the config the change was planned on), on `current`."""
    inverses: list[Edit] = []
    left_alone: list[LeftAlone] = []
    not_revertible: list[str] = []
    for edit in edits:
        if isinstance(edit, Invalidate) or edit.field is None:
            not_revertible.append(f"{edit.describe()}: an invalidation cannot be reverted")
            continue
        earlier, now = _read(edit, before), _read(edit, current)
        if earlier is _GONE or earlier == edit.new_value:
            continue  # the change wrote nothing to this field
        inverse = inverse_edit(edit, earlier)
        if now is _GONE or now != edit.new_value or inverse is None:
            left_alone.append(_left_alone(edit, earlier, now, inverse is None))
            continue
        inverses.append(inverse)
    return RevertPlan(tuple(inverses), tuple(left_alone), tuple(not_revertible))


def _left_alone(edit: Edit, earlier: Any, now: Any, unwritable: bool) -> LeftAlone:
    field = edit.field or ""
    label, wrote = field_label(field), format_value(edit.new_value)
    if now is _GONE:
        message = f"{label}: its target is gone since the change (it wrote {wrote}); nothing to give back"
        now = None
    elif unwritable and earlier is not None and earlier != "":
        message = (
            f"{label} was {format_value(earlier)} before the change, which no edit writes back; "
            f"it stays {wrote}"
        )
    elif unwritable:
        message = f"{label} had no value before the change, so there is none to give back; it stays {wrote}"
    else:
        message = (
            f"{label} is {format_value(now)} now, not the {wrote} the change wrote: somebody changed it "
            f"since, so it stays {format_value(now)} (before the change: {format_value(earlier)})"
        )
    return LeftAlone(field, label, edit.new_value, now, earlier, message)
