"""People's names as the registry accepts them: Chinese characters of every CJK block (extension planes
included: 𠮷, 䶮), the middle dot of minority names (扎西·多吉), and Latin letters (Tenzin Dorje)."""

import unicodedata

from django.utils.translation import gettext as _

NAME_MAX_LENGTH = 30  # the longest transliterated minority names seen are around 20 characters
MIDDLE_DOT = "·"
# Dots people type for the middle dot of a name: Latin-1 middle dot, bullet, hyphenation point, katakana dot,
# the full-width full stop and the dot operator.
DOT_VARIANTS = {"·", "•", "‧", "・", "．", "⋅", "･"}
LATIN_JOINERS = {" ", "-", "'"}


def _is_cjk(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")) or char == "〇"


def _is_latin(char: str) -> bool:
    return unicodedata.category(char).startswith("L") and "LATIN" in unicodedata.name(char, "")


def normalise_person_name(raw: str) -> str:
    """The name with spaces trimmed and any dot variant turned into the middle dot; ValueError naming the rule
    when it holds anything else (emoji, digits, punctuation) or is too long."""
    text = " ".join(unicodedata.normalize("NFC", raw or "").split())
    text = "".join(MIDDLE_DOT if ch in DOT_VARIANTS else ch for ch in text)
    text = text.replace(" · ", MIDDLE_DOT).replace(" ·", MIDDLE_DOT).replace("· ", MIDDLE_DOT)
    if not text:
        raise ValueError(_("姓名不能为空"))
    if len(text) > NAME_MAX_LENGTH:
        raise ValueError(_("姓名最多%(max)s个字符，实为%(n)s个") % {"max": NAME_MAX_LENGTH, "n": len(text)})
    bad = [ch for ch in text if not (_is_cjk(ch) or _is_latin(ch) or ch == MIDDLE_DOT or ch in LATIN_JOINERS)]
    if bad:
        raise ValueError(_("姓名只能包含汉字、拉丁字母和间隔号“·”，不能包含“%(chars)s”") % {
            "chars": "".join(dict.fromkeys(bad))})
    if text[0] == MIDDLE_DOT or text[-1] == MIDDLE_DOT or MIDDLE_DOT * 2 in text:
        raise ValueError(_("间隔号“·”只能出现在姓名中间，且不能连用"))
    if not any(_is_cjk(ch) or _is_latin(ch) for ch in text):
        raise ValueError(_("姓名不能为空"))
    return text
