"""A queued list export with full ID numbers re-checks, when the worker runs it, that the requester may still
reveal them (issue 15: removing that re-check went unnoticed). The control keeps the right and gets full numbers;
the requester who lost the right in between gets the masked file, not the numbers."""

import io

import openpyxl
import pytest

from bangfu.jobs.models import Job
from bangfu.monitoring.services import lead_self_report
from bangfu.web.exports import list_export_start
from tests.conftest import TUANJIE, synthetic_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def number(regions):
    number = synthetic_id()
    lead_self_report(name="申报甲", phone="13800001234", id_number=number, village_code=TUANJIE,
                     difficulty="看病花费大", risk_type="medical", client="test")
    return number


def _queue_change_run(actor, change, capture) -> Job:
    with capture(execute=False) as callbacks:
        job = list_export_start(actor=actor, key="leads", data={"full": "on"}, full=True)
    change(actor)
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    return job


def _cells(job) -> str:
    book = openpyxl.load_workbook(io.BytesIO(open(job.result_path, "rb").read()))
    return str([[cell.value for cell in row] for row in book.active.iter_rows()])


def test_control_the_right_kept_gives_full_numbers(shuanghe_reviewer, number, django_capture_on_commit_callbacks):
    job = _queue_change_run(shuanghe_reviewer, lambda user: None, django_capture_on_commit_callbacks)
    assert number in _cells(job) and "13800001234" in _cells(job)


def test_the_right_lost_before_the_run_gives_masked_numbers(shuanghe_reviewer, number,
                                                            django_capture_on_commit_callbacks):
    def demote(user):  # may still read and export the list, may no longer export full identifiers
        user.role = "village_cadre"
        user.save(update_fields=["role"])

    job = _queue_change_run(shuanghe_reviewer, demote, django_capture_on_commit_callbacks)
    cells = _cells(job)
    assert number not in cells and "13800001234" not in cells
    assert number[:6] in cells  # the masked number is there
