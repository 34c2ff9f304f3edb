"""What a change costs in AWS calls and seconds, with the worker's steps run inline, paced as deployed.

Run from the repo root: `.venv/bin/python bench/change_bench.py [--distributions N]` (default 500). Prints
(a) the calls of one change editing 10 behaviors of one distribution (expect 1 GetDistributionConfig and
1 UpdateDistribution); (b) for one change across N distributions, with the default pacing settings and a
sandbox that never throttles, the seconds and calls from approval to all-applied, beside a bare boto3 loop
making the same minimal calls (GetDistributionConfig + UpdateDistribution per distribution) against the same
in-process sandbox; (c) the same change against an account that throttles UpdateDistribution above a fixed
sustainable rate: the achieved update rate as a share of that rate, the throttles AWS answered, and the
throttling errors users saw (must be 0). Nothing is asserted.
"""

import argparse
import heapq
import itertools
import threading
import time
from collections.abc import Callable

import boto3
import environment
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connections
from django.test import override_settings

from devtools.sandbox.fleet import behavior, distribution_config, s3_origin
from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.gateway_errors import ERRORS_BY_CODE, Throttled
from distributions.models import Account, ChangeRequest, Distribution
from distributions.services import apply, changes, decisions, pacing
from distributions.services.guards import Actor
from distributions.services.sync import account_sync
from tests.factories import make_user

BEHAVIORS = 10
# The throttling scenario's account: this many UpdateDistribution calls a second, sustained.
SUSTAINED_RATE = 10.0
DEPLOY_POLL = 3600
# The deployed worker's concurrency (docker-compose.yml: `celery worker --concurrency 4`).
WORKER_CONCURRENCY = 4
THROTTLE_CODES = [code for code, error in ERRORS_BY_CODE.items() if error is Throttled]
CHECKED = dict.fromkeys(decisions.CHECKLIST, True)
# Each distribution moves to another policy, so every one needs a write.
NEXT_POLICY = {
    "allow-all": "redirect-to-https",
    "redirect-to-https": "https-only",
    "https-only": "redirect-to-https",
}


def approved_change(
    requester: User, approver: User, plans: list[tuple[Distribution, list[SetViewerProtocolPolicy]]]
) -> tuple[ChangeRequest, float, float]:
    """Plan, submit and approve one change; returns it, the seconds and the CPU seconds the approval took."""
    change = changes.change_request_create(actor=Actor(requester), title="bench")
    for distribution, edits in plans:
        changes.change_edits_add(
            actor=Actor(requester), change_request=change, distribution=distribution, edits=edits
        )
    change = ChangeRequest.objects.get(pk=change.pk)
    change = decisions.change_request_submit(actor=Actor(requester), change_request=change, checklist=CHECKED)
    started, cpu = time.perf_counter(), time.process_time()
    decisions.change_request_approve(actor=Actor(approver), change_request=change)
    return change, time.perf_counter() - started, time.process_time() - cpu


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
    change, _, _ = approved_change(requester, approver, [(distribution, edits)])
    sandbox.reset_calls()
    apply_inline(change)
    applied = sandbox.calls()
    follow_inline(change)
    change.refresh_from_db()
    print(f"(a) One change, {BEHAVIORS} behaviors of one distribution -> {change.status}")
    print(f"    apply:               {environment.format_calls(applied)}")
    print(f"    apply + deploy poll: {environment.format_calls(sandbox.calls())}")


