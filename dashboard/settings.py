"""Edgeguard settings: one module, driven by environment variables.

Every knob is read here, once, with a documented default (see the README's "Settings" table). A bad value
fails loudly at start-up with ImproperlyConfigured rather than misbehaving later.
"""

import importlib.util
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from dashboard.env import envbool, envfloat, envint, envlist
from dashboard.identity_settings import *  # noqa: F403
from dashboard.impact_settings import *  # noqa: F403
from dashboard.revert_settings import *  # noqa: F403
from dashboard.spectacular import SPECTACULAR_SETTINGS  # noqa: F401 (the OpenAPI schema's, fixed)
from dashboard.sso import *  # noqa: F403 (mozilla-django-oidc's fixed settings)
from dashboard.sso import csp_with_provider, sso_check, sso_group_map
from dashboard.teams_settings import *  # noqa: F403
from dashboard.waves_settings import *  # noqa: F403

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("EDGEGUARD_VAR_DIR", BASE_DIR / "var"))


DEBUG = envbool("DEBUG", "0")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "axes",
    "distributions",
]

# Development-only tools (devtools/: the sandbox, `rundemo`, `sandbox`) come with requirements-dev.txt. The
# production image holds neither devtools/ nor moto; a checkout with only requirements.txt has the one but
# not the other, so both must be importable; by default the app is on exactly when they are.
# EDGEGUARD_DEVTOOLS=0 leaves it out even then.
devtools_importable = all(importlib.util.find_spec(name) is not None for name in ("devtools", "moto"))
EDGEGUARD_DEVTOOLS = envbool("EDGEGUARD_DEVTOOLS", "1" if devtools_importable else "0")
if EDGEGUARD_DEVTOOLS:
    if not devtools_importable:
        raise ImproperlyConfigured("EDGEGUARD_DEVTOOLS=1 needs devtools/ and requirements-dev.txt installed")
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "dashboard.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dashboard.middleware.ContentSecurityPolicyMiddleware",
    # Before anything reads the session, the login or the database: PostgreSQL refuses NUL in text.
    "dashboard.middleware.NulCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "dashboard.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Reverse proxies in front of Edgeguard that append to X-Forwarded-For (0: none, the header is ignored). The
# client's address, for the audit log, lock-outs and the API throttle, is taken N hops from the right.
TRUSTED_PROXY_HOPS = envint("TRUSTED_PROXY_HOPS", "0")

# The cache holds the API throttle's counters: one limit shared by every web process when
# CACHE_URL names a Redis (redis://host:6379/1), per process in memory otherwise.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL or empty, not {CACHE_URL!r}")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context_processors.edgeguard",
            ],
        },
    },
]

# SQLite under var/ by default so `make run` needs no server; production sets DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'edgeguard.sqlite3'}"),
        # Kept open (and checked before reuse): a new PostgreSQL connection per request or per worker step
        # was a tenth of a fleet change's worker time (bench/change_deployed_bench.py).
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share the file: wait for locks instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "distributions.auth.PasswordBackend",  # Django's, but superusers only with EDGEGUARD_PASSWORD_LOGIN=0
    "distributions.auth.OIDCBackend",  # the OpenID Connect callback, with EDGEGUARD_OIDC_ISSUER set
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "distribution-list"
LOGOUT_REDIRECT_URL = "login"

# Repeated failed logins: locked out for a cool-off after AXES_FAILURE_LIMIT tries per user and address
# (and per address over every user: identity_settings.py).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5", minimum=1)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "15", minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", "1")

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Security headers. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER via SECURE_PROXY=1.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if envbool("SECURE_PROXY", "0"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "edgeguard@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}

# Celery. The default broker is Kombu's filesystem transport: no server, shared by the processes of
# `make run` through files under var/broker. Production sets CELERY_BROKER_URL=redis://...
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Kombu's default is "control" relative to each process's working directory: the exchange tables
        # would land in the repo and be shared by unrelated var dirs, or split between two processes.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
# Celery's Django fixup closes the database connection around every task unless this is set; set, it
# force-closes one only every this many tasks, and dashboard/celery.py closes it when too old or unusable,
# as a request does (DATABASE_CONN_MAX_AGE). 0 keeps a new connection per task.
CELERY_DB_REUSE_MAX = 1000 if DATABASES["default"]["CONN_MAX_AGE"] else 0
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "0")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# With the broker down, a web request must not hang on it: two quick retries, then services/queue.py logs
# and leaves the work to the sweeper (or sends the email itself).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = envfloat("CELERY_BROKER_CONNECTION_TIMEOUT", "3")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A step cut off by a lost connection is re-run by its lease and the sweeper, not cancelled mid-call.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False

