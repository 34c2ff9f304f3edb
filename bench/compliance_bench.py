"""Time every compliance control over 1,000 distributions with 25 behaviors each.

Run from the repo root: `.venv/bin/python bench/compliance_bench.py`. The fleet is random but seeded, and
mixes what real fleets hold: per-team and per-version API paths, extension patterns, a few allow-all and
shadowed behaviors, http-only and match-viewer origins, old security policies, expiring certificates.
"""

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from distributions.cloudfront.compliance import DistributionFacts, evaluate  # noqa: E402
from tests.cloudfront.factories import (  # noqa: E402
    ACM_ARN,
    behavior,
    certificate_record,
    custom_origin,
    distribution_config,
    s3_origin,
    viewer_certificate,
)

DISTRIBUTIONS = 1000
BEHAVIORS = 25
NOW = datetime(2030, 6, 1, tzinfo=UTC)
TEAMS = ["search", "billing", "media", "auth", "catalog", "cart", "reviews", "maps"]
SHAPES = [
    "/{team}/v{n}/*",
    "/{team}/*",
    "/static/{team}/*.js",
    "*.{ext}",
    "/{team}/v{n}/item-??.json",
    "/{team}",
]
EXTENSIONS = ["jpg", "png", "css", "woff2", "mp4"]


def pattern(rng: random.Random) -> str:
    return rng.choice(SHAPES).format(team=rng.choice(TEAMS), n=rng.randint(1, 4), ext=rng.choice(EXTENSIONS))


def distribution(rng: random.Random, index: int) -> DistributionFacts:
    policies = ["redirect-to-https"] * 8 + ["https-only"] * 3 + ["allow-all"]
    origins = [
        custom_origin("web", policy=rng.choice(["https-only", "https-only", "match-viewer", "http-only"])),
        custom_origin("api", ssl_protocols=rng.choice([("TLSv1.2",), ("SSLv3", "TLSv1")])),
        s3_origin("assets"),
    ]
    behaviors = [
        behavior(pattern(rng), origin=rng.choice(["web", "api", "assets"]), policy=rng.choice(policies))
        for _ in range(BEHAVIORS - 1)
    ]
    minimum = rng.choice(["TLSv1.2_2021", "TLSv1.2_2021", "TLSv1.2_2019", "TLSv1.1_2016"])
    config = distribution_config(
        default=behavior(policy=rng.choice(policies)),
        behaviors=behaviors,
        origins=origins,
        aliases=[f"site{index}.example.com", f"www.site{index}.example.com"],
        certificate=viewer_certificate(acm_arn=ACM_ARN, minimum=minimum),
    )
    record = certificate_record(not_after=NOW + timedelta(days=rng.randint(-5, 400)))
    moved = {"web": NOW - timedelta(days=10)} if rng.random() < 0.2 else {}
    return DistributionFacts(f"E{index:06d}", config, record, moved, NOW - timedelta(days=rng.randint(0, 20)))


def main() -> None:
    rng = random.Random(6)
    fleet = [distribution(rng, i) for i in range(DISTRIBUTIONS)]
    started = time.perf_counter()
    evaluation = evaluate(fleet, now=NOW)
    seconds = time.perf_counter() - started
    print(
        f"{DISTRIBUTIONS} distributions x {BEHAVIORS} behaviors: {seconds:.2f} s, "
        f"{len(evaluation.results)} results, {len(evaluation.findings)} findings"
    )


if __name__ == "__main__":
    main()