class Workers:
    """The deployed Celery worker, inline: WORKER_CONCURRENCY threads (docker-compose runs the worker with
    `--concurrency 4`) taking steps from one queue, each step run when it is due (the countdown the step
    asked for, pulled items at once), never earlier; stops once no item of the change is left to apply.

    Threads, not processes: the in-process sandbox, the cache pacing shares and the database are the same
    for all of them, as Redis and PostgreSQL are for the deployed worker's processes (Celery's default
    prefork pool); the GIL they share (with the sandbox) is this bench's, not production's.

    Deployment polls are not followed (EDGEGUARD_DEPLOY_POLL_SECONDS is raised for the run): the figure is
    approval to all-applied. Once a second it counts items showing a throttling error (users would see
    them on the change's page)."""

    def __init__(self, change: ChangeRequest, concurrency: int | None = None) -> None:
        self.change = change
        self.concurrency = concurrency or WORKER_CONCURRENCY
        self.queue: list[tuple[float, int, int, int | None]] = []
        self.order = itertools.count()
        self.throttle_errors_seen: set[int] = set()
        self.ready = threading.Condition()
        self.busy = 0
        self.steps = 0
        self.stopped = False
        self.looked = time.time()
        self.failures: list[BaseException] = []

    def push(self, due: float, item_id: int, step: int | None) -> None:
        with self.ready:
            heapq.heappush(self.queue, (due, next(self.order), item_id, step))
            self.ready.notify()

    def run(self) -> int:
        """Run the change's steps; returns how many steps ran."""
        for item_id, countdown, step in apply.change_apply_start(change_request_id=self.change.pk):
            self.push(time.time() + countdown, item_id, step)
        threads = [threading.Thread(target=self._thread) for _ in range(self.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if self.failures:
            raise self.failures[0]
        self._look()
        return self.steps

    def _thread(self) -> None:
        try:
            while (task := self._next()) is not None:
                item_id, step = task
                try:
                    following = apply.item_advance(item_id=item_id, step=step)
                    # Queued before the step counts as done, so no thread finds the queue empty between.
                    for pulled_id, pulled_step in following.pulled:
                        self.push(time.time(), pulled_id, pulled_step)
                    for later_id, countdown, later_step in following.later:
                        if countdown < DEPLOY_POLL:
                            self.push(time.time() + countdown, later_id, later_step)
                    if following.countdown is not None and following.countdown < DEPLOY_POLL:
                        self.push(time.time() + following.countdown, item_id, following.step)
                finally:
                    with self.ready:
                        self.busy -= 1
                        self.steps += 1
                        self.ready.notify_all()
                if time.time() - self.looked >= 1:
                    self.looked = time.time()
                    self._look()
        except BaseException as error:  # noqa: BLE001 - re-raised by run()
            self.failures.append(error)
            with self.ready:
                self.stopped = True
                self.ready.notify_all()
        finally:
            connections.close_all()

    def _next(self) -> tuple[int, int | None] | None:
        """The next due step (waiting for it), or None once nothing is left to run."""
        with self.ready:
            while True:
                if self.stopped:
                    return None
                if not self.queue:
                    if self.busy == 0:
                        self.stopped = True
                        self.ready.notify_all()
                        return None
                    self.ready.wait()
                    continue
                due = self.queue[0][0]
                if due <= time.time():
                    _, _, item_id, step = heapq.heappop(self.queue)
                    self.busy += 1
                    return item_id, step
                # Only before waiting does a thread look whether anything is left (a query per step would
                # be the bench's cost, not Edgeguard's): the parked steps still queued may all be stale.
                if self.busy == 0 and not self._unapplied():
                    self.stopped = True
                    self.ready.notify_all()
                    return None
                self.ready.wait(timeout=due - time.time())

    def _unapplied(self) -> bool:
        return self.change.items.filter(status__in=["pending", "applying"]).exists()

    def _look(self) -> None:
        shown = self.change.items.filter(error_code__in=THROTTLE_CODES).values_list("pk", flat=True)
        self.throttle_errors_seen.update(shown)


def change_run(sandbox, account: Account, requester: User, approver: User, ids: list[str]) -> dict:
    """Plan and approve one change over `ids`, then run it on the inline worker: seconds and what it cost."""
    distributions = list(account.distributions.filter(distribution_id__in=ids).prefetch_related("behaviors"))
    plans = [(d, [SetViewerProtocolPolicy(path_pattern="default", policy=_next(d))]) for d in distributions]
    change, approve_seconds, approve_cpu = approved_change(requester, approver, plans)
    sandbox.reset_calls()
    rejected_before = sandbox.faults.describe()["rejected"].get("UpdateDistribution", 0)
    worker = Workers(change)
    with override_settings(EDGEGUARD_DEPLOY_POLL_SECONDS=DEPLOY_POLL):
        started, cpu = time.perf_counter(), time.process_time()
        steps = worker.run()
        seconds = time.perf_counter() - started + approve_seconds
        cpu = time.process_time() - cpu + approve_cpu
    items = change.items.all()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "approve_seconds": approve_seconds,
        "approve_cpu": approve_cpu,
        "steps": steps,
        "calls": sandbox.calls(),
        "throttled": sandbox.faults.describe()["rejected"].get("UpdateDistribution", 0) - rejected_before,
        "applied": items.filter(applied_at__isnull=False).count(),
        "failed": items.filter(status="failed").count(),
        "errors_seen": len(worker.throttle_errors_seen),
        "rate": pacing.pace_rate(account_pk=account.pk),
    }


def across_fleet(
    sandbox, cloudfront, account: Account, requester: User, approver: User, count: int, skip_throttled: bool
) -> None:
    """(b) One change across `count` distributions beside a bare boto3 loop; (c) the same against an
    account throttled at a fixed sustainable rate."""
    ids = sandbox.seed_bulk(count, prefix="fleet")
    account_sync(account=account, trigger="command")
    # Every config read once, untimed: the sandbox's first answer for each is the slower one, and whichever
    # side ran first would pay for it.
    for distribution_id in ids:
        cloudfront.get_distribution_config(Id=distribution_id)
    cache.clear()  # the account's rate as on a first change: nothing learned yet
    run = change_run(sandbox, account, requester, approver, ids)
    sandbox.reset_calls()
    bare, bare_cpu = _timed(lambda: bare_loop(cloudfront, ids))
    bare_calls = environment.format_calls(sandbox.calls())
    print(
        f"(b) One change across {count} distributions, nothing throttles, default pacing settings"
        f" ({environment.database_name()}; Edgeguard's worker {WORKER_CONCURRENCY} threads,"
        " the bare loop one)"
    )
    print("                                          wall s    CPU s")
    print(
        f"    Edgeguard, approval to all-applied:  {run['seconds']:7.2f}  {run['cpu']:7.2f}  "
        f"{environment.format_calls(run['calls'])}"
    )
    print(f"    bare boto3 loop (Get+Update each):   {bare:7.2f}  {bare_cpu:7.2f}  {bare_calls}")
    print(
        f"    Edgeguard / bare:                    {run['seconds'] / bare:6.2f}x"
        f"  {run['cpu'] / bare_cpu:6.2f}x  (goal <= 1.3x)"
    )
    print(
        f"      ({run['applied']} applied, {run['failed']} failed, {run['steps']} worker steps; "
        f"the account's rate ended at {run['rate']:.1f}/s;"
        f" the approval alone {run['approve_seconds']:.2f} s, {run['approve_cpu']:.2f} CPU s)"
    )

    if skip_throttled:
        return
    account_sync(account=account, trigger="command")
    cache.clear()
    sandbox.faults.rate_limit(
        account.account_id, per_second=SUSTAINED_RATE, burst=SUSTAINED_RATE, actions=["UpdateDistribution"]
    )
    run = change_run(sandbox, account, requester, approver, ids)
    sandbox.faults.clear()
    achieved = run["applied"] / run["seconds"]
    print(
        f"(c) The same change, the account throttling UpdateDistribution above {SUSTAINED_RATE:g}/s "
        f"(burst {SUSTAINED_RATE:g})"
    )
    print(
        f"    Edgeguard, approval to all-applied: {run['seconds']:6.2f} s  "
        f"{environment.format_calls(run['calls'])}"
    )
    print(
        f"    floor (every update at the sustainable rate): {count / SUSTAINED_RATE:6.2f} s;"
        f" achieved {achieved:.2f} updates/s = {achieved / SUSTAINED_RATE:.0%} of the rate"
    )
    print(
        f"    throttled by AWS (retried, invisible): {run['throttled']};"
        f" throttling errors users saw: {run['errors_seen']}; failed items: {run['failed']};"
        f" the account's rate ended at {run['rate']:.1f}/s"
    )


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


def _timed(work: Callable[[], None]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of `work` (this process's CPU: the sandbox's and the client's, no other
    process's, so the ratio of two CPU figures holds on a loaded machine where wall clocks stretch)."""
    started, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distributions", type=int, default=500, metavar="N")
    parser.add_argument("--skip-throttled", action="store_true", help="leave out (c)")
    arguments = parser.parse_args()
    count = arguments.distributions

    sandbox = environment.sandbox_started(deploy_seconds=0)
    cloudfront = boto3.client("cloudfront", endpoint_url=sandbox.endpoint_url)
    account = Account.objects.create(name="main", account_id="123456789012")
    requester, approver = make_user("alice", "requester"), make_user("bob", "approver")
    ten_behaviors(sandbox, cloudfront, account, requester, approver)
    across_fleet(sandbox, cloudfront, account, requester, approver, count, arguments.skip_throttled)
    sandbox.stop()


if __name__ == "__main__":
    main()
