"""Settings for the test suite: the real settings, with test-only defaults and faster hashing.

DATABASE_URL and CELERY_BROKER_URL still come from the environment, so CI runs the same suite against
PostgreSQL and Redis that a laptop runs against SQLite.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("EDGEGUARD_VAR_DIR", tempfile.mkdtemp(prefix="edgeguard-tests-"))

from dashboard.settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: the end-to-end tests' Celery worker process opens the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405

# The tests' inline workers run each step at once, whatever countdown it asks for: pacing is out of their
# way unless a test lowers the rates (tests/app/test_pacing.py does).
# (Benchmarks set the variables to measure pacing as deployed.)
if "EDGEGUARD_UPDATE_RATE_START" not in os.environ:
    EDGEGUARD_UPDATE_RATE_START = EDGEGUARD_UPDATE_RATE_MAX = 10_000.0

# A change of many distributions goes out in one wave unless its test plans waves (tests/app/test_waves.py),
# so the tests written before waves still see every item start at once.
if "EDGEGUARD_ROLLOUT_WAVES" not in os.environ:
    EDGEGUARD_ROLLOUT_WAVES = ["rest"]

# The suite's own process opens a connection per test as before (pytest-django flushes and drops the test
# database between and after tests); the end-to-end workers keep theirs, as deployed (tests/e2e/harness.py).
if "DATABASE_CONN_MAX_AGE" not in os.environ:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
    CELERY_DB_REUSE_MAX = 0
