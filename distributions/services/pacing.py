"""How fast the worker writes to one AWS account: a rate that adapts (AIMD), shared through the cache.

AWS publishes no CloudFront control-plane rate and enforces it per account, so a fixed spacing is either
too slow (an idle account) or too fast (a busy one). Each account has a rate of UpdateDistribution calls a
second that starts at EDGEGUARD_UPDATE_RATE_START and

- while nothing throttles, grows: multiplicatively until the first throttle (TCP's slow start: each success
  adds SLOW_START_GAIN calls a second, so a rate in full use grows e**3, about twentyfold, a second: from
  5/s to the ceiling of 100/s in about a second), then additively, by about a tenth of the rate that last
  throttled per second (a success adds that tenth divided by the rate: congestion avoidance);
- on a throttle, shrinks multiplicatively (×0.7, at most once a second, down to EDGEGUARD_UPDATE_RATE_MIN);

bounded by EDGEGUARD_UPDATE_RATE_MAX. Why a fast slow start: an account that throttles costs a few
retried calls in the first second or two (the rate overshoots, is cut by 0.7 once a second and settles
near what the account sustains), whereas a slow ramp taxes every first change of every idle account (at one
call a second per success the ramp from 5/s took over 3 s, a fifth of a 500-distribution change here).
Why a ceiling of 100/s: it only bounds an account that never throttles; it sits above what one worker
achieves (about 40 updates a second against the in-process sandbox), so it never is what slows a change,
and AWS throttles real accounts far below it. Calls are spaced by the rate (GCRA: each reservation moves the
account's "theoretical arrival time" on by 1/rate), and a reservation is never made more than HORIZON
seconds ahead (a quarter of a second in slow start, so that each success's growth is used at once), so a
rate learned now is used within seconds. The learned rate is kept for a day: the next
change starts where this one ended.

Why not botocore's adaptive retry mode: its token bucket lives in one client in one process, so N worker
processes would each learn the account's rate alone and together exceed it N times over, and it sleeps in
the calling thread where the worker schedules instead. Here the state is one cache entry per account, so
every worker of every host shares it when CACHE_URL names a Redis (per process with the local-memory
default). Updates are serialized with a short lock taken by `cache.add` (atomic on Redis and locmem); should
the cache be unreachable, calls go unpaced and throttles are still retried, never shown as errors.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# Reservations go at most this far ahead; items further back wait parked (apply.py pulls them in).
HORIZON_SECONDS = 2.0
# A decrease at most once per window: the throttles of calls already in flight tell nothing new.
DECREASE_WINDOW_SECONDS = 1.0
DECREASE_FACTOR = 0.7
# Before the first throttle, each success adds this many calls a second (slow start: exponential growth).
SLOW_START_GAIN = 3.0
# After the first throttle, the rate grows by this share of the rate that last throttled, per second.
ADDITIVE_SHARE = 1 / 10
# A slot this close is waited for where the call is: cheaper than a round trip through the broker.
INLINE_WAIT_SECONDS = 0.25
# In slow start (below the ceiling) reservations go at most this far ahead, all waited for inline: slots
# booked at the low rate of a moment ago would otherwise hold the growing rate back for HORIZON_SECONDS.
SLOW_START_HORIZON_SECONDS = INLINE_WAIT_SECONDS
MEMORY_SECONDS = 24 * 3600
# The least a throttled call waits before its next try.
MIN_DEFER_SECONDS = 0.05
_LOCK_SECONDS = 5
_LOCK_TRIES = 200
_PREFIX = "edgeguard:pace"
# The clock every worker shares, and how a short wait is waited (a test substitutes its own).
clock = time.time
sleep = time.sleep


@dataclass(frozen=True)
class Rule:
    """The bounds of an account's rate, in calls a second."""

    start: float
    floor: float
    ceiling: float

    @classmethod
    def from_settings(cls) -> Rule:
        return cls(
            start=settings.EDGEGUARD_UPDATE_RATE_START,
            floor=settings.EDGEGUARD_UPDATE_RATE_MIN,
            ceiling=settings.EDGEGUARD_UPDATE_RATE_MAX,
        )


