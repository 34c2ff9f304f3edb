"""Rollouts in waves and their health gates (README, "Rollouts in waves"); each setting from the environment.

A change can override the gate's settings (models/waves.py, Rollout).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from dashboard.env import envfloat, envint, envlist

__all__ = [
    "EDGEGUARD_GATE_LOW_TRAFFIC",
    "EDGEGUARD_GATE_MAX_4XX_RISE",
    "EDGEGUARD_GATE_MAX_5XX_RISE",
    "EDGEGUARD_GATE_MIN_REQUESTS",
    "EDGEGUARD_GATE_WATCH_SECONDS",
    "EDGEGUARD_ROLLOUT_WAVES",
]

# The wave sizes of a change that sets none: a canary, then a tenth of the fleet, then the rest.
EDGEGUARD_ROLLOUT_WAVES = envlist("EDGEGUARD_ROLLOUT_WAVES", "1,10%,rest")
# How long a wave is watched after it is Deployed; compared with as long a window before the change.
EDGEGUARD_GATE_WATCH_SECONDS = envint("EDGEGUARD_GATE_WATCH_SECONDS", "300", minimum=1)
# The largest rise, in percentage points, of CloudFront's 4xxErrorRate / 5xxErrorRate a wave may show.
EDGEGUARD_GATE_MAX_4XX_RISE = envfloat("EDGEGUARD_GATE_MAX_4XX_RISE", "5")
EDGEGUARD_GATE_MAX_5XX_RISE = envfloat("EDGEGUARD_GATE_MAX_5XX_RISE", "1")
# Fewer requests than this in the watch window: not enough traffic to judge the distribution.
EDGEGUARD_GATE_MIN_REQUESTS = envint("EDGEGUARD_GATE_MIN_REQUESTS", "100")
# What a wave with not enough traffic to judge does: "pass" (with a warning on the page) or "hold" (halt).
EDGEGUARD_GATE_LOW_TRAFFIC = os.environ.get("EDGEGUARD_GATE_LOW_TRAFFIC", "pass").strip().lower()
if EDGEGUARD_GATE_LOW_TRAFFIC not in ("pass", "hold"):
    raise ImproperlyConfigured(
        f"EDGEGUARD_GATE_LOW_TRAFFIC must be pass or hold, not {EDGEGUARD_GATE_LOW_TRAFFIC!r}"
    )
