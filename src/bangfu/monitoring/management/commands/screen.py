"""`bangfu screen [--county CODE] [--json] [--engine duckdb|spark [--master URL]]`: screening now, one run per county
(the named county, or every county with households), printing the counts by rule. Without --engine, on the engine
the deployment sets (BANGFU_SCREEN_ENGINE, BANGFU_SPARK_MASTER), as the page's runs and the nightly one."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bangfu.monitoring.engine.spark import SparkUnavailable
from bangfu.monitoring.models import Rule
from bangfu.monitoring.services import (
    SCREENING_TARGET,
    ScreeningBusy,
    screening_run,
    screening_runs_for_subtree,
)


class Command(BaseCommand):
    help = "Run the warning rules over the registry and the department feeds once (counts by rule)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--county", help="the county to screen (6 or 12 digits); default: every county with "
                                                 "households, one run each")
        parser.add_argument("--engine", choices=["duckdb", "spark"], default=None,
                            help="where the rules' SQL runs: DuckDB in this process or Apache Spark; default: "
                                 "BANGFU_SCREEN_ENGINE (duckdb unless set)")
        parser.add_argument("--master", default=None,
                            help="Spark master URL (spark://host:7077, yarn, k8s://…); default: "
                                 "BANGFU_SPARK_MASTER, local mode when that is empty")

    def handle(self, *args, **options):
        from bangfu.jobs.services import job_running_on
        from bangfu.monitoring.jobs import KIND

        if (job := job_running_on(KIND, SCREENING_TARGET)) is not None:  # one screening at a time, as the page
            raise CommandError(f"已有筛查正在进行（任务编号 {job.pk}：{job.title}），请等它完成后再发起。")
        try:
            # The engine as asked, else the deployment's (screening_engine decides, for every run alike).
            engine = {"engine": options["engine"], "master": options["master"]}
            if options.get("county"):
                runs = [screening_run(actor=None, county=options["county"], **engine)]
            else:
                runs = screening_runs_for_subtree(actor=None, **engine)
        except ScreeningBusy as busy:
            raise CommandError(busy.messages[0]) from None
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        except SparkUnavailable as error:  # the run is recorded failed with the same words
            raise CommandError(str(error)) from None
        if not runs:
            self.stdout.write("没有可筛查的农户")
        for run in runs:
            self._report(run, options)

    def _report(self, run, options):
        # Of the warning rules' hits (not the exclusion comparisons' marks), those on households monitored with
        # their risk open are followed with the case, not verified.
        exclusions = set(Rule.objects.filter(is_exclusion=True).values_list("code", flat=True))
        hits = sum(count for code, count in run.counts_by_rule.items() if code not in exclusions)
        monitored_open = sum(run.counts_monitored_open.values())
        if options["json"]:
            self.stdout.write(json.dumps({"run": run.pk, "county": run.region_id, "engine": run.engine,
                                          "seconds": run.seconds,
                                          "created": run.created, "updated": run.updated, "counts_by_rule": run.counts_by_rule,
                                          "to_verify": hits - monitored_open,
                                          "monitored_open": monitored_open,
                                          "counts_monitored_open": run.counts_monitored_open,
                                          "counts_by_township": run.counts_by_township}, ensure_ascii=False))
            return
        names = dict(Rule.objects.values_list("code", "name"))
        self.stdout.write(f"筛查 #{run.pk}（{run.region.name if run.region_id else '全部'}，"
                          f"引擎 {run.get_engine_display()}）：新预警 {run.created} 条，"
                          f"更新证据 {run.updated} 条，用时 {run.seconds} 秒")
        for code, count in run.counts_by_rule.items():
            follow = run.counts_monitored_open.get(code, 0)
            self.stdout.write(f"  {code:<28} {names.get(code, '')}  {count}"
                              + (f"（其中已纳入监测户随案跟进 {follow}）" if follow else ""))
