"""Department files in: read, check each row, match people by the blind index of their ID number, then — only
when the operator accepts — write the good rows.

    feed_file_check(actor=…, kind="medical", period="2025-05", path=…) -> FeedReport      (writes nothing)
    feed_upload_commit(actor=…, kind=…, period=…, path=…, file_name=…) -> FeedUpload      (one transaction)

Rows that match nobody (people outside the county, or outside the uploader's jurisdiction: the report does not
say which) and invalid rows come back with sheet, row, column, rule and message (the shared reader's RowError);
they are never written and never warn. The grid is read by bangfu.ingest (title rows, two-row headers, merged
cells, totals and signature lines, CSV in UTF-8 or GB18030) with the kind's columns as an ImportKind.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record, snapshot
from bangfu.core.crypto import field_cipher
from bangfu.core.db import analyze_after_commit
from bangfu.core.parsing import ParseError, clean_text, parse_amount, parse_date
from bangfu.core.scoping import village_scope
from bangfu.ingest.cells import resident_id
from bangfu.ingest.columns import columns_report
from bangfu.ingest.kinds import Field, ImportKind
from bangfu.ingest.reader import ReadError, RowError, Workbook, read_workbook
from bangfu.monitoring.engine.feedstore import feed_partition_write_after_commit
from bangfu.monitoring.feeds import (
    CODE,
    DATE,
    FEED_KINDS,
    MONEY,
    Department,
    FeedColumn,
    FeedKind,
    feed_kinds_for,
)
from bangfu.monitoring.models import FeedRow, FeedUpload
from bangfu.registry.models import Member
from bangfu.registry.validation import names_agree

PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
LOOKUP_CHUNK = 500
WRITE_CHUNK = 2000


@dataclass
class FeedReport:
    kind: str
    period: str
    rows: int = 0
    matched: int = 0
    unmatched: int = 0
    invalid: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    good: list[dict] = field(default_factory=list)  # slot values + member_id, household_id, row_number
    workbook: Workbook | None = None

    @property
    def not_imported(self) -> int:
        return self.unmatched + self.invalid + self.duplicates

    def as_dict(self) -> dict:
        result = {"rows": self.rows, "matched": self.matched, "unmatched": self.unmatched, "invalid": self.invalid,
                  "duplicates": self.duplicates, "errors": [error.as_dict() for error in self.errors]}
        if self.workbook is not None:
            result.update(columns_report(self.workbook, import_kind(FEED_KINDS[self.kind])))
        return result


class FeedFileError(Exception):
    """The file as a whole cannot be used (unreadable, no header with an ID-number column). `workbook` is the file as
    read when its header was found but a required column was not: its unknown columns can then be mapped."""

    def __init__(self, message: str, workbook: Workbook | None = None):
        super().__init__(message)
        self.message = message
        self.workbook = workbook


# --- cells (the shared parsers of core.parsing and ingest.cells; codes by the kind's own lists) -------------


def parse_money_cents(value, unit: str | None = None) -> int:
    """An amount in cents; `unit` is its column's money unit (Column.unit: 元, 万元)."""
    amount = parse_amount(value, unit)
    if amount < 0:
        raise ParseError("amount_negative", _("金额不能为负数"))
    if amount > 100_000_000:
        raise ParseError("amount_too_large", _("金额超过1亿元，请核对"))
    return int(amount * 100)


def parse_code(column: FeedColumn, value) -> str:
    text = clean_text(value)
    if not column.choices:
        return text.upper()[:40]
    for candidate in (text, text.upper(), text.replace(" ", "")):
        if candidate in column.choices:
            return column.choices[candidate]
    raise ParseError("choice", _("应为以下之一：%(allowed)s") % {"allowed": "、".join(dict.fromkeys(column.choices))})


def import_kind(kind: FeedKind) -> ImportKind:
    """The feed kind as the shared reader's import kind (its columns and header synonyms)."""
    return ImportKind(kind.code, str(kind.label), tuple(
        Field(c.key, c.label, c.synonyms, required=c.required) for c in kind.all_columns))


