"""Container health probes for the image's HEALTHCHECK and docker-compose.yml. Only the standard library,
no Django, so a probe every few seconds costs milliseconds (the slim image has no curl).

    python -m dashboard.probe http /healthz    the web server in this container answers 200
    python -m dashboard.probe beat             beat has written its schedule file lately

Exits 0 when healthy, 1 with the reason on stderr (shown by `docker inspect`) when not.
"""

import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

# Beat saves its schedule after sending a task, at most every 3 minutes; the sweeper is sent every minute,
# so a beat that is alive touches the file at least every 4 minutes.
BEAT_SCHEDULE_MAX_AGE_SECONDS = 600


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _host() -> str:
    """A Host header Django accepts: the first of ALLOWED_HOSTS (the probe calls 127.0.0.1 directly)."""
    for host in os.environ.get("ALLOWED_HOSTS", "localhost").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def http(path: str) -> str | None:
    """None when GET `path` on this container's PORT answers 200, else why not."""
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}{path}"
    # Behind a TLS-terminating proxy (SECURE_PROXY=1, SECURE_SSL_REDIRECT=1) the probe comes as the proxy
    # would, or Django would redirect it; without SECURE_PROXY the header is ignored.
    request = urllib.request.Request(url, headers={"Host": _host(), "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=5) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        return f"{url}: {error}"
    return None if status == 200 else f"{url} answered {status}"


def beat() -> str | None:
    """None when beat's schedule file (any of shelve's suffixes) changed lately, else why not."""
    var_dir = os.environ.get("EDGEGUARD_VAR_DIR", Path(__file__).resolve().parent.parent / "var")
    schedule = Path(var_dir) / "celerybeat-schedule"  # settings' CELERY_BEAT_SCHEDULE_FILENAME
    files = list(schedule.parent.glob(schedule.name + "*"))
    if not files:
        return f"no {schedule}*: beat has not started"
    age = time.time() - max(path.stat().st_mtime for path in files)
    if age > BEAT_SCHEDULE_MAX_AGE_SECONDS:
        return f"{schedule} last written {age:.0f} s ago"
    return None


def main(argv: list[str]) -> int:
    if argv[:1] == ["http"] and len(argv) == 2:
        problem = http(argv[1])
    elif argv == ["beat"]:
        problem = beat()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
