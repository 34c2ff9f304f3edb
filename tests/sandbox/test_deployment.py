"""Behavior 2: InProgress for deploy_seconds after a change, then Deployed; boto3's waiter works."""

import time

from devtools.sandbox.fleet import simple_config

FAST_WAITER = {"Delay": 0.2, "MaxAttempts": 50}


def status_of(client, distribution_id):
    return client.get_distribution(Id=distribution_id)["Distribution"]["Status"]


def test_it_reports_in_progress_until_deploy_seconds_pass(sandbox, cloudfront_client):
    sandbox.set_deploy_seconds(0.5)
    created = cloudfront_client.create_distribution(DistributionConfig=simple_config("deploying"))
    assert created["Distribution"]["Status"] == "InProgress"
    assert status_of(cloudfront_client, created["Distribution"]["Id"]) == "InProgress"
    time.sleep(0.6)
    assert status_of(cloudfront_client, created["Distribution"]["Id"]) == "Deployed"


def test_it_lets_the_distribution_deployed_waiter_finish(sandbox, cloudfront_client):
    sandbox.set_deploy_seconds(0.6)
    distribution_id = cloudfront_client.create_distribution(DistributionConfig=simple_config("waited"))[
        "Distribution"
    ]["Id"]
    started = time.monotonic()
    cloudfront_client.get_waiter("distribution_deployed").wait(Id=distribution_id, WaiterConfig=FAST_WAITER)
    assert time.monotonic() - started >= 0.4
    assert status_of(cloudfront_client, distribution_id) == "Deployed"
    assert sandbox.calls()["GetDistribution"] >= 2


def test_it_goes_back_in_progress_after_an_update(sandbox, cloudfront_client, distribution):
    assert status_of(cloudfront_client, distribution["Id"]) == "Deployed"
    sandbox.set_deploy_seconds(30)
    updated = cloudfront_client.update_distribution(
        Id=distribution["Id"], IfMatch=distribution["ETag"], DistributionConfig=distribution["Config"]
    )
    assert updated["Distribution"]["Status"] == "InProgress"
    assert cloudfront_client.list_distributions()["DistributionList"]["Items"][0]["Status"] == "InProgress"


def test_it_applies_a_new_deploy_time_to_changes_in_flight(sandbox, cloudfront_client):
    sandbox.set_deploy_seconds(600)
    distribution_id = cloudfront_client.create_distribution(DistributionConfig=simple_config("slow"))[
        "Distribution"
    ]["Id"]
    assert status_of(cloudfront_client, distribution_id) == "InProgress"
    sandbox.set_deploy_seconds(0)
    assert status_of(cloudfront_client, distribution_id) == "Deployed"
