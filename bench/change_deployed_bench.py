"""A fleet change as deployed: the sandbox in a process of its own, a real Celery worker, a bare loop beside.

Run from the repo root: `.venv/bin/python bench/change_deployed_bench.py [--distributions N]` (default 500).

`change_bench.py` runs the worker's steps on threads of its own process, beside an in-process sandbox: one
interpreter lock for AWS, the worker and the bare loop, so its wall clock is a CPU figure. Here the shape is
production's: AWS (`manage.py sandbox`) answers from another process, and the change is applied by the worker
docker-compose runs (`celery -A dashboard worker --concurrency 4`, the prefork pool), taking its messages
from Redis (when 127.0.0.1:6379 answers; else the filesystem broker), pacing shared through the same
Redis, on the bench's database. The bare loop (GetDistributionConfig + UpdateDistribution, one after the
other, one client: what a script does) runs in this process against the same sandbox process.

Prints, for one change across N distributions, nothing throttling: the seconds from the approval to the last
UpdateDistribution (the items' `applied_at`), the bare loop's seconds, their ratio (the goal: at most 1.3),
and the CPU seconds each side spent (the worker's processes; the bare loop's client; the sandbox's process
for each), so the wall clock can be read against the work. Then the same with the sandbox answering each
call `--latency-ms` late (default 50: AWS's API is across a network, where a script waits on every call and
the worker overlaps them), then against an account that sustains a fixed UpdateDistribution rate: the share
of that rate achieved and the throttling errors users saw. Nothing is asserted.
"""

import argparse
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

import redis

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


