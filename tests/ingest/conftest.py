import pytest


@pytest.fixture(autouse=True)
def _no_job_files_left_behind(settings):
    """Imports run jobs whose result files land in the worker's shared job directory, named by job number; job
    numbers restart in every test, so a file left here would look like another test's result. Remove ours."""
    from bangfu.jobs.services import job_output_dir

    directory = job_output_dir()
    before = set(directory.iterdir())
    yield
    for path in set(directory.iterdir()) - before:
        path.unlink(missing_ok=True)
