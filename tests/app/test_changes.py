"""The change workflow, against the sandbox: plan, submit, approve, apply safely, deploy, invalidate."""

import pytest
from django.core import mail

from distributions.cloudfront.edits import (
    Invalidate,
    SetOriginProtocolPolicy,
    SetViewerCertificate,
    SetViewerProtocolPolicy,
)
from distributions.errors import Invalid, InvalidState, NotAllowed, Stale
from distributions.models import AuditEvent, ChangeRequest
from distributions.selectors.changes import suggested_invalidations, valid_approvals
from distributions.services import apply, changes, decisions, progress
from distributions.services.guards import Actor
from distributions.services.sync import account_sync

pytestmark = pytest.mark.django_db

CHECKED = {key: True for key in decisions.CHECKLIST}


@pytest.fixture
def fleet(sandbox, account):
    """Three synced sandbox distributions: allow-all, redirect-to-https, https-only defaults."""
    ids = sandbox.seed_bulk(3)
    account_sync(account=account, trigger="command")
    return [account.distributions.get(distribution_id=i) for i in ids]


def plan(user, distribution, *edits, title="Move to HTTPS"):
    change = changes.change_request_create(actor=Actor(user), title=title)
    changes.change_edits_add(
        actor=Actor(user), change_request=change, distribution=distribution, edits=list(edits)
    )
    return ChangeRequest.objects.get(pk=change.pk)


def submitted(user, distribution, *edits):
    change = plan(user, distribution, *edits)
    return decisions.change_request_submit(actor=Actor(user), change_request=change, checklist=CHECKED)


def approved(alice, bob, distribution, *edits):
    change = submitted(alice, distribution, *edits)
    return decisions.change_request_approve(actor=Actor(bob), change_request=change)


def run_worker(change):
    """What the Celery worker does, inline: start, then advance each item until it is done."""
    for item_id, _countdown, _step in apply.change_apply_start(change_request_id=change.pk):
        for _ in range(20):
            if apply.item_advance(item_id=item_id).countdown is None:
                break
    change.refresh_from_db()
    return change


def live_config(cloudfront_client, distribution):
    response = cloudfront_client.get_distribution_config(Id=distribution.distribution_id)
    return response["DistributionConfig"], response["ETag"]


REDIRECT = SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https")


# -- lifecycle ------------------------------------------------------------------------------------


def test_it_applies_an_approved_change_and_follows_it_to_completed(
    sandbox, fleet, alice, bob, cloudfront_client
):
    change = approved(alice, bob, fleet[0], REDIRECT)
    assert change.status == "approved"
    sandbox.reset_calls()

    change = run_worker(change)
    calls = sandbox.calls()

    assert change.status == "completed"
    assert calls["GetDistributionConfig"] == 1
    assert calls["UpdateDistribution"] == 1
    config, _ = live_config(cloudfront_client, fleet[0])
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    item = change.items.get()
    assert (item.status, item.wrote_update) == ("completed", True)


def test_it_writes_once_for_many_edits_to_one_distribution(sandbox, account, alice, bob, cloudfront_client):
    arn = sandbox.issue_certificate("app.example.com")
    distribution = app_distribution(cloudfront_client, account)
    edits = [
        REDIRECT,
        SetOriginProtocolPolicy(origin_id=_origin_id(distribution), policy="https-only"),
        SetViewerCertificate(
            source="acm",
            certificate_id_or_arn=arn,
            ssl_support_method="sni-only",
            minimum_protocol_version="TLSv1.2_2021",
        ),
    ]
    change = approved(alice, bob, distribution, *edits)
    sandbox.reset_calls()
    assert run_worker(change).status == "completed"
    assert sandbox.calls()["UpdateDistribution"] == 1


def test_it_refuses_self_approval_even_for_admins(fleet, charlie):
    change = submitted(charlie, fleet[0], REDIRECT)
    with pytest.raises(NotAllowed, match="own change"):
        decisions.change_request_approve(actor=Actor(charlie), change_request=change)


