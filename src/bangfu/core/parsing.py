"""Pure parsers for values as people type them in forms and ledgers: text, amounts, months and dates.

Each parser accepts what a spreadsheet cell can hold (str, int, float, date, datetime) and returns one normal
form, or raises `ParseError` with a stable rule code and a message for users. They never guess: a value that
could mean two things is an error that says so.
"""

import datetime as dt
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from bangfu.core.text import CONTROL

CENT = Decimal("0.01")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug already absorbed)
# Day 0 of a workbook in the 1904 date system (old Mac Excel's default, kept by every later save): its serials are
# 1,462 days smaller for the same day.
EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


class ParseError(ValueError):
    """A value that breaks a rule: `rule` is a stable code, `message` the text shown to users."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


def clean_text(value) -> str:
    """Full-width letters, digits and punctuation to half-width (NFKC), spaces around trimmed, runs of spaces
    inside collapsed to one, and spaces between two Chinese characters removed (张 三 → 张三). A control
    character (bangfu.core.text) counts as a space: what a line break pasted from Word becomes, never stored."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if type(value) is str else str(value)
    if not text.isprintable():
        text = CONTROL.sub(" ", text)
    # Fast paths first: an import calls this for every text cell of a 100,000-row ledger.
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    parts = text.split()
    if len(parts) <= 1:
        return parts[0] if parts else ""
    text = " ".join(parts)
    return text if text.isascii() else _CJK_GAP.sub("", text)


def header_key(value) -> str:
    """A header as it is compared: clean_text without any space or line break, and without a trailing colon or
    a footnote mark (身份证 号码* → 身份证号码)."""
    return re.sub(r"[\s*＊:：]+", "", clean_text(value)).lower()


# --- amounts ------------------------------------------------------------------------------------------------

_AMOUNT = re.compile(r"^(?P<sign>[-+]?)(?:¥|￥)?(?P<number>\d+(?:\.\d+)?)(?P<unit>万元|万|元)?$")
# The units an amount column's header may name (医疗总费用（元）, 家庭收入情况（万元）): yuan per unit.
UNIT_FACTORS = {"元": Decimal(1), "万元": Decimal(10000), "万": Decimal(10000), "千元": Decimal(1000)}
# No amount a household, a claim or a ledger records comes near 100亿元 (10^10): beyond it a value is a typing
# or export error (1E+30, 30 digits), and a Decimal of it could not be rounded to the cent.
AMOUNT_LIMIT = Decimal(10) ** 10


def parse_amount(value, unit: str | None = None) -> Decimal:
    """An amount of money in yuan, rounded half up to the cent.

    Accepts numbers and text such as 12,345.6 / 1.2万 / 1.2万元 / 800元 / ￥800 / full-width digits. `unit` is the
    unit the column's header names (元, 万元, 千元: `Column.unit` from the reader): it applies to a number and to a
    text without its own unit, so 1.2 under 家庭收入情况（万元） is 12,000 元. Infinite, not-a-number and amounts of
    100亿元 or more are refused."""
    factor = UNIT_FACTORS.get(unit or "元", Decimal(1))
    if isinstance(value, bool):
        raise ParseError("amount", _("金额应为数字，实为“%(value)s”") % {"value": value})
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):  # NaN or infinity from a formula or export
            raise ParseError("amount", _("金额应为数字，实为“%(value)s”") % {"value": value})
        return _bounded(Decimal(repr(value)) * factor, value)
    text = clean_text(value).replace(",", "").replace(" ", "")
    match = _AMOUNT.match(text)
    if not match:
        raise ParseError("amount", _("金额应为数字（可带“元”“万元”），实为“%(value)s”") % {"value": clean_text(value)})
    amount = Decimal(match["number"])
    if match["unit"]:
        factor = UNIT_FACTORS[match["unit"]]  # the cell's own unit wins over the column's
    amount *= factor
    if match["sign"] == "-":
        amount = -amount
    return _bounded(amount, text)


def _bounded(amount: Decimal, raw) -> Decimal:
    if abs(amount) >= AMOUNT_LIMIT:
        raise ParseError("amount_out_of_range", _("金额“%(value)s”超出合理范围（应小于100亿元），请核对") % {
            "value": raw})
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


# --- months and dates ---------------------------------------------------------------------------------------

_YM = re.compile(r"^(\d{4})(\d{2})$")
_YMD = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# A time after a date (2026-10-05 08:30:00, 2026/10/5 8:30, 2026-10-05T08:30:00.000) as systems export it: the
# day is what counts.
_TIME_OF_DAY = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_SEPARATED = re.compile(r"^(\d{4})\s*[./\-年]\s*(\d{1,2})\s*(?:月)?(?:\s*[./\-]?\s*(\d{1,2})\s*日?)?$")


def _date(year: int, month: int, day: int, raw) -> dt.date:
    if not 1 <= month <= 12:
        raise ParseError("month", _("月份应在1至12之间，实为“%(value)s”") % {"value": raw})
    if not 1900 <= year <= 2100:
        raise ParseError("year", _("年份应在1900至2100之间，实为“%(value)s”") % {"value": raw})
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ParseError("date", _("“%(value)s”不是存在的日期") % {"value": raw}) from None


