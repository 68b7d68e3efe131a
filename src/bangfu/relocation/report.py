"""`bangfu report relocation`: the relocation follow-up workbook. First sheet 至少1人就业, one row per site;
then 安置点, 搬迁户, 就业. The columns are relocation.tables', the figures relocation.indicators'."""

from pathlib import Path

import xlsxwriter
from django.db.models import Prefetch

from bangfu.core.text import printable
from bangfu.registry.models import Household
from bangfu.relocation import indicators
from bangfu.relocation.models import Employment, ResettlementSite, Workshop
from bangfu.relocation.tables import COVERAGE_COLUMNS, EMPLOYMENT_COLUMNS, HOUSEHOLD_COLUMNS, SITE_COLUMNS


def _sheet(book, name: str, columns, rows, heading_format) -> None:
    sheet = book.add_worksheet(name)
    for col, column in enumerate(columns):
        sheet.set_column(col, col, column.width)
        sheet.write_string(0, col, str(column.title), heading_format)
    for row_number, row in enumerate(rows, start=1):
        for col, column in enumerate(columns):
            value = column.value(row)
            if column.number and isinstance(value, int | float):
                sheet.write_number(row_number, col, value)
            else:
                sheet.write_string(row_number, col, printable("" if value is None else str(value)))
    sheet.freeze_panes(1, 0)


def relocation_report_write(*, path: Path, region_code: str | None = None, year: int | None = None) -> dict:
    """Write the workbook for the households under `region_code` (default: all). Returns the totals."""
    households = Household.objects.filter(is_active=True)
    sites = ResettlementSite.objects.select_related("township").prefetch_related(
        Prefetch("workshops", queryset=Workshop.objects.order_by("name")))
    if region_code:
        from bangfu.core.scoping import code_range_q
        from bangfu.regions.models import Region

        region = Region.objects.get(code=region_code)
        households = households.filter(code_range_q(region.code_range))
        sites = sites.filter(code_range_q(region.code_range, field="township_id")) if region.level != "village" \
            else sites.filter(township_id=region.parent_id)
    coverage = indicators.coverage(households, by="site", year=year)
    total = indicators.coverage_total(households, year=year)
    relocated = indicators.relocated_households(households).select_related(
        "village__parent", "relocation__site", "relocation__former_village").order_by("village_id", "number")
    jobs = Employment.objects.filter(member__household__in=relocated.values("pk")).select_related(
        "member__household", "workshop").order_by("member__household__number", "member_id", "-year")
    with xlsxwriter.Workbook(str(path)) as book:
        bold = book.add_format({"bold": True})
        _sheet(book, "至少1人就业", COVERAGE_COLUMNS, [*coverage, total], bold)
        _sheet(book, "安置点", SITE_COLUMNS, sites, bold)
        _sheet(book, "搬迁户", HOUSEHOLD_COLUMNS, relocated.iterator(chunk_size=2000), bold)
        _sheet(book, "就业", EMPLOYMENT_COLUMNS, jobs.iterator(chunk_size=2000), bold)
    return {"sites": len(coverage), "with_labour": total.with_labour, "employed": total.employed,
            "without": total.without, "rate": total.rate_display}
