"""A faithful local CloudFront sandbox built on moto (issue 2; docs/SANDBOX.md).

Plain Python, no Django: usable from tests, benchmarks and the ``sandbox`` management command.
"""

from .certificates import DEFAULT_ACCOUNT, issue_certificate
from .demo import SECOND_ACCOUNT, SECOND_ACCOUNT_ROLE
from .faults import CallCounter, Faults
from .runtime import RUNTIME
from .seed import DEMO_ACCOUNTS, SEEDS, seed_bulk
from .server import SandboxServer

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEMO_ACCOUNTS",
    "RUNTIME",
    "SECOND_ACCOUNT",
    "SECOND_ACCOUNT_ROLE",
    "SEEDS",
    "CallCounter",
    "Faults",
    "SandboxServer",
    "issue_certificate",
    "seed_bulk",
]
