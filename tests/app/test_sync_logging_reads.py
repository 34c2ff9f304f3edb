"""Sync's reads of each distribution's logging settings (one GetDistributionConfig each), several at once.

The reader first (a fake gateway, to decide who answers when), then sync against the sandbox: which
distributions are read, what is stored when a read fails, and that no transaction is open meanwhile.
"""

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from distributions.gateway import AccessDenied, CloudFrontGateway, NotFound
from distributions.models import Distribution
from distributions.services.logging_config import LOGGING_OFF, LoggingReader
from distributions.services.sync import account_sync

WAIT = 5  # seconds a fake answer waits for another at most (a hang fails the test, it does not block it)


def _logging(distribution_id: str) -> dict[str, Any]:
    return {"Enabled": True, "IncludeCookies": False, "Bucket": f"{distribution_id}.s3", "Prefix": "cf/"}


class FakeGateway:
    """Answers GetDistributionConfig with a Logging naming the distribution; `script` makes one id wait
    for a condition, fail or be gone. Records the ids asked, from any thread."""

    def __init__(self, script: dict[str, Any] | None = None) -> None:
        self.script = script or {}
        self.asked: list[str] = []
        self.answered: list[str] = []
        self.lock = threading.Lock()

    def get_distribution_config(self, distribution_id: str) -> tuple[dict[str, Any], str]:
        with self.lock:
            self.asked.append(distribution_id)
        action = self.script.get(distribution_id)
        if callable(action):
            action()
        elif isinstance(action, Exception):
            raise action
        with self.lock:
            self.answered.append(distribution_id)
        return {"Logging": _logging(distribution_id)}, "ETAG"


def _until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT} s for {what}")
        time.sleep(0.001)


def test_it_reads_each_id_once_and_gives_each_its_own_answer_whatever_order_they_come_in():
    gateway = FakeGateway()
    # c answers first, then b, then a.
    gateway.script = {
        "a": lambda: _until(lambda: "b" in gateway.answered, "b"),
        "b": lambda: _until(lambda: "c" in gateway.answered, "c"),
    }
    reader = LoggingReader(gateway, workers=3)

    reads = reader.read_many(["a", "b", "c", "a"])

    assert gateway.answered == ["c", "b", "a"]
    assert sorted(gateway.asked) == ["a", "b", "c"]
    assert reads == {name: _logging(name) for name in "abc"}


def test_a_distribution_without_logging_reads_as_logging_off():
    class Bare(FakeGateway):
        def get_distribution_config(self, distribution_id):
            return {}, "ETAG"

    assert LoggingReader(Bare(), workers=2).read_many(["a", "b"]) == {"a": LOGGING_OFF, "b": LOGGING_OFF}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failure_starts_no_more_reads_and_keeps_those_under_way(workers):
    gateway = FakeGateway()
    reader = LoggingReader(gateway, workers=workers)
    denied = AccessDenied("no", code="AccessDenied")
    gateway.script = {"b": denied}
    if workers > 1:
        # a is under way when b fails: it finishes, and is kept; c, d, e are never asked.
        gateway.script["a"] = lambda: _until(lambda: reader.failure is not None, "b's failure")

    reads = reader.read_many(["a", "b", "c", "d", "e"])

    assert sorted(gateway.asked) == ["a", "b"]
    assert reads == {"a": _logging("a")}
    assert reader.failure is denied
    assert reader.read_many(["f"]) == {}  # and none later in the same sync
    assert sorted(gateway.asked) == ["a", "b"]


@pytest.mark.parametrize("workers", [1, 4])
def test_a_distribution_gone_meanwhile_is_left_unread_alone(workers):
    gateway = FakeGateway({"b": NotFound("gone", code="NoSuchDistribution")})
    reader = LoggingReader(gateway, workers=workers)

    reads = reader.read_many(["a", "b", "c", "d"])

    assert reads == {name: _logging(name) for name in "acd"}
    assert reader.failure is None


