"""The monitoring line is data: the county sets its own per year, audited; the county's overrides the province's."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.audit.models import ChangeRecord
from bangfu.monitoring.models import MonitoringLine
from bangfu.monitoring.selectors import (
    monitoring_line_for,
    monitoring_lines_by_year,
    monitoring_lines_for_user,
)
from bangfu.monitoring.services import monitoring_line_save
from bangfu.regions.models import Region
from tests.conftest import COUNTY, TUANJIE

PROVINCE = "510000000000"


@pytest.fixture
def province_line(regions):
    return MonitoringLine.objects.create(region_id=PROVINCE, year=2025, amount=Decimal("7800"), source="省定")


def test_county_sets_its_line_and_it_is_recorded(county_admin, province_line):
    line = monitoring_line_save(actor=county_admin, region=Region.objects.get(code=COUNTY), year=2025,
                                amount="8000", source="县文件")
    assert line.amount == Decimal("8000.00")
    record = ChangeRecord.objects.get(object_type="monitoringline")
    assert record.actor == county_admin and record.after["amount"] == "8000.00"
    assert monitoring_line_for(village_code=TUANJIE, year=2025) == Decimal("8000.00")
    assert monitoring_lines_by_year(county_code=COUNTY)[2025] == Decimal("8000.00")


def test_changing_a_line_records_before_and_after(county_admin, regions):
    county = Region.objects.get(code=COUNTY)
    monitoring_line_save(actor=county_admin, region=county, year=2026, amount="8100")
    monitoring_line_save(actor=county_admin, region=county, year=2026, amount="8200")
    update = ChangeRecord.objects.get(object_type="monitoringline", action="update")
    assert (update.before["amount"], update.after["amount"]) == ("8100.00", "8200.00")
    assert MonitoringLine.objects.filter(region=county, year=2026).count() == 1


def test_province_line_applies_where_the_county_set_none(province_line, tuanjie_cadre):
    assert monitoring_line_for(village_code=TUANJIE, year=2025) == Decimal("7800")
    rows = monitoring_lines_for_user(tuanjie_cadre)
    assert rows[0]["in_force"] == province_line and rows[0]["county"] is None


@pytest.mark.parametrize(("year", "amount", "field"), [(1999, "8000", "year"), (2025, "50", "amount"),
                                                       (2025, "abc", "amount"), (2025, "1000000", "amount")])
def test_bad_values_are_named_and_nothing_is_written(county_admin, regions, year, amount, field):
    with pytest.raises(ValidationError) as error:
        monitoring_line_save(actor=county_admin, region=Region.objects.get(code=COUNTY), year=year, amount=amount)
    assert field in error.value.message_dict
    assert not MonitoringLine.objects.exists() and not ChangeRecord.objects.exists()


def test_only_configurers_within_their_region(tuanjie_cadre, county_admin, regions):
    with pytest.raises(PermissionDenied):
        monitoring_line_save(actor=tuanjie_cadre, region=Region.objects.get(code=COUNTY), year=2025, amount="8000")
    with pytest.raises(PermissionDenied):  # the province is above the county administrator
        monitoring_line_save(actor=county_admin, region=Region.objects.get(code=PROVINCE), year=2025, amount="8000")


def test_a_prefecture_line_beats_the_province_and_yields_to_the_county(province_line, tuanjie_cadre, county_admin):
    prefecture = MonitoringLine.objects.create(region_id="513200000000", year=2025, amount=Decimal("7950"))
    assert monitoring_line_for(village_code=TUANJIE, year=2025) == Decimal("7950")
    row = monitoring_lines_for_user(tuanjie_cadre)[0]
    assert row["in_force"] == prefecture and row["prefecture"] == prefecture and row["province"] == province_line
    county = monitoring_line_save(actor=county_admin, region=Region.objects.get(code=COUNTY), year=2025,
                                  amount="8100")
    assert monitoring_lines_for_user(tuanjie_cadre)[0]["in_force"] == county
    assert monitoring_line_for(village_code=TUANJIE, year=2025) == Decimal("8100")
