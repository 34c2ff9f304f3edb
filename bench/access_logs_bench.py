"""Access-log parsing throughput on one core, beside the floor of decompressing the same files unparsed.

    .venv/bin/python bench/access_logs_bench.py [--lines 1000000]

Writes gzip'd standard log files (100,000 lines each, AWS's 33 fields, a mix of protocols, methods, user
agents and paths) to a temp dir, then for 100,000 lines and for --lines: the floor (gzip_lines alone: read
and decompress, split lines), Edgeguard (gzip_lines, LogParser, DayCounts with behavior matching on a config
of 20 ordered behaviors), their ratio, and the Python heap's peak (tracemalloc) while counting. Pure: no
Django, no database, no S3.
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from distributions.cloudfront.access_logs import Entry, LogParser  # noqa: E402
from distributions.cloudfront.log_counts import DayCounts  # noqa: E402
from distributions.cloudfront.log_files import gzip_lines  # noqa: E402

PER_FILE = 100_000
DAY = date(2026, 11, 30)
FIELDS = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) "
    "cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol "
    "cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type "
    "cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte "
    "x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end"
)
AGENTS = [
    "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)"
    "%20Chrome/120.0%20Safari/537.36",
    "Mozilla/5.0%20(compatible;%20Googlebot/2.1;%20+http://www.google.com/bot.html)",
    "curl/8.4.0",
    "GitHub-Hookshot/5f3c2a1",
    "Java/1.8.0_292",
]
SECTIONS = [f"/s{n}/" for n in range(20)]


def _config() -> dict:
    behavior = {"ViewerProtocolPolicy": "redirect-to-https", "TargetOriginId": "o"}
    ordered = [{**behavior, "PathPattern": f"{section}*"} for section in SECTIONS]
    return {"DefaultCacheBehavior": behavior, "CacheBehaviors": {"Quantity": len(ordered), "Items": ordered}}


def _file(path: Path, seed: int) -> None:
    rng = random.Random(seed)
    with gzip.open(path, "wt") as out:
        out.write(f"#Version: 1.0\n#Fields: {FIELDS}\n")
        for n in range(PER_FILE):
            https = rng.random() < 0.8
            path_ = f"{rng.choice(SECTIONS + ['/'])}item-{n % 5000}.html"
            values = [
                DAY.isoformat(),
                "12:00:00",
                "FRA56-P1",
                "1234",
                f"198.51.{n % 250}.{rng.randrange(250)}",
                "POST" if n % 17 == 0 else "GET",
                "d111111abcdef8.cloudfront.net",
                path_,
                "200",
                "-",
                rng.choice(AGENTS),
                "-",
                "-",
                "Hit" if https else "Redirect",
                f"req{n:x}",
                "www.example.com",
                "https" if https else "http",
                "400",
                "0.002",
                "-",
                "TLSv1.3" if https else "-",
                "TLS_AES_128_GCM_SHA256" if https else "-",
                "Hit",
                "HTTP/2.0" if https else "HTTP/1.1",
                "-",
                "-",
                "51234",
                "0.001",
                "Hit",
                "text/html",
                "1000",
                "-",
                "-",
            ]
            out.write("\t".join(values) + "\n")


def _chunks(path: Path):
    with open(path, "rb") as handle:
        while chunk := handle.read(256 * 1024):
            yield chunk


def floor(files: list[Path]) -> int:
    return sum(1 for path in files for _ in gzip_lines(_chunks(path)))


def counted(files: list[Path]) -> int:
    counts = DayCounts(_config(), DAY)
    entries = 0
    for path in files:
        parser = LogParser()
        for line in gzip_lines(_chunks(path)):
            entry = parser.parse(line)
            if isinstance(entry, Entry):
                counts.add(entry)
                entries += 1
    return entries


def _timed(function, files):
    start = time.perf_counter()
    result = function(files)
    return result, time.perf_counter() - start


def _peak(files) -> float:
    tracemalloc.start()
    counted(files)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    arguments = argparse.ArgumentParser()
    arguments.add_argument("--lines", type=int, default=1_000_000)
    lines = max(PER_FILE, arguments.parse_args().lines // PER_FILE * PER_FILE)
    with tempfile.TemporaryDirectory(prefix="edgeguard-logs-bench-") as folder:
        files = [Path(folder) / f"E1BENCH.{DAY}-{n % 24:02d}.{n}.gz" for n in range(lines // PER_FILE)]
        for n, path in enumerate(files):
            _file(path, n)
        size = sum(path.stat().st_size for path in files) / 2**20
        print(f"Access logs: {lines:,} lines in {len(files)} gzip files ({size:.1f} MiB), one core")
        for subset in (files[:1], files):
            n = len(subset) * PER_FILE
            read, bare = _timed(floor, subset)
            entries, full = _timed(counted, subset)
            print(
                f"  {n:>9,} lines  floor (decompress, split) {read / bare:>9,.0f} lines/s   "
                f"Edgeguard (parse, match, count) {entries / full:>9,.0f} lines/s   "
                f"Edgeguard / floor: {full / bare:.1f}x   heap peak while counting {_peak(subset):.1f} MiB"
            )


if __name__ == "__main__":
    main()
