"""Django settings, configured from the environment that ``backpedal serve`` sets.

Environment
-----------
BACKPEDAL_WEB_DATA
    Folder for the database (SQLite), uploads and reports (default ``./backpedal-data``).
BACKPEDAL_WEB_DATABASE
    A database URL (``postgresql://user@host/db``); SQLite in the data folder when unset.
BACKPEDAL_WEB_SECRET_KEY
    Signing key for sessions and CSRF; generated once into ``DATA/secret_key`` when unset.
BACKPEDAL_WEB_MAX_UPLOAD_MB
    Largest clip accepted (default 500 MB).
BACKPEDAL_WEB_HTTPS
    ``1`` behind an HTTPS reverse proxy that sets ``X-Forwarded-Proto``: secure cookies.
BACKPEDAL_WEB_TRUSTED_ORIGINS
    Comma-separated origins (``https://coach.example.org``) the proxy serves the app under.
BACKPEDAL_WEB_DEBUG
    ``1`` for Django's debug pages (never in production).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("BACKPEDAL_WEB_DATA", "backpedal-data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
UPLOAD_DIR = DATA_DIR / "uploads"
RESULTS_DIR = DATA_DIR / "results"
TMP_DIR = DATA_DIR / "tmp"
for _d in (UPLOAD_DIR, RESULTS_DIR, TMP_DIR):
    _d.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The signing key: from the environment, else kept in ``DATA/secret_key`` (mode 600)."""
    env = os.environ.get("BACKPEDAL_WEB_SECRET_KEY")
    if env:
        return env
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("BACKPEDAL_WEB_DEBUG") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("BACKPEDAL_WEB_ALLOWED_HOSTS", "*").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "analyzer.web.apps.WebConfig",
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
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes documents
]

ROOT_URLCONF = "analyzer.web.urls"
WSGI_APPLICATION = "analyzer.web.wsgi.application"
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


def _database() -> dict:
    url = os.environ.get("BACKPEDAL_WEB_DATABASE")
    if url:
        db = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        if db["ENGINE"] == "django.db.backends.sqlite3":
            db["OPTIONS"] = _SQLITE_OPTIONS
        return db
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "db.sqlite3"),
        "OPTIONS": _SQLITE_OPTIONS,
        "TEST": {"NAME": os.environ.get("BACKPEDAL_WEB_TEST_DB") or None},
    }


# WAL lets the web server read while a worker writes; IMMEDIATE transactions take the write
# lock at BEGIN, so two claimers never both read a job as free (Django >= 5.1 options).
_SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
}
DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login rate limiting (django-axes): 5 failures per username and address lock for 15 min.
AXES_FAILURE_LIMIT = int(os.environ.get("BACKPEDAL_WEB_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("BACKPEDAL_WEB_TRUSTED_ORIGINS", "").split(",") if o
]
if os.environ.get("BACKPEDAL_WEB_HTTPS") == "1":
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Uploads always go to a temporary file on disk (never held in memory), capped in size.
FILE_UPLOAD_HANDLERS = ["analyzer.web.uploads.LimitedTemporaryFileUploadHandler"]
FILE_UPLOAD_TEMP_DIR = str(TMP_DIR)
FILE_UPLOAD_PERMISSIONS = 0o640
MAX_UPLOAD_BYTES = int(float(os.environ.get("BACKPEDAL_WEB_MAX_UPLOAD_MB", "500")) * 1024 * 1024)

# Job queue: a worker holds a job for LEASE seconds and renews it every LEASE/4.
JOB_LEASE_S = float(os.environ.get("BACKPEDAL_WEB_JOB_LEASE_S", "60"))
JOB_MAX_ATTEMPTS = int(os.environ.get("BACKPEDAL_WEB_JOB_MAX_ATTEMPTS", "3"))
JOB_POLL_S = float(os.environ.get("BACKPEDAL_WEB_JOB_POLL_S", "1.0"))

# The fault profile the team's clips are scored with (a built-in name from `backpedal profiles`
# or a TOML file); empty: the analyzer's default. Checked at every upload, before queuing.
ANALYSIS_PROFILE = os.environ.get("BACKPEDAL_WEB_PROFILE", "").strip() or None

STATIC_URL = "static/"
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True  # serve analyzer/web/static straight from the package
WHITENOISE_AUTOREFRESH = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # analyzer.web propagates to the root logger: workers log there (``worker PID: ...``)
    },
}