# Edgeguard's own knobs.
EDGEGUARD_SYNC_INTERVAL_SECONDS = envint("EDGEGUARD_SYNC_INTERVAL_SECONDS", "300", minimum=10)
# How many accounts sync at once across every worker (each sync is one task; the others wait their turn).
EDGEGUARD_SYNC_CONCURRENCY = envint("EDGEGUARD_SYNC_CONCURRENCY", "4", minimum=1)
# How many GetDistributionConfig calls (for the Logging that summaries lack) one sync makes at once, each on
# its own thread; a first sync makes one per distribution. 1: one after the other. botocore keeps 10
# connections a client: above 10, the extra calls each open a connection of their own.
EDGEGUARD_SYNC_CONFIG_READS = envint("EDGEGUARD_SYNC_CONFIG_READS", "8", minimum=1)
EDGEGUARD_APPROVALS_REQUIRED = envint("EDGEGUARD_APPROVALS_REQUIRED", "1", minimum=1)
# The credential chain's own account is registered on first sync under this name.
EDGEGUARD_DEFAULT_ACCOUNT_NAME = os.environ.get("EDGEGUARD_DEFAULT_ACCOUNT_NAME", "default")
# Discovery from AWS Organizations proposes arn:aws:iam::<account id>:role/<this name> for each account.
EDGEGUARD_DISCOVERY_ROLE_NAME = os.environ.get("EDGEGUARD_DISCOVERY_ROLE_NAME", "EdgeguardAccess")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"botocore": {"level": "WARNING"}, "werkzeug": {"level": "WARNING"}},
}

from dashboard.traffic_settings import *  # noqa: F403,E402

CELERY_BEAT_SCHEDULE = {
    "sync-all-accounts": {
        "task": "distributions.sync_all_accounts",
        "schedule": float(EDGEGUARD_SYNC_INTERVAL_SECONDS),
    },
    **TRAFFIC_BEAT_SCHEDULE,  # noqa: F405
}

# The change workflow.
EDGEGUARD_BASE_URL = os.environ.get("EDGEGUARD_BASE_URL", "http://127.0.0.1:8000")
# Seconds between deployment/invalidation status checks (CloudFront deployments take minutes).
EDGEGUARD_DEPLOY_POLL_SECONDS = envint("EDGEGUARD_DEPLOY_POLL_SECONDS", "30")
# Each account's rate of change writes (calls a second) adapts: it grows while nothing throttles and shrinks
# when AWS throttles (services/pacing.py; docs/CLOUDFRONT.md §5: AWS publishes no rate). It starts at
# START (then what was learned, for a day) and stays within MIN and MAX.
EDGEGUARD_UPDATE_RATE_START = envfloat("EDGEGUARD_UPDATE_RATE_START", "5")
EDGEGUARD_UPDATE_RATE_MIN = envfloat("EDGEGUARD_UPDATE_RATE_MIN", "0.05")
EDGEGUARD_UPDATE_RATE_MAX = envfloat("EDGEGUARD_UPDATE_RATE_MAX", "100")
if not 0 < EDGEGUARD_UPDATE_RATE_MIN <= EDGEGUARD_UPDATE_RATE_START <= EDGEGUARD_UPDATE_RATE_MAX:
    raise ImproperlyConfigured(
        "Need 0 < EDGEGUARD_UPDATE_RATE_MIN <= EDGEGUARD_UPDATE_RATE_START <= EDGEGUARD_UPDATE_RATE_MAX."
    )
# The most items of one account one worker step applies in a row: the one its message names, then parked
# items of the same change and account, each in a slot pacing has within a quarter of a second
# (services/apply.py). 1: an item per step.
EDGEGUARD_APPLY_BATCH = envint("EDGEGUARD_APPLY_BATCH", "16", minimum=1)
EDGEGUARD_STALE_ETAG_RETRIES = envint("EDGEGUARD_STALE_ETAG_RETRIES", "4", minimum=1)
# Attempts at an update that meets an unreachable or failing endpoint (backoff up to 5 minutes each).
# Throttling is not an attempt: it slows the account's rate and defers the update.
EDGEGUARD_THROTTLE_RETRIES = envint("EDGEGUARD_THROTTLE_RETRIES", "12", minimum=1)
# How long to wait for Deployed (and for an invalidation) before failing the item (deployments: 5-35 min).
EDGEGUARD_DEPLOY_TIMEOUT_SECONDS = envint("EDGEGUARD_DEPLOY_TIMEOUT_SECONDS", "3600", minimum=60)
EDGEGUARD_LEASE_SECONDS = envint("EDGEGUARD_LEASE_SECONDS", "120", minimum=5)
# Work untouched this long is re-enqueued by the sweeper (a lost message or a killed worker).
EDGEGUARD_STUCK_SECONDS = envint("EDGEGUARD_STUCK_SECONDS", "300", minimum=1)
# How often beat runs the sweeper. A lost message or a killed worker delays work by at most about
# EDGEGUARD_STUCK_SECONDS + EDGEGUARD_SWEEP_INTERVAL_SECONDS.
EDGEGUARD_SWEEP_INTERVAL_SECONDS = envint("EDGEGUARD_SWEEP_INTERVAL_SECONDS", "30", minimum=1)
CELERY_BEAT_SCHEDULE["sweep-stuck-changes"] = {
    "task": "distributions.sweep_stuck_changes",
    "schedule": float(EDGEGUARD_SWEEP_INTERVAL_SECONDS),
}

