"""People's names as the registry accepts them: Chinese characters of every CJK block (extension planes
included: 𠮷, 䶮), the middle dot of minority names (扎西·多吉), and Latin letters (Tenzin Dorje).

Every way a name enters (the member form, the services, the household import, a department file compared with
the registry) goes through `normalise_person_name`, reached through `registry.validation.person_name`."""

import unicodedata

from django.utils.translation import gettext as _

NAME_MAX_LENGTH = 30  # the longest transliterated minority names seen are around 20 characters
MIDDLE_DOT = "·"
# Dots people type for the middle dot of a name: Latin-1 middle dot, bullet, hyphenation point, katakana dot
# (and its half-width form), the full-width and the ASCII full stop (NFKC, which an import applies, turns the
# first into the second), the dot and bullet operators, the word-separator middle dot.
DOT_VARIANTS = frozenset("·•‧・．.⋅･∙⸱")
LATIN_JOINERS = {" ", "-", "'"}
# Brackets that hold a note written after a name in a ledger: 拉姆(已故), 尼玛（外出）, 扎西【户主】.
NOTE_BRACKETS = frozenset("()（）[]【】〔〕<>《》{}")


class PersonNameError(ValueError):
    """A name that breaks a rule: `rule` a stable code (name_required, name_too_long, name_digits, name_note,
    name_characters, name_dot), `message` the text shown to users."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


def _is_cjk(char: str) -> bool:
    if "\u4e00" <= char <= "\u9fff":  # the basic block, nearly every name: no name lookup
        return True
    name = unicodedata.name(char, "")
    return name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")) or char == "〇"


def _is_latin(char: str) -> bool:
    return unicodedata.category(char).startswith("L") and "LATIN" in unicodedata.name(char, "")


def unify_name_dots(raw: str) -> str:
    """The name with trimmed spaces and every dot variant as the one middle dot (扎西.多吉, 扎西 • 多吉 → 扎西·多吉);
    nothing refused. Also what a search for a name compares, so 扎西.多吉 typed in the search box finds 扎西·多吉."""
    text = " ".join(unicodedata.normalize("NFC", raw or "").split())
    text = "".join(MIDDLE_DOT if ch in DOT_VARIANTS else ch for ch in text)
    return text.replace(" · ", MIDDLE_DOT).replace(" ·", MIDDLE_DOT).replace("· ", MIDDLE_DOT)


def normalise_person_name(raw: str) -> str:
    """The name with spaces trimmed and any dot variant turned into the middle dot; PersonNameError naming the
    rule when it is empty, too long, or holds digits, a note in brackets, emoji or other punctuation."""
    if raw and len(raw) <= NAME_MAX_LENGTH and all("\u4e00" <= ch <= "\u9fff" for ch in raw):
        return raw  # Chinese characters of the basic block only (nearly every name): nothing to normalise or refuse
    text = unify_name_dots(raw)
    if not text:
        raise PersonNameError("name_required", _("姓名不能为空"))
    if len(text) > NAME_MAX_LENGTH:
        raise PersonNameError("name_too_long", _("姓名最多%(max)s个字符，实为%(n)s个") % {
            "max": NAME_MAX_LENGTH, "n": len(text)})
    if any(ch in NOTE_BRACKETS for ch in text):
        raise PersonNameError("name_note", _(
            "姓名不能带括号或括号里的备注：只填姓名；已故或迁出的成员请做减员，其他情况写在备注里"))
    digits = [ch for ch in text if unicodedata.category(ch) == "Nd"]
    if digits:
        raise PersonNameError("name_digits", _("姓名不能包含数字（含有“%(digits)s”）：同名的人由证件号码区分，不必编号") % {
            "digits": "".join(dict.fromkeys(digits))})
    bad = [ch for ch in text if not (_is_cjk(ch) or _is_latin(ch) or ch == MIDDLE_DOT or ch in LATIN_JOINERS)]
    if bad:
        raise PersonNameError("name_characters", _("姓名只能包含汉字、拉丁字母和间隔号“·”，不能包含“%(chars)s”") % {
            "chars": "".join(dict.fromkeys(bad))})
    if text[0] == MIDDLE_DOT or text[-1] == MIDDLE_DOT or MIDDLE_DOT * 2 in text:
        raise PersonNameError("name_dot", _("间隔号“·”只能出现在姓名中间，且不能连用"))
    if not any(_is_cjk(ch) or _is_latin(ch) for ch in text):
        raise PersonNameError("name_required", _("姓名不能为空"))
    return text
