"""What a change does to a DistributionConfig, for reviewers, and the hash approvals are bound to.

List items are addressed by their natural key (`CacheBehaviors[/api/*]`, `Origins[web]`), never by index,
so a reordering shows as one change instead of every behavior "changing".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from distributions.cloudfront.config_paths import (
    BEHAVIOR_ORDER_FIELD,
    field_label,
    find_custom_origin_config,
    format_value,
    items,
)
from distributions.cloudfront.edits import Edit, edit_from_dict
from distributions.cloudfront.edits.reorder_behaviors import describe_moves

# The key that names an item in each keyed list of a DistributionConfig.
_NATURAL_KEYS = {
    "CacheBehaviors": "PathPattern",
    "Origins": "Id",
    "OriginGroups": "Id",
    "CustomErrorResponses": "ErrorCode",
    "LambdaFunctionAssociations": "EventType",
    "FunctionAssociations": "EventType",
    "CustomHeaders": "HeaderName",
}
# Deprecated mirrors of ACMCertificateArn / IAMCertificateId: showing them too would say everything twice.
_MIRRORS = {"ViewerCertificate.Certificate", "ViewerCertificate.CertificateSource"}


@dataclass(frozen=True)
class Change:
    """One field that differs; `before`/`after` are None when the field (or item) is absent on that side."""

    path: str
    before: Any
    after: Any
    label: str

    def describe(self) -> str:
        """One line for reviewers, e.g. "Viewer protocol policy of /api/*: allow-all → https-only"."""
        # A whole behavior or origin is too big for one line: the label names it.
        if self.before is None:
            return f"{self.label}: added" + _unless_mapping(self.after, " ({})")
        if self.after is None:
            return f"{self.label}: removed" + _unless_mapping(self.before, " (was {})")
        if self.moves:
            return f"{self.label}: {'; '.join(self.moves)}"
        return f"{self.label}: {format_value(self.before)} → {format_value(self.after)}"

    @property
    def moves(self) -> list[str]:
        """For the order of the behaviors, the moves that explain it ("Moved /img/* from 3 to 2")."""
        if self.path != BEHAVIOR_ORDER_FIELD or self.before is None or self.after is None:
            return []
        return describe_moves(self.before, self.after)

    @property
    def before_text(self) -> str:
        return "—" if self.before is None else format_value(self.before)

    @property
    def after_text(self) -> str:
        return "—" if self.after is None else format_value(self.after)


def _unless_mapping(value: Any, template: str) -> str:
    return "" if isinstance(value, Mapping) else template.format(format_value(value))


def diff_configs(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """The fields that differ between two configs, in config order."""
    changes: list[Change] = []
    _diff("", "", before, after, changes)
    return changes


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _diff(path: str, name: str, before: Any, after: Any, out: list[Change]) -> None:
    if before == after:
        return
    if _is_list(before) or _is_list(after):
        _diff_list(path, name, before or {}, after or {}, out)
    elif isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in [*before, *(k for k in after if k not in before)]:
            _diff(_join(path, key), key, before.get(key), after.get(key), out)
    elif path not in _MIRRORS:
        out.append(Change(path, before, after, field_label(path)))


def _is_list(value: Any) -> bool:
    return isinstance(value, Mapping) and "Quantity" in value


def _diff_list(path: str, name: str, before: Mapping, after: Mapping, out: list[Change]) -> None:
    # Quantity follows from Items; other keys beside them (TrustedSigners.Enabled) are plain fields.
    for key in [k for k in {**before, **after} if k not in ("Quantity", "Items")]:
        _diff(_join(path, key), key, before.get(key), after.get(key), out)
    old, new = items(before), items(after)
    key = _NATURAL_KEYS.get(name)
    if key and all(isinstance(item, Mapping) and key in item for item in [*old, *new]):
        _diff_keyed(path, key, old, new, out)
    elif all(not isinstance(item, Mapping | list) for item in [*old, *new]):
        # CloudFront's lists of scalars (aliases, methods, headers, SSL protocols) are sets.
        if sorted(old, key=str) != sorted(new, key=str):
            out.append(Change(path, tuple(old), tuple(new), field_label(path)))
    else:
        for index in range(max(len(old), len(new))):
            pair = [side[index] if index < len(side) else None for side in (old, new)]
            _diff(f"{path}[{index}]", "", pair[0], pair[1], out)


def _diff_keyed(path: str, key: str, old: list, new: list, out: list[Change]) -> None:
    before = {item[key]: item for item in old}
    after = {item[key]: item for item in new}
    for name in [*before, *(k for k in after if k not in before)]:
        item_path = f"{path}[{name}]"
        if name in before and name in after:
            _diff(item_path, "", before[name], after[name], out)
        else:
            out.append(Change(item_path, before.get(name), after.get(name), field_label(item_path)))
    kept_before = [name for name in before if name in after]
    kept_after = [name for name in after if name in before]
    if kept_before != kept_after:
        order_path = f"{path}.order"
        out.append(Change(order_path, tuple(before), tuple(after), field_label(order_path)))


def origin_moved_to_https(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Origins that CloudFront reached over HTTP before and only over HTTPS after.

    Objects cached from such an origin were fetched over HTTP and are still served: AWS recommends
    invalidating /* (docs/CLOUDFRONT.md §1).
    """
    moved = []
    for origin in items(after.get("Origins")):
        now = (origin.get("CustomOriginConfig") or {}).get("OriginProtocolPolicy")
        try:
            was = find_custom_origin_config(before, origin["Id"]).get("OriginProtocolPolicy")
        except LookupError:
            continue
        if now == "https-only" and was in ("http-only", "match-viewer"):
            moved.append(origin["Id"])
    return moved


