"""Settings for the test suite: a throw-away data directory and jobs that run in-process.

pytest-django imports this before any conftest runs, so the defaults hold however pytest is started.
"""

import os
import tempfile

os.environ.setdefault("BANGFU_VAR_DIR", tempfile.mkdtemp(prefix="bangfu-test-"))
os.environ.setdefault("BANGFU_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

from bangfu.settings import *  # noqa: E402,F403
