"""The sandbox's own ListDistributions writer (devtools/sandbox/listing.py) answers exactly what moto's
generic serializer would, and rebuilds a distribution's summary only when the distribution changed."""

import pytest
from botocore.model import ServiceModel
from moto.core.responses import ActionContext, ActionResult
from moto.core.serialize import get_serializer_class
from moto.core.utils import get_service_model

from devtools.sandbox.backend import backend_for
from devtools.sandbox.listing import distribution_list_xml

pytestmark = pytest.mark.usefixtures("sandbox")


def moto_xml(records, *, marker: str, max_items: int, next_marker: str | None) -> str:
    """The same page through moto's serializer, as the sandbox answered before listing.py."""
    service_model: ServiceModel = get_service_model("cloudfront")
    operation = service_model.operation_model("ListDistributions")
    listing = {"Marker": marker, "MaxItems": max_items, "IsTruncated": next_marker is not None}
    listing["Quantity"] = len(records)
    if next_marker:
        listing["NextMarker"] = next_marker
    if records:
        listing["Items"] = [record.to_summary() for record in records]
    context = ActionContext(service_model, operation, get_serializer_class("cloudfront", "rest-xml"), None)
    _status, _headers, body = ActionResult({"DistributionList": listing}).execute_result(context)
    return body


@pytest.mark.parametrize("page_size", [100, 7])
def test_it_writes_the_xml_moto_writes_for_the_whole_demo_fleet(sandbox, page_size):
    sandbox.reset(seed="demo")
    for account in ("123456789012", "210987654321"):
        backend = backend_for(account)
        marker = ""
        while True:
            records, next_marker = backend.page(marker, page_size)
            ours = distribution_list_xml(records, marker=marker, max_items=page_size, next_marker=next_marker)
            assert ours == moto_xml(records, marker=marker, max_items=page_size, next_marker=next_marker)
            if next_marker is None:
                break
            marker = next_marker


def test_it_rebuilds_a_summary_only_after_the_distribution_changed(sandbox, cloudfront_client):
    (distribution_id,) = sandbox.seed_bulk(1)
    record = backend_for("123456789012").get(distribution_id)
    first = cloudfront_client.list_distributions()["DistributionList"]["Items"][0]
    cached = record.listing_cache
    assert cloudfront_client.list_distributions()["DistributionList"]["Items"][0] == first
    assert record.listing_cache is cached

    response = cloudfront_client.get_distribution_config(Id=distribution_id)
    config = response["DistributionConfig"]
    config["Comment"] = "changed & <escaped>"
    cloudfront_client.update_distribution(
        Id=distribution_id, DistributionConfig=config, IfMatch=response["ETag"]
    )
    listed = cloudfront_client.list_distributions()["DistributionList"]["Items"][0]
    assert listed["Comment"] == "changed & <escaped>"
    assert listed["ETag"] != first["ETag"]
    assert record.listing_cache is not cached
    # Updated just now: microseconds in LastModifiedTime, InProgress while deploying; still moto's XML.
    sandbox.set_deploy_seconds(60)
    records, _ = backend_for("123456789012").page("", 100)
    assert records[0].status == "InProgress"
    assert distribution_list_xml(records, marker="", max_items=100, next_marker=None) == moto_xml(
        records, marker="", max_items=100, next_marker=None
    )
