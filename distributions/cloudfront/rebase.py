"""Re-apply planned edits to the live config (docs/ARCHITECTURE.md, "Changes are edits, not configs").

A change is planned against one config and applied to whatever CloudFront holds at apply time. For each
edit, the field it touches is compared between the planned and the live config: unchanged, the edit is
re-applied; already holding the edit's value, there is nothing to do; anything else (a third value, or the
behavior/origin is gone) is a conflict, and then nothing may be written, because writing would overwrite
somebody else's decision.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from distributions.cloudfront.config_paths import Config, TargetNotFound, field_label, format_value
from distributions.cloudfront.edits import Edit, ReorderBehaviors


@dataclass(frozen=True)
class Conflict:
    """An edit whose field moved to a third value (or whose target is gone) since the change was planned."""

    edit: Edit
    planned_value: Any
    live_value: Any
    message: str


@dataclass(frozen=True)
class RebaseResult:
    """The live config with the edits re-applied, or the conflicts that forbid writing it.

    `config` is None when there is any conflict. `changed` is False when the live config already holds every
    edit: the change is applied, and no UpdateDistribution must be sent.
    """

    config: Config | None
    conflicts: tuple[Conflict, ...]
    changed: bool


_GONE = object()


def rebase(
    edits: Sequence[Edit], planned_config: Mapping[str, Any], live_config: Mapping[str, Any]
) -> RebaseResult:
    """Re-apply the edits, planned on `planned_config`, to `live_config`."""
    # Every edit's `apply` returns a copy and never writes into its input, so the live config is copied
    # only when no edit applied (the result never aliases the caller's dict): one deep copy of the whole
    # config less per distribution applied.
    config: Mapping[str, Any] = live_config
    conflicts: list[Conflict] = []
    for edit in edits:
        if edit.field is None:
            continue
        planned, live = _read(edit, planned_config), _read(edit, live_config)
        if live == edit.new_value:
            continue
        if live is _GONE or live != planned:
            conflicts.append(_conflict(edit, planned, live))
            continue
        config = edit.apply(config)
    if conflicts:
        return RebaseResult(config=None, conflicts=tuple(conflicts), changed=False)
    if config is live_config:
        return RebaseResult(config=copy.deepcopy(dict(live_config)), conflicts=(), changed=False)
    return RebaseResult(config=dict(config), conflicts=(), changed=config != live_config)


def _read(edit: Edit, config: Mapping[str, Any]) -> Any:
    try:
        return edit.read(config)
    except TargetNotFound:
        return _GONE


def _conflict(edit: Edit, planned: Any, live: Any) -> Conflict:
    label = field_label(edit.field or "")
    wanted = format_value(edit.new_value)
    if live is _GONE:
        message = (
            f"{label}: its target is gone from CloudFront since the change was planned (wanted {wanted})"
        )
        return Conflict(edit, _visible(planned), None, message)
    if planned is _GONE:
        message = f"{label}: its target did not exist when the change was planned; CloudFront now has it"
    elif isinstance(edit, ReorderBehaviors) and sorted(planned) != sorted(live):
        message = (
            f"{label}: behaviors were added or removed since the change was planned "
            f"(planned {format_value(planned)}, now {format_value(live)})"
        )
    else:
        message = (
            f"{label} was {format_value(planned)} when planned and is now {format_value(live)} in CloudFront "
            f"(changed outside this change); this change would set {wanted}"
        )
    return Conflict(edit, _visible(planned), live, message + ": plan the change again")


def _visible(value: Any) -> Any:
    return None if value is _GONE else value
