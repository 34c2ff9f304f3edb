"""Each distribution's standard logging settings, which ListDistributions' summaries lack.

Sync reads them with one GetDistributionConfig per distribution whose summary changed (a first sync: each
one), and per distribution whose settings were never read; an unchanged distribution costs no call. The
settings feed CloudFront.5 (posture adds them to the config) and tell the log ingestion where the files are.

A page's reads are made a few at a time (EDGEGUARD_SYNC_CONFIG_READS threads): each is a round trip to AWS
(50-200 ms), and a first sync of 500 distributions one after the other would wait 25-100 s on them. The
threads share the gateway (boto3 clients are thread-safe; the gateway counts each thread's calls in the
same CallLog) and touch no database: the page is stored after they are done.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from distributions.gateway import CloudFrontGateway, GatewayError, NotFound

logger = logging.getLogger(__name__)

LOGGING_OFF: dict[str, Any] = {"Enabled": False, "IncludeCookies": False, "Bucket": "", "Prefix": ""}


class LoggingReader:
    """Reads `Logging` for one sync, up to `workers` distributions at once. After an AWS failure (other than
    a distribution gone meanwhile) it starts no more reads in this sync: the reads already under way finish
    (and count), the distributions left unread keep their settings, or none, and the next sync reads them."""

    def __init__(self, gateway: CloudFrontGateway, *, workers: int = 1) -> None:
        self.gateway = gateway
        self.workers = max(1, workers)
        self.failure: GatewayError | None = None
        self._lock = threading.Lock()
        # Set by the first failure, AWS's or not: a read that has not started by then is not made.
        self._stopped = threading.Event()

    def read(self, distribution_id: str) -> dict[str, Any] | None:
        """The distribution's `Logging`, or None when it could not be read (or was not, after a failure).

        Safe to call from several threads at once."""
        if self._stopped.is_set():
            return None
        try:
            config, _etag = self.gateway.get_distribution_config(distribution_id)
        except NotFound:
            return None
        except GatewayError as error:
            self._fail(distribution_id, error)
            return None
        except BaseException:
            self._stopped.set()  # the sync breaks: the other threads start nothing more
            raise
        return dict(config.get("Logging") or LOGGING_OFF)

    def read_many(self, distribution_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The `Logging` of those of `distribution_ids` that could be read, by id; the others are absent."""
        ids = list(dict.fromkeys(distribution_ids))
        workers = min(self.workers, len(ids))
        if workers <= 1:
            answers = [self.read(distribution_id) for distribution_id in ids]
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="edgeguard-logging") as pool:
                # map answers in the order asked, whatever order AWS answers in; an unexpected error is
                # raised here, once the reads under way are done (`read` stopped the rest).
                answers = list(pool.map(self.read, ids))
        return {
            distribution_id: answer
            for distribution_id, answer in zip(ids, answers, strict=True)
            if answer is not None
        }

    def _fail(self, distribution_id: str, error: GatewayError) -> None:
        with self._lock:
            first = self.failure is None
            if first:
                self.failure = error
            self._stopped.set()
        if first:
            logger.warning(
                "logging settings not read from %s on (the next sync reads them): %s", distribution_id, error
            )
