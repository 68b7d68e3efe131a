"""A department file (full ID numbers inside) is kept readable by the server's account only (0600) while it waits
for its preview and decision, and `bangfu prune-jobs` (ingest.services.uploads_prune, for the worker's periodic
work) deletes it once older than BANGFU_UPLOAD_KEEP_HOURS; a younger one is kept."""

import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from bangfu.ingest.models import ImportRun
from bangfu.ingest.services import uploads_prune
from bangfu.monitoring.feed_import import feed_run_start
from bangfu.monitoring.feeds import FEED_KINDS

pytestmark = pytest.mark.django_db


def _upload(actor, capture) -> ImportRun:
    kind = next(iter(FEED_KINDS))
    upload = SimpleUploadedFile("医保.csv", "身份证号,姓名\n513225198001010011,测试\n".encode())
    with capture(execute=True):
        return feed_run_start(actor=actor, upload=upload, kind=kind, period="2025-05")


def test_a_department_file_is_kept_owner_only_and_pruned_by_age(county_admin, settings,
                                                                django_capture_on_commit_callbacks):
    old = _upload(county_admin, django_capture_on_commit_callbacks)
    young = _upload(county_admin, django_capture_on_commit_callbacks)
    for run in (old, young):
        assert os.stat(run.file_path).st_mode & 0o777 == 0o600
    hours = settings.UPLOAD_KEEP_HOURS
    aged = time.time() - (hours + 1) * 3600
    os.utime(old.file_path, (aged, aged))
    assert uploads_prune(older_than_hours=hours) == 1
    assert not Path(old.file_path).exists() and Path(young.file_path).exists()
    old.refresh_from_db()
    assert old.status == ImportRun.Status.FAILED


def test_prune_jobs_calls_the_same_pruning(county_admin, django_capture_on_commit_callbacks, capsys):
    run = _upload(county_admin, django_capture_on_commit_callbacks)
    call_command("prune_jobs", "--upload-hours", "0")
    assert not Path(run.file_path).exists()
