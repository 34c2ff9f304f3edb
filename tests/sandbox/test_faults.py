"""Behavior 5: throttling and one-shot failures, through the Python API and the HTTP control endpoint."""

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.sandbox.conftest import error_of, second_account_client


def control(sandbox, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{sandbox.endpoint_url}/_sandbox{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def python_throttle(sandbox, action, per_second):
    sandbox.faults.throttle(action=action, per_second=per_second)


def http_throttle(sandbox, action, per_second):
    control(sandbox, "POST", "/faults", {"throttle": {"action": action, "per_second": per_second}})


def python_fail_next(sandbox, action, count, code):
    sandbox.faults.fail_next(action, count=count, code=code)


def http_fail_next(sandbox, action, count, code):
    control(sandbox, "POST", "/faults", {"fail_next": {"action": action, "count": count, "code": code}})


def python_clear(sandbox):
    sandbox.faults.clear()


def http_clear(sandbox):
    control(sandbox, "DELETE", "/faults")


VIA = {
    "python": (python_throttle, python_fail_next, python_clear),
    "http": (http_throttle, http_fail_next, http_clear),
}


def outcomes(call, times):
    results = []
    for _ in range(times):
        try:
            call()
            results.append("ok")
        except ClientError as error:
            results.append(error.response["Error"]["Code"])
    return results


@pytest.mark.parametrize("via", list(VIA))
def test_it_throttles_an_action_above_its_rate(sandbox, cloudfront_client, via):
    throttle, _fail, _clear = VIA[via]
    throttle(sandbox, "ListDistributions", 2.0)
    assert outcomes(cloudfront_client.list_distributions, 3) == ["ok", "ok", "Throttling"]
    with pytest.raises(ClientError) as excinfo:
        cloudfront_client.list_distributions()
    assert error_of(excinfo) == ("Throttling", 400)
    assert excinfo.value.response["Error"]["Message"] == "Rate exceeded"
    time.sleep(0.55)
    assert outcomes(cloudfront_client.list_distributions, 1) == ["ok"]


@pytest.mark.parametrize("via", list(VIA))
@pytest.mark.parametrize(
    ("code", "status"), [("Throttling", 400), ("PreconditionFailed", 412), ("AccessDenied", 403)]
)
def test_it_fails_the_next_calls_of_an_action(sandbox, cloudfront_client, via, code, status):
    _throttle, fail_next, _clear = VIA[via]
    fail_next(sandbox, "ListDistributions", 2, code)
    with pytest.raises(ClientError) as excinfo:
        cloudfront_client.list_distributions()
    assert error_of(excinfo) == (code, status)
    assert outcomes(cloudfront_client.list_distributions, 2) == [code, "ok"]


@pytest.mark.parametrize("via", list(VIA))
def test_it_clears_faults(sandbox, cloudfront_client, via):
    throttle, fail_next, clear = VIA[via]
    throttle(sandbox, "ListDistributions", 1.0)
    fail_next(sandbox, "ListDistributions", 5, "Throttling")
    clear(sandbox)
    assert outcomes(cloudfront_client.list_distributions, 3) == ["ok", "ok", "ok"]


def test_it_counts_every_call_including_rejected_and_retried_ones(sandbox, cloudfront_client):
    sandbox.faults.fail_next("ListDistributions", count=2)
    retrying = boto3.client("cloudfront")  # from the fixture's env, with botocore's default retries
    assert retrying.list_distributions()["DistributionList"]["Quantity"] == 0
    assert sandbox.calls() == {"ListDistributions": 3}
    assert control(sandbox, "GET", "/calls") == {"calls": {"ListDistributions": 3}}
    control(sandbox, "DELETE", "/calls")
    assert sandbox.calls() == {}


def test_it_resets_seeds_and_reports_state_over_http(sandbox):
    assert control(sandbox, "POST", "/reset", {"seed": "demo"}) == {
        "distributions": {"123456789012": 27, "210987654321": 15}
    }
    control(sandbox, "POST", "/deploy-seconds", {"seconds": 2})
    state = control(sandbox, "GET", "/state")
    assert (state["seed"], state["deploy_seconds"]) == ("demo", 2.0)
    assert state["distributions"] == {"123456789012": 27, "210987654321": 15}
    assert control(sandbox, "POST", "/reset", {})["distributions"] == {}


def test_it_issues_certificates_and_bulk_fleets_over_http(sandbox):
    arn = control(sandbox, "POST", "/certificates", {"domain": "x.example.com", "sans": ["y.example.com"]})[
        "arn"
    ]
    described = boto3.client("acm").describe_certificate(CertificateArn=arn)["Certificate"]
    assert (described["Status"], sorted(described["SubjectAlternativeNames"])) == (
        "ISSUED",
        ["x.example.com", "y.example.com"],
    )
    assert len(control(sandbox, "POST", "/bulk", {"count": 3})["ids"]) == 3


def test_it_answers_bad_control_requests_with_400_and_404(sandbox):
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        control(sandbox, "POST", "/faults", {"nothing": True})
    assert excinfo.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        control(sandbox, "GET", "/nope")
    assert excinfo.value.code == 404


@pytest.mark.parametrize("via", ["python", "http"])
def test_it_holds_one_account_to_a_sustained_rate_with_a_burst(sandbox, cloudfront_client, via):
    limit = {"account": "123456789012", "per_second": 0.001, "burst": 3, "actions": ["ListDistributions"]}
    if via == "python":
        sandbox.faults.rate_limit(**limit)
    else:
        control(sandbox, "POST", "/faults", {"rate_limit": limit})
    other_account = second_account_client(sandbox)

    assert outcomes(cloudfront_client.list_distributions, 5) == ["ok"] * 3 + ["Throttling"] * 2
    # Another account has its own rate; an action outside the limit is not counted.
    assert outcomes(other_account.list_distributions, 3) == ["ok"] * 3
    assert outcomes(lambda: cloudfront_client.list_invalidations(DistributionId="E000"), 1) == [
        "NoSuchDistribution"
    ]
    described = sandbox.faults.describe()
    assert described["rate_limits"]["123456789012"]["burst"] == 3
    assert described["rejected"] == {"ListDistributions": 2}


def test_it_refuses_a_rate_limit_it_cannot_enforce(sandbox):
    with pytest.raises(ValueError, match="positive"):
        sandbox.faults.rate_limit("123456789012", 0)
    with pytest.raises(urllib.error.HTTPError) as refused:
        control(sandbox, "POST", "/faults", {"rate_limit": {"account": "123456789012"}})
    assert refused.value.code == 400


@pytest.mark.parametrize("via", ["python", "http"])
def test_it_answers_an_action_late_and_calls_made_at_once_wait_at_once(sandbox, cloudfront_client, via):
    if via == "python":
        sandbox.faults.latency(0.2, actions=["ListDistributions"])
    else:
        control(sandbox, "POST", "/faults", {"latency": {"seconds": 0.2, "actions": ["ListDistributions"]}})
    assert sandbox.faults.describe()["latency"] == {"ListDistributions": 0.2}

    started = time.monotonic()
    cloudfront_client.list_distributions()
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: cloudfront_client.list_distributions(), range(4)))
    assert 0.2 <= time.monotonic() - started < 0.6  # not 4 x 0.2
    sandbox.faults.latency(0, actions=["ListDistributions"])
    assert sandbox.faults.describe()["latency"] == {}
