"""The sandbox's process-wide knobs: deployment time, faults and call counts.

moto keeps AWS state in module globals, so the sandbox's own switches live beside it, once per process.
"""

import threading
import time
from dataclasses import dataclass, field

from .faults import CallCounter, Faults
from .traffic import Traffic

DEFAULT_DEPLOY_SECONDS = 5.0


@dataclass
class Runtime:
    """Switches read by the fidelity backend on every request."""

    deploy_seconds: float = DEFAULT_DEPLOY_SECONDS
    faults: Faults = field(default_factory=Faults)
    calls: CallCounter = field(default_factory=CallCounter)
    # CloudWatch's CloudFront metrics and the faults that raise a distribution's error rate (traffic.py).
    traffic: Traffic = field(default_factory=Traffic)
    seed: str = "none"
    # One lock for all CloudFront state: alias uniqueness spans every account, so per-account locks
    # would let two accounts claim the same alias at once.
    lock: threading.RLock = field(default_factory=threading.RLock)

    def set_deploy_seconds(self, seconds: float) -> None:
        """Change how long changes stay InProgress; applies to changes already in flight too."""
        if seconds < 0:
            raise ValueError("deploy seconds cannot be negative")
        self.deploy_seconds = float(seconds)

    def settled(self, changed_at: float) -> bool:
        """Whether a change made at ``changed_at`` (monotonic seconds) has finished deploying."""
        return time.monotonic() >= changed_at + self.deploy_seconds


RUNTIME = Runtime()