def _read(path: Path, kind: FeedKind, mapping: dict[str, str] | None = None) -> Workbook:
    try:
        return read_workbook(Path(path), kind=import_kind(kind), mapping=mapping or None)
    except ReadError as error:
        raise FeedFileError(error.message) from None


# --- checking and matching ---------------------------------------------------------------------------------


def _check_period(period: str) -> None:
    match = PERIOD.match(period or "")
    today = dt.date.today()
    if not match or not 1 <= int(match[2]) <= 12 or not 2015 <= int(match[1]) <= today.year + 1:
        raise ValidationError({"period": _("数据月份：格式应为 YYYY-MM，如 2025-05")})
    if (int(match[1]), int(match[2])) > (today.year, today.month):
        raise ValidationError({"period": _("数据月份：不能晚于本月")})


def _require_upload(actor, kind: str) -> FeedKind:
    if actor is not None and not actor.can("monitoring.feed_upload"):
        raise PermissionDenied(_("您的角色不能上传部门数据"))
    if kind not in FEED_KINDS:
        raise ValidationError({"kind": _("数据类型：应为 %(kinds)s 之一") % {"kinds": ", ".join(FEED_KINDS)}})
    if kind not in feed_kinds_for(actor):
        department = Department(actor.department).label if actor.department else _("（未绑定部门）")
        raise PermissionDenied(_("您所属的部门%(department)s不能上传“%(kind)s”数据（由%(owner)s报送）") % {
            "department": department, "kind": FEED_KINDS[kind].label, "owner": FEED_KINDS[kind].department.label})
    return FEED_KINDS[kind]


def _period_end(period: str) -> dt.date:
    year, month = int(period[:4]), int(period[5:7])
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _money_text(cents: int) -> str:
    return f"{cents / 100:,.2f}".removesuffix(".00")


@dataclass
class _Parsed:
    """One row that parsed: where it is, the ID number's blind index, the name the file gives, the slot values
    and the values by column key (for the sense checks)."""

    sheet: str
    number: int
    digest: str
    name: str
    values: dict
    by_key: dict


def _sense_problems(feed_kind: FeedKind, sheet, parsed: _Parsed, *, period: str, today: dt.date) -> list[RowError]:
    """What cannot be true of a row even when every cell parsed: a date after the data month (or after today),
    dates out of order (discharged before admitted), a part of a total larger than the total or parts that add up
    to more than it. Each problem names its column, the values and the rule, each column by the file's own header
    (出院时间 where the file says so, not the kind's 出院日期), the words the clerk sees in the file."""
    problems = []
    by_key, labels = parsed.by_key, {c.key: sheet.header_of(c.key) or c.label for c in feed_kind.all_columns}

    def problem(key: str, rule: str, message: str) -> None:
        problems.append(RowError(parsed.sheet, parsed.number, sheet.header_of(key), rule, message))

    last_day = _period_end(period)
    for column in feed_kind.all_columns:
        day = by_key.get(column.key)
        if column.type != DATE or day is None:
            continue
        if day > last_day:
            problem(column.key, "date_after_period", _(
                "%(column)s %(day)s 晚于数据月份 %(period)s 的最后一天（%(last)s）：本月文件只能报本月及以前的事") % {
                "column": labels[column.key], "day": day.isoformat(), "period": period, "last": last_day.isoformat()})
        elif day > today:
            problem(column.key, "date_future", _("%(column)s %(day)s 晚于今天（%(today)s）") % {
                "column": labels[column.key], "day": day.isoformat(), "today": today.isoformat()})
    for earlier, later in feed_kind.date_order:
        if by_key.get(earlier) is not None and by_key.get(later) is not None and by_key[later] < by_key[earlier]:
            problem(later, "date_order", _("%(later)s %(later_day)s 早于%(earlier)s %(earlier_day)s") % {
                "later": labels[later], "later_day": by_key[later].isoformat(), "earlier": labels[earlier],
                "earlier_day": by_key[earlier].isoformat()})
    if feed_kind.parts and by_key.get(feed_kind.parts[0]) is not None:
        total_key, part_keys = feed_kind.parts
        total = by_key[total_key]
        given = [key for key in part_keys if by_key.get(key) is not None]
        over = [key for key in given if by_key[key] > total]
        for key in over:
            problem(key, "part_over_total", _("%(part)s %(value)s 元超过%(total_label)s %(total)s 元") % {
                "part": labels[key], "value": _money_text(by_key[key]), "total_label": labels[total_key],
                "total": _money_text(total)})
        if not over and len(given) > 1 and sum(by_key[key] for key in given) > total:
            problem(given[-1], "parts_over_total", _("%(parts)s合计 %(sum)s 元，超过%(total_label)s %(total)s 元") % {
                "parts": "、".join(labels[key] for key in given), "sum": _money_text(sum(by_key[k] for k in given)),
                "total_label": labels[total_key], "total": _money_text(total)})
    return problems


