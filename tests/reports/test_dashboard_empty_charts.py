"""A chart with nothing to draw says so in words (统计期内没有数据), and a chart with one value does not."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import TUANJIE

pytestmark = pytest.mark.django_db


def test_an_empty_chart_says_so_and_one_value_is_enough_to_draw(client, county_admin, make_household):
    client.force_login(county_admin)
    month = dt.date.today().strftime("%Y%m")
    html = client.get(reverse("reports:dashboard"), {"period": str(dt.date.today().year)}).content.decode()
    assert 'data-empty="months"' in html and "统计期内没有数据" in html
    make_household(TUANJIE, head_name="本月识别户", monitoring_type="marginal", monitoring_status="risk_open",
                   identified_month=month)
    html = client.get(reverse("reports:dashboard"), {"period": str(dt.date.today().year)}).content.decode()
    assert 'data-empty="months"' not in html
    # Another year's period: the same household identified this year is not in it.
    html = client.get(reverse("reports:dashboard"), {"period": str(dt.date.today().year - 3)}).content.decode()
    assert 'data-empty="months"' in html
