"""Phone numbers as people type them: spaces, dashes, brackets, +86, full-width digits."""

import re
import unicodedata

from django.utils.translation import gettext, gettext_noop

PHONE_PATTERN = re.compile(r"^(1\d{10}|0\d{2,3}\d{7,8})$")
PHONE_RULE = gettext_noop("联系电话格式错误：应为11位手机号，或带区号的固定电话")  # shown translated


def normalise_phone(raw: str) -> str:
    """The digits of a mobile (11 digits) or fixed line with area code; ValueError naming the rule otherwise."""
    text = unicodedata.normalize("NFKC", raw or "")
    digits = re.sub(r"[\s\-()（）]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    if not PHONE_PATTERN.match(digits):
        raise ValueError(gettext(PHONE_RULE))
    return digits
