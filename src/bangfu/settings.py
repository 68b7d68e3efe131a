"""One settings module, every knob an environment variable (see docs/operations.md).

SQLite under var/ by default; DATABASE_URL switches to PostgreSQL.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("BANGFU_VAR_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("BANGFU_DEBUG", False)
# `bangfu demo` turns this on: the login page then lists the demo accounts. Never on a real installation.
DEMO_MODE = env_bool("BANGFU_DEMO", False)
SECRET_KEY = os.environ.get("BANGFU_SECRET_KEY", "")
if not SECRET_KEY:
    # A local install gets a stable random secret kept beside the data, never in the repository.
    from bangfu.core.keys import local_secret

    SECRET_KEY = local_secret(VAR_DIR / "django-secret.txt")
ALLOWED_HOSTS = env_list("BANGFU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("BANGFU_CSRF_TRUSTED_ORIGINS")

# The key that encrypts ID numbers, phones and bank accounts lives outside the database.
FIELD_KEY_FILE = Path(os.environ.get("BANGFU_FIELD_KEY_FILE", VAR_DIR / "field-key.txt"))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from the package, not from a CDN (offline networks)
    "django_tasks",
    "django_tasks_db",
    "bangfu.core",
    "bangfu.audit",
    "bangfu.regions",
    "bangfu.accounts",
    "bangfu.assistance",
    "bangfu.registry",
    "bangfu.monitoring",
    "bangfu.cases",
    "bangfu.reports",
    "bangfu.jobs",
    "bangfu.ingest",
    "bangfu.demo",
    "bangfu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bangfu.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bangfu.audit.middleware.RequestIdMiddleware",
]

ROOT_URLCONF = "bangfu.urls"
WSGI_APPLICATION = "bangfu.wsgi.application"

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
                "django.template.context_processors.i18n",
                "bangfu.web.context.navigation",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("BANGFU_SQLITE_PATH", str(VAR_DIR / "bangfu.sqlite3")),
            # WAL lets the worker write while pages read; IMMEDIATE avoids "database is locked" upgrades.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

# Repeated failed logins lock the username for a while (per process cache: one server process is the norm).
LOGIN_MAX_FAILURES = int(os.environ.get("BANGFU_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCK_MINUTES = int(os.environ.get("BANGFU_LOGIN_LOCK_MINUTES", "15"))
# Evidence files (photos, scans) attached to assistance ledgers: the largest accepted upload.
EVIDENCE_MAX_BYTES = int(os.environ.get("BANGFU_EVIDENCE_MAX_MB", "10")) * 1024 * 1024

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["bangfu.formats"]  # Chinese numbers grouped by thousands, like the English ones
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("BANGFU_STATIC_ROOT") or None  # only for `collectstatic` behind a web server
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the package: no collectstatic step for a local demo

TASKS = {
    "default": {
        "BACKEND": os.environ.get("BANGFU_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# A running job's worker stamps a heartbeat this often; a job without one for JOB_DEAD_AFTER_SECONDS has lost its
# worker and is failed (sooner when its process is gone on this machine).
JOB_HEARTBEAT_SECONDS = int(os.environ.get("BANGFU_JOB_HEARTBEAT_SECONDS", "10"))
JOB_DEAD_AFTER_SECONDS = int(os.environ.get("BANGFU_JOB_DEAD_AFTER_SECONDS", "60"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day
SESSION_COOKIE_SECURE = env_bool("BANGFU_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BANGFU_LOG_LEVEL", "WARNING")},
}

# Page sizes
HOUSEHOLD_PAGE_SIZE = 50
