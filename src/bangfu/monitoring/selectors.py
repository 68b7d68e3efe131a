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
