"""Helpers for the sandbox's own tests.

The fixtures live in tests/sandbox_fixtures.py, meant to be registered for the whole suite through
``pytest_plugins`` in tests/conftest.py; until that line is there, they are imported here.
"""

import sys
from typing import Any

import pytest

from devtools.sandbox import SECOND_ACCOUNT_ROLE, SandboxServer
from devtools.sandbox.fleet import simple_config
from tests.sandbox_fixtures import sandbox_client

if "tests.sandbox_fixtures" not in getattr(sys.modules.get("tests.conftest"), "pytest_plugins", ()):
    from tests.sandbox_fixtures import cloudfront_client, sandbox, sandbox_server  # noqa: F401


def second_account_client(sandbox: SandboxServer, service: str = "cloudfront") -> Any:
    """A client in account 210987654321, through STS AssumeRole as the app does it."""
    credentials = sandbox_client(sandbox, "sts").assume_role(
        RoleArn=SECOND_ACCOUNT_ROLE, RoleSessionName="edgeguard-tests"
    )["Credentials"]
    return sandbox_client(
        sandbox,
        service,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def error_of(excinfo: pytest.ExceptionInfo[Any]) -> tuple[str, int]:
    """(Error.Code, HTTP status) of a botocore ClientError."""
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def distribution(cloudfront_client: Any) -> dict[str, Any]:
    """A fresh distribution: its Id and ETag, and its config as GetDistributionConfig returns it."""
    created = cloudfront_client.create_distribution(DistributionConfig=simple_config("tests-simple"))
    fetched = cloudfront_client.get_distribution_config(Id=created["Distribution"]["Id"])
    return {
        "Id": created["Distribution"]["Id"],
        "ETag": fetched["ETag"],
        "Config": fetched["DistributionConfig"],
    }
