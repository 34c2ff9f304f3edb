"""The health gate's comparison: a rise above threshold halts, too little traffic is not judged."""

from datetime import UTC, datetime

import pytest

from distributions.cloudfront.health import Thresholds, Window, judge, metric_period, window_from_datapoints

LIMITS = Thresholds(max_4xx_rise=5.0, max_5xx_rise=1.0, min_requests=100)


def w(requests, r4=1.0, r5=0.1):
    return Window(
        requests=requests, rates={"4xxErrorRate": r4, "5xxErrorRate": r5, "TotalErrorRate": r4 + r5}
    )


@pytest.mark.parametrize(
    ("before", "after", "outcome", "rising"),
    [
        pytest.param(w(1000), w(1000), "pass", [], id="steady"),
        pytest.param(w(1000, r4=1), w(1000, r4=6), "pass", [], id="4xx-rise-at-the-limit-passes"),
        pytest.param(
            w(1000, r4=1), w(1000, r4=6.01), "halt", ["4xxErrorRate"], id="4xx-rise-above-the-limit"
        ),
        pytest.param(w(1000, r5=0.1), w(1000, r5=1.5), "halt", ["5xxErrorRate"], id="5xx-rise"),
        pytest.param(
            w(1000, r4=1, r5=0), w(1000, r4=30, r5=3), "halt", ["4xxErrorRate", "5xxErrorRate"], id="both"
        ),
        pytest.param(w(1000, r4=20), w(1000, r4=2), "pass", [], id="a-fall-is-no-rise"),
        pytest.param(w(1000), w(99, r4=90), "not_enough_traffic", [], id="too-few-requests-after"),
        pytest.param(w(50), w(1000, r4=90), "not_enough_traffic", [], id="too-few-requests-before"),
        pytest.param(Window(), w(1000), "not_enough_traffic", [], id="no-data-before"),
        pytest.param(
            w(100, r4=1), w(100, r4=7), "halt", ["4xxErrorRate"], id="exactly-the-minimum-is-judged"
        ),
    ],
)
def test_it_judges_one_distribution(before, after, outcome, rising):
    verdict = judge({"E1": before}, {"E1": after}, LIMITS)
    assert verdict.outcome == outcome
    assert [r.metric for r in verdict.rises] == rising
    assert verdict.low_traffic == (("E1",) if outcome == "not_enough_traffic" else ())


def test_one_broken_distribution_halts_the_wave_and_the_evidence_names_it():
    before = {"E1": w(1000), "E2": w(1000), "E3": w(10)}
    after = {"E1": w(1000), "E2": w(1000, r4=41), "E3": w(10, r4=90)}
    verdict = judge(before, after, LIMITS)
    evidence = verdict.evidence()
    assert verdict.outcome == "halt"
    assert evidence["rises"] == [
        {
            "distribution_id": "E2",
            "metric": "4xxErrorRate",
            "before": 1.0,
            "after": 41.0,
            "rise": 40.0,
            "limit": 5.0,
        }
    ]
    assert evidence["judged"] == ["E1", "E2"]
    assert evidence["low_traffic"] == ["E3"]
    assert evidence["distributions"]["E2"]["after"]["Requests"] == 1000


@pytest.mark.parametrize(
    ("seconds", "period"),
    [(1, 1), (3, 5), (5, 5), (6, 10), (30, 30), (31, 60), (60, 60), (300, 300), (301, 360)],
)
def test_the_period_is_one_cloudwatch_accepts_and_covers_the_window(seconds, period):
    assert metric_period(seconds) == period


def test_rates_are_weighted_by_the_requests_of_their_period():
    t1, t2 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 0, 1, tzinfo=UTC)
    window = window_from_datapoints(
        {"Requests": [(t1, 900.0), (t2, 100.0)], "4xxErrorRate": [(t1, 1.0), (t2, 91.0)], "5xxErrorRate": []}
    )
    assert window.requests == 1000
    assert window.rates == {"4xxErrorRate": pytest.approx(10.0)}
