"""One settings module, every knob an environment variable (see docs/operations.md).

SQLite under var/ by default; DATABASE_URL switches to PostgreSQL.
"""

import os
from pathlib import Path

import dj_database_url

from bangfu.core.env import check_environment, env

# A misspelt variable or a value like `ture` stops the start (see bangfu.core.env): never a silent default.
check_environment()

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env("BANGFU_VAR_DIR") or Path.cwd() / "var").resolve()

DEBUG = env("BANGFU_DEBUG")
# `bangfu demo` turns this on: the login page then lists the demo accounts. Never on a real installation.
DEMO_MODE = env("BANGFU_DEMO")
SECRET_KEY = env("BANGFU_SECRET_KEY")
if not SECRET_KEY:
    # A local install gets a stable random secret kept beside the data, never in the repository.
    from bangfu.core.keys import local_secret

    SECRET_KEY = local_secret(VAR_DIR / "django-secret.txt")
ALLOWED_HOSTS = env("BANGFU_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("BANGFU_CSRF_TRUSTED_ORIGINS")

# The key that encrypts ID numbers, phones and bank accounts lives outside the database.
FIELD_KEY_FILE = Path(env("BANGFU_FIELD_KEY_FILE") or VAR_DIR / "field-key.txt")
# The department feeds' Parquet partitions (monitoring/engine/feedstore.py): a shared path when Spark reads them.
FEED_STORE_DIR = Path(env("BANGFU_FEED_STORE_DIR") or VAR_DIR / "feeds")

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
    "bangfu.keyring",
    "bangfu.audit",
    "bangfu.regions",
    "bangfu.accounts",
    "bangfu.assistance",
    "bangfu.registry",
    "bangfu.monitoring",
    "bangfu.cases",
    "bangfu.reports",
    "bangfu.relocation",
    "bangfu.care",
    "bangfu.jobs",
    "bangfu.ingest",
    "bangfu.demo",
    "bangfu.web",
    "bangfu.offline",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bangfu.web.middleware.PrivateResponseMiddleware",
    "bangfu.web.middleware.BadInputMiddleware",
    "bangfu.web.uploads.UploadLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bangfu.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bangfu.accounts.middleware.IdleSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bangfu.audit.middleware.RequestIdMiddleware",
    "bangfu.web.middleware.DatabaseBusyMiddleware",
    "bangfu.audit.refusals.RefusalMiddleware",
    "bangfu.api.errors.ApiJsonErrorsMiddleware",
    "bangfu.api.auth.ApiCallMiddleware",
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
                "bangfu.jobs.context.worker_status",
            ],
        },
    }
]

DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("BANGFU_SQLITE_PATH") or str(VAR_DIR / "bangfu.sqlite3"),
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
# Argon2id first; hashes from before (PBKDF2) still verify and are upgraded at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "full_name", "email")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins are counted in the database (accounts.throttle) by account and address, and by address alone.
LOGIN_MAX_FAILURES = env("BANGFU_LOGIN_MAX_FAILURES")
LOGIN_MAX_FAILURES_PER_ADDRESS = env("BANGFU_LOGIN_MAX_FAILURES_PER_ADDRESS")
LOGIN_LOCK_MINUTES = env("BANGFU_LOGIN_LOCK_MINUTES")
# ID numbers found registered outside the user's jurisdiction, per hour, before the user's check is locked.
DUPLICATE_CHECK_LIMIT = env("BANGFU_DUPLICATE_CHECK_LIMIT")
# Refusals (403) of one account per hour before a security event (audit/refusals.py).
REFUSALS_PER_HOUR = env("BANGFU_REFUSALS_PER_HOUR")
# Spreadsheets read by the imports: limits checked before reading (ingest/bounds.py), the reading process's
# memory cap (ingest/sandbox.py), and the largest upload body of any kind (web/uploads.py).
IMPORT_MAX_CELLS = env("BANGFU_IMPORT_MAX_CELLS")
IMPORT_MAX_UNPACKED_BYTES = env("BANGFU_IMPORT_MAX_UNPACKED_MB") * 1024 * 1024
IMPORT_READ_MEMORY_BYTES = env("BANGFU_IMPORT_READ_MEMORY_MB") * 1024 * 1024
UPLOAD_MAX_BYTES = env("BANGFU_UPLOAD_MAX_MB") * 1024 * 1024
# The longest an API token may live (accounts.tokens): a department system gets a new one at least this often.
API_TOKEN_MAX_DAYS = env("BANGFU_API_TOKEN_MAX_DAYS")
OFFLINE_KEEP_DAYS = env("BANGFU_OFFLINE_KEEP_DAYS")  # 我的村: days a phone keeps its copy without a login
FILE_UPLOAD_HANDLERS = ["bangfu.web.uploads.SizeLimitUploadHandler",
                        "django.core.files.uploadhandler.MemoryFileUploadHandler",
                        "django.core.files.uploadhandler.TemporaryFileUploadHandler"]

