"""Cell parsers that need more than the pure ones in core.parsing: ID numbers as cells hold them, villages by
name within a county, and coded values by their Chinese labels."""

import re

from django.utils.translation import gettext as _

from bangfu.core.id_number import IdNumberError, parse_id_number
from bangfu.core.parsing import ParseError, clean_text
from bangfu.regions.models import Region

_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?e\+?\d+$", re.IGNORECASE)


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
        raise ParseError("id_number_as_number", _(
            "证件号码被存成了数字（%(value)s），末尾几位已丢失：请把该列设为文本格式后重新填写") % {"value": f"{number:.5E}"})
    text = clean_text(value).replace(" ", "")
    if _SCIENTIFIC.match(text):
        raise ParseError("id_number_as_number", _(
            "证件号码被存成了数字（%(value)s），末尾几位已丢失：请把该列设为文本格式后重新填写") % {"value": text})
    if text.startswith("'"):
        text = text[1:]  # Excel's text prefix, when a CSV keeps it
    return text


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
