"""The grid of a department file: .xlsx/.xls/.ods through python-calamine, .csv in UTF-8 (BOM or not) or GB18030.

A stop-gap until the shared reader (bangfu.ingest) reads feeds too: header detection lives in feed_import.
"""

import csv
import io
from pathlib import Path

from django.utils.translation import gettext as _


def read_grids(path: Path) -> list[tuple[str, list[list]]]:
    """(sheet name, rows) for each sheet, in order."""
    from bangfu.monitoring.feed_import import FeedFileError

    data = Path(path).read_bytes()
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise FeedFileError(_("CSV文件编码无法识别：请另存为UTF-8或GB18030（GBK）编码"))
        return [(Path(path).stem, [list(row) for row in csv.reader(io.StringIO(text))])]
    if suffix not in (".xlsx", ".xlsm", ".xls", ".ods"):
        raise FeedFileError(_("不支持的文件类型“%(suffix)s”：请上传 .xlsx、.xls、.ods 或 .csv 文件") % {
            "suffix": suffix or "?"})
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [(name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
                for name in workbook.sheet_names]
    except Exception as error:  # calamine raises its own types for damaged or mislabelled files
        raise FeedFileError(_("文件无法读取（可能已损坏或并非表格文件）：%(error)s") % {"error": error}) from None
