"""Reads of monitoring configuration."""

from decimal import Decimal

from bangfu.monitoring.models import MonitoringLine


def monitoring_line_for(*, village_code: str, year: int) -> Decimal | None:
    """The line in force for a village in a year (the one rule: see monitoring_lines_by_year)."""
    return monitoring_lines_by_year(county_code=village_code[:6].ljust(12, "0")).get(year)


def monitoring_lines_by_year(*, county_code: str) -> dict[int, Decimal]:
    """Year → line in force for a county: the nearest of county, prefecture and province that set one."""
    enclosing = [county_code[:n].ljust(12, "0") for n in (2, 4, 6)]  # province, prefecture, county
    result: dict[int, Decimal] = {}
    # Ordered from the widest region to the narrowest, so the nearer region's line overwrites the wider one's.
    for line in MonitoringLine.objects.filter(region_id__in=enclosing).order_by("region_id"):
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
