"""Test-run environment: a throw-away var/ directory (keys, secrets) so tests never touch a real install."""

import os
import tempfile

os.environ.setdefault("BANGFU_VAR_DIR", tempfile.mkdtemp(prefix="bangfu-test-"))
os.environ.setdefault("BANGFU_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
