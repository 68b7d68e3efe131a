"""Which server and worker processes run against this database, so `bangfu rotate-key` can refuse while one does.

Each process (every gunicorn worker, waitress, `bangfu worker`) holds a lease row named host:pid, renewed by a
daemon thread every JOB_HEARTBEAT_SECONDS and deleted when the process exits. A lease is live while its heartbeat
is younger than JOB_DEAD_AFTER_SECONDS, unless it names a process of this machine that is gone (killed -9).
"""

import atexit
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import connection
from django.utils import timezone

from bangfu.keyring.models import ProcessLease

log = logging.getLogger(__name__)


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _renew(name: str, kind: str, started_at) -> None:
    ProcessLease.objects.update_or_create(name=name, defaults={"kind": kind, "heartbeat_at": timezone.now()},
                                          create_defaults={"kind": kind, "started_at": started_at,
                                                           "heartbeat_at": timezone.now()})


class Lease:
    """The running process's own lease: written at once, renewed by a thread, removed at exit."""

    def __init__(self, kind: str):
        self.kind, self.name, self.started_at = kind, process_name(), timezone.now()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name="bangfu-process-lease", daemon=True)

    def start(self) -> "Lease":
        _renew(self.name, self.kind, self.started_at)
        if not connection.in_atomic_block:  # the caller's thread may never query again (a gunicorn worker's main)
            connection.close()
        self.thread.start()
        atexit.register(self.end)
        return self

    def _beat(self) -> None:
        while not self.stop.wait(settings.JOB_HEARTBEAT_SECONDS):
            try:
                _renew(self.name, self.kind, self.started_at)
            except Exception as error:  # a missed beat is retried; serving must not stop for it
                log.warning("process lease %s not renewed: %s", self.name, error)
            finally:
                connection.close()  # this thread's own connection: no SQLite lock or idle session kept

    def end(self) -> None:
        self.stop.set()
        atexit.unregister(self.end)
        try:
            ProcessLease.objects.filter(name=self.name).delete()
        except Exception as error:  # exiting anyway: the lease lapses by itself
            log.warning("process lease %s not removed: %s", self.name, error)


def process_lease_start(kind: str) -> Lease | None:
    """Record that this process (ProcessLease.Kind) runs against the database until it exits."""
    if not settings.PROCESS_LEASES:
        return None
    try:
        return Lease(kind).start()
    except Exception as error:  # no table yet (not migrated) or the database is down: the process reports that
        log.warning("process lease not recorded: %s", error)
        return None


def lease_process_gone(lease: ProcessLease) -> bool:
    """The lease names a process of this machine (not this one) that no longer exists (killed -9)."""
    return process_gone(lease.name)


def process_gone(name: str) -> bool:
    """`name` (host:pid, as process_name) is a process of this machine (not this one) that no longer exists."""
    host, _sep, pid = name.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    return False


def processes_live() -> list[ProcessLease]:
    """The server and worker processes that run against this database now (dead ones' leases are deleted)."""
    stale = timezone.now() - timezone.timedelta(seconds=settings.JOB_DEAD_AFTER_SECONDS)
    live = []
    for lease in ProcessLease.objects.order_by("started_at", "name"):
        if lease.heartbeat_at < stale or lease_process_gone(lease):
            ProcessLease.objects.filter(pk=lease.pk, heartbeat_at=lease.heartbeat_at).delete()
        else:
            live.append(lease)
    return live
