"""Cell parsers that need more than the pure ones in core.parsing: ID numbers as cells hold them, villages by
name within a county, and coded values by their Chinese labels."""

import datetime as dt
import re

from django.utils.translation import gettext as _

from bangfu.core.id_number import EXCEL_DIGITS, IdNumberError, looks_cut_by_excel, parse_id_number
from bangfu.core.parsing import ParseError, clean_text, parse_date, parse_month
from bangfu.regions.models import Region

_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?e\+?\d+$", re.IGNORECASE)

# --- long numbers that Excel cut -------------------------------------------------------------------------------
#
# Excel keeps 15 significant digits of a number. An ID number (18 digits) or a 户编号 (16 digits and more) typed
# into a number cell loses the rest: 513225198001011234 becomes 513225198001011000, 5132251032139004 becomes
# 5132251032139000; shown as 5.13225E+17 until the column is widened. The rule here (docs/design.md, "Values
# Excel cut"):
# 1. a number cell holding a whole number of more than 15 digits, in a column of ID numbers or 户编号, is refused;
#    so is text in scientific notation (5.13225E+17), what a CSV keeps of such a cell;
# 2. an ID number whose last three digits are 000 and whose check character is wrong is refused with the same
#    cause (core.id_number: a corrected check character would only make another wrong number);
# 3. a column that shows 1. or 2. anywhere was at some point numbers: every value in it that looks as Excel
#    leaves a cut number (digits after the 15th all zero; core.id_number.looks_cut_by_excel) is refused too, even
#    when its check character passes (about 1 in 11 cut ID numbers do). In a column with no such sign, an ID
#    number or 户编号 ending in zeros is taken as written: real ones do (about 1 ID number in 1,100 ends in 000).


def _number_cell_digits(value) -> str | None:
    """The digits of a number cell holding a whole number; None for any other cell."""
    if isinstance(value, bool) or not isinstance(value, float | int):
        return None
    number = float(value)
    if not number.is_integer():
        return None
    return str(abs(int(number)))


def _cut_message(what: str, shown: str) -> str:
    return _("%(what)s被存成了数字（%(value)s），末尾几位已丢失：Excel只保留15位有效数字，其余位变成了0。请把该列设为"
             "文本格式后重新填写完整号码（或从原系统按文本导出）") % {"what": what, "value": shown}


def cut_by_excel(value, *, id_number: bool) -> bool:
    """Whether a cell shows on its own that Excel cut a long number (rules 1 and 2 above): a number cell of more
    than 15 digits, scientific-notation text, or (`id_number`) digits ending in 000 with a wrong check
    character. Such a cell in a column makes the column's other zero-ending values suspect (rule 3)."""
    digits = _number_cell_digits(value)
    if digits is not None:
        return len(digits) > EXCEL_DIGITS
    if not isinstance(value, str):
        return False
    text = clean_text(value).replace(" ", "")
    if _SCIENTIFIC.match(text):
        return True
    if id_number and len(text) == 18 and looks_cut_by_excel(text):
        try:
            parse_id_number(text)
        except IdNumberError as error:
            return error.rule == "as_number"
    return False


def cut_column_evidence(values, *, id_number: bool):
    """The first of `values` (pairs of (row number, cell)) that shows Excel cut the column's numbers, as its row
    number; None when none does. One pass over the column, before its rows are judged; text that can be no sign
    (most of it: no exponent, and for ID numbers no closing 000) is passed over at the cost of two tests."""
    for number, value in values:
        if type(value) is str and "e" not in value and "E" not in value and not (
                id_number and value.endswith("000")):
            continue
        if value != "" and cut_by_excel(value, id_number=id_number):
            return number
    return None


