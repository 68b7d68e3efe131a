"""Finding text that could hold an ID number or a phone, so it is never stored in clear.

Deliberately wider than the parsers: a near miss (`110101198805177713a`, a wrong check digit,
`110101-19880517-7713`, `139.1234.5678`, full-width digits) still identifies a person. Any run of digits, possibly
split by spaces, dots, dashes, slashes or brackets, that holds seven or more digits counts: phones (7-8 digit
local numbers, 11-digit mobiles, with area codes) and ID numbers (15 or 18 characters, last maybe X).
"""

import re
import unicodedata

MIN_DIGITS = 7
# Digits with single separators between them; an x/X may close an ID number.
_RUN = re.compile(r"\d(?:[\s.\-_/·()（）]?\d)+[xX]?")


def _normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def identifier_runs(text: str) -> list[str]:
    """The runs of digits in `text` long enough to be an ID number or a phone."""
    return [m[0] for m in _RUN.finditer(_normalised(text)) if sum(ch.isdigit() for ch in m[0]) >= MIN_DIGITS]


def contains_identifier(text: str) -> bool:
    return bool(identifier_runs(text))


def redact_identifiers(text: str) -> str:
    """The text with every such run replaced by a mark of its length, e.g. `＊18位数字＊`."""
    def mark(match: re.Match) -> str:
        digits = sum(ch.isdigit() for ch in match[0])
        return f"＊{digits}位数字＊" if digits >= MIN_DIGITS else match[0]

    return _RUN.sub(mark, _normalised(text))