@dataclass
class Pace:
    """One account's pacing state: pure arithmetic on a clock the caller passes (tests use a fake one)."""

    rate: float
    # When the next call may go (GCRA's theoretical arrival time), on the time.time() clock.
    tat: float = 0.0
    slow_start: bool = True
    # The rate when AWS last throttled (0: never), and when the rate was last decreased.
    throttled_rate: float = 0.0
    decreased_at: float = -math.inf

    def reserve(self, now: float, horizon: float = HORIZON_SECONDS) -> float | None:
        """Reserve the next call: seconds to wait for it, or None if it would be beyond the horizon."""
        slot = max(self.tat, now)
        if slot - now > horizon:
            return None
        self.tat = slot + 1 / self.rate
        return slot - now

    def succeeded(self, rule: Rule) -> None:
        if self.slow_start:
            self.rate += SLOW_START_GAIN
        else:
            self.rate += max(self.throttled_rate, rule.floor) * ADDITIVE_SHARE / self.rate
        self.rate = min(self.rate, rule.ceiling)

    def throttled(self, rule: Rule, now: float) -> None:
        self.slow_start = False
        if now - self.decreased_at < DECREASE_WINDOW_SECONDS:
            return
        self.throttled_rate = self.rate
        self.rate = max(rule.floor, self.rate * DECREASE_FACTOR)
        self.decreased_at = now
        # AWS just said the account's bucket is empty: nothing else goes before one interval has passed.
        self.tat = max(self.tat, now + 1 / self.rate)

    def horizon(self, rule: Rule) -> float:
        """How far ahead calls are reserved: briefly while the rate still grows fast, else HORIZON_SECONDS."""
        if self.slow_start and self.rate < rule.ceiling:
            return SLOW_START_HORIZON_SECONDS
        return HORIZON_SECONDS

    def window(self, horizon: float = HORIZON_SECONDS) -> int:
        """How many calls fit in the horizon at the current rate (at least one)."""
        return max(1, math.ceil(self.rate * horizon))

    def reserve_more(self, now: float, count: int) -> list[float]:
        """Reserve up to `count` more calls, each slot within INLINE_WAIT_SECONDS of `now` (waited for
        where the caller is): the seconds from `now` to each slot."""
        delays: list[float] = []
        while len(delays) < count and (delay := self.reserve(now, INLINE_WAIT_SECONDS)) is not None:
            delays.append(delay)
        return delays

    def batch(self, limit: int) -> int:
        """How many calls one worker step makes in a row: its own, then one for each slot that comes within
        INLINE_WAIT_SECONDS at the current rate; at least one, at most `limit`."""
        return max(1, min(limit, 1 + math.floor(self.rate * INLINE_WAIT_SECONDS)))


@dataclass(frozen=True)
class Room:
    """What may start now on an account: `window` calls fit in its horizon, `batch` of them in one step."""

    window: int
    batch: int

    @classmethod
    def of(cls, pace: Pace, rule: Rule) -> Room:
        return cls(pace.window(pace.horizon(rule)), pace.batch(settings.EDGEGUARD_APPLY_BATCH))


# -- shared through the cache ---------------------------------------------------------------------


def _key(account_pk: int) -> str:
    return f"{_PREFIX}:{account_pk}"


@contextmanager
def _locked(account_pk: int) -> Iterator[None]:
    lock, token = f"{_key(account_pk)}:lock", uuid.uuid4().hex
    for _ in range(_LOCK_TRIES):
        if cache.add(lock, token, _LOCK_SECONDS):
            break
        time.sleep(0.002)
    else:
        logger.warning("pacing lock of account %s busy; going on without it", account_pk)
    try:
        yield
    finally:
        if cache.get(lock) == token:
            cache.delete(lock)


