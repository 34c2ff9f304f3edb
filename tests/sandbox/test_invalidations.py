"""Behavior 4: invalidation paths, idempotency, in-progress limits, InProgress then Completed."""

import pytest
from botocore.exceptions import ClientError

from tests.sandbox.conftest import error_of


def invalidate(client, distribution_id, paths, reference="ref"):
    batch = {"Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": reference}
    return client.create_invalidation(DistributionId=distribution_id, InvalidationBatch=batch)["Invalidation"]


@pytest.mark.parametrize(
    "paths",
    [
        ["index.html"],
        ["/images/*.jpg"],
        ["/*/index.html"],
        ["/" + "a" * 4000],
        # "If the path includes non-ASCII characters or unsafe characters as defined in RFC 1738,
        # URL-encode those characters" (the guide, "Invalidation paths"); Edgeguard's rule, shared.
        ["/my file.jpg"],
        ["/café/*"],
        ["/a{b}.css"],
    ],
    ids=[
        "no leading slash",
        "star not last",
        "star in the middle",
        "longer than 4000",
        "unencoded space",
        "unencoded non-ASCII",
        "unencoded braces",
    ],
)
def test_it_rejects_invalid_paths(cloudfront_client, distribution, paths):
    with pytest.raises(ClientError) as excinfo:
        invalidate(cloudfront_client, distribution["Id"], paths)
    assert error_of(excinfo) == ("InvalidArgument", 400)


def test_it_accepts_url_encoded_paths_and_query_strings(cloudfront_client, distribution):
    paths = ["/my%20file.jpg", "/caf%C3%A9/*", "/images/image.jpg?parameter1=a"]
    assert (
        invalidate(cloudfront_client, distribution["Id"], paths)["InvalidationBatch"]["Paths"]["Items"]
        == paths
    )


def test_it_completes_after_deploy_seconds_and_the_waiter_sees_it(sandbox, cloudfront_client, distribution):
    sandbox.set_deploy_seconds(0.5)
    created = invalidate(cloudfront_client, distribution["Id"], ["/index.html", "/assets/*"])
    assert created["Status"] == "InProgress"
    got = cloudfront_client.get_distribution(Id=distribution["Id"])["Distribution"]
    assert got["InProgressInvalidationBatches"] == 1
    waiter = cloudfront_client.get_waiter("invalidation_completed")
    waiter.wait(
        DistributionId=distribution["Id"], Id=created["Id"], WaiterConfig={"Delay": 0.2, "MaxAttempts": 30}
    )
    assert (
        cloudfront_client.get_invalidation(DistributionId=distribution["Id"], Id=created["Id"])[
            "Invalidation"
        ]["Status"]
        == "Completed"
    )


def test_it_returns_the_same_invalidation_for_the_same_caller_reference(cloudfront_client, distribution):
    first = invalidate(cloudfront_client, distribution["Id"], ["/a"], reference="deploy-42")
    again = invalidate(cloudfront_client, distribution["Id"], ["/a"], reference="deploy-42")
    assert again["Id"] == first["Id"]
    listed = cloudfront_client.list_invalidations(DistributionId=distribution["Id"])["InvalidationList"]
    assert listed["Quantity"] == 1
    with pytest.raises(ClientError) as excinfo:
        invalidate(cloudfront_client, distribution["Id"], ["/b"], reference="deploy-42")
    assert error_of(excinfo)[0] == "InvalidationBatchAlreadyExists"


@pytest.mark.parametrize(
    ("batches", "allowed"),
    [
        ([[f"/w{i}/*" for i in range(15)]], True),
        ([[f"/w{i}/*" for i in range(10)], [f"/x{i}/*" for i in range(6)]], False),
        ([[f"/f{i}" for i in range(3000)]], True),
        ([[f"/f{i}" for i in range(2000)], [f"/g{i}" for i in range(1001)]], False),
        ([[f"/f{i}" for i in range(3000)], [f"/w{i}/*" for i in range(15)]], True),
    ],
    ids=["15 wildcards", "16 wildcards", "3000 files", "3001 files", "separate allowances"],
)
def test_it_limits_paths_in_progress_per_distribution(
    sandbox, cloudfront_client, distribution, batches, allowed
):
    sandbox.set_deploy_seconds(600)
    *earlier, last = batches
    for index, paths in enumerate(earlier):
        invalidate(cloudfront_client, distribution["Id"], paths, reference=f"earlier-{index}")
    if allowed:
        assert (
            invalidate(cloudfront_client, distribution["Id"], last, reference="last")["Status"]
            == "InProgress"
        )
    else:
        with pytest.raises(ClientError) as excinfo:
            invalidate(cloudfront_client, distribution["Id"], last, reference="last")
        assert error_of(excinfo) == ("TooManyInvalidationsInProgress", 400)


def test_it_frees_the_allowance_once_invalidations_complete(sandbox, cloudfront_client, distribution):
    sandbox.set_deploy_seconds(600)
    invalidate(cloudfront_client, distribution["Id"], [f"/w{i}/*" for i in range(15)], reference="one")
    sandbox.set_deploy_seconds(0)
    assert (
        invalidate(cloudfront_client, distribution["Id"], ["/again/*"], reference="two")["Status"]
        == "Completed"
    )
