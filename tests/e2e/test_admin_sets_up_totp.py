"""A county administrator turns on the authenticator code in the browser (QR code drawn, secret read off the page
into an "app"), logs out, and logs in again with password and code."""

import re

import pyotp
import pytest
from django.utils import timezone

from tests.conftest import COUNTY, make_user

pytestmark = pytest.mark.browser

PASSWORD = "pw-for-tests-1"


def test_admin_sets_up_totp_and_logs_in_with_it(page, live_server, transactional_db, regions, artifacts):
    make_user("totp_admin", "county_admin", COUNTY)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "totp_admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/accounts/")
    page.click("text=我的动态验证码")
    qr = page.locator(".totp-qr svg")
    assert qr.is_visible() and qr.bounding_box()["width"] > 100
    page.screenshot(path=str(artifacts / "admin-totp-setup.png"), full_page=True)
    app = pyotp.TOTP(page.inner_text(".totp-secret").replace(" ", ""))
    step = app.timecode(timezone.now())
    page.fill("#id_code", app.generate_otp(step))
    page.click("button:has-text('确认启用')")
    page.wait_for_selector("text=已启用动态验证码")

    page.click("button:has-text('退出')")
    # Logging out first looks for visits still waiting on the phone (我的村) and clears the local copy: the next
    # page is opened once the logout has landed on the login page, not while it is on its way there.
    page.wait_for_url(re.compile(r".*/login/(\?.*)?$"))
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "totp_admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/login/code/")
    page.goto(f"{live_server.url}/households/")  # no page before the code
    assert "/login/" in page.url
    page.goto(f"{live_server.url}/login/code/")
    page.fill("#id_code", app.generate_otp(step + 1))  # the next step: the first one is used up
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "totp_admin" in page.inner_text(".who-name")
