"""Behavior 1: ETags move on every update, IfMatch is enforced, LastModifiedTime moves."""

import copy

import pytest
from botocore.exceptions import ClientError

from tests.sandbox.conftest import error_of
from tests.sandbox_fixtures import sandbox_client


def test_it_gives_a_new_etag_on_every_update(cloudfront_client, distribution):
    etags = [distribution["ETag"]]
    for comment in ("first", "second", "third"):
        config = {**distribution["Config"], "Comment": comment}
        etags.append(
            cloudfront_client.update_distribution(
                Id=distribution["Id"], IfMatch=etags[-1], DistributionConfig=config
            )["ETag"]
        )
    assert len(set(etags)) == 4
    assert cloudfront_client.get_distribution(Id=distribution["Id"])["ETag"] == etags[-1]


def test_it_moves_last_modified_time_on_update(cloudfront_client, distribution):
    before = cloudfront_client.get_distribution(Id=distribution["Id"])["Distribution"]["LastModifiedTime"]
    cloudfront_client.update_distribution(
        Id=distribution["Id"], IfMatch=distribution["ETag"], DistributionConfig=distribution["Config"]
    )
    after = cloudfront_client.get_distribution(Id=distribution["Id"])["Distribution"]["LastModifiedTime"]
    assert after > before


@pytest.mark.parametrize(
    ("operation", "if_match", "expected"),
    [
        ("update", "stale", ("PreconditionFailed", 412)),
        ("update", "", ("InvalidIfMatchVersion", 400)),
        ("delete", "stale", ("PreconditionFailed", 412)),
        ("delete", "", ("InvalidIfMatchVersion", 400)),
    ],
)
def test_it_enforces_if_match(cloudfront_client, distribution, operation, if_match, expected):
    # An update makes the ETag the fixture read stale.
    cloudfront_client.update_distribution(
        Id=distribution["Id"], IfMatch=distribution["ETag"], DistributionConfig=distribution["Config"]
    )
    value = distribution["ETag"] if if_match == "stale" else ""
    with pytest.raises(ClientError) as excinfo:
        if operation == "update":
            cloudfront_client.update_distribution(
                Id=distribution["Id"], IfMatch=value, DistributionConfig=distribution["Config"]
            )
        else:
            cloudfront_client.delete_distribution(Id=distribution["Id"], IfMatch=value)
    assert error_of(excinfo) == expected


def test_it_makes_an_out_of_band_edit_stale_the_readers_etag(sandbox, cloudfront_client, distribution):
    other_console = sandbox_client(sandbox, "cloudfront")
    fresh = other_console.get_distribution_config(Id=distribution["Id"])
    other_console.update_distribution(
        Id=distribution["Id"],
        IfMatch=fresh["ETag"],
        DistributionConfig={**fresh["DistributionConfig"], "Comment": "hotfix"},
    )
    with pytest.raises(ClientError) as excinfo:
        cloudfront_client.update_distribution(
            Id=distribution["Id"], IfMatch=distribution["ETag"], DistributionConfig=distribution["Config"]
        )
    assert error_of(excinfo) == ("PreconditionFailed", 412)


def test_it_returns_exactly_the_config_that_was_put(cloudfront_client, distribution):
    config = copy.deepcopy(distribution["Config"])
    config["Comment"] = "replaced"
    config["CacheBehaviors"] = {"Quantity": 0}
    config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] = "https-only"
    cloudfront_client.update_distribution(
        Id=distribution["Id"], IfMatch=distribution["ETag"], DistributionConfig=config
    )
    assert cloudfront_client.get_distribution_config(Id=distribution["Id"])["DistributionConfig"] == config


def test_it_deletes_only_a_disabled_deployed_distribution(cloudfront_client, distribution):
    with pytest.raises(ClientError) as excinfo:
        cloudfront_client.delete_distribution(Id=distribution["Id"], IfMatch=distribution["ETag"])
    assert error_of(excinfo) == ("DistributionNotDisabled", 409)
    disabled = cloudfront_client.update_distribution(
        Id=distribution["Id"],
        IfMatch=distribution["ETag"],
        DistributionConfig={**distribution["Config"], "Enabled": False},
    )
    cloudfront_client.delete_distribution(Id=distribution["Id"], IfMatch=disabled["ETag"])
    with pytest.raises(ClientError) as excinfo:
        cloudfront_client.get_distribution(Id=distribution["Id"])
    assert error_of(excinfo) == ("NoSuchDistribution", 404)