def feed_file_check(*, actor, kind: str, period: str, path: Path, mapping: dict[str, str] | None = None,
                    today: dt.date | None = None, progress=None) -> FeedReport:
    """Read and check a department file; match each row to a member. Writes nothing.

    Beyond each cell, a row must make sense (`_sense_problems`), name the person the registry holds under its ID
    number, and differ from every row above it: an identical row is reported and counted once."""
    feed_kind = _require_upload(actor, kind)
    _check_period(period)
    if actor is not None and not actor.can("registry.view"):
        from bangfu.registry.services import duplicate_check_refuse_if_locked

        duplicate_check_refuse_if_locked(actor)  # no number is looked up while the check is locked
    today = today or dt.date.today()
    workbook = _read(Path(path), feed_kind, mapping)
    report = FeedReport(kind=kind, period=period, workbook=workbook)
    parsed: list[_Parsed] = []
    seen: dict[tuple, int] = {}
    if progress:
        progress.total(sum(len(sheet.rows) for sheet in workbook.sheets))
    for sheet in workbook.sheets:
        missing = [c for c in feed_kind.all_columns if c.required and c.key not in sheet.mapped]
        if missing:
            raise FeedFileError(_("工作表“%(sheet)s”缺少必需的列：%(columns)s") % {
                "sheet": sheet.name, "columns": "、".join(c.label for c in missing)}, workbook)
        for row in sheet.rows:
            row_values = row.values  # built on each access: once per row
            report.rows += 1
            if progress:
                progress.advance(report.rows)
            values: dict = {"row_number": row.number}
            by_key: dict = {}
            problems: list[RowError] = []
            digest = name = ""
            for column in feed_kind.all_columns:
                if column.key not in sheet.mapped:
                    continue
                raw = row_values.get(column.key, "")
                header = sheet.header_of(column.key)
                if raw == "" or raw is None:
                    if column.required:
                        problems.append(RowError(sheet.name, row.number, header, "required", _("必填，不能为空")))
                    continue
                try:
                    if column.key == "id_number":
                        digest = field_cipher().blind_index("id_number", resident_id(raw))
                    elif column.key == "name":
                        name = clean_text(raw)[:50]
                    elif column.type == DATE:
                        values[column.slot] = by_key[column.key] = parse_date(raw, date1904=workbook.date1904)
                    elif column.type == MONEY:
                        values[column.slot] = by_key[column.key] = parse_money_cents(
                            raw, sheet.mapped[column.key].unit)
                    elif column.type == CODE:
                        values[column.slot] = by_key[column.key] = parse_code(column, raw)
                    else:
                        values[column.slot] = by_key[column.key] = clean_text(raw)[:200]
                except ParseError as error:
                    problems.append(RowError(sheet.name, row.number, header, error.rule, error.message))
            here = _Parsed(sheet.name, row.number, digest, name, values, by_key)
            if not problems:
                problems = _sense_problems(feed_kind, sheet, here, period=period, today=today)
            if problems:
                report.invalid += 1
                report.errors.extend(problems)
                continue
            same = (digest, name, *sorted((k, v) for k, v in values.items() if k != "row_number"))
            if same in seen:
                report.duplicates += 1
                report.errors.append(RowError(sheet.name, row.number, "", "duplicate_row", _(
                    "与第%(row)s行完全相同：同一条记录只计一次") % {"row": seen[same]}))
                continue
            seen[same] = row.number
            parsed.append(here)
    _match(actor, report, parsed)
    return report