def test_it_refuses_approval_from_a_requester(fleet, alice, db):
    from tests.factories import make_user

    other = make_user("rita", "requester")
    change = submitted(alice, fleet[0], REDIRECT)
    with pytest.raises(NotAllowed):
        decisions.change_request_approve(actor=Actor(other), change_request=change)


def test_it_voids_approvals_when_a_submitted_change_is_edited(fleet, alice, bob, charlie, settings):
    settings.EDGEGUARD_APPROVALS_REQUIRED = 2
    change = submitted(alice, fleet[0], REDIRECT)
    decisions.change_request_approve(actor=Actor(bob), change_request=change)
    assert valid_approvals(change).count() == 1

    changes.change_edits_add(
        actor=Actor(alice),
        change_request=change,
        distribution=fleet[1],
        edits=[SetViewerProtocolPolicy(path_pattern="default", policy="https-only")],
    )
    change.refresh_from_db()
    assert change.status == "draft" and valid_approvals(change).count() == 0
    resubmitted = decisions.change_request_submit(
        actor=Actor(alice), change_request=change, checklist=CHECKED
    )
    decisions.change_request_approve(actor=Actor(charlie), change_request=resubmitted)
    change.refresh_from_db()
    assert change.status == "submitted"  # one valid approval of two: bob's was voided
    assert AuditEvent.objects.filter(action="change.edited", data__approvals_voided=1).exists()
    assert AuditEvent.objects.filter(action="change.sent_back", data__approvals_voided=1).exists()


def test_it_refuses_an_approval_given_on_an_outdated_plan(fleet, alice, bob):
    change = submitted(alice, fleet[0], REDIRECT)
    seen = change.plan_hash
    changes.change_edits_add(
        actor=Actor(alice), change_request=change, distribution=fleet[2], edits=[REDIRECT]
    )
    with pytest.raises(Stale, match="went back to draft"):
        decisions.change_request_approve(actor=Actor(bob), change_request=change, seen_plan_hash=seen)
    change = decisions.change_request_submit(actor=Actor(alice), change_request=change, checklist=CHECKED)
    with pytest.raises(Stale, match="edited after you opened it"):
        decisions.change_request_approve(actor=Actor(bob), change_request=change, seen_plan_hash=seen)


def test_it_requires_every_checklist_item(fleet, alice):
    change = plan(alice, fleet[0], REDIRECT)
    with pytest.raises(Invalid, match="intended order") as raised:
        decisions.change_request_submit(
            actor=Actor(alice), change_request=change, checklist={"path_patterns": True, "origins": True}
        )
    assert raised.value.code == "checklist_incomplete"


@pytest.mark.parametrize(
    ("status", "action", "allowed"),
    [
        ("draft", "submit", True),
        ("submitted", "submit", False),
        ("draft", "approve", False),
        ("submitted", "approve", True),
        ("approved", "approve", False),
        ("submitted", "reject", True),
        ("approved", "reject", False),
        ("draft", "cancel", True),
        ("submitted", "cancel", True),
        ("approved", "cancel", True),
        ("applying", "cancel", False),
        ("completed", "cancel", False),
        ("failed", "retry", True),
        ("conflict", "retry", False),
        ("completed", "retry", False),
        ("rejected", "retry", False),
    ],
)
def test_transitions(fleet, alice, bob, charlie, status, action, allowed):
    change = plan(alice, fleet[0], REDIRECT)
    ChangeRequest.objects.filter(pk=change.pk).update(status=status, plan_hash="h")
    change.refresh_from_db()
    do = {
        "submit": lambda: decisions.change_request_submit(
            actor=Actor(alice), change_request=change, checklist=CHECKED
        ),
        "approve": lambda: decisions.change_request_approve(actor=Actor(bob), change_request=change),
        "reject": lambda: decisions.change_request_reject(
            actor=Actor(bob), change_request=change, comment="no"
        ),
        "cancel": lambda: decisions.change_request_cancel(actor=Actor(alice), change_request=change),
        "retry": lambda: decisions.change_request_retry(actor=Actor(charlie), change_request=change),
    }[action]
    if allowed:
        do()
    else:
        with pytest.raises(InvalidState):
            do()