# -- The REST API (distributions/api, docs/API.md) ------------------------------------------------------
INSTALLED_APPS += ["knox", "drf_spectacular", "drf_spectacular_sidecar", "distributions.api"]
# knox's hashed, expiring tokens, with a name and a last use (distributions/api/models.py).
KNOX_TOKEN_MODEL = "api.ApiToken"
# knox's own AuthToken is swapped out, yet knox's migrations would still create its table (unused, with a
# foreign key to the users that also makes PostgreSQL refuse the TRUNCATE ending transactional tests).
# Unmigrated, the swapped model gets no table.
MIGRATION_MODULES = {"knox": None}
EDGEGUARD_API_TOKEN_TTL_DAYS = envint("EDGEGUARD_API_TOKEN_TTL_DAYS", "90", minimum=1)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=EDGEGUARD_API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_PREFIX": "eg_",
    "AUTO_REFRESH": False,
}
# Requests per client (token, else user, else address), e.g. "600/min"; the cache holds the counters.
EDGEGUARD_API_THROTTLE_RATE = os.environ.get("EDGEGUARD_API_THROTTLE_RATE", "600/min")
# Bodies larger than this get a JSON 413 (a change request of a few hundred distributions is ~100 KB).
EDGEGUARD_API_MAX_BODY_BYTES = envint("EDGEGUARD_API_MAX_BODY_BYTES", str(1024 * 1024), minimum=1024)
REST_FRAMEWORK.update(
    {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "distributions.api.authentication.TokenAuthentication",
            "rest_framework.authentication.SessionAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["distributions.api.permissions.RolePermission"],
        "DEFAULT_THROTTLE_CLASSES": ["distributions.api.permissions.ClientRateThrottle"],
        "DEFAULT_FILTER_BACKENDS": ["distributions.api.querying.StrictFilterBackend"],
        "DEFAULT_PAGINATION_CLASS": "distributions.api.querying.Pagination",
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "EXCEPTION_HANDLER": "distributions.api.errors.exception_handler",
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["distributions.api.parsers.LimitedJSONParser"],
        # The client's address is REMOTE_ADDR, already resolved by TrustedProxyMiddleware: never the
        # X-Forwarded-For header a client can write.
        "NUM_PROXIES": 0,
    }
)

# -- Single sign-on: OpenID Connect (distributions/auth.py, dashboard/sso.py; README, "Single sign-on") ----
EDGEGUARD_OIDC_ISSUER = os.environ.get("EDGEGUARD_OIDC_ISSUER", "").rstrip("/")
EDGEGUARD_OIDC_NAME = os.environ.get("EDGEGUARD_OIDC_NAME", "single sign-on")
OIDC_RP_CLIENT_ID = os.environ.get("EDGEGUARD_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("EDGEGUARD_OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = os.environ.get("EDGEGUARD_OIDC_SCOPES", "openid email profile")
# The claim naming the user (one that never changes), and the one listing their groups at the provider.
EDGEGUARD_OIDC_USERNAME_CLAIM = os.environ.get("EDGEGUARD_OIDC_USERNAME_CLAIM", "preferred_username")
EDGEGUARD_OIDC_GROUPS_CLAIM = os.environ.get("EDGEGUARD_OIDC_GROUPS_CLAIM", "groups")
EDGEGUARD_OIDC_GROUP_MAP = sso_group_map(os.environ.get("EDGEGUARD_OIDC_GROUP_MAP", ""))
EDGEGUARD_OIDC_DEFAULT_ROLE = os.environ.get("EDGEGUARD_OIDC_DEFAULT_ROLE", "")
OIDC_TIMEOUT = envfloat("EDGEGUARD_OIDC_TIMEOUT_SECONDS", "10")
# Off: only superusers may sign in with a password (break-glass); everybody else signs in with the provider.
EDGEGUARD_PASSWORD_LOGIN = envbool("EDGEGUARD_PASSWORD_LOGIN", "1")
sso_check(
    issuer=EDGEGUARD_OIDC_ISSUER,
    client_id=OIDC_RP_CLIENT_ID,
    client_secret=OIDC_RP_CLIENT_SECRET,
    default_role=EDGEGUARD_OIDC_DEFAULT_ROLE,
    password_login=EDGEGUARD_PASSWORD_LOGIN,
)
if EDGEGUARD_OIDC_ISSUER:
    CONTENT_SECURITY_POLICY = csp_with_provider(CONTENT_SECURITY_POLICY, EDGEGUARD_OIDC_ISSUER)