def _match(actor, report: FeedReport, parsed: list[_Parsed]) -> None:
    """Each parsed row to the member registered under its ID number (within the actor's jurisdiction); a row whose
    name is not that member's is a row problem naming both names, not a match."""
    scope = Member.objects.filter(household__is_active=True)
    if actor is not None:
        scope = scope.filter(village_scope(actor, field="household__village_id"))
    digests = sorted({p.digest for p in parsed})
    found: dict[str, tuple[int, int, str]] = {}
    for start in range(0, len(digests), LOOKUP_CHUNK):
        chunk = digests[start:start + LOOKUP_CHUNK]
        for member_id, household_id, digest, name in scope.filter(id_number_digest__in=chunk).values_list(
                "id", "household_id", "id_number_digest", "name"):
            found[digest] = (member_id, household_id, name)
    workbook_sheets = {sheet.name: sheet for sheet in report.workbook.sheets} if report.workbook else {}
    mismatched = 0
    for p in parsed:
        sheet = workbook_sheets.get(p.sheet)
        if p.digest not in found:
            report.unmatched += 1
            report.errors.append(RowError(p.sheet, p.number, sheet.header_of("id_number") if sheet else "",
                                          "unmatched", _("未匹配：该身份证号不是本辖区登记的农户成员")))
            continue
        member_id, household_id, registered = found[p.digest]
        if p.name and not names_agree(p.name, registered):
            mismatched += 1
            report.invalid += 1
            report.errors.append(RowError(p.sheet, p.number, sheet.header_of("name") if sheet else "",
                                          "name_mismatch", _(
                "姓名“%(given)s”与该身份证号登记的姓名“%(registered)s”不一致：请核对身份证号和姓名") % {
                "given": p.name, "registered": registered}))
            continue
        report.matched += 1
        report.good.append({**p.values, "member_id": member_id, "household_id": household_id})
    if mismatched and actor is not None and not actor.can("registry.view"):
        # A wrong name returns the registered one: for who cannot read the registry, each such answer is a test
        # of an ID number against it and counts toward the same hourly limit as the household import's.
        from bangfu.registry.services import duplicate_hits_count

        duplicate_hits_count(actor, mismatched)
    report.errors.sort(key=lambda error: (error.sheet, error.row))


@transaction.atomic
def feed_upload_commit(*, actor, kind: str, period: str, path: Path, file_name: str,
                       mapping: dict[str, str] | None = None, progress=None) -> tuple[FeedUpload, FeedReport]:
    """The operator accepted the preview: write the upload and its good rows, all or nothing.

    A month's file replaces the rows of an earlier file of the same kind and month (a corrected file sent
    again must not count every hospital stay twice) within the uploader's jurisdiction, where its rows were
    matched: one county's file never removes another county's month (a province-wide file, or `bangfu import
    feed` with no user, replaces the whole month). The earlier upload stays in the history."""
    report = feed_file_check(actor=actor, kind=kind, period=period, path=path, mapping=mapping, progress=progress)
    earlier = FeedRow.objects.filter(kind=kind, period=period)
    if actor is not None:
        earlier = earlier.filter(village_scope(actor, field="household__village_id"))
    replaced = earlier.delete()[0]
    upload = FeedUpload.objects.create(kind=kind, period=period, file_name=file_name[:200], uploaded_by=actor,
                                       rows=report.rows, matched=report.matched, unmatched=report.unmatched,
                                       invalid=report.invalid, duplicates=report.duplicates, errors=[e.as_dict() for e in report.errors[:5000]])
    batch = []
    for values in report.good:
        batch.append(FeedRow(upload=upload, kind=kind, period=period, **values))
        if len(batch) >= WRITE_CHUNK:
            FeedRow.objects.bulk_create(batch)
            batch = []
    FeedRow.objects.bulk_create(batch)
    change_record(actor=actor, action=ChangeRecord.Action.CREATE, instance=upload, before=None,
                  after=snapshot(upload, exclude=frozenset({"errors"})),
                  region_code=getattr(actor, "region_id", "") or "",
                  reason=_("替换了同类同月此前导入的 %(n)s 行") % {"n": replaced} if replaced else "")
    analyze_after_commit(FeedRow, rows=len(report.good) + replaced)
    # The month's Parquet partition for the screening engines (engine/feedstore.py), once the rows are committed.
    transaction.on_commit(lambda: feed_partition_write_after_commit(kind, period))
    return upload, report


