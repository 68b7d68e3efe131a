"""A whole-county export on SQLite neither breaks nor is broken by writes made while it runs (e.g. a reveal):
no "database is locked". The writer is real: another thread with its own connection, committing between the
export's chunks, exactly where the export then writes its progress."""

import threading

import pytest
from django.db import connection
from python_calamine import CalamineWorkbook

from bangfu.accounts.models import User
from bangfu.audit.models import RevealRecord
from bangfu.demo.builder import demo_build
from bangfu.jobs import services as job_services
from bangfu.jobs.models import Job
from bangfu.jobs.services import job_run
from bangfu.registry import exports
from bangfu.registry.models import Household, Member
from bangfu.registry.services import household_update, member_reveal_id_number

pytestmark = pytest.mark.django_db(transaction=True)


def _in_another_connection(work) -> None:
    """Run `work` in a thread of its own (its own database connection) and wait for it; re-raise its error."""
    errors = []

    def target():
        try:
            work()
        except BaseException as error:  # noqa: B036 - handed back to the test
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    if errors:
        raise errors[0]


def test_county_export_with_reveals_and_edits_between_its_chunks(monkeypatch):
    demo_build(people=500)
    admin = User.objects.get(username="admin")
    members = list(Member.objects.order_by("pk")[:20])
    households = list(Household.objects.order_by("pk")[:20])
    monkeypatch.setattr(exports, "CHUNK", 25)
    original_advance = job_services.Progress.advance
    writes = []

    def advance_after_someone_writes(self, done):
        # Someone reveals an ID number and edits a household, and commits, while the export is under way.
        index = len(writes)
        _in_another_connection(lambda: member_reveal_id_number(actor=admin, member=members[index % 20]))
        _in_another_connection(lambda: household_update(actor=admin, household=households[index % 20],
                                                        data={"group": f"{index}组"}))
        writes.append(done)
        original_advance(self, done)

    monkeypatch.setattr(job_services.Progress, "advance", advance_after_someone_writes)
    monkeypatch.setattr(job_services.Progress, "__init__", lambda self, job, every=1: setattr(self, "job", job)
                        or setattr(self, "every", 1))
    job = Job.objects.create(kind=exports.KIND, title="全县导出", requested_by=admin,
                             params={"filter": {}, "include_personal": True})
    job_run(job.pk)
    job.refresh_from_db()
    total = Household.objects.count()
    assert job.status == Job.Status.DONE, job.message
    assert (job.done, job.total) == (total, total) and len(writes) >= total // 25
    assert RevealRecord.objects.filter(field="id_number").count() == len(writes)
    rows = CalamineWorkbook.from_path(job.result_path).get_sheet_by_name("农户").to_python()
    assert len(rows) == total + 4  # the title, filter and exporter lines, the column headings
