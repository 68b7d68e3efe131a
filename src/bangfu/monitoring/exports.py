"""Open warnings as a spreadsheet (预警清单): the CLI's `bangfu export warnings` and the queue page's export."""

from pathlib import Path

import xlsxwriter
from django.db.models import QuerySet

from bangfu.core.text import printable
from bangfu.monitoring.models import RiskWarning

WARNING_COLUMNS = (("户编号", 20), ("户主", 10), ("乡镇", 12), ("村", 14), ("规则代码", 24), ("规则", 22),
                   ("证据", 70), ("排除", 18))


def warnings_export_write(path: Path, warnings: QuerySet[RiskWarning]) -> int:
    """Write the warnings (already scoped by the caller) to an .xlsx; returns the number of rows."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    header = workbook.add_format({"bold": True, "bg_color": "#EEF1F4", "border": 1})
    sheet = workbook.add_worksheet("预警清单")
    for col, (title, width) in enumerate(WARNING_COLUMNS):
        sheet.write_string(0, col, title, header)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    rows = 0
    query = warnings.select_related("household", "village__parent", "rule").order_by("village_id", "household__number",
                                                                                     "rule__order")
    for rows, warning in enumerate(query.iterator(chunk_size=2000), start=1):
        village = warning.village
        values = (warning.household.number, warning.household.head_name,
                  village.parent.name if village.parent_id else "", village.name, warning.rule.code,
                  warning.rule.name, warning.evidence, warning.exclusions)
        for col, value in enumerate(values):
            sheet.write_string(rows, col, printable(value))
    workbook.close()
    return rows
