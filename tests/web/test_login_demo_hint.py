"""The demo lists its accounts on the login page; a real installation never does."""

from django.urls import reverse


def test_demo_mode_lists_the_demo_accounts(client, settings, db):
    settings.DEMO_MODE = True
    page = client.get(reverse("web:login")).content.decode()
    assert "演示账号" in page and "tuanjie" in page and "bangfu-demo-2026" in page


def test_a_real_installation_does_not(client, settings, db):
    settings.DEMO_MODE = False
    page = client.get(reverse("web:login")).content.decode()
    assert "演示账号" not in page and "bangfu-demo-2026" not in page
