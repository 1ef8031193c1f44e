"""Varta's one settings module. Every knob is an environment variable, documented in README.md."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from varta.core.keys import load_data_keys, load_or_create_secret_key
from varta.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("VARTA_VAR_DIR", str(Path.cwd() / "var"))).resolve()
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)  # owner-only: database, keys, backups

DEBUG = env_bool("VARTA_DEBUG", False)
# Demo mode: two-factor login is not enforced and every page carries a "do not enter real data" banner.
DEMO_MODE = env_bool("VARTA_DEMO", False)
# Behind TLS (the production default): secure cookies, HSTS, redirect to https.
HTTPS = env_bool("VARTA_HTTPS", True)

SECRET_KEY = env_str("VARTA_SECRET_KEY") or load_or_create_secret_key(VAR_DIR / "secret_key")

# --- Database ---------------------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "varta.sqlite3"
DATABASE_URL = env_str("DATABASE_URL")
# Each server thread keeps its connection this long: no connect, no PRAGMAs (SQLite) and no TLS handshake
# (PostgreSQL) per request. 0 closes it after every request.
CONN_MAX_AGE = env_int("VARTA_DB_CONN_MAX_AGE", 60)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    EMBEDDED = False
else:
    DATABASES = {
        "default": {
            "ENGINE": "varta.core.sqlite",  # Django's, with writers queueing in-process (varta/core/sqlite/base.py)
            "NAME": str(SQLITE_PATH),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            # Tests run in memory, as on Django's own SQLite engine (pytest-django recognises only that one by name).
            "TEST": {"NAME": ":memory:"},
            "OPTIONS": {
                # IMMEDIATE: a writing transaction takes the write lock at BEGIN, so two writers queue instead
                # of failing on lock upgrade; WAL lets readers run beside the writer.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                                "PRAGMA journal_size_limit=33554432;",  # a burst's log shrinks back to 32 MB
            },
        }
    }
    EMBEDDED = True

# --- Data-encryption keys (outside the database) -------------------------------------------------------
DATA_KEY_FILE = Path(env_str("VARTA_DATA_KEY_FILE", str(VAR_DIR / "data.key")))
# Keys from the environment are fixed for the life of the process; a key file is re-read when `varta rotate-keys`
# replaces it (varta/core/crypto.py), so a rotation needs no restart.
DATA_KEYS_FROM_ENV = bool(env_str("VARTA_DATA_KEYS"))
DATA_KEYS = load_data_keys(
    env_value=env_str("VARTA_DATA_KEYS"),
    key_file=DATA_KEY_FILE,
    may_create=EMBEDDED and not SQLITE_PATH.exists(),
)

# --- Applications ---------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "varta.core",
    "varta.accounts",
    "varta.orgs",
    "varta.audit",
    "varta.geo",
    "varta.hotline",
    "varta.cases",
]

MIDDLEWARE = [
    "varta.core.middleware.RequestContextMiddleware",
    "varta.core.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "varta.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "varta.accounts.middleware.VartaLoginRequiredMiddleware",
    "varta.accounts.middleware.SessionSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "varta.urls"
WSGI_APPLICATION = "varta.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "varta.core.context_processors.varta",
            ],
        },
    }
]

# --- Passwords and login -------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins: after LOGIN_MAX_FAILURES within LOGIN_FAILURE_WINDOW seconds an account (or a client address)
# is locked for LOGIN_LOCKOUT_SECONDS; the lock always expires, so an attacker cannot lock a victim out forever.
LOGIN_MAX_FAILURES = env_int("VARTA_LOGIN_MAX_FAILURES", 5)
LOGIN_FAILURE_WINDOW = env_int("VARTA_LOGIN_FAILURE_WINDOW", 15 * 60)
LOGIN_LOCKOUT_SECONDS = env_int("VARTA_LOGIN_LOCKOUT_SECONDS", 15 * 60)
LOGIN_MAX_FAILURES_PER_IP = env_int("VARTA_LOGIN_MAX_FAILURES_PER_IP", 50)

# --- Sessions, cookies, headers ------------------------------------------------------------------------
SESSION_IDLE_MINUTES = env_int("VARTA_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True  # sliding expiry: the cookie lives SESSION_IDLE_MINUTES after the last request
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "varta.core.views.csrf_failure"
CSRF_TRUSTED_ORIGINS = env_list("VARTA_CSRF_TRUSTED_ORIGINS", [])
SECURE_SSL_REDIRECT = HTTPS and env_bool("VARTA_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("VARTA_BEHIND_PROXY", False) else None
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS: list[str] = []
ALLOWED_HOSTS = env_list("VARTA_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
# Trust X-Forwarded-For for the client address only behind a known reverse proxy.
TRUST_X_FORWARDED_FOR = env_bool("VARTA_BEHIND_PROXY", False)

# Bodies over this size are refused with 413 before they are read.
MAX_REQUEST_BODY_BYTES = env_int("VARTA_MAX_REQUEST_BODY_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
# Historical call logs may be larger: the import's upload is streamed to VAR_DIR/imports, never held in memory.
IMPORT_MAX_BYTES = env_int("VARTA_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
# Paths whose bodies may exceed MAX_REQUEST_BODY_BYTES, each with its own limit (BodySizeLimitMiddleware).
LARGE_UPLOAD_PATHS = {"/hotline/imports/new/": IMPORT_MAX_BYTES}

# --- Internationalisation --------------------------------------------------------------------------------
LANGUAGE_CODE = env_str("VARTA_LANGUAGE", "en")
LANGUAGES = [("en", "English"), ("uk", "Українська")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("VARTA_TIME_ZONE", "Europe/Kyiv")

# --- Static files ----------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- API -------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "varta.accounts.api_auth.ApiTokenAuthentication",
        "varta.accounts.api_auth.VartaSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "varta.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Varta API",
    "DESCRIPTION": "Counter-trafficking information management. Every endpoint applies the same permission and "
    "organisation-isolation rules as the pages. Authenticate with `Authorization: Token <token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "varta.accounts.permissions.ROLE_CHOICES",
        # Choice sets used under several field names, or field names shared by several sets (case management).
        "GenderEnum": "varta.core.htcds.Gender",
        "TypeOfExploitationEnum": "varta.core.htcds.TypeOfExploitation",
        "CaseStageEnum": "varta.cases.models.CaseStage",
        "WgLevelEnum": "varta.cases.models.WgLevel",
        "PlanItemStatusEnum": "varta.cases.models.PlanItemStatus",
        "ServiceOutcomeEnum": "varta.cases.models.ServiceOutcome",
        "OutcomeEnum": "varta.hotline.models.Outcome",
    },
}

# --- Case management ---------------------------------------------------------------------------------------
# Largest attachment a case accepts (stored encrypted in the database); below the 10 MB body limit, so a file
# over it gets the form's message rather than the 413 page.
CASE_ATTACHMENT_MAX_BYTES = env_int("VARTA_CASE_ATTACHMENT_MAX_BYTES", 9 * 1024 * 1024)
# Closed cases are anonymised this many days after closure (`varta anonymise-expired`, docs/cases.md).
CASE_RETENTION_DAYS = env_int("VARTA_CASE_RETENTION_DAYS", 1826)
if CASE_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("VARTA_CASE_RETENTION_DAYS must be a number of days, at least 1")

# --- Statistics ----------------------------------------------------------------------------------------
# Figures that leave an organisation hide counts below this, with secondary suppression (varta/core/disclosure.py).
SMALL_CELL_THRESHOLD = env_int("VARTA_SMALL_CELL_THRESHOLD", 5)

# --- Logging: JSON lines on stderr, never personal values ----------------------------------------------
LOG_LEVEL = env_str("VARTA_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "varta.core.logging.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own request logger repeats the path and sometimes the query string; ours logs each request once.
        "django.request": {"level": "ERROR", "handlers": ["stderr"], "propagate": False},
        "django.server": {"level": "WARNING"},
        "waitress": {"level": "WARNING"},
    },
}
