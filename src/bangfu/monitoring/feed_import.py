"""Department files in: read, check each row, match people by the blind index of their ID number, then — only
when the operator accepts — write the good rows.

    feed_file_check(actor=…, kind="medical", period="2025-05", path=…) -> FeedReport      (writes nothing)
    feed_upload_commit(actor=…, kind=…, period=…, path=…, file_name=…) -> FeedUpload      (one transaction)

Rows that match nobody (people outside the county, or outside the uploader's jurisdiction: the report does not
say which) and invalid rows come back with row, column and reason; they are never written and never warn.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record, snapshot
from bangfu.core.crypto import field_cipher
from bangfu.core.id_number import IdNumberError, parse_id_number
from bangfu.core.scoping import village_scope
from bangfu.monitoring.feeds import CODE, DATE, FEED_KINDS, MONEY, FeedColumn, FeedKind
from bangfu.monitoring.models import FeedRow, FeedUpload
from bangfu.registry.models import Member

PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
EXCEL_EPOCH = dt.date(1899, 12, 30)
LOOKUP_CHUNK = 500
WRITE_CHUNK = 2000


@dataclass
class FeedError:
    row: int
    column: str
    reason: str
    sheet: str = ""

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class FeedReport:
    kind: str
    period: str
    rows: int = 0
    matched: int = 0
    unmatched: int = 0
    invalid: int = 0
    errors: list[FeedError] = field(default_factory=list)
    good: list[dict] = field(default_factory=list)  # slot values + member_id, household_id, row_number

    def as_dict(self) -> dict:
        return {"rows": self.rows, "matched": self.matched, "unmatched": self.unmatched,
                "errors": [error.as_dict() for error in self.errors]}


class FeedFileError(Exception):
    """The file as a whole cannot be used (unreadable, no header with an ID-number column)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- cells ---------------------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and 20000 < value < 80000:  # an Excel serial day number
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = _text(value)
    match = (re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s.*)?", text)
             or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text))
    if not match:
        raise ValueError(_("日期格式应为 2025-05-03、2025/5/3 或 2025年5月3日"))
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(_("不是存在的日期")) from None


def parse_money_cents(value) -> int:
    text = _text(value).replace(",", "").replace("元", "").replace("¥", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("应为金额（元），如 1234.56")) from None
    if amount < 0:
        raise ValueError(_("金额不能为负数"))
    if amount > Decimal("100000000"):
        raise ValueError(_("金额超过1亿元，请核对"))
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_code(column: FeedColumn, value) -> str:
    text = _text(value).upper() if not column.choices else _text(value)
    if not column.choices:
        return text[:40]
    if text in column.choices:
        return column.choices[text]
    if text.upper() in column.choices:
        return column.choices[text.upper()]
    raise ValueError(_("应为以下之一：%(allowed)s") % {"allowed": "、".join(dict.fromkeys(column.choices))})


def parse_id_cell(value) -> str:
    if isinstance(value, float) and not value.is_integer() or isinstance(value, float) and value > 1e15:
        raise IdNumberError("as_number", _("身份证号被存成了数字，末几位已丢失：请把该列设为文本后重新填写"))
    return parse_id_number(_text(value)).number


# --- reading the grid --------------------------------------------------------------------------------------


def _header_key(text) -> str:
    return re.sub(r"[\s*＊:：]", "", unicodedata.normalize("NFKC", str(text or "")))


def read_table(path: Path, kind: FeedKind) -> tuple[str, int, dict[str, tuple[int, str]], list[list]]:
    """The first sheet with a header naming the ID-number column: (sheet, header row number, key → (column index,
    header as written), the rows after the header)."""
    from bangfu.monitoring.feed_reader import read_grids

    wanted = {}
    for column in kind.all_columns:
        for header in column.headers:
            wanted.setdefault(_header_key(header), column.key)
    for sheet, grid in read_grids(path):
        for index, cells in enumerate(grid[:30]):
            found: dict[str, tuple[int, str]] = {}
            for position, cell in enumerate(cells):
                key = wanted.get(_header_key(cell))
                if key and key not in found:
                    found[key] = (position, _text(cell))
            if "id_number" in found:
                return sheet, index + 1, found, grid[index + 1:]
    raise FeedFileError(_("没有找到表头：前30行中没有“身份证号”“身份证号码”或“公民身份号码”等列"))


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
    sheet, header_row, columns, grid = read_table(Path(path), feed_kind)
    report = FeedReport(kind=kind, period=period)
    missing = [c for c in feed_kind.all_columns if c.required and c.key not in columns]
    if missing:
        raise FeedFileError(_("缺少必需的列：%(columns)s") % {"columns": "、".join(c.label for c in missing)})
    parsed: list[tuple[int, str, dict]] = []
    for offset, cells in enumerate(grid):
        number = header_row + 1 + offset
        if not any(_text(cell) for cell in cells):
            continue
        first = _text(cells[0]) if cells else ""
        if first.startswith(("合计", "小计", "总计", "填表人", "制表人", "审核人")):
            continue
        report.rows += 1
        values: dict = {"row_number": number}
        problems: list[FeedError] = []
        digest = ""
        for column in feed_kind.all_columns:
            if column.key not in columns:
                continue
            position, header = columns[column.key]
            raw = cells[position] if position < len(cells) else None
            if _text(raw) == "":
                if column.required:
                    problems.append(FeedError(number, header, _("必填，不能为空"), sheet))
                continue
            try:
                if column.key == "id_number":
                    digest = field_cipher().blind_index("id_number", parse_id_cell(raw))
                elif column.key == "name":
                    continue
                elif column.type == DATE:
                    values[column.slot] = parse_date(raw)
                elif column.type == MONEY:
                    values[column.slot] = parse_money_cents(raw)
                elif column.type == CODE:
                    values[column.slot] = parse_code(column, raw)
                else:
                    values[column.slot] = _text(raw)[:200]
            except (ValueError, IdNumberError) as error:
                message = error.message if isinstance(error, IdNumberError) else str(error)
                problems.append(FeedError(number, header, message, sheet))
        if problems:
            report.invalid += 1
            report.errors.extend(problems)
            continue
        parsed.append((number, digest, values))
    _match(actor, report, parsed, sheet, columns["id_number"][1])
    return report


def _match(actor, report: FeedReport, parsed: list[tuple[int, str, dict]], sheet: str, id_header: str) -> None:
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
    for number, digest, values in parsed:
        if digest not in found:
            report.unmatched += 1
            report.errors.append(FeedError(number, id_header, _("未匹配：该身份证号不是本辖区登记的农户成员"), sheet))
            continue
        report.matched += 1
        values["member_id"], values["household_id"] = found[digest]
        report.good.append(values)
    report.errors.sort(key=lambda error: error.row)


@transaction.atomic
def feed_upload_commit(*, actor, kind: str, period: str, path: Path, file_name: str) -> tuple[FeedUpload, FeedReport]:
    """The operator accepted the preview: write the upload and its good rows, all or nothing."""
    report = feed_file_check(actor=actor, kind=kind, period=period, path=path)
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
                  region_code=getattr(actor, "region_id", "") or "")
    return upload, report
