"""The household ledger (农户台账) as a real .xlsx: one sheet of households, one of members.

Runs as a background job under the requester's jurisdiction, re-checked when the job runs. Personal data is
masked unless the requester asked for, and may see, the full values; every export is logged.
"""

from pathlib import Path

import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.audit.services import release_rows, reveal_record
from bangfu.core.text import printable
from bangfu.jobs.services import job_kind, job_partial_path, job_start
from bangfu.registry.models import Household, IncomeRecord, Member
from bangfu.registry.selectors import HouseholdFilter, households_filtered

KIND = "household_ledger"
CHUNK = 2000

HOUSEHOLD_COLUMNS = (
    ("户编号", 20), ("乡镇", 12), ("村（社区）", 16), ("组", 6), ("户主姓名", 10), ("家庭人口", 8), ("户类型", 10),
    ("监测对象类别", 14), ("风险消除状态", 12), ("识别监测时间", 12), ("消除监测时间", 12), ("联系电话", 14),
    ("住房安全等级", 12), ("饮水安全", 8), ("易地扶贫搬迁", 10), ("安置点", 18), ("收入年度", 8), ("人均纯收入（元）", 14),
    ("收入计算人口", 8), ("工资性收入", 12), ("生产经营性收入", 12), ("财产性收入", 12), ("转移性收入", 12),
    ("生产经营性支出", 12), ("家庭纯收入（元）", 14),
)
MEMBER_COLUMNS = (
    ("户编号", 20), ("姓名", 10), ("与户主关系", 10), ("证件号码", 22), ("性别", 6), ("出生日期（脱敏时为年份）", 14), ("民族", 8),
    ("文化程度", 12), ("在校生情况", 14), ("健康状况", 12), ("残疾等级", 8), ("劳动技能", 16), ("务工地点", 12),
    ("务工时间（月）", 12), ("基本医疗保险", 12), ("低保", 6), ("特困", 6), ("证件类型", 10),
)


def household_ledger_export_start(*, actor, flt: HouseholdFilter, include_personal: bool = False):
    """Queue an export of the households the actor sees through `flt`. Logged as an export."""
    if not actor.can("registry.export"):
        raise PermissionDenied(_("您的角色不能导出农户台账"))
    if include_personal and not actor.can("registry.export_personal"):
        raise PermissionDenied(_("您的角色不能导出完整的身份证号和电话"))
    title = household_ledger_title(actor=actor, flt=flt, include_personal=include_personal)
    job = job_start(actor=actor, kind=KIND, title=title,
                    params={"filter": flt.for_storage(), "include_personal": include_personal})
    reveal_record(actor=actor, field="export_full" if include_personal else "export_masked", instance=job,
                  household_id=None, region_code=actor.region_id or "", what=str(_("农户台账")),
                  filters=household_ledger_heading(actor=actor, flt=flt, full=include_personal)[1])
    return job