def refuse_if_cut_in_column(text: str, *, id_number: bool, evidence_row, row) -> None:
    """Rule 3: in a column (of ID numbers, or of 户编号) where row `evidence_row` shows Excel cut its numbers, a
    value (of row `row`) that looks cut is refused (ParseError id_number_as_number / number_as_number), naming
    that row. No evidence, a value that does not look cut, or the row that is the evidence itself (refused under
    its own rule, with its own message): nothing to say here."""
    if evidence_row is None or evidence_row == row or not looks_cut_by_excel(text):
        return
    rule, what = ("id_number_as_number", _("证件号码")) if id_number else ("number_as_number", _("户编号"))
    raise ParseError(rule, _(
        "%(what)s“%(value)s”的末尾几位是0，而本列第%(row)s行的号码被Excel存成过数字（Excel只保留15位有效数字，其余位变成"
        "0）：本号码很可能也被截断了。请把该列设为文本格式，核对并重新填写完整号码（或从原系统按文本导出）后再导入") % {
        "what": what, "value": text, "row": evidence_row})


def id_number_text(value) -> str:
    """The ID number a cell holds, as text, or ParseError.

    A number of more than 15 digits in a numeric cell has lost its last digits (Excel keeps 15 significant
    digits; it shows them as 5.13225E+17): an error for that row, never a guess. A 15-digit legacy number fits."""
    if isinstance(value, bool):
        raise ParseError("id_number", _("证件号码格式错误"))
    if isinstance(value, float | int):
        number = float(value)
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        raise ParseError("id_number_as_number", _cut_message(_("证件号码"), f"{number:.5E}"))
    text = clean_text(value).replace(" ", "")
    if _SCIENTIFIC.match(text):
        raise ParseError("id_number_as_number", _cut_message(_("证件号码"), text))
    if text.startswith("'"):
        text = text[1:]  # Excel's text prefix, when a CSV keeps it
    return text


def household_number_text(value) -> str:
    """The 户编号 a cell holds, as text, or ParseError `number_as_number` when Excel cut it (a number cell of
    more than 15 digits: 5132251032139004 was stored as 5132251032139000; scientific-notation text)."""
    digits = _number_cell_digits(value)
    if digits is not None and len(digits) > EXCEL_DIGITS:
        raise ParseError("number_as_number", _cut_message(_("户编号"), f"{float(value):.5E}"))
    text = clean_text(value).replace(" ", "")
    if _SCIENTIFIC.match(text):
        raise ParseError("number_as_number", _cut_message(_("户编号"), text))
    return text.removeprefix("'")


def birth_date_cell(value, *, date1904: bool = False) -> dt.date | str | None:
    """A 出生日期 cell as registry.validation.member_identity compares it with the document: a day, or a year or
    year and month as text ("1980", "198001") where a ledger writes only those (出生日期(脱敏时为年份)); None
    when empty. ParseError when it is no date at all. `date1904`: the workbook counts its serial numbers from 1904
    (Workbook.date1904)."""
    if value is None or value == "":
        return None
    if not isinstance(value, bool) and isinstance(value, int | float) and float(value).is_integer():
        number = int(value)
        if 1900 <= number <= 2100:
            return str(number)  # a year, not Excel's day 1900 of 1905
        if 190001 <= number <= 210012:
            return parse_month(number)
    text = clean_text(value).replace(" ", "") if isinstance(value, str) else ""
    if len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2100:
        return text
    try:
        return parse_date(value, date1904=date1904)
    except ParseError as error:
        if error.rule == "month_ambiguous":  # 1980.1: January or October, the year is certain
            return repr(value).split(".")[0]
        if error.rule != "date_needs_day":
            raise
    return parse_month(value, date1904=date1904)


def resident_id(value) -> str:
    """A validated resident ID number from a cell (normalised to 18 characters)."""
    text = id_number_text(value)
    try:
        return parse_id_number(text).number
    except IdNumberError as error:
        raise ParseError(f"id_number_{error.rule}", error.message) from None


def choice_index(choices, synonyms: dict[str, str] | None = None) -> dict[str, str]:
    """Chinese label (and synonyms) -> stored value, for a TextChoices class."""
    index = {}
    for value, label in choices.choices:
        index[clean_text(str(label)).replace(" ", "")] = value
    for text, value in (synonyms or {}).items():
        index[clean_text(text).replace(" ", "")] = value
    return index