def plan_hash(edits: Mapping[str, Sequence[Edit | Mapping[str, Any]]], base_etags: Mapping[str, str]) -> str:
    """SHA-256 of a change's plan: its edits per distribution id and the ETags they were planned on.

    Approvals are bound to this hash, so any edit, its order, its distribution or a base ETag changing
    voids them. Stored edit dicts and edit objects hash alike.
    """
    if set(edits) != set(base_etags):
        raise ValueError("plan_hash needs exactly one base ETag per distribution with edits")
    plan = {
        "edits": {dist: [_canonical(edit) for edit in dist_edits] for dist, dist_edits in edits.items()},
        "etags": dict(base_etags),
    }
    canonical = json.dumps(plan, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _canonical(edit: Edit | Mapping[str, Any]) -> dict[str, Any]:
    # Parsing a stored dict normalizes it ("*" → "default", protocol order) so both forms hash equally.
    return (edit_from_dict(edit) if isinstance(edit, Mapping) else edit).to_dict()


# -- what changed between two plans of one change --------------------------------------------------

# A plan as a revision stores it: per distribution id, its edits (stored dicts) and base version.
Plan = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class EditChange:
    """One edit added, removed or changed (same field, another value), described for people."""

    change: str  # "added", "removed" or "changed"
    before: str | None
    after: str | None

    def describe(self) -> str:
        if self.change == "added":
            return f"Added: {self.after}"
        if self.change == "removed":
            return f"Removed: {self.before}"
        return f"Changed: {self.after} (was: {self.before})"


@dataclass(frozen=True)
class DistributionPlanChange:
    """How one distribution's part of the plan changed between two plans."""

    distribution_id: str
    change: str  # "added", "removed" or "changed"
    edits: tuple[EditChange, ...]
    base_version_before: str | None = None
    base_version_after: str | None = None

    @property
    def replanned(self) -> bool:
        """Planned on another version of the distribution's config (it was synced in between)."""
        return self.change == "changed" and self.base_version_before != self.base_version_after


def _edit_key(edit: Edit) -> str:
    # Two edits of one plan never write the same field (a later one replaces the earlier): the field
    # names the edit; an edit that writes none (an invalidation) is one of its kind per distribution.
    return edit.field or edit.kind


def _edits_diff(before: Sequence[Any], after: Sequence[Any]) -> tuple[EditChange, ...]:
    old = {_edit_key(e): e for e in map(edit_from_dict, before)}
    new = {_edit_key(e): e for e in map(edit_from_dict, after)}
    changes = []
    for key, edit in new.items():
        if key not in old:
            changes.append(EditChange("added", None, edit.describe()))
        elif old[key] != edit:
            changes.append(EditChange("changed", old[key].describe(), edit.describe()))
    changes.extend(EditChange("removed", e.describe(), None) for k, e in old.items() if k not in new)
    return tuple(changes)


def plan_diff(before: Plan, after: Plan) -> list[DistributionPlanChange]:
    """What changed from one plan to the next, per distribution: the plan's order, then those removed.

    Distributions whose edits and base version are the same on both sides are left out, so an empty list
    means the plans are the same.
    """
    out = []
    for distribution_id, entry in after.items():
        was = before.get(distribution_id)
        if was is None:
            edits = _edits_diff([], entry["edits"])
            out.append(DistributionPlanChange(distribution_id, "added", edits))
            continue
        edits = _edits_diff(was["edits"], entry["edits"])
        change = DistributionPlanChange(
            distribution_id, "changed", edits, was["base_version"], entry["base_version"]
        )
        if edits or change.replanned:
            out.append(change)
    out.extend(
        DistributionPlanChange(distribution_id, "removed", _edits_diff(entry["edits"], []))
        for distribution_id, entry in before.items()
        if distribution_id not in after
    )
    return out
