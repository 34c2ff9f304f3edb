"""pytest fixtures for the CloudFront sandbox (registered in tests/conftest.py).

``sandbox_server`` runs one in-process server for the whole session (moto's state is process-wide, so one is
all there can be). ``sandbox`` hands each test an empty fleet, no faults, zeroed call counts, instant
deployment and AWS_* variables pointing boto3 at it; the test seeds what it needs. ``demo`` is the demo
fleet (two accounts) seeded and synced once.
"""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from devtools.sandbox import SandboxServer

TEST_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# Variables that would send boto3 elsewhere or change the account moto derives.
UNSET = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "MOTO_ACCOUNT_ID")


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    """The session's sandbox, on a free loopback port."""
    server = SandboxServer(port=0, seed="none", deploy_seconds=0).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> SandboxServer:
    """A clean sandbox for one test: empty fleet, no faults, zero calls, deploy 0 s, env pointing at it."""
    sandbox_server.reset(seed="none")
    sandbox_server.set_deploy_seconds(0)
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    for name, value in {**TEST_ENVIRONMENT, "AWS_ENDPOINT_URL": sandbox_server.endpoint_url}.items():
        monkeypatch.setenv(name, value)
    return sandbox_server


def sandbox_client(sandbox: SandboxServer, service: str, **kwargs: Any) -> Any:
    """A boto3 client for the sandbox that never retries, so each call is exactly one request."""
    return boto3.client(
        service,
        endpoint_url=sandbox.endpoint_url,
        region_name=kwargs.pop("region_name", "us-east-1"),
        aws_access_key_id=kwargs.pop("aws_access_key_id", "testing"),
        aws_secret_access_key=kwargs.pop("aws_secret_access_key", "testing"),
        config=Config(retries={"total_max_attempts": 1}),
        **kwargs,
    )


@pytest.fixture
def cloudfront_client(sandbox: SandboxServer) -> Any:
    """CloudFront in the default account (123456789012), without retries."""
    return sandbox_client(sandbox, "cloudfront")


def demo_fleet_sync(sandbox: SandboxServer) -> None:
    """Seed the sandbox's demo fleet, add its two accounts and sync them, as `make run` does."""
    from devtools.demo import SANDBOX_ACCOUNTS
    from distributions.models import Account
    from distributions.services.sync import accounts_sync

    sandbox.reset(seed="demo")
    for name, account_id, role_arn in SANDBOX_ACCOUNTS:
        Account.objects.create(name=name, account_id=account_id, role_arn=role_arn)
    accounts_sync(trigger="command")


@pytest.fixture
def demo(sandbox: SandboxServer, db: None) -> None:
    """The sandbox's demo fleet (two accounts), synced once."""
    demo_fleet_sync(sandbox)
