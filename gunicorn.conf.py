"""gunicorn's settings, from the environment (README, "Settings"). gunicorn reads ./gunicorn.conf.py by
itself, so the image's `gunicorn dashboard.wsgi` needs no flags. A bad value stops start-up with a message."""

import os


def _whole_number(name: str, default: str, *, minimum: int = 1) -> int:
    value = os.environ.get(name, default)
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {number}")
    return number


def _switch(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ValueError(f"{name} must be a boolean (1/0, true/false), not {value!r}")
    return value in ("1", "true", "yes", "on")


bind = [f"0.0.0.0:{_whole_number('PORT', '8000')}"]
workers = _whole_number("GUNICORN_WORKERS", "3")
# More than one thread switches gunicorn to its threaded worker.
threads = _whole_number("GUNICORN_THREADS", "1")
timeout = _whole_number("GUNICORN_TIMEOUT", "30")
accesslog = "-" if _switch("GUNICORN_ACCESS_LOG", "1") else None
# The workers' heartbeat files: on a container's overlay filesystem they can stall a worker, in memory not
# (gunicorn's advice for Docker). gunicorn creates them with mkstemp, so the shared directory is safe.
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108
