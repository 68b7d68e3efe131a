"""Months typed into forms (识别监测时间, 消除监测时间 ...), stored as YYYYMM.

The forms people type are read by core.parsing.parse_month, the one month parser that imports also use
(202403, 2024-03, 2024.3, 2024年3月, full-width digits); a form adds the rules of a month being recorded now:
only ASCII digits after normalising, not before 1949, not in the future."""

import datetime as dt
import unicodedata

from django.utils.translation import gettext as _

from bangfu.core.parsing import ParseError
from bangfu.core.parsing import parse_month as parse_any_month


def parse_month(raw: str, *, today: dt.date | None = None) -> str:
    """The month as YYYYMM, or ValueError naming the rule."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if any(ch.isdigit() and not ch.isascii() for ch in text):  # ٢٠٢٤ would otherwise pass as 2024
        raise ValueError(_("应为年月，如 202403、2024-03、2024.3 或 2024年3月"))
    try:
        month = parse_any_month(text)
    except ParseError as error:
        raise ValueError(error.message) from None
    if int(month[:4]) < 1949:
        raise ValueError(_("年份不能早于1949年"))
    today = today or dt.date.today()
    if month > f"{today:%Y%m}":
        raise ValueError(_("不能晚于本月（%(month)s）") % {"month": f"{today:%Y%m}"})
    return month
