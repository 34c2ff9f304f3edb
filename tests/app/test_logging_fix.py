"""CloudFront.5's Fix: the admin names a bucket, Fix plans set_logging, approval and apply write it, sync
mirrors it, CloudFront.5 passes and the Traffic tab says logging is on (on the sandbox, in-process)."""

from __future__ import annotations

import pytest

from distributions.errors import Invalid
from distributions.models import ChangeRequest, Distribution
from distributions.selectors import posture
from distributions.services import decisions
from distributions.services.guards import Actor
from distributions.services.posture import posture_evaluate
from distributions.services.posture_fix import posture_fix_create
from distributions.services.sync import account_sync
from tests.app.test_changes import CHECKED, run_worker
from tests.app.test_posture import EVERYONE, _keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def unlogged(sandbox, account):
    """Two synced sandbox distributions with logging off, evaluated."""
    ids = sandbox.seed_bulk(2)
    account_sync(account=account, trigger="command")
    posture_evaluate(account=account)
    return [account.distributions.get(distribution_id=i) for i in ids]


def _cf5(distribution_id):
    return posture.findings(user=EVERYONE, control="CloudFront.5", distribution=distribution_id)


def test_fix_turns_logging_on_with_the_admins_bucket_through_approval_and_apply(
    client, unlogged, account, alice, bob, cloudfront_client
):
    assert all(d.logging == {**d.logging, "Enabled": False} for d in unlogged)
    client.force_login(alice)
    page = client.get("/posture/", {"control": "CloudFront.5"}).content.decode()
    assert 'name="log_bucket"' in page and "awslogsdelivery" in page
    assert 'name="finding"' in page  # fixable: the bucket comes with the Fix

    keys = [k for d in unlogged for k in _keys("CloudFront.5", d.distribution_id)]
    response = client.post(
        "/posture/fix/", {"finding": keys, "log_bucket": "acme-logs", "log_prefix": "cloudfront/"}
    )

    change = ChangeRequest.objects.get()
    assert response["Location"] == f"/changes/{change.pk}/"
    assert sorted(i.edits[0]["bucket"] for i in change.items.all()) == ["acme-logs.s3.amazonaws.com"] * 2
    review = client.get(f"/changes/{change.pk}/").content.decode()
    assert "Log bucket" in review and "acme-logs.s3.amazonaws.com" in review

    decisions.change_request_submit(actor=Actor(alice), change_request=change, checklist=CHECKED)
    change = decisions.change_request_approve(actor=Actor(bob), change_request=ChangeRequest.objects.get())
    change = run_worker(change)
    assert change.status == "completed"
    # The worker keeps the config it wrote over: logs of the days before are matched on it.
    assert all(item.applied_over["Logging"]["Enabled"] is False for item in change.items.all())
    for d in unlogged:
        live = cloudfront_client.get_distribution_config(Id=d.distribution_id)["DistributionConfig"]
        assert live["Logging"] == {
            "Enabled": True,
            "IncludeCookies": False,
            "Bucket": "acme-logs.s3.amazonaws.com",
            "Prefix": "cloudfront/",
        }
        # The rest of the config is what it was: the worker wrote the full config with Logging changed.
        assert live["DefaultCacheBehavior"] == d.config["DefaultCacheBehavior"]

    account_sync(account=account, trigger="command")
    posture_evaluate(account=account)
    for d in unlogged:
        assert Distribution.objects.get(pk=d.pk).logging["Bucket"] == "acme-logs.s3.amazonaws.com"
        assert not _cf5(d.distribution_id)
    tab = client.get(f"/distributions/{unlogged[0].distribution_id}/traffic/").content.decode()
    assert "s3://acme-logs/cloudfront/" in tab and ">on<" in tab


@pytest.mark.parametrize(
    ("bucket", "says"),
    [("", "Needs an S3 bucket"), ("Bad_Bucket", "is not an S3 bucket name"), ("x\x00y", "not an S3 bucket")],
)
def test_fix_without_a_usable_bucket_opens_nothing_and_says_why(unlogged, alice, bucket, says):
    keys = _keys("CloudFront.5", unlogged[0].distribution_id)
    with pytest.raises(Invalid) as error:
        posture_fix_create(actor=Actor(alice), finding_keys=keys, inputs={"log_bucket": bucket})
    assert error.value.code == "not_fixable" and says in error.value.message
    assert not ChangeRequest.objects.exists()


def test_the_browser_form_answers_a_bad_bucket_with_a_message(client, unlogged, alice):
    client.force_login(alice)
    keys = _keys("CloudFront.5", unlogged[0].distribution_id)
    response = client.post("/posture/fix/", {"finding": keys, "log_bucket": "no way"}, follow=True)
    assert response.status_code == 200 and "is not an S3 bucket name" in response.content.decode()
    assert not ChangeRequest.objects.exists()
