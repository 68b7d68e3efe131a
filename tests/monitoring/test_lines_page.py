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
    assert page.status_code == 200 and "设定" not in page.content.decode().split("<h1>")[1].split("</section>")[-1]
    response = client.post(reverse("monitoring:lines"), {"year": "2026", "amount": "8100"})
    assert response.status_code == 403
    assert not MonitoringLine.objects.exists()