def _parse_period(value, date1904: bool = False) -> tuple[dt.date, bool]:
    """(date, has_day). A month alone gives its first day and has_day False. `date1904`: a number is a day of
    the 1904 date system (the workbook it came from says so)."""
    if isinstance(value, dt.datetime):
        return value.date(), True
    if isinstance(value, dt.date):
        return value, True
    if isinstance(value, bool):
        raise ParseError("date", _("日期格式无法识别：“%(value)s”") % {"value": value})
    if isinstance(value, float) and not value.is_integer() and 10000 <= value < 80000:
        # An Excel date-time serial left as a number (46300.35 is 2026-10-05 08:30): the day is what counts.
        return _excel_epoch(date1904) + dt.timedelta(days=int(value)), True
    if isinstance(value, float) and not value.is_integer():
        # A cell typed 2022.6 is the number 2022.6; typed 2022.10 it becomes 2022.1 and the month is lost.
        text = repr(value)
        year, _dot, frac = text.partition(".")
        if len(year) == 4 and len(frac) in (1, 2):
            if frac == "1":
                raise ParseError("month_ambiguous", _(
                    "“%(value)s”是数字单元格，无法区分1月和10月（末尾的0已丢失），请写成202201或202210") % {"value": text})
            return _date(int(year), int(frac), 1, text), False
        raise ParseError("date", _("日期格式无法识别：“%(value)s”") % {"value": text})
    if isinstance(value, int | float):
        number = int(value)
        if 190001 <= number <= 210012:
            return _date(number // 100, number % 100, 1, number), False
        if 19000101 <= number <= 21001231:
            return _date(number // 10000, number // 100 % 100, number % 100, number), True
        if 1 <= number <= 80000:  # an Excel date serial (1900 .. 2119)
            return _excel_epoch(date1904) + dt.timedelta(days=number), True
        raise ParseError("date", _("日期格式无法识别：“%(value)s”") % {"value": number})
    text = _TIME_OF_DAY.sub("", clean_text(value)).replace(" ", "")
    if not text:
        raise ParseError("required", _("日期不能为空"))
    if text.isdigit() and len(text) in (5,) and not text.startswith(("19", "20")):
        return _parse_period(int(text), date1904)
    if match := _YM.match(text):
        return _date(int(match[1]), int(match[2]), 1, text), False
    if match := _YMD.match(text):
        return _date(int(match[1]), int(match[2]), int(match[3]), text), True
    text = text.rstrip("日") if "月" in text else text
    if match := _SEPARATED.match(text.replace("日", "")):
        if match[3]:
            return _date(int(match[1]), int(match[2]), int(match[3]), text), True
        return _date(int(match[1]), int(match[2]), 1, text), False
    raise ParseError("date", _("日期格式无法识别：“%(value)s”（可写作202206、2022-06-01、2022年6月）") % {
        "value": clean_text(value)})


def _excel_epoch(date1904: bool) -> dt.date:
    return EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH


def parse_month(value, *, date1904: bool = False) -> str:
    """A month as YYYYMM from 202206, 2022.6, 2022年6月, 2022/06, 2022-06-01, 20220615 or an Excel date
    (`date1904`: a serial number counts from 1904, as its workbook says: Workbook.date1904)."""
    day, _has_day = _parse_period(value, date1904)
    return f"{day:%Y%m}"


def parse_date(value, *, date1904: bool = False) -> dt.date:
    """A day from 2022-06-01, 2022/6/1, 2022年6月1日, 20220601 or an Excel date; a month alone is an error.
    `date1904`: a serial number (a date cell that lost its date format) counts from 1904, as its workbook says
    (Workbook.date1904); cells formatted as dates are read as the dates they show whatever the system."""
    day, has_day = _parse_period(value, date1904)
    if not has_day:
        raise ParseError("date_needs_day", _("“%(value)s”只有年月，此处需要具体日期") % {"value": clean_text(value)})
    return day


# --- counts and yes/no --------------------------------------------------------------------------------------

def parse_count(value) -> int:
    """A whole number (people, months): 3, 3.0, "3人", "3 个月"."""
    if isinstance(value, bool):
        raise ParseError("count", _("应为整数，实为“%(value)s”") % {"value": value})
    if isinstance(value, float):
        if not value.is_integer():
            raise ParseError("count", _("应为整数，实为“%(value)s”") % {"value": value})
        return int(value)
    if isinstance(value, int):
        return value
    text = clean_text(value).replace(" ", "")
    match = re.match(r"^(\d+)(?:\.0+)?(?:人|个月|月|口)?$", text)
    if not match:
        raise ParseError("count", _("应为整数，实为“%(value)s”") % {"value": clean_text(value)})
    return int(match[1])


YES = frozenset({"是", "有", "y", "yes", "true", "1", "√", "✓", "参加", "已参加", "享受", "已享受", "安全"})
NO = frozenset({"否", "无", "n", "no", "false", "0", "×", "x", "未参加", "不享受", "未享受", "不安全", "没有"})


def parse_yes_no(value) -> bool:
    """是/否 as ledgers write it (是, 否, √, ×, 有, 无, 1, 0)."""
    if isinstance(value, bool):
        return value
    text = clean_text(value).replace(" ", "").lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ParseError("yes_no", _("应填“是”或“否”，实为“%(value)s”") % {"value": clean_text(value)})
