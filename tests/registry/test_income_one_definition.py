"""One income, every reader (DOMAIN.md §4; registry/income.py): for every way a record can hold income (the
components, a household net figure given, a per-capita figure given, no record at all), the screening rule, the
home card's 收入低于监测线但未纳入监测, the household list's filter, the household page, the 明白卡, the monitored
ledger and the elimination check give the same 人均纯收入, the same 扣除合规自付支出后人均收入 and the same verdict
against the line. The expected figures are written out by hand, not computed by the code under test.

The given figures sit over zero components on purpose: a reader that adds the components instead of reading what
the ledger gave sees income 0 and calls every such household below the line.
"""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from bangfu.cases.conditions import income_blockers
from bangfu.cases.documents import card_for_household
from bangfu.monitoring.models import MonitoringLine
from bangfu.monitoring.services import screening_run
from bangfu.registry import income
from bangfu.registry.models import Household, IncomeRecord
from bangfu.registry.selectors import HouseholdFilter, households_filtered
from bangfu.reports.summaries import village_summaries_rebuild
from tests.conftest import COUNTY, TUANJIE
from tests.monitoring.factories import warned

pytestmark = pytest.mark.django_db

LINE = Decimal("8100")  # the 2025 line of the county in these tests

# name → (record fields, or None for no record; 人均纯收入, 扣除合规自付支出后人均收入, below the line)
STORED = {
    "components_above": (dict(members_counted=2, wage_income=Decimal("15000"), transfer_income=Decimal("2300"),
                              production_cost=Decimal("1000")), "8,150.00", "8,150.00", False),
    "components_below_after_medical": (dict(members_counted=2, wage_income=Decimal("17160"),
                                            medical_spending=Decimal("7030")), "8,580.00", "5,065.00", True),
    "net_given_below": (dict(members_counted=2, given="net", given_net_income=Decimal("16198")),
                        "8,099.00", "8,099.00", True),
    "net_given_at_line": (dict(members_counted=2, given="net", given_net_income=Decimal("16200")),
                          "8,100.00", "8,100.00", False),
    "per_capita_given_above": (dict(members_counted=3, given="per_capita", given_per_capita_income=Decimal("8580")),
                               "8,580.00", "8,580.00", False),
    "per_capita_given_below_after_schooling": (dict(members_counted=2, given="per_capita",
                                                    given_per_capita_income=Decimal("8580"),
                                                    education_spending=Decimal("7030")),
                                               "8,580.00", "5,065.00", True),
    "per_capita_given_below": (dict(members_counted=4, given="per_capita",
                                    given_per_capita_income=Decimal("8099.99")), "8,099.99", "8,099.99", True),
    "none": (None, "", "", False),
}


@pytest.fixture
def line(regions):
    return MonitoringLine.objects.create(region=regions[COUNTY], year=2025, amount=LINE)


@pytest.fixture
def client_admin(client, county_admin):
    client.force_login(county_admin)
    return client


def _household(make_household, fields):
    """A household not yet monitored with this 2025 record, written as the household import writes (directly, then
    the village summaries recounted)."""
    household = make_household(TUANJIE, head_name="收入户")
    if fields is not None:
        IncomeRecord.objects.create(household=household, year=2025, **fields)
    village_summaries_rebuild()
    return household


def _monitored_ledger_row(tmp_path, household) -> dict:
    path = tmp_path / "monitored.xlsx"
    call_command("export_data", "monitored", "--out", str(path))
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(path.read_bytes())).active.iter_rows()]
    header = rows[3]
    found = [dict(zip(header, row, strict=True)) for row in rows[4:] if row[0] == household.number]
    assert len(found) == 1
    return found[0]


def _yuan(text: str) -> float | None:
    return float(text.replace(",", "")) if text else None


@pytest.mark.parametrize("name", list(STORED))
def test_every_reader_gives_the_same_income(name, make_household, county_admin, client_admin, line, tmp_path):
    fields, per_capita, for_line, below = STORED[name]
    household = _household(make_household, fields)
    record = household.income_records.first()

    # The definition itself.
    if record is not None:
        assert f"{income.per_capita_net_income(record):,.2f}" == per_capita
        assert f"{income.per_capita_for_line(record):,.2f}" == for_line
        assert income.below_line(record, LINE) is below

    # The screening rule (DuckDB over the snapshot).
    screening_run(actor=county_admin)
    assert warned("income_below_line") == ({household.pk} if below else set())
    if below:
        evidence = household.warnings.get(rule__code="income_below_line").evidence
        assert f"{for_line.removesuffix('.00')} 元，低于当年监测线 8,100 元" in evidence
        assert f"人均纯收入 {per_capita.removesuffix('.00')} 元" in evidence

    # The home card and the household list it links to.
    home = client_admin.get(reverse("web:home"))
    assert home.context["below_line"] == (1 if below else 0)
    listed = households_filtered(county_admin, HouseholdFilter(below_line=True))
    assert list(listed.values_list("pk", flat=True)) == ([household.pk] if below else [])

    # The household page.
    page = client_admin.get(reverse("registry:household_detail", args=[household.pk]))
    rows = page.context["income_rows"]
    assert [(r.year, ln, b) for r, ln, b in rows] == ([(2025, LINE, below)] if record else [])
    content = page.content.decode()
    if record is not None:
        assert per_capita in content and for_line in content
    assert ("低于监测线</span>" in content) is below

    # The 明白卡.
    card = card_for_household(household)
    assert (card.per_capita_income, card.for_line_income, card.below_line) == (per_capita, for_line, below)

    # The monitored households' ledger (the household is monitored from here on).
    Household.objects.filter(pk=household.pk).update(monitoring_type="marginal", monitoring_status="risk_open",
                                                     identified_month="202501")
    row = _monitored_ledger_row(tmp_path, household)
    assert (row["人均纯收入（元）"] or None, row["扣除合规自付支出后人均收入（元）"] or None) == (
        _yuan(per_capita), _yuan(for_line))  # no record: blank cells

    # The elimination check reads the same figure against the same line.
    household.refresh_from_db()
    blockers = [b for b in income_blockers(household, today=dt.date(2026, 7, 1), months=6) if "低于" in b]
    assert blockers == ([f"收入：2025年收入记录（扣除合规自付支出后）人均纯收入{for_line}元，低于2025年监测线8,100.00元"] if below else [])
