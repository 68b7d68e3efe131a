"""A ledger entry's page shows its history, and the change log reads as people read: names rather than ids,
local time rather than UTC, the assistance records among its object types."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.assistance import services as s
from bangfu.audit.models import ChangeRecord
from tests.conftest import SONGBAI, TUANJIE

pytestmark = pytest.mark.django_db


@pytest.fixture
def corrected_fund(cdu, cdu_liaison, regions):
    fund = s.ledger_entry_record(actor=cdu_liaison, kind="fund", unit=cdu, data={
        "date": dt.date(2024, 3, 1), "flow": "invested", "amount": Decimal(1000), "source": "预算",
        "purpose": "产业", "village": regions[TUANJIE]})
    s.ledger_entry_update(actor=cdu_liaison, entry=fund, data={"village": regions[SONGBAI], "amount": Decimal(1200)})
    # The correction made at 06:05 UTC: 14:05 in 九寨沟 (Asia/Shanghai)
    ChangeRecord.objects.filter(object_type="fund", action="update").update(
        at=dt.datetime(2026, 12, 7, 6, 5, tzinfo=dt.UTC))
    return fund


def test_the_entry_page_shows_its_history_with_names_and_local_time(client, corrected_fund, cdu_liaison, regions):
    client.force_login(cdu_liaison)
    page = client.get(reverse("assistance:ledger_detail", args=["fund", corrected_fund.pk])).content.decode()
    history = page[page.index('id="history"'):]
    assert "2026-12-07 14:05" in history and "06:05" not in history
    assert cdu_liaison.display_name in history
    assert regions[TUANJIE].name in history and regions[SONGBAI].name in history  # 村 by name
    assert TUANJIE not in history and SONGBAI not in history  # not by its code
    assert "1000.00 → 1200.00" in history


def test_the_change_log_filters_assistance_types_and_names_what_it_points_to(client, corrected_fund, county_admin,
                                                                           regions):
    client.force_login(county_admin)
    page = client.get(reverse("web:audit_log"), {"object_type": "fund"}).content.decode()
    assert '<option value="fund" selected>帮扶资金</option>' in page
    assert "帮扶资金" in page and "2026-12-07 14:05" in page
    assert regions[SONGBAI].name in page and f"→ {SONGBAI}" not in page
    # The control: another type's filter does not list the fund's changes.
    other = client.get(reverse("web:audit_log"), {"object_type": "cadre"}).content.decode()
    assert "1200.00" not in other


def test_a_findings_page_shows_its_history(client, records, cdu, cdu_liaison, county_admin):
    finding = records[cdu.pk]["finding"]
    s.finding_rectify(actor=cdu_liaison, finding=finding, measures="已补齐佐证材料", done=False)
    client.force_login(county_admin)
    page = client.get(reverse("assistance:finding_detail", args=[finding.pk])).content.decode()
    history = page[page.index("变更记录"):]
    assert "已补齐佐证材料" in history and cdu_liaison.display_name in history
