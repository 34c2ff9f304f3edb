"""The deterministic demo fleet, and bulk fleets for benchmarks.

Everything is created through the fidelity backend (so it passes CloudFront's validation) in a fixed order
with fixed names; ids, domain names, ETags, certificate ARNs and timestamps are all derived from those names,
so two seeds give identical fleets.
"""

import datetime
import time

from . import fleet as f
from .backend import DistributionRecord, backend_for
from .demo import DEFAULT_ACCOUNT, SECOND_ACCOUNT, Spec, demo_certificates, first_account, second_account
from .organization import seed_organization
from .runtime import RUNTIME

DEMO_ACCOUNTS = (DEFAULT_ACCOUNT, SECOND_ACCOUNT)
SEEDS = ("demo", "none")
# Seeded distributions were last modified at fixed times, an hour apart, from here.
_EPOCH = datetime.datetime(2025, 1, 6, 9, 0, tzinfo=datetime.UTC)


def seed(name: str) -> dict[str, int]:
    """Build the named seed ("demo" or "none") into the current (reset) state; return counts per account."""
    if name not in SEEDS:
        raise ValueError(f"unknown seed {name!r}; choose one of {', '.join(SEEDS)}")
    RUNTIME.seed = name
    if name == "none":
        return {}
    certificates = demo_certificates()
    counts: dict[str, int] = {}
    for account, specs in (
        (DEFAULT_ACCOUNT, first_account(certificates)),
        (SECOND_ACCOUNT, second_account(certificates)),
    ):
        counts[account] = len(_create_all(account, specs, offset=sum(counts.values())))
    seed_organization()
    return counts


def seed_bulk(
    count: int, *, account: str = DEFAULT_ACCOUNT, prefix: str = "bulk", behaviors: int = 0
) -> list[str]:
    """Create ``count`` generic, already-deployed distributions in ``account`` (each with ``behaviors``
    ordered behaviors besides the default); return their ids."""
    specs = [
        (
            f"{prefix}-{index:05d}",
            f.simple_config(
                f"{prefix}-{index:05d}",
                comment=f"{prefix} {index}",
                policy=_bulk_policy(index),
                behaviors=behaviors,
            ),
            {"Name": f"{prefix}-{index:05d}"},
        )
        for index in range(count)
    ]
    return [record.id for record in _create_all(account, specs, offset=0)]


def _bulk_policy(index: int) -> str:
    return ("allow-all", "redirect-to-https", "https-only")[index % 3]


def _create_all(account: str, specs: list[Spec], offset: int) -> list[DistributionRecord]:
    backend = backend_for(account)
    created = []
    for index, (_name, config, tags) in enumerate(specs):
        record = backend.create(config, [{"Key": k, "Value": v} for k, v in tags.items()])
        # A seeded fleet already exists: deployed long ago, at a fixed time.
        record.changed_at = time.monotonic() - 10**9
        record.last_modified = _EPOCH + datetime.timedelta(hours=offset + index)
        created.append(record)
    return created
