from django_tasks import task

from bangfu.jobs.services import job_run


@task()
def run_job(job_id: int) -> None:
    """The worker's entry point for every kind of job."""
    job_run(job_id)
