"""Django settings. Everything comes from environment variables.

Embedded default: SQLite in `SLUICE_DATA_DIR` (WAL, busy timeout) and Celery over
kombu's filesystem transport. Production: `DATABASE_URL` (PostgreSQL) and
`REDIS_URL`.
"""

from __future__ import annotations

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import data_dir, env_bool, env_list, secret_key

BASE_DIR = __import__("pathlib").Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("SLUICE_DEBUG", False)
ALLOWED_HOSTS = env_list("SLUICE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("SLUICE_CSRF_TRUSTED_ORIGINS", "")
# Behind a TLS-terminating proxy (SLUICE_SECURE=1, see docs/production.md): secure
# cookies, HSTS, HTTPS redirect (health endpoints exempt); off by default (plain http).
if env_bool("SLUICE_SECURE", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SLUICE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SLUICE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SLUICE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SLUICE_HSTS_PRELOAD", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "accounts",
    "workflows",
    "connectors",
    "broker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

_conn_max_age = int(os.environ.get("SLUICE_DB_CONN_MAX_AGE", "60"))
if os.environ.get("DATABASE_URL"):
    # Web requests run on a fixed pool of SLUICE_WEB_THREADS threads (config/asgi.py),
    # so a process holds at most that many connections plus its async views' one.
    DATABASES = {
        # health checks: a kept connection the server dropped (restart,
        # pg_terminate_backend) is replaced before a request uses it, not failed
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=_conn_max_age, conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # the same, but no health check for a connection used within the last
        # SLUICE_DB_HEALTH_CHECK_SECONDS (config/postgres/base.py)
        DATABASES["default"]["ENGINE"] = "config.postgres"
else:
    DATABASES = {
        "default": {
            "ENGINE": "config.sqlite",
            "NAME": os.environ.get("SLUICE_SQLITE_PATH", str(DATA_DIR / "sluice.sqlite3")),
            "CONN_MAX_AGE": _conn_max_age,
            # a file, as in production: the in-memory shared cache a test database
            # gets by default fails a thread's write at once while another reads
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Request-trigger bodies: Logic Apps accepts messages up to 100 MB
DATA_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("SLUICE_MAX_REQUEST_BYTES", str(100 * 1024 * 1024))
)
AUTH_PASSWORD_VALIDATORS: list[dict] = []
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [d for d in [BASE_DIR / "frontend" / "dist"] if d.exists()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
LOGIN_URL = "/admin/login/"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "workflows.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "workflows.api.errors.exception_handler",
}
SLUICE_ENCRYPTION_KEY = os.environ.get("SLUICE_ENCRYPTION_KEY", "")
SLUICE_RESPONSE_TIMEOUT = float(os.environ.get("SLUICE_RESPONSE_TIMEOUT", "120"))
SLUICE_RETENTION_DAYS = int(os.environ.get("SLUICE_RETENTION_DAYS", "90"))
# how long a web process trusts the workflow a trigger URL names (workflows/callback.py)
SLUICE_WORKFLOW_CACHE_SECONDS = float(os.environ.get("SLUICE_WORKFLOW_CACHE_SECONDS", "1"))
# which stateless runs keep a summary row: failed | all | none (workflows/services.py)
SLUICE_STATELESS_RUN_SUMMARIES = os.environ.get("SLUICE_STATELESS_RUN_SUMMARIES", "failed").lower()
if SLUICE_STATELESS_RUN_SUMMARIES not in {"failed", "all", "none"}:
    raise ImproperlyConfigured(
        "SLUICE_STATELESS_RUN_SUMMARIES must be failed, all or none, "
        f"not {SLUICE_STATELESS_RUN_SUMMARIES!r}"
    )
# signed trigger URLs skip the middleware chain (workflows/frontdoor.py)
SLUICE_TRIGGER_FRONT_DOOR = env_bool("SLUICE_TRIGGER_FRONT_DOOR", True)
SPECTACULAR_SETTINGS = {
    "TITLE": "Sluice API",
    "DESCRIPTION": "Workflows, runs and the embedded broker of Sluice.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Celery: the transport carries only "look at run X now".
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    _queue_dir = DATA_DIR / "celery"
    for _sub in ("out", "processed", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    import config.fsqueue  # noqa: F401  (registers sluicefs://: whole messages only)

    CELERY_BROKER_URL = "sluicefs://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "out"),
        "data_folder_out": str(_queue_dir / "out"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
        # kombu polls the folder; its default of 1 s would add up to a second per hop
        "polling_interval": 0.05,
    }
CELERY_TASK_ACKS_LATE = True
# a Redis blip must not kill a task mid-action (Celery 6 would default to True)
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("SLUICE_CELERY_EAGER", False)
CELERY_TASK_DEFAULT_QUEUE = os.environ.get(
    "SLUICE_CELERY_QUEUE", "celery"
)  # isolates test/bench workers
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Outbound HTTP: private, loopback and link-local targets are refused unless listed.
SLUICE_HTTP_ALLOWED_HOSTS = env_list("SLUICE_HTTP_ALLOWED_HOSTS", "")
SLUICE_PUBLIC_URL = os.environ.get("SLUICE_PUBLIC_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "workflows.logging.JsonFormatter"},
    },
    "filters": {"secrets": {"()": "accounts.logfilter.SecretMaskingFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("SLUICE_LOG_FORMAT", "json"),
            "filters": ["secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SLUICE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # the filesystem transport has no host; kombu warns about it on every connect
        "kombu.connection": {"level": "ERROR"},
    },
}
