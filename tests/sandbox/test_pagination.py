"""ListDistributions pages of 100 with Marker / NextMarker / IsTruncated, as the app's sync relies on."""

import math

import pytest


@pytest.mark.parametrize("count", [0, 100, 101, 250])
def test_it_paginates_in_pages_of_100(sandbox, cloudfront_client, count):
    created = sandbox.seed_bulk(count)
    sandbox.reset_calls()
    seen, marker, pages = [], "", []
    while True:
        listing = cloudfront_client.list_distributions(Marker=marker)["DistributionList"]
        pages.append(listing["Quantity"])
        seen += [item["Id"] for item in listing.get("Items", [])]
        if not listing["IsTruncated"]:
            assert "NextMarker" not in listing
            break
        marker = listing["NextMarker"]
    assert seen == created
    assert sandbox.calls() == {"ListDistributions": max(1, math.ceil(count / 100))}
    assert all(size == 100 for size in pages[:-1])


def test_it_honours_max_items_and_boto3s_paginator(sandbox, cloudfront_client):
    created = sandbox.seed_bulk(25)
    first = cloudfront_client.list_distributions(MaxItems="10")["DistributionList"]
    assert (first["Quantity"], first["IsTruncated"], first["MaxItems"]) == (10, True, 10)
    paginator = cloudfront_client.get_paginator("list_distributions")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 10}))
    assert [item["Id"] for page in pages for item in page["DistributionList"]["Items"]] == created
    assert len(pages) == 3


def test_it_lists_summaries_with_the_etag_and_the_full_config_fields(sandbox, cloudfront_client):
    sandbox.seed_bulk(1)
    summary = cloudfront_client.list_distributions()["DistributionList"]["Items"][0]
    etag = cloudfront_client.get_distribution(Id=summary["Id"])["ETag"]
    assert summary["ETag"] == etag
    assert summary["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1"
    assert summary["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "allow-all"