def test_an_unexpected_error_is_raised_and_stops_the_other_reads():
    gateway = FakeGateway()
    gateway.script = {
        "a": lambda: _until(lambda: "b" in gateway.asked, "b"),
        "b": KeyError("DistributionConfig"),
    }
    reader = LoggingReader(gateway, workers=2)

    with pytest.raises(KeyError):
        reader.read_many(["a", "b", "c", "d"])
    assert sorted(gateway.asked) == ["a", "b"]


# -- sync against the sandbox -------------------------------------------------------------------------------


class Asked:
    """The ids sync read configs of (from any thread); the most reads under way at once; and any read made
    with a transaction open, or from a thread that connected to the database."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.trouble: list[str] = []
        self.under_way = self.most_under_way = 0


@pytest.fixture
def asked(monkeypatch):
    seen = Asked()
    lock = threading.Lock()
    main = threading.main_thread()
    # Tests run inside pytest-django's transaction: an atomic block beyond that one is sync's own.
    outer = len(connection.atomic_blocks)
    original = CloudFrontGateway.get_distribution_config

    def spy(self, distribution_id):
        if threading.current_thread() is main and len(connection.atomic_blocks) > outer:
            seen.trouble.append(f"{distribution_id} read inside a transaction")
        with lock:
            seen.under_way += 1
            seen.most_under_way = max(seen.most_under_way, seen.under_way)
        try:
            return original(self, distribution_id)
        finally:
            with lock:
                seen.under_way -= 1
                seen.calls.append(distribution_id)
                if threading.current_thread() is not main and connections["default"].connection is not None:
                    seen.trouble.append(f"{distribution_id}'s thread connected to the database")

    monkeypatch.setattr(CloudFrontGateway, "get_distribution_config", spy)
    return seen


def _config(client, distribution_id):
    response = client.get_distribution_config(Id=distribution_id)
    return response["DistributionConfig"], response["ETag"]


@pytest.mark.django_db
@pytest.mark.parametrize("reads", [1, 4])
def test_it_reads_exactly_the_new_changed_unread_and_moved_ones(
    sandbox, account, cloudfront_client, settings, asked, reads
):
    settings.EDGEGUARD_SYNC_CONFIG_READS = reads
    calls, trouble = asked.calls, asked.trouble
    ids = sandbox.seed_bulk(150)  # two pages
    sandbox.reset_calls()
    first = account_sync(account=account, trigger="command")
    assert first.status == "succeeded", first.error
    assert sorted(calls) == sorted(ids)
    # At most `reads` at once (150 reads on 4 threads overlap, whatever the machine's load).
    assert asked.most_under_way == reads if reads == 1 else 1 < asked.most_under_way <= reads
    # Counted once per call, from every thread.
    assert first.api_calls["cloudfront:GetDistributionConfig"] == 150
    assert sandbox.calls()["GetDistributionConfig"] == 150
    assert not Distribution.objects.filter(logging__isnull=True).exists()

    changed, never_read, moved = ids[3], ids[120], ids[140]
    config, etag = _config(cloudfront_client, changed)
    config["Comment"] = "changed"
    cloudfront_client.update_distribution(Id=changed, DistributionConfig=config, IfMatch=etag)
    Distribution.objects.filter(distribution_id=never_read).update(logging=None)
    config, etag = _config(cloudfront_client, moved)
    config["Logging"] = {**_logging(moved), "Bucket": "moved.s3.amazonaws.com"}
    cloudfront_client.update_distribution(Id=moved, DistributionConfig=config, IfMatch=etag)
    (new,) = sandbox.seed_bulk(1, prefix="later")
    calls.clear()

    run = account_sync(account=account, trigger="command")

    assert sorted(calls) == sorted([changed, never_read, moved, new])
    assert (run.created_count, run.updated_count, run.unchanged_count) == (1, 1, 149)
    assert Distribution.objects.get(distribution_id=moved).logging["Bucket"] == "moved.s3.amazonaws.com"
    assert Distribution.objects.get(distribution_id=never_read).logging is not None
    assert not trouble
    calls.clear()
    account_sync(account=account, trigger="command")
    assert calls == []  # unchanged: no call


@pytest.mark.django_db
def test_a_failure_mid_page_leaves_the_rest_unread_and_the_sync_whole_then_the_next_sync_reads_them(
    sandbox, account, settings, asked
):
    settings.EDGEGUARD_SYNC_CONFIG_READS = 4
    calls, trouble = asked.calls, asked.trouble
    sandbox.seed_bulk(60)
    sandbox.faults.fail_next("GetDistributionConfig", 1, "AccessDenied", status=403)

    run = account_sync(account=account, trigger="command")

    assert (run.status, run.created_count) == ("succeeded", 60)
    # The failure stopped the reading: what was answered is stored, the failed one and the rest are not.
    assert len(calls) < 60
    assert Distribution.objects.filter(logging__isnull=False).count() == len(calls) - 1
    unread = set(Distribution.objects.filter(logging__isnull=True).values_list("distribution_id", flat=True))
    assert len(unread) == 60 - len(calls) + 1
    calls.clear()

    again = account_sync(account=account, trigger="command")

    assert again.status == "succeeded"
    assert set(calls) == unread
    assert not Distribution.objects.filter(logging__isnull=True).exists()
    assert not trouble


@pytest.mark.django_db
def test_a_distribution_gone_meanwhile_leaves_only_itself_unread(sandbox, account, settings, asked):
    settings.EDGEGUARD_SYNC_CONFIG_READS = 4
    calls = asked.calls
    sandbox.seed_bulk(30)
    sandbox.faults.fail_next("GetDistributionConfig", 1, "NoSuchDistribution", status=404)

    run = account_sync(account=account, trigger="command")

    assert run.status == "succeeded", run.error
    assert len(calls) == 30
    assert Distribution.objects.filter(logging__isnull=True).count() == 1


@pytest.mark.django_db
def test_a_throttled_read_is_retried_by_its_own_thread(sandbox, account, settings, asked):
    settings.EDGEGUARD_SYNC_CONFIG_READS = 4
    ids = sandbox.seed_bulk(20)
    sandbox.faults.fail_next("GetDistributionConfig", 2, "Throttling")

    run = account_sync(account=account, trigger="command")

    assert run.status == "succeeded", run.error
    assert sorted(asked.calls) == sorted(ids)  # each read once, as the gateway sees it
    assert run.api_calls["cloudfront:GetDistributionConfig"] == 22  # botocore's two retries, counted
    assert not Distribution.objects.filter(logging__isnull=True).exists()


@pytest.mark.django_db
def test_a_changed_distribution_left_unread_by_a_failure_is_read_by_the_next_sync(
    sandbox, account, cloudfront_client, settings, asked
):
    """Its old settings are kept, and so is its old LastModifiedTime: the next sync sees the time moved and
    reads the settings, rather than taking the old ones as current for ever."""
    settings.EDGEGUARD_SYNC_CONFIG_READS = 1
    (changed,) = sandbox.seed_bulk(1)
    account_sync(account=account, trigger="command")
    config, etag = _config(cloudfront_client, changed)
    config["Comment"] = "changed"
    config["Logging"] = {**_logging(changed), "Bucket": "new.s3.amazonaws.com"}
    cloudfront_client.update_distribution(Id=changed, DistributionConfig=config, IfMatch=etag)
    sandbox.faults.fail_next("GetDistributionConfig", 1, "AccessDenied", status=403)
    asked.calls.clear()

    run = account_sync(account=account, trigger="command")

    assert (run.status, run.updated_count, asked.calls) == ("succeeded", 1, [changed])
    stored = Distribution.objects.get(distribution_id=changed)
    assert stored.comment == "changed" and stored.logging["Bucket"] != "new.s3.amazonaws.com"

    account_sync(account=account, trigger="command")

    assert asked.calls == [changed, changed]
    assert Distribution.objects.get(distribution_id=changed).logging["Bucket"] == "new.s3.amazonaws.com"
