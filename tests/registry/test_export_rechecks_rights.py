"""An export re-checks the requester's rights when it runs, not only when it is asked for: a role taken away,
full identifiers no longer allowed, or a jurisdiction moved in between all take effect (the job runs later,
in the worker)."""

from python_calamine import CalamineWorkbook

from bangfu.jobs.models import Job
from bangfu.registry.exports import household_ledger_export_start
from bangfu.registry.selectors import HouseholdFilter
from tests.conftest import TUANJIE, ZHANGZHA_TOWN, ZHANGZHA_VILLAGE


def _start_then_change_then_run(actor, change, django_capture_on_commit_callbacks, *, include_personal=False):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = household_ledger_export_start(actor=actor, flt=HouseholdFilter(), include_personal=include_personal)
    change(actor)
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    return job


def _rows(job, sheet):
    return CalamineWorkbook.from_path(job.result_path).get_sheet_by_name(sheet).to_python()[4:]  # below the heading lines and the column headings


def test_a_role_that_lost_export_gets_nothing(shuanghe_reviewer, make_household,
                                              django_capture_on_commit_callbacks):
    make_household(TUANJIE)

    def demote(user):  # a role that may read households but not export them (village cadres now may)
        user.role = "assistance_contact"
        user.save(update_fields=["role"])

    job = _start_then_change_then_run(shuanghe_reviewer, demote, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED and "导出权限" in job.message
    assert not job.result_path


def test_full_identifiers_need_the_right_when_the_job_runs(shuanghe_reviewer, make_household,
                                                          django_capture_on_commit_callbacks):
    household = make_household(TUANJIE, phone="13912345678")
    number = household.members.get().reveal_id_number()

    def leader(user):  # may export, may not reveal
        user.role = "leader"
        user.save(update_fields=["role"])

    job = _start_then_change_then_run(shuanghe_reviewer, leader, django_capture_on_commit_callbacks,
                                      include_personal=True)
    assert job.status == Job.Status.DONE, job.message
    assert "13912345678" not in str(_rows(job, "农户")) and number not in str(_rows(job, "家庭成员"))


def test_a_moved_jurisdiction_is_the_one_exported(shuanghe_reviewer, make_household,
                                                  django_capture_on_commit_callbacks):
    make_household(TUANJIE, head_name="团结户主")
    make_household(ZHANGZHA_VILLAGE, head_name="漳扎户主")

    def move(user):
        user.region_id = ZHANGZHA_TOWN
        user.save(update_fields=["region"])

    job = _start_then_change_then_run(shuanghe_reviewer, move, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE, job.message
    assert [row[4] for row in _rows(job, "农户")] == ["漳扎户主"]


def test_control_unchanged_rights_export_in_full(shuanghe_reviewer, make_household,
                                                 django_capture_on_commit_callbacks):
    household = make_household(TUANJIE, phone="13912345678")
    job = _start_then_change_then_run(shuanghe_reviewer, lambda user: None, django_capture_on_commit_callbacks,
                                      include_personal=True)
    assert job.status == Job.Status.DONE and "13912345678" in str(_rows(job, "农户"))
    assert household.members.get().reveal_id_number() in str(_rows(job, "家庭成员"))