def _update(account_pk: int, change: Callable[[Pace, Rule, float], object], now: float | None) -> object:
    """Apply `change` to the account's stored Pace under its lock; the result of `change`."""
    rule = Rule.from_settings()
    now = clock() if now is None else now
    with _locked(account_pk):
        stored = cache.get(_key(account_pk))
        pace = Pace(**stored) if stored else Pace(rate=rule.start)
        result = change(pace, rule, now)
        cache.set(_key(account_pk), asdict(pace), MEMORY_SECONDS)
    return result


def pace_take(*, account_pk: int, holder: int, now: float | None = None) -> float | None:
    """A call for `holder` (a change item) to the account: 0 to go now (after a wait of at most
    INLINE_WAIT_SECONDS), seconds to wait for the slot reserved for it, or None when the account's next
    slots are all taken (the holder waits parked)."""
    now = clock() if now is None else now
    held_key = f"{_PREFIX}:held:{holder}"
    try:
        held = cache.get(held_key)
        if held is not None:
            if held - now > 0.001:
                return held - now  # woken early (the sweeper, a pull): keep the slot
            cache.delete(held_key)
            return 0.0
        delay = _update(account_pk, lambda pace, rule, at: pace.reserve(at, pace.horizon(rule)), now)
        if isinstance(delay, float) and 0 < delay <= INLINE_WAIT_SECONDS:
            sleep(delay)
            return 0.0
        if isinstance(delay, float) and delay > 0:
            cache.set(held_key, now + delay, int(delay) + 600)
            return delay
        return None if delay is None else 0.0
    except Exception:
        logger.warning("pacing cache unreachable; account %s goes unpaced", account_pk, exc_info=True)
        return 0.0


def pace_succeeded(*, account_pk: int, count: int = 1) -> Room:
    """Record `count` calls AWS accepted; returns the account's room (what may start now)."""

    def succeeded(pace: Pace, rule: Rule, now: float) -> Room:
        for _ in range(count):
            pace.succeeded(rule)
        return Room.of(pace, rule)

    try:
        return _update(account_pk, succeeded, None)  # type: ignore[return-value]
    except Exception:
        logger.warning("pacing cache unreachable after a success of account %s", account_pk, exc_info=True)
        return Room(1, 1)


def pace_take_more(*, account_pk: int, count: int, now: float) -> list[float]:
    """Up to `count` more calls for a step that is making one now, each in a slot within
    INLINE_WAIT_SECONDS of `now`: the seconds from `now` to each (none if the cache is unreachable)."""
    try:
        return _update(account_pk, lambda pace, rule, at: pace.reserve_more(at, count), now)  # type: ignore[return-value]
    except Exception:
        logger.warning("pacing cache unreachable; account %s makes no more calls in a row", account_pk)
        return []


def pace_throttled(*, account_pk: int, now: float | None = None) -> None:
    """Record that AWS throttled a call of the account."""
    try:
        _update(account_pk, lambda pace, rule, at: pace.throttled(rule, at), now)
    except Exception:
        logger.warning("pacing cache unreachable after a throttle of account %s", account_pk, exc_info=True)


def pace_room(*, account_pk: int) -> Room:
    """What may start now on the account: its window and batch at the current rate."""
    rule = Rule.from_settings()
    stored = cache.get(_key(account_pk))
    return Room.of(Pace(**stored) if stored else Pace(rate=rule.start), rule)


def pace_window(*, account_pk: int) -> int:
    """How many calls of the account fit in its current horizon (what may start now)."""
    return pace_room(account_pk=account_pk).window


def pace_rate(*, account_pk: int) -> float:
    """The account's current rate, calls a second (the start rate if nothing was learned)."""
    stored = cache.get(_key(account_pk))
    return Pace(**stored).rate if stored else Rule.from_settings().start
