"""Each distribution's standard logging settings, which ListDistributions' summaries lack.

Sync reads them with one GetDistributionConfig per distribution whose summary changed (a first sync: each
one), and per distribution whose settings were never read; an unchanged distribution costs no call. The
settings feed CloudFront.5 (posture adds them to the config) and tell the log ingestion where the files are.
"""

from __future__ import annotations

import logging
from typing import Any

from distributions.gateway import CloudFrontGateway, GatewayError, NotFound

logger = logging.getLogger(__name__)

LOGGING_OFF: dict[str, Any] = {"Enabled": False, "IncludeCookies": False, "Bucket": "", "Prefix": ""}


class LoggingReader:
    """Reads `Logging` for one sync. After an AWS failure (other than a distribution gone meanwhile) it
    reads no more in this sync: the distributions left unread keep their settings, or none, and the next
    sync reads them."""

    def __init__(self, gateway: CloudFrontGateway) -> None:
        self.gateway = gateway
        self.failure: GatewayError | None = None

    def read(self, distribution_id: str) -> dict[str, Any] | None:
        """The distribution's `Logging`, or None when it could not be read."""
        if self.failure is not None:
            return None
        try:
            config, _etag = self.gateway.get_distribution_config(distribution_id)
        except NotFound:
            return None
        except GatewayError as error:
            logger.warning("logging settings not read from %s on: %s", distribution_id, error)
            self.failure = error
            return None
        return dict(config.get("Logging") or LOGGING_OFF)
