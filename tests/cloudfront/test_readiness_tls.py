"""https-only readiness and the TLS floor, from counted traffic."""

import pytest

from distributions.cloudfront.readiness import Evidence, https_only_readiness
from distributions.cloudfront.tls_policies import CIPHERS, POLICIES, PROTOCOLS, supports, tls_floor
from tests.cloudfront.factories import behavior, distribution_config

EVIDENCE = Evidence("2026-11-24", "2026-11-30", 7, 1_000, 0.1)


def test_a_behavior_whose_http_clients_all_came_back_is_ready():
    config = distribution_config(
        default=behavior(policy="redirect-to-https"),
        behaviors=[behavior("/api/*", policy="redirect-to-https"), behavior("/admin/*", policy="https-only")],
    )
    counts = [
        {"path_pattern": "", "protocol": "http", "requests": 700},
        {"path_pattern": "", "protocol": "https", "requests": 9_000},
        {"path_pattern": "/api/*", "protocol": "http", "requests": 70},
    ]
    clients = [
        {"path_pattern": "", "http_clients": 40, "http_clients_never_https": 0},
        {"path_pattern": "/api/*", "http_clients": 12, "http_clients_never_https": 3},
    ]
    rows = https_only_readiness(config=config, counts=counts, clients=clients, evidence=EVIDENCE)
    # In evaluation order, only the redirect-to-https ones.
    assert [(r.path_pattern, r.ready, r.http_requests, r.per_day) for r in rows] == [
        ("/api/*", False, 70, 10),
        ("*", True, 700, 100),
    ]
    assert rows[0].verdict.startswith("3 of 12 plain-HTTP client-days never came back")
    assert "estimated from a 10% sample" in str(rows[1].evidence)


def test_a_behavior_without_plain_http_is_ready():
    config = distribution_config(default=behavior(policy="redirect-to-https"))
    (row,) = https_only_readiness(config=config, counts=[], clients=[], evidence=EVIDENCE)
    assert row.ready and row.verdict == "no plain-HTTP request in the window"


# The AWS table (docs/CLOUDFRONT.md §11), a few cells each way.
TABLE = [
    ("TLSv1.1_2016", "TLSv1.1", "ECDHE-RSA-AES128-SHA", (True, True)),
    ("TLSv1.2_2018", "TLSv1.1", "ECDHE-RSA-AES128-SHA", (False, False)),
    ("TLSv1.2_2018", "TLSv1.2", "AES128-GCM-SHA256", (True, True)),
    ("TLSv1.2_2019", "TLSv1.2", "AES128-GCM-SHA256", (True, False)),
    ("TLSv1.2_2019", "TLSv1.2", "ECDHE-RSA-AES128-SHA256", (True, True)),
    ("TLSv1.2_2021", "TLSv1.2", "ECDHE-RSA-AES128-SHA256", (True, False)),
    ("TLSv1.2_2021", "TLSv1.2", "ECDHE-RSA-CHACHA20-POLY1305", (True, True)),
    ("TLSv1.2_2025", "TLSv1.2", "ECDHE-ECDSA-CHACHA20-POLY1305", (True, False)),
    ("TLSv1.3_2025", "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", (False, False)),
    ("TLSv1.3_2025", "TLSv1.3", "TLS_AES_128_GCM_SHA256", (True, True)),
    ("TLSv1.3_2025", "TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256", (True, False)),
    ("TLSv1", "TLSv1", "DES-CBC3-SHA", (True, True)),
    ("TLSv1_2016", "TLSv1", "DES-CBC3-SHA", (True, False)),
    ("SSLv3", "SSLv3", "RC4-MD5", (True, True)),
    ("TLSv1", "SSLv3", "RC4-MD5", (False, False)),
]


@pytest.mark.parametrize(("policy", "protocol", "cipher", "expected"), TABLE)
def test_the_table_says_what_each_policy_supports(policy, protocol, cipher, expected):
    assert supports(policy, protocol, cipher) == expected


def test_each_stricter_policy_supports_a_subset_of_the_one_before():
    # The table's columns only ever remove support, left to right: the floor can only rise.
    for table in (PROTOCOLS, CIPHERS):
        for policies in table.values():
            kept = [p in policies for p in POLICIES]
            assert kept == sorted(kept, reverse=True)


def test_the_floor_counts_certain_and_possible_refusals():
    rows = [
        {"tls_protocol": "TLSv1.3", "tls_cipher": "TLS_AES_128_GCM_SHA256", "requests": 800},
        {"tls_protocol": "TLSv1.2", "tls_cipher": "ECDHE-RSA-AES128-SHA256", "requests": 150},
        {"tls_protocol": "TLSv1.1", "tls_cipher": "ECDHE-RSA-AES128-SHA", "requests": 50},
        {"tls_protocol": "", "tls_cipher": "", "requests": 10_000},  # plain HTTP
    ]
    floor = {r.policy: r for r in tls_floor(rows, current="TLSv1.2_2019", days=10)}
    assert floor["TLSv1.1_2016"].refused == 0
    assert floor["TLSv1.2_2019"].current and floor["TLSv1.2_2019"].refused == 50
    moving = floor["TLSv1.2_2021"]
    assert (moving.https_requests, moving.refused, moving.at_most) == (1_000, 50, 200)
    assert moving.share == 0.05 and moving.share_at_most == 0.2
    assert floor["TLSv1.3_2025"].refused == 200
    assert floor["TLSv1.3_2025"].refused_per_day_text == "20"
