"""The rules CloudFront enforces, checked before a change can be submitted (docs/CLOUDFRONT.md).

`validate_edits` checks a distribution's edits against the config they were planned on and the synced
certificates, with a message per problem that says what to do. Each edit kind checks itself (its
`validate`); what only the edits together can break is checked here, and so is the planned config as a
whole against the rules no edit kind owns (config_rules.py), which CloudFront would refuse on update.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.config_paths import TargetNotFound, field_label, format_value
from distributions.cloudfront.config_rules import config_problems
from distributions.cloudfront.constants import (
    MAX_INVALIDATION_FILE_PATHS_IN_PROGRESS,
    MAX_INVALIDATION_WILDCARD_PATHS_IN_PROGRESS,
)
from distributions.cloudfront.edits import Edit, Invalidate
from distributions.cloudfront.edits.checks import EditError
from distributions.cloudfront.edits.invalidate import encode_invalidation_path

__all__ = ["EditError", "encode_invalidation_path", "validate_each_edit", "validate_edits"]


def validate_edits(
    edits: Sequence[Edit], config: Mapping[str, Any], *, certificates: Iterable[CertificateRecord]
) -> list[EditError]:
    """Every problem CloudFront (or common sense) would find with these edits to this config.

    `certificates` are the account's synced ACM certificates. Warnings (severity "warning") do not block.
    """
    errors = validate_each_edit(edits, config, certificates=certificates)
    errors.extend(_check_same_field(edits))
    errors.extend(_check_invalidation_totals(edits))
    if not any(error.severity == "error" for error in errors):
        errors.extend(_check_planned_config(edits, config))
    return errors


def _check_planned_config(edits: Sequence[Edit], config: Mapping[str, Any]) -> Iterator[EditError]:
    # UpdateDistribution sends the whole config: a rule broken anywhere refuses every edit of the change.
    planned: Mapping[str, Any] = config
    try:
        for edit in edits:
            planned = edit.apply(planned)
    except TargetNotFound:
        return  # the edit's own validate says which target is gone
    for problem in config_problems(planned):
        message = f"{problem.message}; until then CloudFront refuses the whole update (InvalidArgument)"
        yield EditError(max(len(edits) - 1, 0), problem.field, problem.code, message)


def validate_each_edit(
    edits: Sequence[Edit], config: Mapping[str, Any], *, certificates: Iterable[CertificateRecord]
) -> list[EditError]:
    """What each edit's own `validate` finds, without the checks on the edits together."""
    by_arn = {certificate.arn: certificate for certificate in certificates}
    return [error for index, edit in enumerate(edits) for error in edit.validate(index, config, by_arn)]


def _check_invalidation_totals(edits: Sequence[Edit]) -> Iterator[EditError]:
    # The change's invalidations go out as one request, so CloudFront's in-progress limits bound the total.
    invalidations = {i: edit for i, edit in enumerate(edits) if isinstance(edit, Invalidate)}
    last = max(invalidations, default=0)
    paths = {path for edit in invalidations.values() for path in edit.paths}
    wildcards = sum(path.endswith("*") for path in paths)
    files = len(paths) - wildcards
    if files > MAX_INVALIDATION_FILE_PATHS_IN_PROGRESS:
        message = (
            f"{files} file paths: CloudFront allows {MAX_INVALIDATION_FILE_PATHS_IN_PROGRESS} in progress "
            "per distribution (TooManyInvalidationsInProgress): use wildcards such as /images/*"
        )
        yield EditError(last, "paths", "too_many_paths", message)
    if wildcards > MAX_INVALIDATION_WILDCARD_PATHS_IN_PROGRESS:
        message = (
            f"{wildcards} wildcard paths: CloudFront allows {MAX_INVALIDATION_WILDCARD_PATHS_IN_PROGRESS} in "
            "progress per distribution (TooManyInvalidationsInProgress): use a broader one such as /*"
        )
        yield EditError(last, "paths", "too_many_wildcards", message)


def _check_same_field(edits: Sequence[Edit]) -> Iterator[EditError]:
    first_by_field: dict[str, int] = {}
    for index, edit in enumerate(edits):
        if edit.field is None:
            continue
        first = first_by_field.setdefault(edit.field, index)
        if edits[first].new_value != edit.new_value:
            earlier, wanted = format_value(edits[first].new_value), format_value(edit.new_value)
            message = (
                f"edit {first + 1} already sets {field_label(edit.field)} to {earlier}; "
                f"this one sets it to {wanted}: keep one of them"
            )
            yield EditError(index, "", "conflicting_edits", message)
