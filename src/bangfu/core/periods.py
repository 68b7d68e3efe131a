"""Months as people type them (识别监测时间, 消除监测时间 ...), stored as YYYYMM."""

import datetime as dt
import re
import unicodedata

from django.utils.translation import gettext as _

# 202403 | 2024-03 | 2024-3 | 2024.3 | 2024/3 | 2024年3月 (full-width digits normalise to these first)
MONTH_FORMS = (
    re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})$"),
    re.compile(r"^(?P<year>\d{4})\s*[-./年]\s*(?P<month>\d{1,2})\s*月?$"),
)


def parse_month(raw: str, *, today: dt.date | None = None) -> str:
    """The month as YYYYMM, or ValueError naming the rule: a real month from 1949 on, not in the future."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    match = next((m for pattern in MONTH_FORMS if (m := pattern.match(text))), None)
    if match is None or not match["year"].isascii() or not match["month"].isascii():
        raise ValueError(_("应为年月，如 202403、2024-03、2024.3 或 2024年3月"))
    year, month = int(match["year"]), int(match["month"])
    if not 1 <= month <= 12:
        raise ValueError(_("月份应在1至12之间"))
    if year < 1949:
        raise ValueError(_("年份不能早于1949年"))
    today = today or dt.date.today()
    if (year, month) > (today.year, today.month):
        raise ValueError(_("不能晚于本月（%(month)s）") % {"month": f"{today:%Y%m}"})
    return f"{year:04d}{month:02d}"