if _redis_up():
    # The worker and this process share the broker and the cache (pacing's rate): production's Redis.
    os.environ.setdefault("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
    os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/12")

import change_bench  # noqa: E402
import environment  # noqa: E402  (sets the environment Django reads, then sets it up)
from change_bench import CHECKED, NEXT_POLICY, SUSTAINED_RATE, THROTTLE_CODES  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db.models import Max  # noqa: E402

from distributions.cloudfront.edits import SetViewerProtocolPolicy  # noqa: E402
from distributions.models import Account, ChangeRequest  # noqa: E402
from distributions.services import changes, decisions  # noqa: E402
from distributions.services.guards import Actor  # noqa: E402
from distributions.services.sync import account_sync  # noqa: E402
from tests.e2e import harness  # noqa: E402
from tests.factories import make_user  # noqa: E402

ACCOUNT = "123456789012"
CONCURRENCY = 4  # docker-compose.yml's worker
TIMEOUT = 600.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` and its live children (the prefork pool's processes)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, ..., utime (12th), stime (13th).
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def change_approved(account: Account, requester, approver, ids: list[str]) -> ChangeRequest:
    """Plan and submit a change over `ids` (each default behavior to its next policy); not yet approved."""
    change = changes.change_request_create(actor=Actor(requester), title="deployed bench")
    distributions = account.distributions.filter(distribution_id__in=ids).prefetch_related("behaviors")
    for distribution in distributions:
        default = next(b for b in distribution.behaviors.all() if b.is_default)
        edit = SetViewerProtocolPolicy(
            path_pattern="default", policy=NEXT_POLICY[default.viewer_protocol_policy]
        )
        changes.change_edits_add(
            actor=Actor(requester), change_request=change, distribution=distribution, edits=[edit]
        )
    change = ChangeRequest.objects.get(pk=change.pk)
    return decisions.change_request_submit(actor=Actor(requester), change_request=change, checklist=CHECKED)


def run_change(account, requester, approver, ids, worker_pid: int, sandbox_pid: int) -> dict:
    """Approve a change over `ids` and wait for every item to be applied (or failed)."""
    change = change_approved(account, requester, approver, ids)
    items = change.items.all()
    throttle_errors: set[int] = set()
    cpu_worker, cpu_sandbox = cpu_seconds(worker_pid), cpu_seconds(sandbox_pid)
    started_wall = time.time()
    decisions.change_request_approve(actor=Actor(approver), change_request=change)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        time.sleep(0.2)
        throttle_errors.update(items.filter(error_code__in=THROTTLE_CODES).values_list("pk", flat=True))
        if not items.filter(status__in=["pending", "applying"]).exists():
            break
    else:
        raise RuntimeError(f"the change was not applied within {TIMEOUT:.0f} s")
    cpu_worker, cpu_sandbox = cpu_seconds(worker_pid) - cpu_worker, cpu_seconds(sandbox_pid) - cpu_sandbox
    last = items.aggregate(last=Max("applied_at"))["last"]
    return {
        "seconds": last.timestamp() - started_wall,
        "cpu_worker": cpu_worker,
        "cpu_sandbox": cpu_sandbox,
        "applied": items.filter(applied_at__isnull=False).count(),
        "failed": items.filter(status="failed").count(),
        "errors_seen": len(throttle_errors),
    }


def bare_loop(cloudfront, ids: list[str], sandbox_pid: int) -> dict:
    """change_bench.py's bare loop (one client, one Get+Update after the other): wall and CPU seconds, this
    process's and the sandbox's."""
    cpu_sandbox = cpu_seconds(sandbox_pid)
    started, cpu = time.perf_counter(), time.process_time()
    change_bench.bare_loop(cloudfront, ids)
    return {
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "cpu_sandbox": cpu_seconds(sandbox_pid) - cpu_sandbox,
    }


def side_by_side(endpoint, account, requester, approver, ids, cloudfront, pids, label: str) -> None:
    """Edgeguard's change, then the bare loop, against the sandbox as it is set now."""
    account_sync(account=account, trigger="command")
    cache.clear()  # the account's rate as on a first change: nothing learned yet
    harness.control(endpoint, "DELETE", "calls")
    run = run_change(account, requester, approver, ids, *pids)
    calls = harness.control(endpoint, "GET", "calls")["calls"]
    bare = bare_loop(cloudfront, ids, pids[1])
    print(f"  {label}")
    print(
        f"    Edgeguard, approval to applied:  {run['seconds']:7.2f}  {run['cpu_worker']:10.2f}"
        f"  {run['cpu_sandbox']:14.2f}   {environment.format_calls(calls)}"
    )
    print(
        f"    bare boto3 loop (Get+Update):    {bare['seconds']:7.2f}  {bare['cpu']:10.2f}"
        f"  {bare['cpu_sandbox']:14.2f}"
    )
    print(
        f"    Edgeguard / bare:                {run['seconds'] / bare['seconds']:6.2f}x"
        f"  {run['cpu_worker'] / bare['cpu']:9.2f}x   (goal: wall <= 1.3x; {run['applied']} applied,"
        f" {run['failed']} failed)"
    )


def throttled(endpoint, account, requester, approver, ids, pids) -> None:
    """The change against an account that sustains SUSTAINED_RATE updates a second."""
    account_sync(account=account, trigger="command")
    cache.clear()
    limit = {"account": ACCOUNT, "per_second": SUSTAINED_RATE, "burst": SUSTAINED_RATE}
    harness.control(endpoint, "POST", "faults", {"rate_limit": {**limit, "actions": ["UpdateDistribution"]}})
    run = run_change(account, requester, approver, ids, *pids)
    rejected = harness.control(endpoint, "GET", "faults")["rejected"].get("UpdateDistribution", 0)
    harness.control(endpoint, "DELETE", "faults")
    achieved = run["applied"] / run["seconds"]
    print(
        f"  the account sustaining {SUSTAINED_RATE:g} UpdateDistribution a second (burst {SUSTAINED_RATE:g})"
    )
    print(
        f"    {run['seconds']:.2f} s for a {len(ids) / SUSTAINED_RATE:.2f} s floor: {achieved:.2f} updates/s"
        f" = {achieved / SUSTAINED_RATE:.0%} of the rate; throttled by AWS (retried): {rejected};"
        f" throttling errors users saw: {run['errors_seen']}; failed: {run['failed']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distributions", type=int, default=500, metavar="N")
    parser.add_argument("--skip-throttled", action="store_true", help="leave out the throttled account")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="the second run's AWS latency")
    arguments = parser.parse_args()
    count = arguments.distributions

    for url in (settings.CELERY_BROKER_URL, os.environ.get("CACHE_URL", "")):
        if url.startswith("redis://"):
            # Messages an earlier run left (its items' later steps) would reach this run's items: same ids.
            redis.Redis.from_url(url).flushdb()
    log_dir = Path(tempfile.mkdtemp(prefix="edgeguard-bench-logs-"))
    env = harness.child_environment(LOG_LEVEL="WARNING")
    sandbox, endpoint = harness.start_sandbox(log_dir, deploy_seconds=0, env=env)
    worker = None
    try:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        env["AWS_ENDPOINT_URL"] = endpoint
        # Deployment polls are not followed: the figure is approval to all-applied.
        env["EDGEGUARD_DEPLOY_POLL_SECONDS"] = "3600"
        # Database connections kept between tasks, as deployed (settings.py's default; settings_test's 0
        # would open a PostgreSQL connection per task).
        env["DATABASE_CONN_MAX_AGE"] = harness.WORKER_SETTINGS["DATABASE_CONN_MAX_AGE"]
        account = Account.objects.create(name="main", account_id=ACCOUNT)
        requester, approver = make_user("alice", "requester"), make_user("bob", "approver")
        ids = harness.control(endpoint, "POST", "bulk", {"count": count, "account": ACCOUNT})["ids"]
        account_sync(account=account, trigger="command")
        cloudfront = harness.LiveSandbox(endpoint).client()
        for distribution_id in ids:  # each config answered once, untimed (the first answer is the slow one)
            cloudfront.get_distribution_config(Id=distribution_id)
        argv = [str(harness.CELERY), "-A", "dashboard", "worker", f"--concurrency={CONCURRENCY}"]
        argv += ["--loglevel=INFO", f"--hostname=bench-{os.getpid()}@%h", "--without-gossip"]
        worker = harness.spawn("worker", argv, env, log_dir)
        _wait_ready(worker)
        broker = settings.CELERY_BROKER_URL.split("://")[0]
        print(
            f"One change across {count} distributions ({environment.database_name()}, {broker} broker; "
            f"sandbox in its own process; Celery worker --concurrency {CONCURRENCY}, prefork; "
            f"{os.cpu_count()} cores)"
        )
        print("                                        wall s   CPU s (own)   CPU s (sandbox)")
        pids = worker.process.pid, sandbox.process.pid
        side_by_side(endpoint, account, requester, approver, ids, cloudfront, pids, "nothing throttles")
        latency = arguments.latency_ms / 1000
        harness.control(endpoint, "POST", "faults", {"latency": {"seconds": latency}})
        label = f"AWS answering {arguments.latency_ms:g} ms late"
        side_by_side(endpoint, account, requester, approver, ids, cloudfront, pids, label)
        harness.control(endpoint, "DELETE", "faults")
        if not arguments.skip_throttled:
            throttled(endpoint, account, requester, approver, ids, pids)
    finally:
        if worker is not None:
            worker.stop()
        sandbox.stop()


def _wait_ready(worker) -> None:
    try:
        worker.wait_for_line(harness.WORKER_READY, timeout=60)
    except BaseException:
        worker.stop(kill=True)
        raise


if __name__ == "__main__":
    sys.exit(main())