def test_it_emails_approvers_on_submit_and_the_requester_on_completion(
    sandbox, fleet, alice, bob, django_capture_on_commit_callbacks, monkeypatch
):
    from dashboard.celery import app

    # Emails are sent by the worker's send_email task: run tasks inline, but not the apply itself.
    monkeypatch.setattr("distributions.services.queue.change_apply", lambda pk: None)
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            change = submitted(alice, fleet[0], REDIRECT)
        assert [m.to for m in mail.outbox] == [["bob@x.test"]]
        with django_capture_on_commit_callbacks(execute=True):
            decisions.change_request_approve(actor=Actor(bob), change_request=change)
            run_worker(change)
    finally:
        app.conf.task_always_eager = False
    assert mail.outbox[-1].to == ["alice@x.test"]
    assert "completed" in mail.outbox[-1].subject


def test_it_enqueues_the_apply_on_commit_and_the_worker_finishes_it(
    sandbox, fleet, alice, bob, django_capture_on_commit_callbacks, settings
):
    from dashboard.celery import app

    app.conf.task_always_eager = True
    try:
        change = submitted(alice, fleet[0], REDIRECT)
        with django_capture_on_commit_callbacks(execute=True):
            decisions.change_request_approve(actor=Actor(bob), change_request=change)
    finally:
        app.conf.task_always_eager = False
    change.refresh_from_db()
    assert change.status == "completed"
    # The finished change resynced its account, so the fleet pages already show the result.
    default = fleet[0].behaviors.get(is_default=True)
    assert default.viewer_protocol_policy == "redirect-to-https"


# -- validation before submission -----------------------------------------------------------------


def test_it_refuses_a_certificate_that_does_not_cover_an_alias(sandbox, account, alice, cloudfront_client):
    sandbox.reset(seed="demo")
    account_sync(account=account, trigger="command")
    distribution = account.distributions.exclude(aliases=[]).filter(certificate_source="acm").first()
    other = sandbox.issue_certificate("unrelated.example.net")
    account_sync(account=account, trigger="command")
    edit = SetViewerCertificate(
        source="acm",
        certificate_id_or_arn=other,
        ssl_support_method="sni-only",
        minimum_protocol_version="TLSv1.2_2021",
    )
    with pytest.raises(Invalid, match="cover") as raised:
        plan(alice, distribution, edit)
    assert raised.value.details[0]["field"]


def test_it_refuses_a_certificate_outside_us_east_1(sandbox, account, alice, fleet):
    arn = sandbox.issue_certificate("app.example.com", region="eu-west-1")
    edit = SetViewerCertificate(
        source="acm",
        certificate_id_or_arn=arn,
        ssl_support_method="sni-only",
        minimum_protocol_version="TLSv1.2_2021",
    )
    with pytest.raises(Invalid, match="us-east-1"):
        plan(alice, fleet[0], edit)


def test_it_refuses_viewers_from_proposing(fleet, vera):
    with pytest.raises(NotAllowed):
        changes.change_request_create(actor=Actor(vera), title="x")


def test_it_refuses_a_stale_version(fleet, alice):
    change = plan(alice, fleet[0], REDIRECT)
    with pytest.raises(Stale):
        changes.change_edits_add(
            actor=Actor(alice),
            change_request=change,
            distribution=fleet[1],
            edits=[REDIRECT],
            expected_version=change.version - 1,
        )


