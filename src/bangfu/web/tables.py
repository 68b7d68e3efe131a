"""A list's columns, declared once (<app>/tables.py) and read by one template (web/_table.html) that shows a
table on a wide screen and a stack of cards on a phone.

Each column says what one cell shows (a callable of the row: plain values are escaped and dates and amounts
written alike; format_html for a link or a badge) and what part it plays in the card: the card's title, a short
fact shown without its label (`bare`), the row's one main action (`action`, a full-width button at the card's
foot), or a column a phone leaves out. Columns of place (乡镇, 村) are dropped for a user bound to one village,
who needs them nowhere. The household list showed the way (registry/_household_table.html); this is that
pattern with the columns as data, so warnings, leads, cases, measures, visits, ledgers, tasks and cadres share it.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.html import conditional_escape


@dataclass(frozen=True)
class Col:
    """One column: its heading, its cell, and its part in the phone's card."""

    key: str
    heading: Any
    cell: Callable[[Any], Any] | None = None
    card: str = ""  # "title" | "bare" (no label on the card) | "action" (the card's main button) | "hide" (not on a phone)
    num: bool = False
    place: bool = False  # 乡镇 or 村: dropped for a user bound to a village
    wrap: bool = False  # long text (evidence, difficulty) wraps rather than widening the table
    only: Callable[[Any], bool] | None = None  # shown only to users for whom this is true (an edit link)
    template: str = ""  # a cell that needs the page's context (a form with its CSRF token): included with `row`


@dataclass(frozen=True)
class Cell:
    col: Col
    html: str

    @property
    def css(self) -> str:
        parts = []
        if self.col.card == "title":
            parts.append("card-title")
        elif self.col.card == "bare":
            parts.append("bare")
        elif self.col.card == "action":
            parts.append("card-action")
        elif self.col.card == "hide":
            parts.append("phone-hide")
        if self.col.num:
            parts.append("num")
        if self.col.wrap:
            parts.append("wrap")
        return " ".join(parts)


@dataclass
class Row:
    obj: Any
    cells: list[Cell]
    css: str = ""


def user_in_one_village(user) -> bool:
    """A user bound to a single village (a village cadre, an assistance contact): 乡镇/村 tell them nothing."""
    code = getattr(user, "region_id", None) or ""
    return len(code) == 12 and not code.endswith("000")


def text(value) -> str:
    """A cell's value as the pages write it: dates as 2026-12-07, amounts with two decimals, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


@dataclass(frozen=True)
class Table:
    """The columns of one list, key columns first (the wide table reads from the left)."""

    name: str  # the table's CSS class (and a test's handle)
    columns: tuple[Col, ...]
    empty: Any = ""
    row_css: Callable[[Any], str] | None = None

    def columns_for(self, user) -> tuple[Col, ...]:
        village = user is not None and user_in_one_village(user)
        return tuple(c for c in self.columns
                     if not (village and c.place) and (c.only is None or (user is not None and c.only(user))))

    def bind(self, rows: Iterable, *, user=None) -> "BoundTable":
        columns = self.columns_for(user)
        bound = []
        for obj in rows:
            cells = []
            for col in columns:
                value = col.cell(obj) if col.cell else ""
                html = value if hasattr(value, "__html__") else conditional_escape(text(value))
                cells.append(Cell(col, html))
            bound.append(Row(obj, cells, self.row_css(obj) if self.row_css else ""))
        return BoundTable(self, columns, bound)


@dataclass
class BoundTable:
    table: Table
    columns: tuple[Col, ...]
    rows: list[Row]

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def empty(self):
        return self.table.empty

    @property
    def width(self) -> int:
        return len(self.columns)
