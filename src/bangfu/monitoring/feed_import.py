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
from bangfu.ingest.kinds import Field, ImportKind
from bangfu.ingest.reader import ReadError, RowError, Workbook, read_workbook
from bangfu.monitoring.feeds import CODE, DATE, FEED_KINDS, MONEY, FeedColumn, FeedKind
from bangfu.monitoring.models import FeedRow, FeedUpload
from bangfu.registry.models import Member

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
    errors: list[RowError] = field(default_factory=list)
    good: list[dict] = field(default_factory=list)  # slot values + member_id, household_id, row_number

    def as_dict(self) -> dict:
        return {"rows": self.rows, "matched": self.matched, "unmatched": self.unmatched,
                "errors": [error.as_dict() for error in self.errors]}


class FeedFileError(Exception):
    """The file as a whole cannot be used (unreadable, no header with an ID-number column)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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


def _read(path: Path, kind: FeedKind) -> Workbook:
    try:
        return read_workbook(Path(path), kind=import_kind(kind))
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
    return FEED_KINDS[kind]


def feed_file_check(*, actor, kind: str, period: str, path: Path) -> FeedReport:
    """Read and check a department file; match each row to a member. Writes nothing."""
    feed_kind = _require_upload(actor, kind)
    _check_period(period)
    workbook = _read(Path(path), feed_kind)
    report = FeedReport(kind=kind, period=period)
    parsed: list[tuple[RowError, str, dict]] = []
    for sheet in workbook.sheets:
        missing = [c for c in feed_kind.all_columns if c.required and c.key not in sheet.mapped]
        if missing:
            raise FeedFileError(_("工作表“%(sheet)s”缺少必需的列：%(columns)s") % {
                "sheet": sheet.name, "columns": "、".join(c.label for c in missing)})
        for row in sheet.rows:
            row_values = row.values  # built on each access: once per row
            report.rows += 1
            values: dict = {"row_number": row.number}
            problems: list[RowError] = []
            digest = ""
            for column in feed_kind.all_columns:
                if column.key not in sheet.mapped or column.key == "name":
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
                    elif column.type == DATE:
                        values[column.slot] = parse_date(raw)
                    elif column.type == MONEY:
                        values[column.slot] = parse_money_cents(raw, sheet.mapped[column.key].unit)
                    elif column.type == CODE:
                        values[column.slot] = parse_code(column, raw)
                    else:
                        values[column.slot] = clean_text(raw)[:200]
                except ParseError as error:
                    problems.append(RowError(sheet.name, row.number, header, error.rule, error.message))
            if problems:
                report.invalid += 1
                report.errors.extend(problems)
                continue
            where = RowError(sheet.name, row.number, sheet.header_of("id_number"), "unmatched",
                             _("未匹配：该身份证号不是本辖区登记的农户成员"))
            parsed.append((where, digest, values))
    _match(actor, report, parsed)
    return report


def _match(actor, report: FeedReport, parsed: list[tuple[RowError, str, dict]]) -> None:
    scope = Member.objects.filter(household__is_active=True)
    if actor is not None:
        scope = scope.filter(village_scope(actor, field="household__village_id"))
    digests = sorted({digest for _, digest, _ in parsed})
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(digests), LOOKUP_CHUNK):
        chunk = digests[start:start + LOOKUP_CHUNK]
        for member_id, household_id, digest in scope.filter(id_number_digest__in=chunk).values_list(
                "id", "household_id", "id_number_digest"):
            found[digest] = (member_id, household_id)
    for unmatched, digest, values in parsed:
        if digest not in found:
            report.unmatched += 1
            report.errors.append(unmatched)
            continue
        report.matched += 1
        values["member_id"], values["household_id"] = found[digest]
        report.good.append(values)
    report.errors.sort(key=lambda error: (error.sheet, error.row))


@transaction.atomic
def feed_upload_commit(*, actor, kind: str, period: str, path: Path, file_name: str) -> tuple[FeedUpload, FeedReport]:
    """The operator accepted the preview: write the upload and its good rows, all or nothing.

    A month's file replaces the rows of an earlier file of the same kind and month (a corrected file sent
    again must not count every hospital stay twice); the earlier upload stays in the history."""
    report = feed_file_check(actor=actor, kind=kind, period=period, path=path)
    replaced = FeedRow.objects.filter(kind=kind, period=period).delete()[0]
    upload = FeedUpload.objects.create(kind=kind, period=period, file_name=file_name[:200], uploaded_by=actor,
                                       rows=report.rows, matched=report.matched, unmatched=report.unmatched,
                                       invalid=report.invalid, errors=[e.as_dict() for e in report.errors[:5000]])
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
    return upload, report
