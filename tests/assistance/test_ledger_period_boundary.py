"""A period's figures include the entries of its first and its last day and nothing of the day before or after
(issue 15: an entry on the period's last day dropped went unnoticed). Both readers: the indicators summed for the
evaluation and the ledger list's date filter."""

import datetime as dt
from decimal import Decimal

import pytest

from bangfu.assistance.selectors import ledger_entries_visible_to
from bangfu.assistance.services import ledger_entry_record
from bangfu.reports.assistance_indicators import unit_figures, year_span

pytestmark = pytest.mark.django_db

DAYS = {dt.date(2021, 12, 31): "1", dt.date(2022, 1, 1): "10", dt.date(2022, 12, 31): "100",
        dt.date(2023, 1, 1): "1000"}


@pytest.fixture
def entries(cdu, cdu_liaison):
    for day, amount in DAYS.items():
        ledger_entry_record(actor=cdu_liaison, kind="fund", unit=cdu, data={
            "date": day, "flow": "invested", "amount": Decimal(amount), "source": "预算", "purpose": "产业"})


def test_the_year_includes_its_first_and_last_day(entries, cdu):
    start, end = year_span(2022)
    assert unit_figures([cdu.pk], start, end)[cdu.pk]["funds_invested"] == Decimal("110")


def test_the_ledger_list_filter_includes_both_ends(entries, cdu_liaison):
    rows = ledger_entries_visible_to(cdu_liaison, "fund", since=dt.date(2022, 1, 1), until=dt.date(2022, 12, 31))
    assert sorted(rows.values_list("date", flat=True)) == [dt.date(2022, 1, 1), dt.date(2022, 12, 31)]
