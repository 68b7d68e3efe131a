"""The monitoring-line page: everyone bound to a region reads it; the county administrator sets the county's."""

from django.urls import reverse

from bangfu.monitoring.models import MonitoringLine


def test_county_admin_sets_a_line_from_the_page(client, county_admin):
    client.force_login(county_admin)
    response = client.post(reverse("monitoring:lines"), {"year": "2026", "amount": "8100", "source": "县文件"})
    assert response.status_code == 302
    page = client.get(reverse("monitoring:lines")).content.decode()
    assert "8100.00" in page.replace(",", "") and "县设定" in page
    assert MonitoringLine.objects.get().region_id == "513225000000"


def test_bad_amount_is_named_on_the_form(client, county_admin):
    client.force_login(county_admin)
    response = client.post(reverse("monitoring:lines"), {"year": "2026", "amount": "12", "source": ""})
    assert response.status_code == 200
    assert "监测线应为1,000至100,000元之间的金额" in response.content.decode()
    assert not MonitoringLine.objects.exists()


def test_a_cadre_reads_but_cannot_set(client, tuanjie_cadre):
    client.force_login(tuanjie_cadre)
    page = client.get(reverse("monitoring:lines"))
    text = page.content.decode()
    # The table shows the lines; the setting form (its amount field and its heading) is not there.
    assert page.status_code == 200 and "尚未设定任何年度的监测范围" in text
    assert 'name="amount"' not in text and "的监测线</h2>" not in text
    response = client.post(reverse("monitoring:lines"), {"year": "2026", "amount": "8100"})
    assert response.status_code == 403
    assert not MonitoringLine.objects.exists()


def test_the_setting_form_is_what_the_cadre_does_not_get(client, county_admin):
    # The control for the test above: the administrator's page has exactly the markers the cadre's lacks.
    client.force_login(county_admin)
    text = client.get(reverse("monitoring:lines")).content.decode()
    assert 'name="amount"' in text and "的监测线</h2>" in text


def test_a_prefecture_line_is_shown_in_force_where_the_county_set_none(client, tuanjie_cadre):
    from decimal import Decimal

    MonitoringLine.objects.create(region_id="510000000000", year=2026, amount=Decimal("7800"), source="省文件")
    MonitoringLine.objects.create(region_id="513200000000", year=2026, amount=Decimal("7950"), source="州文件")
    client.force_login(tuanjie_cadre)
    text = client.get(reverse("monitoring:lines")).content.decode()
    row = text.split("<tbody>")[1].split("</tr>")[0]
    assert "<b>7,950.00</b>" in row and "州文件" in row and "继承自阿坝藏族羌族自治州" in row  # the shared label (regions.config)
