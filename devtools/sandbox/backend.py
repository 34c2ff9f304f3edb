"""A CloudFront backend for moto that behaves like CloudFront where Edgeguard lives.

moto's own backend turns configs into lossy objects, never changes an ETag and accepts any IfMatch. This one
keeps each config verbatim, versions ETags, enforces IfMatch, validates like CloudFront (validation.py),
deploys over ``RUNTIME.deploy_seconds`` and limits invalidations. It subclasses moto's backend so the rest
(tags, functions, origin access controls...) keeps working unchanged.
"""

from collections.abc import Iterator
from typing import Any, cast

import moto.cloudfront.urls
from moto.cloudfront.models import CloudFrontBackend
from moto.core.base_backend import BackendDict
from moto.core.resource_tagging import TaggedResource
from moto.utilities.utils import PARTITION_NAMES

from distributions.cloudfront.config_paths import items
from distributions.cloudfront.constants import (
    LIST_PAGE_SIZE,
    MAX_INVALIDATION_FILE_PATHS_IN_PROGRESS,
    MAX_INVALIDATION_WILDCARD_PATHS_IN_PROGRESS,
)
from distributions.cloudfront.edits.invalidate import invalidation_path_problem

from .errors import (
    SandboxError,
    invalid_argument,
    invalid_if_match,
    no_such_distribution,
    precondition_failed,
)
from .records import DistributionRecord, InvalidationRecord, derived_id, forced_config
from .runtime import RUNTIME
from .validation import validate_config

Config = dict[str, Any]


class SandboxCloudFrontBackend(CloudFrontBackend):
    """One account's CloudFront, with CloudFront's ETags, validation, deployment and limits."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.records: dict[str, DistributionRecord] = {}
        self._created = 0

    @property
    def _url_module(self) -> Any:
        # moto finds a backend's URL table next to its class; ours is moto's CloudFront table.
        return moto.cloudfront.urls

    # -- distributions -------------------------------------------------------------------------------------

    def create(self, config: Config, tags: list[dict[str, str]] | None = None) -> DistributionRecord:
        """CreateDistribution: idempotent per CallerReference, like AWS."""
        with RUNTIME.lock:
            existing = self._by_caller_reference(config.get("CallerReference"))
            if existing is not None:
                if existing.config == forced_config(config):
                    return existing
                raise SandboxError(
                    "DistributionAlreadyExists",
                    "The caller reference that you are using to create a distribution is associated with "
                    f"another distribution. Already exists: {existing.id}",
                )
            validate_config(config, self.account_id)
            self._check_alias_conflicts(config, exclude=None)
            record = self._new_record(config)
            self.records[record.id] = record
            if tags:
                self.tagger.tag_resource(record.arn, tags)
            return record

    def _new_record(self, config: Config) -> DistributionRecord:
        self._created += 1
        seed = (self.account_id, config["CallerReference"], self._created)
        distribution_id = derived_id("E", *seed)
        return DistributionRecord(
            id=distribution_id,
            arn=f"arn:aws:cloudfront::{self.account_id}:distribution/{distribution_id}",
            domain_name=f"{derived_id('d', *seed).lower()}.cloudfront.net",
            config=forced_config(config),
        )

    def get(self, distribution_id: str) -> DistributionRecord:
        """The distribution, or NoSuchDistribution (404)."""
        record = self.records.get(distribution_id)
        if record is None:
            raise no_such_distribution()
        return record

    def update(self, distribution_id: str, config: Config, if_match: str | None) -> DistributionRecord:
        """UpdateDistribution: replaces the whole config if ``if_match`` is the current ETag."""
        with RUNTIME.lock:
            record = self._matching(distribution_id, if_match)
            if config.get("CallerReference") != record.config.get("CallerReference"):
                raise SandboxError(
                    "IllegalUpdate", "The CallerReference of a distribution cannot be changed."
                )
            validate_config(config, self.account_id)
            self._check_alias_conflicts(config, exclude=record.id)
            record.replace_config(config)
            RUNTIME.traffic.updated(distribution_id)
            return record

    def delete(self, distribution_id: str, if_match: str | None) -> None:
        """DeleteDistribution: only a disabled, deployed distribution, with the current ETag."""
        with RUNTIME.lock:
            record = self._matching(distribution_id, if_match)
            if record.config.get("Enabled") or record.status != "Deployed":
                raise SandboxError(
                    "DistributionNotDisabled",
                    "The distribution you are trying to delete has not been disabled and deployed.",
                )
            del self.records[distribution_id]
            self.tagger.delete_all_tags_for_resource(record.arn)

    def _matching(self, distribution_id: str, if_match: str | None) -> DistributionRecord:
        record = self.get(distribution_id)
        if not if_match:
            raise invalid_if_match()
        if if_match != record.etag:
            raise precondition_failed()
        return record

    def page(self, marker: str | None, max_items: int | None) -> tuple[list[DistributionRecord], str | None]:
        """One ListDistributions page in creation order; the marker is the last Id of the previous page."""
        size = min(max_items or LIST_PAGE_SIZE, LIST_PAGE_SIZE)
        with RUNTIME.lock:
            ordered = list(self.records.values())
        start = 0
        if marker:
            ids = [record.id for record in ordered]
            start = ids.index(marker) + 1 if marker in ids else len(ordered)
        chunk = ordered[start : start + size]
        truncated = start + size < len(ordered)
        return chunk, (chunk[-1].id if truncated and chunk else None)

    def _by_caller_reference(self, reference: str | None) -> DistributionRecord | None:
        return next((r for r in self.records.values() if r.config.get("CallerReference") == reference), None)

    def _check_alias_conflicts(self, config: Config, exclude: str | None) -> None:
        # An alias can belong to one distribution in all of AWS: look through every account.
        wanted = {alias.lower() for alias in items(config.get("Aliases"))}
        for record in all_records():
            if record.id != exclude and wanted & set(record.aliases):
                taken = sorted(wanted & set(record.aliases))[0]
                raise SandboxError(
                    "CNAMEAlreadyExists",
                    f"One or more of the CNAMEs you provided are already associated with a different "
                    f"resource: {taken}",
                )

    # -- invalidations -------------------------------------------------------------------------------------

    def invalidate(self, distribution_id: str, paths: list[str], caller_reference: str) -> InvalidationRecord:
        """CreateInvalidation, with CloudFront's path rules, idempotency and in-progress limits."""
        with RUNTIME.lock:
            record = self.get(distribution_id)
            _check_invalidation_paths(paths)
            for invalidation in record.invalidations:
                if invalidation.caller_reference == caller_reference:
                    if invalidation.paths == paths:
                        return invalidation
                    raise SandboxError(
                        "InvalidationBatchAlreadyExists",
                        "An invalidation batch with this CallerReference already exists with other paths.",
                    )
            _check_invalidation_limits(record, paths)
            invalidation = InvalidationRecord(
                id=derived_id("I", record.id, len(record.invalidations), caller_reference),
                paths=list(paths),
                caller_reference=caller_reference,
            )
            record.invalidations.append(invalidation)
            return invalidation

    def invalidation(self, distribution_id: str, invalidation_id: str) -> InvalidationRecord:
        """GetInvalidation, or NoSuchInvalidation (404)."""
        for invalidation in self.get(distribution_id).invalidations:
            if invalidation.id == invalidation_id:
                return invalidation
        raise SandboxError("NoSuchInvalidation", "The specified invalidation does not exist.")

    def invalidation_page(
        self, distribution_id: str, marker: str | None, max_items: int | None
    ) -> tuple[list[InvalidationRecord], str | None]:
        """ListInvalidations, newest first."""
        newest_first = list(reversed(self.get(distribution_id).invalidations))
        size = min(max_items or LIST_PAGE_SIZE, LIST_PAGE_SIZE)
        ids = [invalidation.id for invalidation in newest_first]
        start = ids.index(marker) + 1 if marker in ids else 0
        chunk = newest_first[start : start + size]
        truncated = start + size < len(newest_first)
        return chunk, (chunk[-1].id if truncated and chunk else None)

    # -- tagging API -----------------------------------------------------------------------------------------

    def iter_tagged_resources(self) -> Iterator[TaggedResource]:
        for record in self.records.values():
            yield TaggedResource(
                arn=record.arn,
                tags=self.tagger.get_tag_dict_for_resource(record.arn),
                resource_type="cloudfront:distribution",
            )


