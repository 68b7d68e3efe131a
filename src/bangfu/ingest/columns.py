"""What the columns of a read file became, as the import commands report it: `mapping` (which header went to which
field) and `ignored_columns` (headers no field took, or that the user chose to ignore). One helper, so the
household import and the department-file import report their columns alike.

    report = {..., **columns_report(book, kind)}        # JSON keys "mapping" and "ignored_columns"
    for line in columns_text(report): stdout.write(line)  # the text output's lines about them
"""

from django.utils.translation import gettext as _


def columns_report(book, kind) -> dict:
    """{"mapping": [{"sheet", "column", "header", "field", "label"}], "ignored_columns": [{"sheet", "column",
    "header"}]} for every read sheet of `book` (an ingest.reader.Workbook) of `kind` (its ImportKind); `column`
    is the column's letter, `field` the field's key and `label` its Chinese name. Columns without a header are
    left out (nothing was ignored there)."""
    labels = {f.key: f.label for f in kind.fields}
    mapping, ignored = [], []
    for sheet in book.sheets:
        for column in sheet.columns:
            if not column.header:
                continue
            where = {"sheet": sheet.name, "column": column.letter, "header": column.header}
            if column.key:
                mapping.append({**where, "field": column.key, "label": labels.get(column.key, column.key)})
            else:
                ignored.append(where)
    return {"mapping": mapping, "ignored_columns": ignored}


def columns_text(report: dict) -> list[str]:
    """The text output's lines about the columns: which were ignored (none: no line)."""
    ignored = report.get("ignored_columns") or []
    if not ignored:
        return []
    names = "、".join(_("%(sheet)s「%(header)s」（%(column)s列）") % c for c in ignored)
    return [_("未导入的列（没有对应的字段）：%(columns)s") % {"columns": names}]
