"""moto response classes that route CloudFront to the fidelity backend, and count and fault every call.

moto parses each request from botocore's model into PascalCase dicts and serializes plain dicts back with
the same model, so handlers here pass the stored config through untouched.
"""

from typing import Any

from moto.cloudfront.responses import CloudFrontResponse
from moto.core.responses import ActionResult, EmptyResult

from .backend import SandboxCloudFrontBackend, backend_for
from .errors import SandboxError
from .listing import distribution_list_xml
from .runtime import RUNTIME


class InstrumentedResponse:
    """Mixin for any moto response class: count the action, then apply a due fault before running it."""

    def call_action(self) -> Any:
        action = self._get_action()  # type: ignore[attr-defined]
        RUNTIME.calls.record(action)
        try:
            RUNTIME.faults.check(action, self.current_account)  # type: ignore[attr-defined]
        except SandboxError as error:
            status, headers, body = self.serialized(ActionResult(error))  # type: ignore[attr-defined]
            status = error.status or status
            headers["status"] = status
            return status, headers, body
        return super().call_action()  # type: ignore[misc]


class SandboxCloudFrontResponse(InstrumentedResponse, CloudFrontResponse):
    """CloudFront's distribution and invalidation actions, answered by SandboxCloudFrontBackend."""

    @property
    def backend(self) -> SandboxCloudFrontBackend:
        return backend_for(self.current_account)

    def create_distribution(self) -> ActionResult:
        record = self.backend.create(self._get_param("DistributionConfig", {}))
        return _created(record)

    def create_distribution_with_tags(self) -> ActionResult:
        config = self._get_param("DistributionConfigWithTags.DistributionConfig", {})
        tags = self._get_param("DistributionConfigWithTags.Tags.Items", []) or []
        return _created(self.backend.create(config, tags))

    def get_distribution(self) -> ActionResult:
        record = self.backend.get(self._get_param("Id"))
        return ActionResult({"Distribution": record.to_wire(), "ETag": record.etag})

    def get_distribution_config(self) -> ActionResult:
        record = self.backend.get(self._get_param("Id"))
        return ActionResult(
            {"DistributionConfig": record.to_wire()["DistributionConfig"], "ETag": record.etag}
        )

    def update_distribution(self) -> ActionResult:
        record = self.backend.update(
            self._get_param("Id"), self._get_param("DistributionConfig", {}), self._get_param("IfMatch")
        )
        return ActionResult({"Distribution": record.to_wire(), "ETag": record.etag})

    def delete_distribution(self) -> ActionResult:
        self.backend.delete(self._get_param("Id"), self._get_param("IfMatch"))
        return EmptyResult()

    def list_distributions(self) -> tuple[int, dict[str, str], str]:  # type: ignore[override]
        # Built by listing.py (moto's own serializer took seconds a page); the same XML, cached per version.
        marker = self._get_param("Marker")
        max_items = self._get_int_param("MaxItems")
        records, next_marker = self.backend.page(marker, max_items)
        body = distribution_list_xml(
            records, marker=marker or "", max_items=min(max_items or 100, 100), next_marker=next_marker
        )
        return 200, {"Content-Type": "application/xml"}, body

    def create_invalidation(self) -> ActionResult:
        distribution_id = self._get_param("DistributionId")
        invalidation = self.backend.invalidate(
            distribution_id,
            self._get_param("InvalidationBatch.Paths.Items", []) or [],
            self._get_param("InvalidationBatch.CallerReference"),
        )
        location = f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{distribution_id}/invalidation/{invalidation.id}"
        return ActionResult({"Invalidation": invalidation.to_wire(), "Location": location})

    def get_invalidation(self) -> ActionResult:
        invalidation = self.backend.invalidation(self._get_param("DistributionId"), self._get_param("Id"))
        return ActionResult({"Invalidation": invalidation.to_wire()})

    def list_invalidations(self) -> ActionResult:
        marker = self._get_param("Marker")
        max_items = self._get_int_param("MaxItems")
        found, next_marker = self.backend.invalidation_page(
            self._get_param("DistributionId"), marker, max_items
        )
        listing: dict[str, Any] = {
            "Marker": marker or "",
            "MaxItems": min(max_items or 100, 100),
            "IsTruncated": next_marker is not None,
            "Quantity": len(found),
        }
        if next_marker:
            listing["NextMarker"] = next_marker
        if found:
            listing["Items"] = [invalidation.to_summary() for invalidation in found]
        return ActionResult({"InvalidationList": listing})


def _created(record: Any) -> ActionResult:
    location = f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{record.id}"
    return ActionResult({"Distribution": record.to_wire(), "ETag": record.etag, "Location": location})