def parse_choice(value, index: dict[str, str], *, what: str) -> str:
    text = clean_text(value).replace(" ", "")
    if text in index:
        return index[text]
    known = "、".join(k for k in index if k)[:80]
    raise ParseError("choice", _("%(what)s“%(value)s”不在可选值中（%(known)s）") % {
        "what": what, "value": clean_text(value), "known": known})


# --- villages -----------------------------------------------------------------------------------------------

_SUFFIXES = (("村民委员会", "村"), ("村委会", "村"), ("社区居民委员会", "社区"), ("社区居委会", "社区"),
             ("居民委员会", "社区"), ("居委会", "社区"))


def village_short_name(name: str) -> str:
    """团结村村民委员会 → 团结村, 荷叶社区居委会 → 荷叶社区, as people write them."""
    text = clean_text(name).replace(" ", "")
    for suffix, short in _SUFFIXES:
        if text.endswith(suffix):
            stem = text[: -len(suffix)]
            return stem if stem.endswith(short) else stem + short
    return text


class VillageResolver:
    """Villages by name as people write them (团结村, 双河镇团结村, 团结村村民委员会), within one county.

    Loads the county's villages once (two queries), then resolves in memory. A name matching villages in two
    townships is ambiguous unless the township is written; a name matching none is unknown: both are errors."""

    def __init__(self, county_code: str):
        county = Region.objects.get(code=county_code)
        self.county = county
        low, high = county.code_range
        townships = {r.code: r for r in Region.objects.filter(code__gte=low, code__lte=high, level="township")}
        self.townships = {clean_text(t.name).replace(" ", ""): code for code, t in townships.items()}
        self.by_name: dict[str, list[Region]] = {}
        for village in Region.objects.filter(code__gte=low, code__lte=high, level="village").order_by("code"):
            village.township = townships.get(village.parent_id)
            for key in {village_short_name(village.name), clean_text(village.name).replace(" ", "")}:
                self.by_name.setdefault(key, []).append(village)
        self._cache: dict[str, Region] = {}

    def resolve(self, value) -> Region:
        text = clean_text(value).replace(" ", "")
        if text in self._cache:
            return self._cache[text]
        if not text:
            raise ParseError("village_required", _("村（社区）不能为空"))
        if re.fullmatch(r"\d{12}", text):
            matches = [v for vs in self.by_name.values() for v in vs if v.code == text][:1]
            if not matches:
                raise ParseError("village_unknown", _("区划代码 %(code)s 不是本县的村（社区）") % {"code": text})
            self._cache[text] = matches[0]
            return matches[0]
        name = text
        if name not in self.by_name:
            for prefix in ("四川省", "阿坝藏族羌族自治州", "阿坝州", clean_text(self.county.name)):
                name = name.removeprefix(prefix)
        township = ""
        for township_name in sorted(self.townships, key=len, reverse=True):
            if name.startswith(township_name) and len(name) > len(township_name):
                township, name = self.townships[township_name], name[len(township_name):]
                break
        candidates = self.by_name.get(text) or self.by_name.get(name) or self.by_name.get(village_short_name(name)) or []
        if not candidates and not name.endswith(("村", "社区")):
            candidates = self.by_name.get(name + "村", []) + self.by_name.get(name + "社区", [])
        if township and text not in self.by_name:
            candidates = [v for v in candidates if v.parent_id == township]
        unique = {v.code: v for v in candidates}
        if not unique:
            raise ParseError("village_unknown", _("村（社区）“%(name)s”不在%(county)s的村（社区）中") % {
                "name": text, "county": self.county.name})
        if len(unique) > 1:
            places = "、".join(f"{v.township.name if v.township else ''}{v.name}" for v in unique.values())
            raise ParseError("village_ambiguous", _("村（社区）“%(name)s”有重名（%(places)s），请写明乡镇，如“双河镇团结村”") % {
                "name": text, "places": places})
        village = next(iter(unique.values()))
        self._cache[text] = village
        return village
