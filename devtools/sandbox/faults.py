"""Fault injection and call counting, switchable while the sandbox runs.

Both are process-wide (like moto's own state) and thread-safe, because the server answers each request on
its own thread. Counts are exact: every request that reaches an AWS action is counted once, including the
ones a fault rejects, since a real client pays for those too.
"""

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from .errors import SandboxError, throttling


@dataclass
class _TokenBucket:
    """Allows ``per_second`` calls a second with a burst of ``burst`` calls (default: one second's worth,
    at least one call)."""

    per_second: float
    burst: float | None = None
    tokens: float = field(init=False)
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    @property
    def capacity(self) -> float:
        return self.burst if self.burst is not None else max(1.0, self.per_second)

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass
class _PendingFailure:
    remaining: int
    code: str
    message: str
    status: int | None


@dataclass
class _AccountLimit:
    """A sustained rate for one account: one bucket shared by ``actions`` (None: every action)."""

    bucket: _TokenBucket
    actions: frozenset[str] | None


class Faults:
    """Throttling per action or per account, one-shot failures of an action's next N calls, and latency."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latency: dict[str | None, float] = {}
        self._buckets: dict[str, _TokenBucket] = {}
        self._accounts: dict[str, _AccountLimit] = {}
        self._failures: dict[str, list[_PendingFailure]] = {}
        self.rejected: Counter[str] = Counter()

    def throttle(self, action: str, per_second: float) -> None:
        """Answer ``Throttling`` / "Rate exceeded" to calls of ``action`` above ``per_second``."""
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        with self._lock:
            self._buckets[action] = _TokenBucket(per_second)

    def rate_limit(
        self,
        account: str,
        per_second: float,
        *,
        burst: float | None = None,
        actions: list[str] | tuple[str, ...] | None = None,
    ) -> None:
        """Hold ``account`` to ``per_second`` calls a second (a token bucket holding ``burst`` calls,
        default one second's worth), counted over ``actions`` (default every action); calls above the
        rate answer ``Throttling`` / "Rate exceeded", as AWS does when an account exceeds its API rate."""
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        if burst is not None and burst < 1:
            raise ValueError("burst must be at least 1")
        limit = _AccountLimit(_TokenBucket(per_second, burst), frozenset(actions) if actions else None)
        with self._lock:
            self._accounts[str(account)] = limit

    def fail_next(
        self,
        action: str,
        count: int = 1,
        code: str = "Throttling",
        message: str | None = None,
        status: int | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``action`` fail with ``code`` (queued after earlier ones)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        default_message = "Rate exceeded" if code == "Throttling" else f"Injected {code} by the sandbox."
        failure = _PendingFailure(count, code, message or default_message, status)
        with self._lock:
            self._failures.setdefault(action, []).append(failure)

    def latency(self, seconds: float, actions: list[str] | tuple[str, ...] | None = None) -> None:
        """Answer each call of ``actions`` (default every action) ``seconds`` late, as a distant endpoint
        does: each request waits on its own thread, so calls made at once wait at once. 0 removes it."""
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        keys: list[str | None] = list(actions) if actions else [None]
        with self._lock:
            for action in keys:
                if seconds:
                    self._latency[action] = seconds
                else:
                    self._latency.pop(action, None)

    def clear(self) -> None:
        """Remove every throttle, pending failure and latency (the rejected counts too)."""
        with self._lock:
            self._latency.clear()
            self._buckets.clear()
            self._accounts.clear()
            self._failures.clear()
            self.rejected.clear()

    def check(self, action: str, account: str = "") -> None:
        """Wait the action's latency, then raise the fault due for this call of ``action`` in ``account``, if
        any. Called once per request."""
        with self._lock:
            delay = self._latency.get(action, self._latency.get(None, 0.0))
        if delay:
            time.sleep(delay)
        error = self._due(action, account)
        if error is not None:
            with self._lock:
                self.rejected[action] += 1
            raise error

    def _due(self, action: str, account: str) -> SandboxError | None:
        with self._lock:
            queue = self._failures.get(action)
            if queue:
                failure = queue[0]
                failure.remaining -= 1
                if failure.remaining == 0:
                    queue.pop(0)
                return SandboxError(failure.code, failure.message, failure.status)
            bucket = self._buckets.get(action)
            if bucket is not None and not bucket.take():
                return throttling()
            limit = self._accounts.get(account)
            in_scope = limit is not None and (limit.actions is None or action in limit.actions)
            if limit is not None and in_scope and not limit.bucket.take():
                return throttling()
        return None

    def describe(self) -> dict[str, object]:
        """A JSON-ready view of the active faults, for the control endpoint."""
        with self._lock:
            return {
                "latency": {action or "*": seconds for action, seconds in self._latency.items()},
                "throttles": {action: bucket.per_second for action, bucket in self._buckets.items()},
                "rate_limits": {
                    account: {
                        "per_second": limit.bucket.per_second,
                        "burst": limit.bucket.capacity,
                        "actions": sorted(limit.actions) if limit.actions is not None else None,
                    }
                    for account, limit in self._accounts.items()
                },
                "fail_next": {
                    action: [{"count": f.remaining, "code": f.code, "status": f.status} for f in queue]
                    for action, queue in self._failures.items()
                    if queue
                },
                "rejected": dict(self.rejected),
            }


class CallCounter:
    """How many requests each AWS action received since the last reset."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def record(self, action: str) -> None:
        with self._lock:
            self._counts[action] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
