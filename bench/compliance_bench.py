"""Time every compliance control over 10,000 distributions with 25 behaviors each, and its peak memory.

Run from the repo root: `.venv/bin/python bench/compliance_bench.py [--distributions N]`. The fleet is
random but seeded, and
mixes what real fleets hold: per-team and per-version API paths, extension patterns, a few allow-all and
shadowed behaviors, http-only and match-viewer origins, old security policies, expiring certificates.
"""

import argparse
import gc
import random
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from distributions.cloudfront import analysis  # noqa: E402
from distributions.cloudfront.compliance import CONTROLS, DistributionFacts, evaluate_distribution  # noqa: E402
from tests.cloudfront.factories import (  # noqa: E402
    ACM_ARN,
    behavior,
    certificate_record,
    custom_origin,
    distribution_config,
    s3_origin,
    viewer_certificate,
)

DISTRIBUTIONS = 10_000
# The goal of issue 15, on one core.
GOAL_SECONDS, GOAL_MIB = 2.0, 200
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


def _clear_caches() -> None:
    """Every run starts cold: no inclusion, overlap or shadowing answer kept from the one before."""
    analysis.clear_caches()


def evaluate_fleet(fleet: list[DistributionFacts]) -> tuple[int, int]:
    """What posture does at sync time: each distribution evaluated on its own, counts kept, results not."""
    targets = findings = 0
    for facts in fleet:
        evaluation = evaluate_distribution(facts, now=NOW)
        targets += sum(sum(counts) for counts in evaluation.counts.values())
        findings += len(evaluation.findings)
    return targets, findings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--distributions", type=int, default=DISTRIBUTIONS)
    n = parser.parse_args().distributions
    rng = random.Random(6)
    fleet = [distribution(rng, i) for i in range(n)]
    gc.collect()

    _clear_caches()
    started, cpu_started = time.perf_counter(), time.process_time()
    targets, findings = evaluate_fleet(fleet)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started

    # Memory apart (tracemalloc slows the run): what the evaluation allocates beyond the fleet it reads.
    _clear_caches()
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    evaluate_fleet(fleet)
    peak_mib = (tracemalloc.get_traced_memory()[1] - baseline) / 2**20
    tracemalloc.stop()
    print(
        f"Compliance: {len(CONTROLS)} controls over {n} distributions x {BEHAVIORS} behaviors "
        "(pure, one core)"
    )
    print(f"  {targets} targets judged, {findings} findings")
    print(f"  time         {seconds:6.2f} s      goal < {GOAL_SECONDS:.0f} s at {DISTRIBUTIONS} (wall clock)")
    print(f"  CPU time     {cpu_seconds:6.2f} s      (the same run, this process only: other load excluded)")
    print(
        f"  peak memory  {peak_mib:6.1f} MiB    goal < {GOAL_MIB} MiB "
        "(tracemalloc, beyond the fleet's configs)"
    )


if __name__ == "__main__":
    main()
