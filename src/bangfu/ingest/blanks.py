"""Blank templates (空白模板), one per kind of file the system imports, each read back by its own import:

- households: the household ledger on one sheet, a row per member with the household's columns (every column);
- members: members of registered households (户编号 and the member columns);
- incomes: a year's income of registered households (户编号, 收入年度 and the income columns);
- feed-<kind>: each department file (部门数据), its columns as the feed import reads them.

Each has the header row the import recognises, ID numbers and codes formatted as text (so Excel keeps all 18
digits), and a 填写说明 sheet: each column, the other headers accepted, whether it is required, the values it takes.
Downloadable from the import and department-file pages, and `bangfu export template KIND --out F.xlsx`.
"""

from dataclasses import dataclass

import xlsxwriter

TEXT_KEYS = frozenset({"id_number", "number", "phone", "code"})


@dataclass(frozen=True)
class BlankColumn:
    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    values: str = ""  # what may be written, in words


@dataclass(frozen=True)
class Blank:
    key: str
    label: str  # also the file's name
    sheet: str
    columns: tuple[BlankColumn, ...]
    capability: str  # who may download it: who may import such a file

    @property
    def file_name(self) -> str:
        return f"{self.label}模板.xlsx"


def _household_columns(levels: set[str], *, first: tuple[str, ...] = ()) -> tuple[BlankColumn, ...]:
    from bangfu.ingest.households import _CHOICES, HOUSEHOLDS

    def values(key: str) -> str:
        return "、".join(k for k in _CHOICES[key][0] if k) if key in _CHOICES else ""

    fields = [f for f in HOUSEHOLDS.fields if f.key in first] + [
        f for f in HOUSEHOLDS.fields if f.level in levels and f.key not in first]
    return tuple(BlankColumn(f.key, f.label, f.synonyms, f.required or f.key in first, values(f.key)) for f in fields)


def _feed_columns(kind) -> tuple[BlankColumn, ...]:
    from bangfu.monitoring.feeds import DATE, MONEY

    def values(column) -> str:
        if column.choices:
            return "、".join(dict.fromkeys(column.choices))
        return {DATE: "日期，如 2025-05-01", MONEY: "金额（元）"}.get(column.type, "")

    return tuple(BlankColumn(c.key, c.label, c.synonyms, c.required, values(c)) for c in kind.all_columns)


def blanks() -> dict[str, Blank]:
    from bangfu.ingest.households import HOUSEHOLDS
    from bangfu.monitoring.feeds import FEED_KINDS

    found = {
        "households": Blank("households", "农户台账", "农户台账", _household_columns(
            {f.level for f in HOUSEHOLDS.fields}), "registry.edit"),
        "members": Blank("members", "家庭成员", "家庭成员", _household_columns({"member"}, first=("number",)),
                         "registry.edit"),
        "incomes": Blank("incomes", "收入", "收入", _household_columns({"income"}, first=("number",)),
                         "registry.edit"),
    }
    for kind in FEED_KINDS.values():
        label = f"部门数据-{kind.label}"
        found[f"feed-{kind.code}"] = Blank(f"feed-{kind.code}", label, str(kind.label)[:31], _feed_columns(kind),
                                           "monitoring.feed_upload")
    return found


def blank_write(target, blank: Blank) -> None:
    """The blank template as .xlsx into `target` (a path or a buffer): no one's data."""
    workbook = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#EEF1F4", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    sheet = workbook.add_worksheet(blank.sheet[:31])
    for col, column in enumerate(blank.columns):
        sheet.write_string(0, col, column.label, bold)
        sheet.set_column(col, col, 22 if column.key == "id_number" else 12,
                         text if column.key in TEXT_KEYS else None)
    sheet.freeze_panes(1, 0)
    notes = workbook.add_worksheet("填写说明")
    for col, title in enumerate(("列名", "也可写作", "必填", "可填的值")):
        notes.write_string(0, col, title, bold)
    for row, column in enumerate(blank.columns, start=1):
        notes.write_string(row, 0, column.label)
        notes.write_string(row, 1, "、".join(column.synonyms))
        notes.write_string(row, 2, "是" if column.required else "")
        notes.write_string(row, 3, column.values)
    notes.set_column(0, 1, 30)
    notes.set_column(3, 3, 60)
    workbook.close()
