"""Periodic work, declared here and run by the worker (no cron): each entry runs when its interval has passed
since it last started, in a thread of `bangfu worker`. With several workers, one claims each turn (a conditional
update of its PeriodicRun row); what it did is written on that row for the operator.

    prune-jobs         daily: result files of jobs older than 7 days, uploads never committed (as `bangfu prune-jobs`)
    reap-dead-jobs     every minute: jobs (and their screening runs, imports) whose worker died, and
                       screening runs whose own process is gone (a killed `bangfu screen`)
    nightly-screening  daily at BANGFU_NIGHTLY_SCREENING_HOUR (local time) when the county sets it, on the
                       engine BANGFU_SCREEN_ENGINE sets (monitoring.services.screening_engine)
    welfare-quarter    hourly: the new quarter's (and year's) kept 搬迁就业 and 八必访 rows for the villages that
                       still hold the last quarter's (reports.summaries.welfare_figures_turn); a no-op otherwise

Overdue marks need no periodic work: a warning or a case is overdue by its deadline, computed when read.
"""

import datetime as dt
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    every: dt.timedelta
    function: Callable[[], str]
    at_hour: Callable[[], int | None] = lambda: None  # local hour it must run in, or any time
    enabled: Callable[[], bool] = lambda: True

    def due(self, last_started: dt.datetime | None, now: dt.datetime) -> bool:
        if not self.enabled():
            return False
        hour = self.at_hour()
        if hour is not None and timezone.localtime(now).hour != hour:
            return False
        # A twentieth of the interval early is on time: the daily work does not creep later by the check's pace.
        return last_started is None or now - last_started >= self.every * 0.95


PERIODIC: dict[str, Periodic] = {}


def periodic(name: str, *, every: dt.timedelta, at_hour: Callable[[], int | None] = lambda: None,
             enabled: Callable[[], bool] = lambda: True):
    def register(function):
        PERIODIC[name] = Periodic(name, every, function, at_hour, enabled)
        return function
    return register


@periodic("reap-dead-jobs", every=dt.timedelta(minutes=1))
def _reap() -> str:
    from bangfu.jobs.services import jobs_reap_dead
    from bangfu.monitoring.services import screening_runs_reap

    return (f"{jobs_reap_dead()} 个任务因后台进程停止而标记失败，"
            f"{screening_runs_reap()} 次筛查因执行进程已终止而标记失败")


@periodic("prune-jobs", every=dt.timedelta(days=1))
def _prune() -> str:
    from bangfu.ingest.services import uploads_prune
    from bangfu.jobs.services import jobs_prune

    files = jobs_prune(older_than_days=7)
    uploads = uploads_prune(older_than_hours=settings.UPLOAD_KEEP_HOURS)
    return f"已清理 {files} 个任务的结果文件，删除 {uploads} 个未导入的上传文件"


@periodic("nightly-screening", every=dt.timedelta(days=1), at_hour=lambda: settings.NIGHTLY_SCREENING_HOUR,
          enabled=lambda: settings.NIGHTLY_SCREENING_HOUR is not None)
def _screen() -> str:
    from bangfu.jobs.services import job_running_on
    from bangfu.monitoring.jobs import KIND
    from bangfu.monitoring.services import SCREENING_TARGET, screening_runs_for_subtree

    running = job_running_on(KIND, SCREENING_TARGET)
    if running is not None:
        return f"未筛查：任务 {running.pk} 的筛查正在进行"
    from django.core.exceptions import ValidationError

    from bangfu.monitoring.engine.spark import SparkUnavailable

    try:  # one run per county, on the engine the deployment sets (BANGFU_SCREEN_ENGINE)
        runs = screening_runs_for_subtree(actor=None)
    except (SparkUnavailable, ValidationError) as error:  # a failed run says it too, on 筛查记录
        return f"筛查失败：{'；'.join(getattr(error, 'messages', [str(error)]))}"
    return "；".join(f"第 {run.pk} 次筛查（{run.region_id}）：新预警 {run.created} 条，更新证据 {run.updated} 条"
                    for run in runs) or "未筛查：没有农户"


@periodic("welfare-quarter", every=dt.timedelta(hours=1))
def _welfare_quarter() -> str:
    from bangfu.care.groups import quarter_start
    from bangfu.reports.summaries import welfare_figures_turn

    today = dt.date.today()
    counted = welfare_figures_turn(today)
    return f"已为 {counted} 个村计入 {quarter_start(today):%Y-%m-%d} 起本季度的搬迁就业与走访汇总" if counted \
        else "各村本季度的搬迁就业与走访汇总均已计入"


def periodic_run_due(now: dt.datetime | None = None) -> list[str]:
    """Run every entry that is due and that this process claims; returns the names run."""
    from bangfu.jobs.models import PeriodicRun

    now = now or timezone.now()
    ran = []
    for entry in PERIODIC.values():
        row, _created = PeriodicRun.objects.get_or_create(name=entry.name)
        if not entry.due(row.started_at, now):
            continue
        if not PeriodicRun.objects.filter(pk=row.pk, started_at=row.started_at).update(started_at=now):
            continue  # another worker claimed this turn
        try:
            message = entry.function()
        except Exception:
            log.error("periodic %s failed: %s", entry.name, traceback.format_exc())
            message = "失败，详情见运行日志"
        PeriodicRun.objects.filter(pk=row.pk).update(finished_at=timezone.now(), message=message[:2000])
        ran.append(entry.name)
    return ran


class PeriodicThread:
    """In the worker: look for due work every `check_seconds`, on the thread's own connection."""

    def __init__(self, check_seconds: float = 30):
        self.check_seconds = check_seconds
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="bangfu-periodic", daemon=True)

    def start(self) -> "PeriodicThread":
        self.thread.start()
        return self

    def _loop(self) -> None:
        while not self.stop.wait(self.check_seconds):
            try:
                periodic_run_due()
            except Exception:  # the database was away: the next turn tries again
                log.warning("periodic work not checked: %s", traceback.format_exc())
            finally:
                connection.close()