def household_ledger_title(*, actor, flt: HouseholdFilter, include_personal: bool) -> str:
    """What the job list and the audit log call the export: scope, filters, whether it holds full ID numbers
    (农户台账 · 双河镇团结村、C/D级危房 · 含完整身份证号和电话 · 2026-11-29 14:05), in the requester's words."""
    from bangfu.registry.filters import household_filter_words

    words = household_filter_words(HouseholdFilter(**flt.for_storage()))  # an ID number or phone never in a title
    if not flt.region_code:
        words.insert(0, actor.place_label)
    kind = _("含完整身份证号和电话") if include_personal else _("脱敏")
    title = _("农户台账 · %(scope)s · %(kind)s · %(time)s") % {
        "scope": _("、").join(words), "kind": kind, "time": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    return title[:200]


def _yes(value: bool) -> str:
    return "是" if value else "否"


@job_kind(KIND)
def household_ledger_export_run(job, progress) -> tuple[str, Path]:
    actor = job.requested_by
    if not actor.can("registry.export"):
        raise PermissionDenied(_("发起人已无导出权限"))
    full = bool(job.params.get("include_personal")) and actor.can("registry.export_personal")
    flt = HouseholdFilter(**job.params["filter"])
    households = households_filtered(actor, flt)
    name = f"农户台账-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
    path = job_partial_path(job, ".xlsx")
    rows = household_ledger_write(path, households, full=full, progress=progress,
                                  heading=household_ledger_heading(actor=actor, flt=flt, full=full))
    release_rows(instance=job, rows=rows)
    return name, path


def household_ledger_heading(*, actor, flt: HouseholdFilter, full: bool) -> list[str]:
    """The lines above the ledger's columns: its title, its filters (乡镇=…；户类型=…), who exported it when."""
    from bangfu.registry.filters import HOUSEHOLD_FILTERS
    from bangfu.web.exports import (
        ListExport,
        filter_set_form,
        filter_words,
        form_values,
        heading_lines,
        region_words,
    )

    data = {name: value for name, value in (("region", flt.region_code), *(
        (name, getattr(flt, name, "")) for name in HOUSEHOLD_FILTERS.names if name != "region")) if value}
    data = {name: ("on" if value is True else value) for name, value in data.items()}
    export = ListExport(key="households", title=_("农户台账"), form=filter_set_form(HOUSEHOLD_FILTERS),
                        rows=None, columns=(), allowed=lambda user: True,
                        labels={"region": _("地区"), "q": _("关键词")}, words={"region": region_words})
    form = export.form(actor, data)
    words = filter_words(export, form, form_values(form))
    if flt.id_number_digest:
        words.append(str(_("按身份证号查找")))
    if flt.phone_digest:
        words.append(str(_("按电话查找")))
    return heading_lines(title=_("农户台账"), words=words, actor=actor, full=full, personal=True)


def household_ledger_export_file(*, actor, path: Path, region_code: str = "", full: bool = False) -> int:
    """Write the ledger of the households the actor sees (within `region_code`) to `path`, now (the command
    line). Logged like an export from the page. Returns the number of households written."""
    from bangfu.regions.models import Region

    if not actor.can("registry.export"):
        raise PermissionDenied(_("您的角色不能导出农户台账"))
    if full and not actor.can("registry.reveal"):
        raise PermissionDenied(_("您的角色不能导出完整的身份证号和电话"))
    households = households_filtered(actor, HouseholdFilter(region_code=region_code))
    region = Region.objects.get(code=region_code or actor.region_id)
    heading = household_ledger_heading(actor=actor, flt=HouseholdFilter(region_code=region_code), full=full)
    record = reveal_record(actor=actor, field="export_full" if full else "export_masked", instance=region,
                           household_id=None, region_code=region.code, what=str(_("农户台账")), filters=heading[1])
    record.rows = household_ledger_write(path, households, full=full, heading=heading)
    record.save(update_fields=["rows"])
    return record.rows


def household_ledger_write(path: Path, households, *, full: bool, progress=None,
                           heading: list[str] | None = None) -> int:
    """The ledger as .xlsx (农户 and 家庭成员 sheets), streamed in constant memory; its columns are the ones the
    household import reads back, so an export imports into another installation unchanged. Returns the number
    of households written."""
    # The households to export, by id, in the list's order; then each chunk in a query of its own. No read
    # stays open while progress is written: on SQLite a reader that writes after someone else committed would
    # fail at once ("database is locked"), and a long read would hold back the WAL for the whole export.
    ids = list(households.values_list("pk", flat=True))
    if progress:
        progress.total(len(ids))
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    header = workbook.add_format({"bold": True, "bg_color": "#EEF1F4", "border": 1})
    money = workbook.add_format({"num_format": "#,##0.00"})
    sheet_h = workbook.add_worksheet("农户")
    sheet_m = workbook.add_worksheet("家庭成员")
    top = len(heading or ())  # the title, filter and exporter lines: the import reads past them
    for sheet, columns in ((sheet_h, HOUSEHOLD_COLUMNS), (sheet_m, MEMBER_COLUMNS)):
        for number, line in enumerate(heading or ()):
            sheet.write_string(number, 0, line)
        for col, (title, width) in enumerate(columns):
            sheet.write_string(top, col, title, header)
            sheet.set_column(col, col, width)
        sheet.freeze_panes(top + 1, 0)
    row_h = row_m = top + 1
    done = written = 0

    def flush(chunk) -> None:
        nonlocal row_h, row_m
        ids = [h.pk for h in chunk]
        members: dict[int, list[Member]] = {}
        for member in Member.objects.filter(household_id__in=ids).order_by("household_id", "id"):
            members.setdefault(member.household_id, []).append(member)
        latest: dict[int, IncomeRecord] = {}
        for record in IncomeRecord.objects.filter(household_id__in=ids).order_by("household_id", "year"):
            latest[record.household_id] = record
        for h in chunk:
            income = latest.get(h.pk)
            phone = h.reveal_phone() if full else h.phone_masked
            values = (h.number, h.village.parent.name if h.village.parent_id else "", h.village.name, h.group,
                      h.head_name, len(members.get(h.pk, [])), h.get_household_type_display(),
                      h.get_monitoring_type_display() if h.monitoring_type else "",
                      h.get_monitoring_status_display() if h.monitoring_type else "", h.identified_month,
                      h.eliminated_month, phone, h.get_housing_safety_display(), _yes(h.drinking_water_safe),
                      _yes(h.relocated), h.resettlement_site, income.year if income else "")
            for col, value in enumerate(values):
                if isinstance(value, int):
                    sheet_h.write_number(row_h, col, value)
                else:
                    sheet_h.write_string(row_h, col, printable(value))  # codes and IDs stay text, never numbers
            if income:
                col = len(values)
                sheet_h.write_number(row_h, col, float(income.per_capita_net_income), money)
                sheet_h.write_number(row_h, col + 1, income.members_counted)
                if income.components_given:  # what a ledger did not give stays blank, never invented
                    for offset, amount in enumerate((income.wage_income, income.business_income,
                                                     income.property_income, income.transfer_income,
                                                     income.production_cost), start=col + 2):
                        sheet_h.write_number(row_h, offset, float(amount), money)
                if income.given != IncomeRecord.Given.PER_CAPITA:
                    sheet_h.write_number(row_h, col + 7, float(income.net_income), money)
            row_h += 1
            for m in members.get(h.pk, []):
                number = m.reveal_id_number() if full else m.id_number_masked
                values = (h.number, m.name, m.get_relation_display(), number, m.get_sex_display(),
                          m.birth_date.isoformat() if full else str(m.birth_date.year), m.get_ethnicity_display(), m.get_education_display(),
                          m.get_student_status_display(), m.get_health_display(), m.get_disability_grade_display(),
                          m.get_labour_ability_display(), m.get_work_place_display())
                for col, value in enumerate(values):
                    sheet_m.write_string(row_m, col, printable(value))
                sheet_m.write_number(row_m, len(values), m.work_months)
                for offset, flag in enumerate((m.medical_insurance, m.dibao, m.tekun), start=len(values) + 1):
                    sheet_m.write_string(row_m, offset, _yes(flag))
                sheet_m.write_string(row_m, len(values) + 4, m.get_id_type_display())
                row_m += 1

    # constant_memory writes row by row: households in order, members in order, both streamed together.
    for start in range(0, len(ids), CHUNK):
        chunk_ids = ids[start:start + CHUNK]
        found = Household.objects.filter(pk__in=chunk_ids).select_related("village__parent").in_bulk()
        chunk = [found[pk] for pk in chunk_ids if pk in found]  # one removed meanwhile is left out
        flush(chunk)
        written += len(chunk)
        done += len(chunk_ids)
        if progress:
            progress.advance(done)
    workbook.close()
    return written
