"""Reads of monitoring configuration."""

from decimal import Decimal

from bangfu.monitoring.models import MonitoringLine


def monitoring_line_for(*, village_code: str, year: int) -> Decimal | None:
    """The line in force for a village in a year: the nearest enclosing region that has one."""
    candidates = {village_code[:n].ljust(12, "0") for n in (2, 4, 6, 9)} | {village_code}
    lines = {line.region_id: line.amount for line in MonitoringLine.objects.filter(region_id__in=candidates, year=year)}
    for code in sorted(lines, key=lambda c: c.rstrip("0").__len__(), reverse=True):
        return lines[code]
    return None


def monitoring_lines_by_year(*, county_code: str) -> dict[int, Decimal]:
    """Year → line for a county (county lines override the province's)."""
    province = county_code[:2].ljust(12, "0")
    result: dict[int, Decimal] = {}
    for line in MonitoringLine.objects.filter(region_id__in=[province, county_code]).order_by("region_id"):
        if line.region_id == county_code or line.year not in result:
            result[line.year] = line.amount
    return result


def monitoring_lines_for_user(user) -> list[dict]:
    """The lines that apply where the user sits, year by year: the county's own or the province's."""
    if not user.region_id:
        return []
    county_code = user.region.code[:6].ljust(12, "0")
    province_code = user.region.code[:2].ljust(12, "0")
    rows: dict[int, dict] = {}
    for line in MonitoringLine.objects.filter(region_id__in=[province_code, county_code]).select_related("region"):
        row = rows.setdefault(line.year, {"year": line.year, "province": None, "county": None})
        row["county" if line.region_id == county_code else "province"] = line
    for row in rows.values():
        row["in_force"] = row["county"] or row["province"]
    return [rows[year] for year in sorted(rows, reverse=True)]