def test_it_offers_an_invalidation_when_an_origin_moves_to_https(sandbox, account, alice, cloudfront_client):
    distribution = app_distribution(cloudfront_client, account, origin_policy="http-only")
    origin_id = _origin_id(distribution)
    change = plan(alice, distribution, SetOriginProtocolPolicy(origin_id=origin_id, policy="https-only"))
    item = change.items.get()
    assert suggested_invalidations(item) == ["/*"]
    changes.change_edits_add(
        actor=Actor(alice),
        change_request=change,
        distribution=distribution,
        edits=[Invalidate(paths=("/*",))],
    )
    assert suggested_invalidations(change.items.get()) == []


# -- apply safety ---------------------------------------------------------------------------------


def test_it_retries_after_a_stale_etag(sandbox, fleet, alice, bob, cloudfront_client):
    change = approved(alice, bob, fleet[0], REDIRECT)
    sandbox.faults.fail_next("UpdateDistribution", count=1, code="PreconditionFailed", status=412)
    sandbox.reset_calls()
    change = run_worker(change)
    assert change.status == "completed"
    assert sandbox.calls()["GetDistributionConfig"] == 2
    assert change.items.get().attempts == 2


def test_it_keeps_an_out_of_band_edit_to_another_field(sandbox, fleet, alice, bob, cloudfront_client):
    change = approved(alice, bob, fleet[0], REDIRECT)
    config, etag = live_config(cloudfront_client, fleet[0])
    config["Comment"] = "edited in the console meanwhile"
    cloudfront_client.update_distribution(
        Id=fleet[0].distribution_id, DistributionConfig=config, IfMatch=etag
    )

    assert run_worker(change).status == "completed"
    config, _ = live_config(cloudfront_client, fleet[0])
    assert config["Comment"] == "edited in the console meanwhile"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"


def test_it_ends_in_conflict_when_the_same_field_moved(sandbox, fleet, alice, bob, cloudfront_client):
    change = approved(alice, bob, fleet[0], REDIRECT)  # planned on allow-all
    config, etag = live_config(cloudfront_client, fleet[0])
    config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] = "https-only"
    cloudfront_client.update_distribution(
        Id=fleet[0].distribution_id, DistributionConfig=config, IfMatch=etag
    )
    sandbox.reset_calls()

    change = run_worker(change)
    assert change.status == "conflict"
    item = change.items.get()
    assert item.conflicts[0]["planned"] == "allow-all"
    assert item.conflicts[0]["live"] == "https-only"
    assert "UpdateDistribution" not in sandbox.calls()


def test_it_does_not_write_when_the_change_is_already_live(sandbox, fleet, alice, bob, cloudfront_client):
    change = approved(alice, bob, fleet[0], REDIRECT)
    config, etag = live_config(cloudfront_client, fleet[0])
    config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] = "redirect-to-https"
    cloudfront_client.update_distribution(
        Id=fleet[0].distribution_id, DistributionConfig=config, IfMatch=etag
    )
    sandbox.reset_calls()

    change = run_worker(change)
    assert change.status == "completed"
    assert "UpdateDistribution" not in sandbox.calls()
    assert change.items.get().wrote_update is False


def test_a_throttle_defers_the_update_without_an_error_or_an_attempt(sandbox, fleet, alice, bob):
    change = approved(alice, bob, fleet[0], REDIRECT)
    schedule = apply.change_apply_start(change_request_id=change.pk)
    sandbox.faults.fail_next("UpdateDistribution", count=3, code="Throttling")
    for _ in range(3):
        step = apply.item_advance(item_id=schedule[0][0])
        assert step.countdown is not None and step.countdown > 0
        item = change.items.get()
        assert (item.status, item.error_code, item.error, item.attempts) == ("applying", "", "", 0)
    apply.item_advance(item_id=item.pk)
    assert change.items.get().status in ("deploying", "completed")
    assert sandbox.calls()["UpdateDistribution"] == 4  # one attempt a step: botocore does not retry them


