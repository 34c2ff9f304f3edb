"""The REST API under /api/v1/: a thin layer over the services (writes) and selectors (reads)."""
