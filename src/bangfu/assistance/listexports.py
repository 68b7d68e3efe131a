"""The assistance ledgers (funds, projects, donations ...) as .xlsx, one export per ledger kind, through the one
list export (bangfu.web.exports): the columns are the ones the page shows (declared once in assistance.ledger)."""


from bangfu.assistance.forms import LedgerFilterForm
from bangfu.assistance.ledger import LEDGER_KINDS, cell
from bangfu.assistance.selectors import ledger_entries_visible_to, units_visible_to
from bangfu.web.exports import Column, ListExport, list_export


def ledger_rows(user, kind, data: dict):
    """The ledger page's rows for its filter's cleaned values (unit, year)."""
    from bangfu.reports.assistance_indicators import year_span

    year = data.get("year")
    since, until = year_span(year) if year else (None, None)
    unit_id = int(data["unit"]) if data.get("unit") else None
    return ledger_entries_visible_to(user, kind, unit_id=unit_id, since=since, until=until)


def _column(kind_column) -> Column:
    return Column(kind_column.heading, lambda entry: cell(entry, kind_column), kind_column.width,
                  number=kind_column.number)


for _kind in LEDGER_KINDS:
    list_export(ListExport(
        key=f"ledger-{_kind.key}", title=_kind.label, inline=True,
        form=lambda user, data: LedgerFilterForm(data, units=units_visible_to(user)),
        rows=lambda user, values, kind=_kind: ledger_rows(user, kind, values),
        prepare=lambda rows: rows.select_related("unit", "village__parent"),
        allowed=lambda user: user.can("assistance.view"),
        columns=tuple(_column(c) for c in _kind.columns),
    ))
