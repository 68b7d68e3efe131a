"""Citizen ID numbers (居民身份证号码, GB 11643-1999).

18 characters: 6-digit address code, 8-digit birth date, 3-digit sequence (odd = male) and a check character
computed with ISO 7064 MOD 11-2. Input as people type it is accepted: lower-case x, full-width digits,
surrounding spaces. 15-digit legacy numbers are converted by inserting "19" and computing the check.
The address code is never checked against current divisions: codes retire, people keep their numbers; but its
first two digits must be a province-level code of GB/T 2260 that exists or existed (or 81/82/83, residence
permits for Hong Kong, Macao and Taiwan residents). Only ASCII digits count: full-width digits normalise to them,
other scripts' digits (Arabic-Indic, Devanagari ...) are refused, so one person cannot be stored twice.
"""

import datetime as dt
import operator
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_MAP = "10X98765432"
ASCII_DIGITS = frozenset("0123456789")
# Province-level codes of GB/T 2260 past and present, plus 81/82/83 (港澳台居民居住证).
PROVINCE_CODES = frozenset(
    [f"{n}" for n in range(11, 16)] + [f"{n}" for n in range(21, 24)] + [f"{n}" for n in range(31, 38)]
    + [f"{n}" for n in range(41, 47)] + [f"{n}" for n in range(50, 55)] + [f"{n}" for n in range(61, 66)]
    + ["71", "81", "82", "83"]
)


class IdNumberError(ValueError):
    """An ID number that breaks a rule; `message` is the text shown to users (in their language), `rule` a stable
    code."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: dt.date
    sex: str  # "male" / "female"

    @property
    def address_code(self) -> str:
        return self.number[:6]


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()  # False for "": the same as set(text) <= ASCII_DIGITS, non-empty


def check_character(body17: str) -> str:
    if len(body17) != len(WEIGHTS):
        raise ValueError("check_character needs the first 17 characters")
    total = sum(map(operator.mul, map(int, body17), WEIGHTS))  # once per ID number of a 100,000-row import
    return CHECK_MAP[total % 11]


def normalise_id_number(raw: str) -> str:
    """Full-width to half-width, spaces stripped, x upper-cased. Does not validate."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(text.split()).upper()


def _birth_date(text: str) -> dt.date:
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise IdNumberError("birth_date_invalid", _("出生日期无效：%(text)s 不是存在的日期") % {"text": text}) from None


def parse_id_number(raw: str, *, today: dt.date | None = None) -> IdNumber:
    """Validate and normalise; raises IdNumberError naming the rule broken."""
    today = today or dt.date.today()
    number = normalise_id_number(raw)
    if not number:
        raise IdNumberError("required", _("身份证号不能为空"))
    if len(number) == 15:
        if not _is_ascii_digits(number):
            raise IdNumberError("characters", _("15位旧身份证号只能由数字组成"))
        body = number[:6] + "19" + number[6:]
        number = body + check_character(body)
        converted = True
    elif len(number) == 18:
        converted = False
    else:
        raise IdNumberError("length", _("身份证号应为18位（或15位旧号码），实为%(length)s位") % {"length": len(number)})
    body, check = number[:17], number[17]
    if not _is_ascii_digits(body) or not (check in ASCII_DIGITS or check == "X"):
        raise IdNumberError("characters", _("身份证号前17位必须是数字，最后一位是数字或X"))
    if body[:2] not in PROVINCE_CODES:
        raise IdNumberError("province_code", _("地址码前两位 %(code)s 不是省级行政区划代码") % {"code": body[:2]})
    birth = _birth_date(body[6:14])
    if birth > today:
        raise IdNumberError("birth_date_future", _("出生日期 %(date)s 晚于今天") % {"date": f"{birth:%Y-%m-%d}"})
    if not converted:
        expected = check_character(body)
        if check != expected and looks_cut_by_excel(number):
            raise IdNumberError("as_number", excel_cut_message(_("证件号码"), number))
        if check != expected:
            raise IdNumberError("check_character", _("校验码错误：最后一位应为%(expected)s，实为%(check)s") % {
                "expected": expected, "check": check})
    sex = "male" if int(body[16]) % 2 == 1 else "female"
    return IdNumber(number=number, birth_date=birth, sex=sex)


EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number; the rest become zeros


def looks_cut_by_excel(text: str) -> bool:
    """Digits as Excel leaves a longer number it held in a number cell: more than 15 digits, all after the 15th
    zero (513225198001011234 becomes 513225198001011000, 5132251032139004 becomes 5132251032139000). On its own
    this proves nothing (a real number may end in zeros); with a wrong check character, or beside number cells in
    the same column, it is what Excel did."""
    return len(text) > EXCEL_DIGITS and text.isascii() and text.isdigit() and not text[EXCEL_DIGITS:].strip("0")


def excel_cut_message(what: str, value: str) -> str:
    """What a user reads about a number Excel cut: the cause and the fix, never a guess at the lost digits
    (a corrected check character would only make another wrong number)."""
    return _("%(what)s“%(value)s”的末尾几位是0：它曾被存成数字，Excel只保留15位有效数字，其余位变成了0，原号码已无法从文件"
             "中得到。请把该列设为文本格式，重新填写完整号码（或从原系统按文本导出），不要只改最后一位") % {
        "what": what, "value": value}


def is_valid_id_number(raw: str) -> bool:
    try:
        parse_id_number(raw)
    except IdNumberError:
        return False
    return True


def make_id_number(address_code: str, birth_date: dt.date, sequence: int) -> str:
    """A synthetic, well-formed number (for demo and test data only)."""
    body = f"{address_code}{birth_date:%Y%m%d}{sequence:03d}"
    return body + check_character(body)
