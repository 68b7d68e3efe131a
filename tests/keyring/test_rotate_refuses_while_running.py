"""`bangfu rotate-key` refuses while a server or worker runs against the same database (their leases), writes
nothing then, and goes ahead with --force or once they have stopped (or died)."""

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from bangfu.keyring.leases import process_lease_start, processes_live
from bangfu.keyring.models import FieldKeyState, ProcessLease
from bangfu.keyring.services import KeyCheckError, key_rotate, new_key_path

pytestmark = pytest.mark.django_db


def _lease(name="server-b:4242", kind="server", age_seconds=0):
    at = timezone.now() - dt.timedelta(seconds=age_seconds)
    return ProcessLease.objects.create(name=name, kind=kind, started_at=at, heartbeat_at=at)


def test_a_live_server_on_another_machine_stops_the_rotation_and_nothing_is_written(own_key):
    _lease("server-b:4242", "server")
    _lease("server-b:5151", "worker")
    key_before = own_key.read_text()
    with pytest.raises(KeyCheckError) as refused:
        key_rotate(report=lambda line: None)
    assert "正在使用该数据库" in refused.value.message and "server-b:4242" in refused.value.message
    assert "后台任务进程 server-b:5151" in refused.value.message and "--force" in refused.value.message
    assert "未做任何写入" in refused.value.message
    assert own_key.read_text() == key_before and not new_key_path().exists()
    assert not FieldKeyState.objects.get().rotating_to


def test_the_command_exits_non_zero_with_the_chinese_message(own_key):
    _lease()
    with pytest.raises(CommandError, match="请先停止 bangfu serve 和 bangfu worker"):
        call_command("rotate_key")


def test_force_rotates_anyway(own_key):
    _lease()
    key_before = own_key.read_text()
    key_rotate(report=lambda line: None, force=True)
    assert own_key.read_text() != key_before


def test_a_lease_without_a_recent_heartbeat_or_of_a_dead_local_process_does_not_count(own_key, settings):
    settings.JOB_DEAD_AFTER_SECONDS = 60
    _lease("server-b:4242", age_seconds=61)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    import socket

    _lease(f"{socket.gethostname()}:{dead.pid}", "worker")
    assert processes_live() == []
    assert not ProcessLease.objects.exists()  # the dead ones' leases are cleared
    key_rotate(report=lambda line: None)
    assert not FieldKeyState.objects.get().rotating_to


def test_a_process_lease_is_renewed_and_removed_at_exit(settings):
    settings.PROCESS_LEASES = True
    lease = process_lease_start("worker")
    try:
        row = ProcessLease.objects.get(name=lease.name)
        assert row.kind == "worker" and row.name.endswith(f":{os.getpid()}")
        assert [live.name for live in processes_live()] == [lease.name]
    finally:
        lease.end()
    assert not ProcessLease.objects.filter(name=lease.name).exists()


@pytest.mark.slow
def test_rotate_key_refuses_while_bangfu_worker_runs(tmp_path, migrated_sqlite):
    """The real worker process against a real SQLite database: rotate-key refuses; after the worker has
    stopped, it rotates."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BANGFU_TASK_BACKEND"}}
    env.update(BANGFU_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="bangfu.settings", PYTHONUNBUFFERED="1")

    def bangfu(*args):
        return subprocess.run([sys.executable, "-m", "bangfu.cli", *args], env=env, text=True, capture_output=True,
                              timeout=120)

    migrated_sqlite(tmp_path)
    worker = subprocess.Popen([sys.executable, "-m", "bangfu.cli", "worker", "--no-startup-delay"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        count = "from bangfu.keyring.models import ProcessLease; print(ProcessLease.objects.count())"
        for _ in range(100):
            if bangfu("shell", "-c", count).stdout.split()[-1:] == ["1"]:
                break
            time.sleep(0.2)
        refused = bangfu("rotate-key")
        assert refused.returncode != 0
        assert "正在使用该数据库" in refused.stderr and f":{worker.pid}" in refused.stderr, refused.stderr
        assert not (tmp_path / "field-key.txt.new").exists()
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    # A server (anything loading bangfu.wsgi) holds a lease while it runs and gives it back when it exits.
    server = subprocess.run([sys.executable, "-c", "import bangfu.wsgi\nfrom bangfu.keyring.models import "
                             "ProcessLease\nprint(*ProcessLease.objects.values_list('kind', flat=True))"],
                            env=env, text=True, capture_output=True, timeout=120)
    assert server.returncode == 0 and server.stdout.split() == ["server"], server.stderr
    assert bangfu("shell", "-c", count).stdout.split()[-1:] == ["0"]
    rotated = bangfu("rotate-key")
    assert rotated.returncode == 0 and "轮换完成" in rotated.stdout, rotated.stderr
