"""What a change costs in AWS calls and seconds, with the worker's steps run inline.

Run from the repo root: `.venv/bin/python bench/change_bench.py [--distributions N]` (default 200). Prints
(a) the calls of one change editing 10 behaviors of one distribution (expect 1 GetDistributionConfig and
1 UpdateDistribution), and (b) for one change across N distributions, the seconds and calls from approval to
all-applied, beside a bare boto3 loop making the same minimal calls (GetDistributionConfig +
UpdateDistribution per distribution) against the same in-process sandbox. Nothing is asserted.
"""

import argparse
import time
from collections.abc import Callable

import boto3
import environment
from django.contrib.auth.models import User

from devtools.sandbox.fleet import behavior, distribution_config, s3_origin
from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.models import Account, ChangeRequest, Distribution
from distributions.services import apply, changes, decisions
from distributions.services.guards import Actor
from distributions.services.sync import account_sync
from tests.factories import make_user

BEHAVIORS = 10
CHECKED = dict.fromkeys(decisions.CHECKLIST, True)
# Each distribution moves to another policy, so every one needs a write.
NEXT_POLICY = {
    "allow-all": "redirect-to-https",
    "redirect-to-https": "https-only",
    "https-only": "redirect-to-https",
}


def approved_change(
    requester: User, approver: User, plans: list[tuple[Distribution, list[SetViewerProtocolPolicy]]]
) -> tuple[ChangeRequest, float]:
    """Plan, submit and approve one change; returns it and the seconds the approval took."""
    change = changes.change_request_create(actor=Actor(requester), title="bench")
    for distribution, edits in plans:
        changes.change_edits_add(
            actor=Actor(requester), change_request=change, distribution=distribution, edits=edits
        )
    change = ChangeRequest.objects.get(pk=change.pk)
    change = decisions.change_request_submit(actor=Actor(requester), change_request=change, checklist=CHECKED)
    started = time.perf_counter()
    decisions.change_request_approve(actor=Actor(approver), change_request=change)
    return change, time.perf_counter() - started


def apply_inline(change: ChangeRequest) -> float:
    """Each item's first worker step (GetDistributionConfig, rebase, UpdateDistribution); returns seconds."""
    started = time.perf_counter()
    for item_id, _countdown, _step in apply.change_apply_start(change_request_id=change.pk):
        apply.item_advance(item_id=item_id)
    return time.perf_counter() - started


def follow_inline(change: ChangeRequest) -> float:
    """Advance every item until it is finished (deployment polls); returns seconds."""
    started = time.perf_counter()
    for item_id in change.items.values_list("pk", flat=True):
        while apply.item_advance(item_id=item_id).countdown is not None:
            pass
    return time.perf_counter() - started


def ten_behaviors(sandbox, cloudfront, account: Account, requester: User, approver: User) -> None:
    """(a) One distribution, 10 ordered behaviors, 10 edits: the AWS calls of applying them."""
    patterns = [f"/team-{index}/*" for index in range(BEHAVIORS)]
    config = distribution_config(
        "bench-ten-behaviors",
        origins=[s3_origin("s3", "bench-ten-behaviors")],
        default_behavior=behavior("s3", "redirect-to-https"),
        behaviors=[behavior("s3", "allow-all", pattern) for pattern in patterns],
    )
    distribution_id = cloudfront.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
    account_sync(account=account, trigger="command")
    distribution = account.distributions.get(distribution_id=distribution_id)
    edits = [SetViewerProtocolPolicy(path_pattern=p, policy="redirect-to-https") for p in patterns]
    change, _ = approved_change(requester, approver, [(distribution, edits)])
    sandbox.reset_calls()
    apply_inline(change)
    applied = sandbox.calls()
    follow_inline(change)
    change.refresh_from_db()
    print(f"(a) One change, {BEHAVIORS} behaviors of one distribution -> {change.status}")
    print(f"    apply:               {environment.format_calls(applied)}")
    print(f"    apply + deploy poll: {environment.format_calls(sandbox.calls())}")


def across_fleet(sandbox, cloudfront, account: Account, requester: User, approver: User, count: int) -> None:
    """(b) One change across `count` distributions, then a bare boto3 loop over the same ones."""
    ids = sandbox.seed_bulk(count, prefix="fleet")
    account_sync(account=account, trigger="command")
    distributions = list(account.distributions.filter(distribution_id__in=ids).prefetch_related("behaviors"))
    plans = [(d, [SetViewerProtocolPolicy(path_pattern="default", policy=_next(d))]) for d in distributions]
    change, approve_seconds = approved_change(requester, approver, plans)
    sandbox.reset_calls()
    apply_seconds = apply_inline(change)
    applied = sandbox.calls()
    follow_seconds = follow_inline(change)
    change.refresh_from_db()
    edgeguard = approve_seconds + apply_seconds
    print(f"(b) One change across {count} distributions -> {change.status}")
    print(f"    Edgeguard, approval to all-applied: {edgeguard:6.2f} s  {environment.format_calls(applied)}")
    print(f"      (approval {approve_seconds:.2f} s; then following to Deployed {follow_seconds:.2f} s more)")

    sandbox.reset_calls()
    bare = _timed(lambda: bare_loop(cloudfront, ids))
    calls = environment.format_calls(sandbox.calls())
    print(f"    bare boto3 loop:                    {bare:6.2f} s  {calls}")
    print(f"    Edgeguard / bare: {edgeguard / bare:.1f}x")


def bare_loop(cloudfront, ids: list[str]) -> None:
    """The least any tool can do: read each config with its ETag, change the policy, write it back."""
    for distribution_id in ids:
        response = cloudfront.get_distribution_config(Id=distribution_id)
        config, etag = response["DistributionConfig"], response["ETag"]
        default = config["DefaultCacheBehavior"]
        default["ViewerProtocolPolicy"] = NEXT_POLICY[default["ViewerProtocolPolicy"]]
        cloudfront.update_distribution(Id=distribution_id, DistributionConfig=config, IfMatch=etag)


def _next(distribution: Distribution) -> str:
    default = next(b for b in distribution.behaviors.all() if b.is_default)
    return NEXT_POLICY[default.viewer_protocol_policy]


def _timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distributions", type=int, default=200, metavar="N")
    count = parser.parse_args().distributions

    sandbox = environment.sandbox_started(deploy_seconds=0)
    cloudfront = boto3.client("cloudfront", endpoint_url=sandbox.endpoint_url)
    account = Account.objects.create(name="main", account_id="123456789012")
    requester, approver = make_user("alice", "requester"), make_user("bob", "approver")
    ten_behaviors(sandbox, cloudfront, account, requester, approver)
    across_fleet(sandbox, cloudfront, account, requester, approver, count)
    sandbox.stop()


if __name__ == "__main__":
    main()
