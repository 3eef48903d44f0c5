"""Settings, read from the environment.

Production is the default: DEBUG off, a SECRET_KEY must be given, secure cookies.
The development profile (REHAB_PROFILE=development, set by `dev.py`) turns on
DEBUG, a throw-away secret key and the console e-mail backend.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PROFILE = os.environ.get("REHAB_PROFILE", "production")
DEVELOPMENT = PROFILE == "development"

DEBUG = env_bool("DEBUG", DEVELOPMENT)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEVELOPMENT:
        raise ImproperlyConfigured("SECRET_KEY must be set outside the development profile.")
    SECRET_KEY = "development-only-not-secret"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEVELOPMENT else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mozilla_django_oidc",
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "rehab",
    "reporting",
    "payments",
    "followup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Signed out after 30 idle minutes or 10 hours; then the second factor, if due.
    "rehab.accounts.middleware.SessionTimeoutMiddleware",
    "rehab.accounts.middleware.MfaMiddleware",
    "rehab.middleware.ContentSecurityPolicyMiddleware",
    "rehab.middleware.NoStoreWhenSignedInMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rehab.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rehab.context_processors.navigation",
                "rehab.accounts.context_processors.session_timer",
                "rehab.context_processors.page_cache",
            ],
        },
    },
]

WSGI_APPLICATION = "rehab.wsgi.application"

# Connections come from a bounded psycopg pool per process (Django 5.2): however many
# threads serve requests (runserver starts one per request), a process never holds
# more than DB_POOL_MAX_SIZE connections; a request waits up to DB_POOL_TIMEOUT
# seconds for one. gunicorn's sync workers use one at a time.
DB_POOL_MAX_SIZE = int(os.environ.get("DB_POOL_MAX_SIZE", "4"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rehab"),
        conn_max_age=0,  # the pool keeps connections; Django must not hold them too
    )
}
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
    "min_size": 0,
    "max_size": DB_POOL_MAX_SIZE,
    "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
    "max_idle": 60,
}
# Statements are prepared only where the code asks (the session's statement,
# rehab/accounts/session_store.py): Django's own queries bind on the client and are
# never prepared; psycopg prepares nothing while this is None (Django's default).
DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2**31 - 1
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Rehab runs on PostgreSQL only; DATABASE_URL must be postgres://")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "rehab.User"
LOGIN_URL = "login"
CSRF_FAILURE_VIEW = "rehab.views.csrf_failure"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out username+IP before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the signed-in user without the ORM's overhead
    "rehab.accounts.backends.ModelBackend",
    "rehab.accounts.oidc.OidcBackend",
]

# Lockout (django-axes): 5 failed logins for one username from one IP address within
# 15 minutes lock that username from that address for 15 minutes (the login form and
# the admin's login alike). A success resets the count; every failure and lockout is
# logged (loggers "axes" and "rehab.security") and kept in the admin under Axes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Two-step verification (rehab/accounts/mfa.py): the name authenticator apps show.
OTP_TOTP_ISSUER = "Rehab"
AXES_RESET_ON_SUCCESS = True
# A try during the lockout does not prolong it: the lock ends 15 minutes after it began.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "rehab.accounts.lockout.lockout_response"
# The client's address: REMOTE_ADDR, or behind a reverse proxy the address it appends
# to X-Forwarded-For (TRUSTED_PROXY_COUNT: how many proxies stand in front of Rehab; also
# used for the API's per-address throttling).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "rehab.accounts.lockout.client_ip"
# Only password sign-ins count: an IdP sign-in (no username) is never a "failure".
AXES_WHITELIST_CALLABLE = "rehab.accounts.lockout.not_a_password_sign_in"

# Sign-in with SITHS through an OpenID Connect IdP (rehab/accounts/oidc.py; README).
# On when OIDC_RP_CLIENT_ID and OIDC_ISSUER (or the endpoints) are set.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid profile email")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_HSA_ID_CLAIM = os.environ.get("OIDC_HSA_ID_CLAIM", "employeeHsaId")
OIDC_EMAIL_CLAIM = os.environ.get("OIDC_EMAIL_CLAIM", "email")
OIDC_MATCH_EMAIL = env_bool("OIDC_MATCH_EMAIL", False)
# Whom a person without a user in Rehab is told to contact.
OIDC_ACCESS_CONTACT = os.environ.get("OIDC_ACCESS_CONTACT", "")
# With OIDC on, the password form is for "admins" (break-glass) or "all" local accounts.
OIDC_LOCAL_LOGIN = os.environ.get("OIDC_LOCAL_LOGIN", "admins")
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = int(os.environ.get("OIDC_TIMEOUT", "10"))
OIDC_VERIFY_SSL = env_bool("OIDC_VERIFY_SSL", True)
OIDC_AUTHENTICATE_CLASS = "rehab.accounts.oidc.AuthenticationRequestView"
OIDC_CALLBACK_CLASS = "rehab.accounts.oidc.CallbackView"
LOGIN_REDIRECT_URL_FAILURE = "/konto/okand-anvandare/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Swedish first, English available; shown in Stockholm time, stored in UTC.
LANGUAGE_CODE = "sv"
# Each language named in itself, so the switch reads "English" to a Swedish user.
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["rehab.formats"]

# Whom a region contacts about a payout decision, printed in every decision (an
# agreement's own "kontakt i beslutet" takes precedence).
REHAB_DECISION_CONTACT = os.environ.get(
    "REHAB_DECISION_CONTACT",
    "Försäkringskassan, handläggare för överenskommelsen, telefon 0771-524 524, "
    "www.forsakringskassan.se",
)

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles" if DEVELOPMENT else BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Files the regions attach to written accounts: outside the web root and never
# served by the web server; views hand them out after a permission check.
PRIVATE_MEDIA_ROOT = Path(
    os.environ.get("PRIVATE_MEDIA_ROOT", "") or BASE_DIR / ".data" / "private"
)

# Security: safe defaults for production, relaxed only in development.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEVELOPMENT)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEVELOPMENT)
# HTTPS only in production: redirect plain HTTP (except the health check, which the
# container's own probe calls over plain HTTP) and tell browsers for a year, for
# subdomains too. X-Forwarded-Proto is believed only when TRUST_PROXY_HEADERS says
# a proxy that sets it (and strips a client's own) is in front, as in docker-compose.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEVELOPMENT)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
TRUST_PROXY_HEADERS = env_bool("TRUST_PROXY_HEADERS", False)
if TRUST_PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "0" if DEVELOPMENT else str(365 * 24 * 60 * 60))
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEVELOPMENT)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEVELOPMENT)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A session ends after SESSION_IDLE_TIMEOUT seconds without a request (the page warns
# SESSION_WARNING_SECONDS before) and SESSION_ABSOLUTE_TIMEOUT after signing in
# (rehab/accounts/sessions.py); the cookie lives as long as the absolute limit.
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", str(10 * 60 * 60)))
SESSION_WARNING_SECONDS = int(os.environ.get("SESSION_WARNING_SECONDS", "120"))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
# Sessions in the database (rehab.models.Session), read with their user and the data
# version in one statement (rehab/accounts/session_store.py, issue #12).
SESSION_ENGINE = "rehab.accounts.session_store"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# E-mail: console in development, SMTP from the environment otherwise.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEVELOPMENT
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "rehab@forsakringskassan.se")
FK_NOTIFICATION_EMAIL = os.environ.get("FK_NOTIFICATION_EMAIL", "rehab-handlaggare@example.se")


# Cache: Redis, shared by every gunicorn worker (API throttling counts there).
# CACHE_URL (or REDIS_URL) when set, otherwise the broker's Redis; keys are prefixed
# so the cache never touches Celery's queues. redis+socket:// (the embedded Redis of
# dev.py) is the same Unix socket as unix://.
def redis_cache_url() -> str:
    url = (
        os.environ.get("CACHE_URL")
        or os.environ.get("REDIS_URL")
        or os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    )
    return (
        "unix://" + url.removeprefix("redis+socket://")
        if url.startswith("redis+socket://")
        else url
    )


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_cache_url(),
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "rehab-cache"),
    }
}

# Celery: Redis as broker. Results are kept in PostgreSQL by the tasks themselves.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "rehab")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Periodic tasks (run by `celery -A rehab beat`, or a worker started with -B).
# Each app adds its own entries here next to the task it schedules.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "worker-heartbeat": {"task": "rehab.tasks.worker_heartbeat", "schedule": 60.0},
    "requeue-stale-payout-runs": {"task": "payments.tasks.requeue_stale_runs", "schedule": 120.0},
    "deadline-reminders": {
        "task": "reporting.tasks.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "clear-expired-sessions": {
        "task": "rehab.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=30),
    },
}

# Payout runs (payments/services.py): a run still QUEUED or RUNNING this many seconds
# after it was queued or claimed counts as stale (its task or worker was lost) and is
# queued again by payments.tasks.requeue_stale_runs. PAYMENTS_COMPUTE_DELAY_SECONDS makes
# the worker wait that long with a run's lines written but not yet committed: 0 in
# production; the tests set it to kill a worker in the middle of a run.
PAYMENTS_STALE_RUN_SECONDS = float(os.environ.get("PAYMENTS_STALE_RUN_SECONDS", "600"))
PAYMENTS_COMPUTE_DELAY_SECONDS = float(os.environ.get("PAYMENTS_COMPUTE_DELAY_SECONDS", "0"))

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Bearer first: its challenge makes a request without credentials a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rehab.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rehab.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "rehab.api.errors.exception_handler",
    "DEFAULT_METADATA_CLASS": "rehab.api.metadata.ApiMetadata",
    "DEFAULT_THROTTLE_CLASSES": ["rehab.api.throttling.ApiRateThrottle"],
}
# API throttling (rehab/api/throttling.py), counted in the cache above per API key,
# per signed-in user, or per IP address for anonymous calls. "write": POST/PUT/PATCH/
# DELETE; "read": GET; "open": the open statistics anyone may read without a key (a
# view says throttle_scope = "open"). Over the rate: 429 with Retry-After.
API_THROTTLE_RATES = {
    "read": os.environ.get("API_THROTTLE_READ", "600/min"),
    "write": os.environ.get("API_THROTTLE_WRITE", "120/min"),
    "open": os.environ.get("API_THROTTLE_OPEN", "60/min"),
}
# History rows (pghistory) refuse UPDATE and DELETE in the database (a trigger on
# every event table); the app's own database role has no such grant either.
PGHISTORY_APPEND_ONLY = True

SPECTACULAR_SETTINGS = {
    "TITLE": "Rehab API",
    "DESCRIPTION": "Regions' treatment reports and Försäkringskassan's payouts.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # One name per choice set, so the schema generates without warnings
    # (`manage.py spectacular --validate --fail-on-warn`, run by a test).
    "ENUM_NAME_OVERRIDES": {
        "AgeBandEnum": "rehab.enums.AgeBand",
        "RunKindEnum": "payments.enums.RunKind",
        "RunStatusEnum": "payments.enums.RunStatus",
        "ExportKindEnum": "payments.enums.ExportKind",
        "VersionStatusEnum": "reporting.enums.VersionStatus",
        "ReportStateEnum": "reporting.enums.ReportState",
        "UnitStateEnum": "reporting.enums.UnitState",
        "AccountStateEnum": "reporting.accounts.selectors.AccountState",
        "AssessmentOutcomeEnum": "reporting.accounts.models.AssessmentOutcome",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
