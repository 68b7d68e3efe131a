"""Settings for the test suite: a throw-away data directory and jobs that run in-process.

pytest-django imports this before any conftest runs, so the defaults hold however pytest is started.
"""

import os
import tempfile

os.environ.setdefault("BANGFU_VAR_DIR", tempfile.mkdtemp(prefix="bangfu-test-"))
os.environ.setdefault("BANGFU_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

from bangfu.settings import *  # noqa: E402,F403

# xdist workers inherit one directory, and job result files are named by job number, which each worker's database
# counts from 1: in a shared directory one worker's export could overwrite the file another is about to read.
if os.environ.get("PYTEST_XDIST_WORKER"):
    VAR_DIR = VAR_DIR / os.environ["PYTEST_XDIST_WORKER"]  # noqa: F405
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    FEED_STORE_DIR = VAR_DIR / "feeds"  # each worker's own feeds' Parquet store, as its own database

# No lease rows from the test process itself (a test that loads bangfu.wsgi would leave one behind).
PROCESS_LEASES = False

# Tests create many users: the production hasher would cost each a quarter second.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, like production (WAL, busy timeout, writers waiting for each other), not a shared-cache
    # in-memory database whose table locks fail at once instead of waiting.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
