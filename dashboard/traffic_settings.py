"""Settings of the access-log ingestion (distributions/services/traffic.py), read from the environment.

Imported by dashboard/settings.py; a bad value stops start-up with ImproperlyConfigured.
"""

from dashboard.env import envint

__all__ = [
    "EDGEGUARD_TRAFFIC_WINDOW_DAYS",
    "EDGEGUARD_TRAFFIC_MAX_LINES",
    "EDGEGUARD_TRAFFIC_TOP_PATHS",
    "EDGEGUARD_TRAFFIC_INTERVAL_SECONDS",
    "TRAFFIC_BEAT_SCHEDULE",
]

# The days read (the last N full days, UTC) by the daily beat and by "Read logs now".
EDGEGUARD_TRAFFIC_WINDOW_DAYS = envint("EDGEGUARD_TRAFFIC_WINDOW_DAYS", "7", minimum=1)
# At most about this many entries are counted per distribution and day; over it, an even share is.
EDGEGUARD_TRAFFIC_MAX_LINES = envint("EDGEGUARD_TRAFFIC_MAX_LINES", "200000", minimum=1)
# How many of the busiest plain-HTTP paths are kept per distribution and day.
EDGEGUARD_TRAFFIC_TOP_PATHS = envint("EDGEGUARD_TRAFFIC_TOP_PATHS", "50", minimum=1)
# How often beat queues the days still to read (a day is read again until a day after it ended).
EDGEGUARD_TRAFFIC_INTERVAL_SECONDS = envint("EDGEGUARD_TRAFFIC_INTERVAL_SECONDS", "86400", minimum=60)

TRAFFIC_BEAT_SCHEDULE = {
    "ingest-traffic-due": {
        "task": "distributions.ingest_traffic_due",
        "schedule": float(EDGEGUARD_TRAFFIC_INTERVAL_SECONDS),
    },
}