# Evidence files (photos, scans) attached to assistance ledgers: the largest accepted upload.
EVIDENCE_MAX_BYTES = env("BANGFU_EVIDENCE_MAX_MB") * 1024 * 1024

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["bangfu.formats"]  # Chinese numbers grouped by thousands, like the English ones
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env("BANGFU_STATIC_ROOT") or None  # only for `collectstatic` behind a web server
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the package: no collectstatic step for a local demo

TASKS = {
    "default": {
        "BACKEND": env("BANGFU_TASK_BACKEND"),
    }
}

# A running job's worker stamps a heartbeat this often; a job without one for JOB_DEAD_AFTER_SECONDS has lost its
# worker and is failed (sooner when its process is gone on this machine).
# The county a command-line import or export acts for, when more than one county's tree is loaded.
COUNTY_CODE = env("BANGFU_COUNTY")
JOB_HEARTBEAT_SECONDS = env("BANGFU_JOB_HEARTBEAT_SECONDS")
JOB_DEAD_AFTER_SECONDS = env("BANGFU_JOB_DEAD_AFTER_SECONDS")
# Uploaded ledgers and department files never committed (they hold full ID numbers) are deleted by prune-jobs
# once older than this.
UPLOAD_KEEP_HOURS = env("BANGFU_UPLOAD_KEEP_HOURS")
# The worker runs a screening every night at this local hour (0-23) when the county wants it; unset: only on demand.
NIGHTLY_SCREENING_HOUR = env("BANGFU_NIGHTLY_SCREENING_HOUR")
# Where the screening's rules run, for the page's runs, the nightly one and `bangfu screen` without --engine:
# "duckdb" in the process, or "spark" at SPARK_MASTER (local mode in the process when None). Read through
# monitoring.services.screening_engine only, which checks them again at every run.
SCREEN_ENGINE = env("BANGFU_SCREEN_ENGINE")
SPARK_MASTER = env("BANGFU_SPARK_MASTER") or None
# The server and the worker record that they run against this database (keyring.leases), at the same pace, so
# `bangfu rotate-key` can refuse while one runs. The test settings turn it off: tests load bangfu.wsgi in-process.
PROCESS_LEASES = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day at most, however active
SESSION_IDLE_SECONDS = env("BANGFU_SESSION_IDLE_MINUTES") * 60  # and ended sooner when left idle
# BANGFU_SECURE_COOKIES says the site is served over HTTPS: cookies only over HTTPS, browsers told to keep to
# HTTPS (HSTS), plain HTTP redirected. The last two can be set apart (e.g. HSTS off while trying HTTPS out).
SESSION_COOKIE_SECURE = env("BANGFU_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True  # pages send the token from the page (hx-headers), never read from the cookie
_hsts = env("BANGFU_HSTS_SECONDS")
SECURE_HSTS_SECONDS = (31_536_000 if SESSION_COOKIE_SECURE else 0) if _hsts is None else _hsts
SECURE_HSTS_INCLUDE_SUBDOMAINS = bool(SECURE_HSTS_SECONDS)
SECURE_HSTS_PRELOAD = bool(SECURE_HSTS_SECONDS)
_redirect = env("BANGFU_SSL_REDIRECT")
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE if _redirect is None else _redirect
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's plain-HTTP probe
# The front web server that terminates HTTPS: waitress then takes the client address and scheme from its
# X-Forwarded-For / X-Forwarded-Proto (bangfu serve), and from nobody else.
TRUSTED_PROXY = env("BANGFU_TRUSTED_PROXY")
X_FRAME_OPTIONS = "DENY"
# No script or style but our own vendored files: no inline scripts, no CDN (see web/middleware.py).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("BANGFU_LOG_LEVEL")},
}

# The web server (`bangfu serve`): worker processes and threads in each (docs/operations.md says how to size them).
WEB_WORKERS = env("BANGFU_WEB_WORKERS") or max(2, os.cpu_count() or 1)
WEB_THREADS = env("BANGFU_WEB_THREADS")

# Page sizes
HOUSEHOLD_PAGE_SIZE = 50