# --- the page's flow: the file is kept, previewed and committed in the background (ingest.ImportRun, jobs) ------

FEED_PREVIEW, FEED_COMMIT = "feed_import_preview", "feed_import_commit"
RUN_PREFIX = "feed-"


def feed_run_start(*, actor, upload, kind: str, period: str):
    """Keep an uploaded department file (owner-only) and start its preview in the background: the request only
    stores the file. Kind, department and month are checked before anything is kept."""
    from bangfu.ingest.models import ImportRun
    from bangfu.ingest.services import _preview, upload_store

    _require_upload(actor, kind)
    _check_period(period)
    name, path = upload_store(upload=upload)
    run = ImportRun.objects.create(kind=RUN_PREFIX + kind, period=period, file_name=name, file_path=path,
                                   requested_by=actor)
    return _preview(actor, run)


@transaction.atomic
def feed_run_commit(*, actor, run):
    """The uploader accepted the preview: start writing its good rows (checked again against the registry)."""
    from bangfu.ingest.services import import_job_target
    from bangfu.jobs.services import job_start

    _require_upload(actor, run.kind.removeprefix(RUN_PREFIX))
    if run.status != run.Status.PREVIEWED:
        raise ValidationError(_("请等预览完成后再导入；已导入的文件不能重复提交"))
    run.job = job_start(actor=actor, kind=FEED_COMMIT, title=_("导入：%(name)s") % {"name": run.file_name},
                        params={"run": run.pk}, target=import_job_target(run))
    run.save(update_fields=["job"])
    return run


@transaction.atomic
def feed_run_map(*, actor, run, mapping: dict[str, str]):
    """The uploader's choices for the file's unknown columns (header → column key, or "" to ignore): remembered for
    files of this shape (the next month's file is read with them) and previewed again."""
    from bangfu.ingest.services import _preview, import_mapping_save

    kind = _require_upload(actor, run.kind.removeprefix(RUN_PREFIX))
    if run.status == run.Status.COMMITTED:
        raise ValidationError(_("该文件已导入，不能再修改列对应"))
    keys = {column.key for column in kind.all_columns}
    unknown = {column["header_key"] for column in run.report.get("unknown", [])}
    run.mapping = {**run.mapping, **{header: key for header, key in mapping.items()
                                     if header in unknown and (key == "" or key in keys)}}
    run.save(update_fields=["mapping"])
    if run.report.get("shape"):
        import_mapping_save(actor=actor, kind=run.kind, shape=run.report["shape"], mapping=run.mapping)
    return _preview(actor, run)


def feed_run_discard(*, actor, run) -> None:
    """The uploader rejected the preview: the file goes, nothing is written."""
    if run.status == run.Status.COMMITTED:
        raise ValidationError(_("该文件已导入"))
    Path(run.file_path).unlink(missing_ok=True)
    run.status = run.Status.FAILED
    run.report = {**run.report, "discarded": True}
    run.save(update_fields=["status", "report"])
