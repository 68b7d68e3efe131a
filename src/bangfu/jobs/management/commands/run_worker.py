"""`bangfu worker`: django-tasks-db's worker, which first fails the jobs a dead worker left running, and runs the
periodic work (jobs.periodic) in a thread of its own."""

import logging

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from bangfu.jobs.periodic import PeriodicThread
from bangfu.jobs.services import jobs_reap_dead
from bangfu.keyring.leases import process_lease_start

log = logging.getLogger(__name__)


class Command(DbWorkerCommand):
    help = "Run the background job worker (after failing jobs whose worker died)."

    def handle(self, *args, **options):
        process_lease_start("worker")  # rotate-key refuses while a worker runs
        reaped = jobs_reap_dead()
        if reaped:
            log.warning("%s job(s) left running by a dead worker were marked failed", reaped)
        if not options.get("batch"):
            PeriodicThread().start()
        return super().handle(*args, **options)