def _check_invalidation_paths(paths: list[str]) -> None:
    if not paths:
        raise invalid_argument("Your request contains no invalidation paths.")
    for path in paths:
        # Edgeguard's own rule (edits/invalidate.py): a leading /, * only last, 4,000 characters at most,
        # non-ASCII and RFC 1738 unsafe characters URL-encoded.
        problem = invalidation_path_problem(path)
        if problem:
            raise invalid_argument(
                f"Your request contains one or more invalid invalidation paths: {path!r} ({problem})."
            )


def _check_invalidation_limits(record: DistributionRecord, paths: list[str]) -> None:
    # Wildcard paths and file paths have separate in-progress allowances per distribution.
    in_flight = [path for invalidation in record.in_progress_invalidations() for path in invalidation.paths]
    wildcards = sum(path.endswith("*") for path in in_flight + paths)
    files = len(in_flight) + len(paths) - wildcards
    if (
        wildcards > MAX_INVALIDATION_WILDCARD_PATHS_IN_PROGRESS
        or files > MAX_INVALIDATION_FILE_PATHS_IN_PROGRESS
    ):
        raise SandboxError(
            "TooManyInvalidationsInProgress",
            "You have exceeded the maximum number of allowable InProgress invalidation batch requests, or "
            f"invalidation objects ({files} file paths, {wildcards} wildcard paths in progress).",
        )


def all_records() -> Iterator[DistributionRecord]:
    """Every distribution of every account."""
    for _account, _partition, backend in list(SANDBOX_BACKENDS.iter_backends()):
        # moto annotates iter_backends as yielding BaseBackend; it yields this dict's own backend class.
        yield from list(cast(SandboxCloudFrontBackend, backend).records.values())


def backend_for(account: str) -> SandboxCloudFrontBackend:
    """The CloudFront backend of ``account`` (created on first use, like moto does)."""
    return SANDBOX_BACKENDS[account]["aws"]


SANDBOX_BACKENDS = BackendDict(
    SandboxCloudFrontBackend, "cloudfront", use_boto3_regions=False, additional_regions=PARTITION_NAMES
)