def test_it_fails_with_a_hint_on_other_errors(sandbox, fleet, alice, bob):
    change = approved(alice, bob, fleet[0], REDIRECT)
    sandbox.faults.fail_next("UpdateDistribution", count=1, code="AccessDenied", status=403)
    change = run_worker(change)
    assert change.status == "failed"
    item = change.items.get()
    assert item.error_code == "AccessDenied"
    assert "cloudfront:" in item.error


def test_an_admin_can_retry_a_failed_change(sandbox, fleet, alice, bob, charlie):
    change = approved(alice, bob, fleet[0], REDIRECT)
    sandbox.faults.fail_next("UpdateDistribution", count=1, code="AccessDenied", status=403)
    assert run_worker(change).status == "failed"
    with pytest.raises(NotAllowed):
        decisions.change_request_retry(actor=Actor(alice), change_request=change)
    decisions.change_request_retry(actor=Actor(charlie), change_request=change)
    assert run_worker(change).status == "completed"


def test_it_waits_for_deployment_then_invalidates(sandbox, fleet, alice, bob):
    sandbox.set_deploy_seconds(30)
    change = approved(alice, bob, fleet[0], REDIRECT, Invalidate(paths=("/*",)))
    ((item_id, _, _),) = apply.change_apply_start(change_request_id=change.pk)
    assert apply.item_advance(item_id=item_id).countdown is not None  # updated, now InProgress
    assert apply.item_advance(item_id=item_id).countdown is not None  # still InProgress
    change.refresh_from_db()
    assert (change.status, change.items.get().status) == ("deploying", "deploying")
    sandbox.set_deploy_seconds(0)
    apply.item_advance(item_id=item_id)  # Deployed: invalidation created
    item = change.items.get()
    assert item.status == "invalidating"
    assert item.invalidation_id
    apply.item_advance(item_id=item_id)
    change.refresh_from_db()
    assert change.status == "completed"


def test_a_second_worker_cannot_take_a_leased_item(sandbox, fleet, alice, bob):
    change = approved(alice, bob, fleet[0], REDIRECT)
    ((item_id, _, _),) = apply.change_apply_start(change_request_id=change.pk)
    leased = progress.lease_candidate(item_id, ["pending"])
    assert leased is not None and progress.lease_take(leased, None)
    assert apply.item_advance(item_id=item_id).countdown is None
    assert change.items.get().status == "pending"


