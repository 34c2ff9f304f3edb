"""``manage.py sandbox`` serves until SIGTERM, after printing one ready line."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from devtools.sandbox import SECOND_ACCOUNT_ROLE

ROOT = Path(__file__).resolve().parents[2]
READY = re.compile(
    r"^Sandbox ready at (http://127\.0\.0\.1:\d+) \(seed: demo, 42 distributions in 2 accounts, deploy 0s\)$"
)


@pytest.mark.e2e
def test_it_serves_the_demo_fleet_until_sigterm():
    env = {**os.environ, "DEBUG": "1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    command = [sys.executable, "manage.py", "sandbox", "--port", "0", "--deploy-seconds", "0"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = process.stdout.readline().rstrip("\n")
        match = READY.match(line)
        assert match, (line, process.stderr.read() if process.poll() is not None else "")
        endpoint = match.group(1)
        credentials = {
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
            "region_name": "us-east-1",
        }
        first = boto3.client("cloudfront", endpoint_url=endpoint, **credentials)
        assert first.list_distributions()["DistributionList"]["Quantity"] == 27
        role = boto3.client("sts", endpoint_url=endpoint, **credentials).assume_role(
            RoleArn=SECOND_ACCOUNT_ROLE, RoleSessionName="e2e"
        )["Credentials"]
        second = boto3.client(
            "cloudfront",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=role["AccessKeyId"],
            aws_secret_access_key=role["SecretAccessKey"],
            aws_session_token=role["SessionToken"],
        )
        assert second.list_distributions()["DistributionList"]["Quantity"] == 15
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        process.stdout.close()
        process.stderr.close()
