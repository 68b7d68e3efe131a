"""Uploads never committed hold full ID numbers: prune-jobs deletes them once older than BANGFU_UPLOAD_KEEP_HOURS
(ledgers under var/imports/, previewed department files under var/feeds/staged/), and leaves younger ones and
those being previewed alone."""

import os
import time
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bangfu.ingest.models import ImportRun
from bangfu.jobs.models import Job


def _file(directory: Path, name: str, *, hours_old: float) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(b"ID numbers")
    stamp = time.time() - hours_old * 3600
    os.utime(path, (stamp, stamp))
    return path


def test_old_uploads_are_deleted_and_young_ones_kept(settings, tuanjie_cadre, client):
    settings.UPLOAD_KEEP_HOURS = 24
    imports, staged = Path(settings.VAR_DIR) / "imports", Path(settings.VAR_DIR) / "feeds" / "staged"
    old_import = _file(imports, "old-test-prune.xlsx", hours_old=30)
    young_import = _file(imports, "young-test-prune.xlsx", hours_old=2)
    old_feed = _file(staged, "old-test-prune.csv", hours_old=25)
    young_feed = _file(staged, "young-test-prune.csv", hours_old=1)
    run = ImportRun.objects.create(kind="households", file_name="台账.xlsx", file_path=str(old_import),
                                   requested_by=tuanjie_cadre, status=ImportRun.Status.PREVIEWED,
                                   report={"counts": {"households_new": 1}})
    try:
        call_command("prune_jobs", days=7)
        assert not old_import.exists() and not old_feed.exists()
        assert young_import.exists() and young_feed.exists()
        run.refresh_from_db()
        assert run.status == ImportRun.Status.FAILED and run.report["expired"]
        client.force_login(tuanjie_cadre)
        page = client.get(reverse("ingest:import_detail", args=[run.pk])).content.decode()
        assert "已按期清理" in page and "确认导入" not in page  # nothing left to commit
        # The age is configurable: a shorter one takes the younger files too.
        call_command("prune_jobs", days=7, upload_hours=1)
        assert not young_import.exists() and not young_feed.exists()
    finally:
        for path in (old_import, young_import, old_feed, young_feed):
            path.unlink(missing_ok=True)


def test_a_file_being_previewed_is_left_alone(settings, tuanjie_cadre):
    settings.UPLOAD_KEEP_HOURS = 1
    path = _file(Path(settings.VAR_DIR) / "imports", "busy-test-prune.xlsx", hours_old=5)
    job = Job.objects.create(kind="household_import_preview", title="导入预览", requested_by=tuanjie_cadre,
                             params={}, status=Job.Status.RUNNING,
                             worker="another-host:1", heartbeat_at=timezone.now())
    ImportRun.objects.create(kind="households", file_name="台账.xlsx", file_path=str(path),
                             requested_by=tuanjie_cadre, job=job)
    try:
        call_command("prune_jobs", days=7)
        assert path.exists()
    finally:
        path.unlink(missing_ok=True)
