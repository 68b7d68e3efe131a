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
        from bangfu.monitoring.services import screening_runs_reap

        reaped = jobs_reap_dead() + screening_runs_reap()
        if reaped:
            log.warning("%s job(s) or screening run(s) left running by a dead process were marked failed", reaped)
        if not options.get("batch"):
            PeriodicThread().start()
        return super().handle(*args, **options)
