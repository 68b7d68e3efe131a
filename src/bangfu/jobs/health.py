"""Is the background worker alive? Its process lease (keyring.leases) is its heartbeat: renewed every
JOB_HEARTBEAT_SECONDS while `bangfu worker` runs. No beat for two intervals (or, on this machine, its process gone)
means no worker: /healthz answers 503
and every page that starts or waits on a job says so (WORKER_DOWN)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WORKER_DOWN = _("后台任务进程未运行，请联系管理员")


@dataclass(frozen=True)
class WorkerState:
    needed: bool  # False when jobs run inside the request (the test backend): there is no worker to wait for
    last_heartbeat: dt.datetime | None

    @property
    def running(self) -> bool:
        if not self.needed:
            return True
        limit = timezone.now() - dt.timedelta(seconds=2 * settings.JOB_HEARTBEAT_SECONDS)
        return self.last_heartbeat is not None and self.last_heartbeat >= limit

    def as_dict(self) -> dict:
        return {"running": self.running, "needed": self.needed,
                "last_heartbeat": self.last_heartbeat.isoformat() if self.last_heartbeat else None}


def worker_needed() -> bool:
    return not settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")


def worker_state() -> WorkerState:
    """The newest heartbeat of any worker process (a DatabaseError propagates: the caller reports the database)."""
    from bangfu.keyring.leases import lease_process_gone
    from bangfu.keyring.models import ProcessLease

    if not worker_needed():
        return WorkerState(needed=False, last_heartbeat=None)
    leases = ProcessLease.objects.filter(kind=ProcessLease.Kind.WORKER).order_by("-heartbeat_at")[:20]
    # A worker of this machine that was killed beats no more: its last heartbeat is not a live one.
    last = next((lease.heartbeat_at for lease in leases if not lease_process_gone(lease)), None)
    return WorkerState(needed=True, last_heartbeat=last)


def worker_down() -> bool:
    """For pages: True when jobs would wait for a worker that does not beat (or the database cannot say)."""
    try:
        return not worker_state().running
    except DatabaseError:
        return True


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def health() -> dict:
    """What /healthz answers: the database reachable, the worker's last heartbeat, ok when both hold."""
    database = database_reachable()
    worker = {"running": False, "needed": worker_needed(), "last_heartbeat": None}
    if database:
        try:
            worker = worker_state().as_dict()
        except DatabaseError:  # the table is missing (not migrated) or the connection dropped meanwhile
            database = False
    return {"ok": database and worker["running"], "database": database, "worker": worker}