def test_the_sweeper_finds_stuck_work(sandbox, fleet, alice, bob, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.EDGEGUARD_STUCK_SECONDS = 60
    change = approved(alice, bob, fleet[0], REDIRECT)
    later = timezone.now() + timedelta(minutes=5)
    assert progress.stuck_work(now=later) == ([change.pk], [])
    ((item_id, _, _),) = apply.change_apply_start(change_request_id=change.pk)
    assert progress.stuck_work(now=later) == ([], [item_id])


def test_audit_events_are_append_only(fleet, alice):
    plan(alice, fleet[0], REDIRECT)
    event = AuditEvent.objects.first()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.update(message="x")


def _origin_id(distribution):
    return distribution.origins.first().origin_id


def app_distribution(client, account, *, origin_policy="https-only"):
    """A distribution with a custom origin (the bulk seed's are S3), synced."""
    from devtools.sandbox import fleet

    origin = fleet.custom_origin("app", "app.example.internal", policy=origin_policy)
    config = fleet.distribution_config(
        "app-under-test", origins=[origin], default_behavior=fleet.behavior("app", "allow-all")
    )
    distribution_id = client.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
    account_sync(account=account, trigger="command")
    return account.distributions.get(distribution_id=distribution_id)


# -- review findings: second person, lost work, stale chains, settling -----------------------------


def test_an_admin_who_edited_someone_elses_change_cannot_approve_it(fleet, alice, charlie):
    change = submitted(alice, fleet[0], REDIRECT)
    changes.change_edits_add(
        actor=Actor(charlie),
        change_request=change,
        distribution=fleet[1],
        edits=[SetViewerProtocolPolicy(path_pattern="default", policy="allow-all")],
    )
    with pytest.raises(NotAllowed, match="You edited this change"):
        decisions.change_request_approve(actor=Actor(charlie), change_request=change)


def test_the_last_distribution_of_a_submitted_change_cannot_be_removed(fleet, alice):
    change = submitted(alice, fleet[0], REDIRECT)
    with pytest.raises(Invalid, match="cancel the change instead"):
        changes.change_item_remove(actor=Actor(alice), change_request=change, distribution=fleet[0])


def test_a_stale_chain_of_steps_does_nothing(sandbox, fleet, alice, bob):
    change = approved(alice, bob, fleet[0], REDIRECT)
    ((item_id, _, step),) = apply.change_apply_start(change_request_id=change.pk)
    restarted = progress.schedule_step(item_id, 0).step  # the sweeper's new chain
    assert apply.item_advance(item_id=item_id, step=step).countdown is None
    assert change.items.get().status == "pending"
    following = apply.item_advance(item_id=item_id, step=restarted)
    assert following.countdown is not None and following.step == restarted + 1
    assert change.items.get().status == "deploying"


def test_the_sweeper_settles_a_change_whose_items_all_finished(fleet, alice, bob):
    change = approved(alice, bob, fleet[0], REDIRECT)
    ChangeRequest.objects.filter(pk=change.pk).update(status="deploying")
    change.items.update(status="completed")
    assert progress.settle_finished_changes() == 1
    change.refresh_from_db()
    assert change.status == "completed"


def test_it_retries_when_the_endpoint_fails(sandbox, fleet, alice, bob):
    change = approved(alice, bob, fleet[0], REDIRECT)
    sandbox.faults.fail_next("UpdateDistribution", count=3, code="ServiceUnavailable", status=503)
    assert run_worker(change).status == "completed"
    # The worker's own retries, one call each: botocore does not retry the paced calls (apply.py).
    assert change.items.get().attempts == 4


def test_it_gives_up_waiting_for_deployment_after_the_timeout(sandbox, fleet, alice, bob, settings):
    from datetime import timedelta

    from django.utils import timezone

    sandbox.set_deploy_seconds(3600)
    change = approved(alice, bob, fleet[0], REDIRECT)
    ((item_id, _, _),) = apply.change_apply_start(change_request_id=change.pk)
    apply.item_advance(item_id=item_id)
    change.items.update(
        applied_at=timezone.now() - timedelta(seconds=settings.EDGEGUARD_DEPLOY_TIMEOUT_SECONDS + 1)
    )
    assert apply.item_advance(item_id=item_id).countdown is None
    item = change.items.get()
    assert (item.status, item.error_code) == ("failed", "DeployTimeout")
    sandbox.set_deploy_seconds(0)


def test_a_sync_that_breaks_unexpectedly_is_recorded_as_failed(sandbox, account, monkeypatch):
    from django.db import IntegrityError

    def broken(*args):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr("distributions.services.sync._store_page", broken)
    run = account_sync(account=account, trigger="schedule")
    assert run.status == "failed" and run.finished_at is not None
    assert "IntegrityError" in run.error


def test_invalidations_use_a_unique_caller_reference(sandbox, fleet, alice, bob, cloudfront_client):
    change = approved(alice, bob, fleet[0], REDIRECT, Invalidate(paths=("/*",)))
    assert run_worker(change).status == "completed"
    item = change.items.get()
    invalidation = cloudfront_client.get_invalidation(
        DistributionId=fleet[0].distribution_id, Id=item.invalidation_id
    )
    assert (
        invalidation["Invalidation"]["InvalidationBatch"]["CallerReference"]
        == f"edgeguard-{item.invalidation_reference}"
    )
