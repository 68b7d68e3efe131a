"""The 团结村 cadre at 390 px opens 我的村, goes offline (Playwright's offline mode), records a home visit, verifies two
warnings, records a care visit (关爱走访) and checks in; closes the browser and opens it again still offline and sees
the five waiting; goes online and sees each recorded once with the time it was made; a second device changed the
same household, and verified one of the warnings, meanwhile: the cadre sees both versions side by side for each and
chooses."""

import datetime as dt
import os
import re
import time

import pytest
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.assistance.models import Cadre, CheckIn
from bangfu.care import groups as care_groups
from bangfu.care.models import CareVisit
from bangfu.cases.models import Visit
from bangfu.monitoring.models import Lead, RiskWarning, Rule
from bangfu.monitoring.services import warning_verify
from bangfu.offline.models import OfflineSubmission
from bangfu.registry.models import Household
from bangfu.registry.services import household_update

from .conftest import _chromium_path, login

pytestmark = pytest.mark.browser

# Playwright's offline mode does not reach a service worker's own requests (microsoft/playwright#2311): with its
# service-worker network events on (read when the driver starts), those requests are routed and refused below.
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

TUANJIE = "513225103213"
PHONE = {"width": 390, "height": 844}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _open(browser, profile, *, offline: bool):
    """A browser whose storage (IndexedDB, the service worker's cache, cookies) lives in `profile`, as a phone's."""
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=_chromium_path(), headless=True, args=ARGS, locale="zh-CN", viewport=PHONE,
        permissions=["geolocation"], geolocation={"latitude": 33.2601, "longitude": 103.9187},
        timezone_id="Asia/Shanghai", service_workers="allow")
    if offline:
        _offline(context)
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def _refuse_service_worker(route):
    if route.request.service_worker:
        route.abort("internetdisconnected")
    else:
        route.continue_()


def _offline(context):
    """No signal: the pages (Playwright's offline mode) and the service worker's own requests."""
    context.set_offline(True)
    context.route("**/*", _refuse_service_worker)


def _online(context):
    context.unroute("**/*", _refuse_service_worker)
    context.set_offline(False)


def _ready(page):
    page.wait_for_selector("#village-app[data-ready='1']")


def _pending(page) -> str:
    return page.inner_text("#pending")


def _no_wider_than_the_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"


def test_cadre_records_offline_and_each_is_recorded_once(browser, live_server, demo_county, artifacts, tmp_path):
    tuanjie = User.objects.get(username="cadre")
    assert Cadre.objects.filter(user=tuanjie, village_id=TUANJIE).exists()  # the demo's first secretary, 何磊, signs in as `cadre`
    households = list(Household.objects.filter(village_id=TUANJIE, is_active=True, monitoring_type="")
                      .order_by("number")[:3])
    visited, warned, warned_too = households
    now = timezone.now()
    warning = RiskWarning.objects.create(household=warned, village_id=TUANJIE, rule=Rule.objects.get(
        code="unsafe_housing"), evidence="住建部门鉴定为C级危房", created_at=now, updated_at=now)
    # A second warning, which another cadre of the village will dismiss by phone while this one is offline.
    disputed = RiskWarning.objects.create(household=warned_too, village_id=TUANJIE, rule=Rule.objects.get(
        code="medical_stay_oop"), evidence="住院自付 9000 元", created_at=now, updated_at=now)
    cared = (care_groups.visit_due(Household.objects.filter(village_id=TUANJIE))
             .exclude(pk__in=[h.pk for h in households]).order_by("number").first())
    assert cared is not None  # the demo has 八必访 households not yet visited this quarter in 团结村
    before = {"visits": Visit.objects.filter(household=visited).count(), "check_ins": CheckIn.objects.count(),
              "care": CareVisit.objects.filter(household=cared).count(), "leads": Lead.objects.count()}
    profile = tmp_path / "phone"
    grades = {"A": "A级", "B": "B级", "C": "C级（危房）", "D": "D级（危房）"}
    found = "D" if visited.housing_safety == "C" else "C"  # what the cadre finds at the house
    elsewhere = next(g for g in "AB" if g != visited.housing_safety)  # what the second device records

    context, page = _open(browser, profile, offline=False)
    login(page, live_server.url, "cadre")
    page.goto(f"{live_server.url}/my-village/")
    _ready(page)
    page.wait_for_selector(".ov-card")
    for _ in range(100):  # the service worker has kept the shell for use without signal
        if page.evaluate("async () => !!(await caches.match('/my-village/'))"):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the service worker did not keep 我的村's shell")
    _no_wider_than_the_screen(page)
    page.screenshot(path=str(artifacts / "offline-1-my-village-online.png"), full_page=True)

    _offline(context)
    page.wait_for_selector("#net.off")
    started = timezone.now()
    # A home visit that finds the house unsafe (the file said otherwise).
    page.fill("input[type=search]", visited.number)
    page.click(f".ov-card:has-text('{visited.number}') >> button:has-text('入户走访')")
    page.fill("textarea[name=notes]", "入户走访，见到户主，房屋墙体开裂")
    page.select_option("select[name=housing_safety]", found)
    page.click("button:has-text('保存（离线可用）')")
    page.wait_for_selector("#pending:has-text('1 条待上传')")
    # A warning verified.
    page.click(".ov-tabs >> text=预警")
    page.click(".ov-card:has-text('住建部门鉴定为C级危房') >> button:has-text('核实')")
    page.check("input[name=outcome][value=confirmed]")
    page.fill("textarea[name=visit_notes]", "入户核实，房屋确为危房")
    page.screenshot(path=str(artifacts / "offline-2-verify-form-offline.png"), full_page=True)
    page.click("button:has-text('保存（离线可用）')")
    page.wait_for_selector("#pending:has-text('2 条待上传')")
    page.click(".ov-tabs >> text=预警")
    page.click(".ov-card:has-text('住院自付 9000 元') >> button:has-text('核实')")
    page.check("input[name=outcome][value=confirmed]")
    page.fill("textarea[name=visit_notes]", "入户核实，住院自付属实，家中无其他收入")
    page.click("button:has-text('保存（离线可用）')")
    page.wait_for_selector("#pending:has-text('3 条待上传')")
    # A care visit (八必访) to a household due this quarter.
    page.click(".ov-tabs >> text=关爱")
    card = page.locator(f".ov-card:has-text('{cared.number}')")
    assert "应访原因" in card.inner_text()
    page.screenshot(path=str(artifacts / "offline-2b-care-due-offline.png"), full_page=True)
    card.locator("button:has-text('关爱走访')").click()
    assert page.input_value("input[name=visitor]")  # the cadre's own name, filled in
    page.fill("textarea[name=found]", "老人身体尚可，冬季取暖煤已备")
    page.fill("textarea[name=done]", "叮嘱注意用火安全")
    page.screenshot(path=str(artifacts / "offline-2c-care-visit-form-offline.png"), full_page=True)
    page.click("button:has-text('保存（离线可用）')")
    page.wait_for_selector("#pending:has-text('4 条待上传')")
    # A check-in: its time and place kept.
    page.click(".ov-tabs >> text=签到")
    page.fill("textarea[name=log]", "入户排查住房安全")
    page.click("button:has-text('保存（离线可用）')")
    page.wait_for_selector("#pending:has-text('5 条待上传')")
    made = timezone.now()
    assert OfflineSubmission.objects.count() == 0  # nothing reached the server without signal
    _no_wider_than_the_screen(page)
    page.screenshot(path=str(artifacts / "offline-3-three-waiting.png"), full_page=True)
    context.close()

    # The browser closed and opened again, still without signal: the shell from the service worker, the three
    # submissions from IndexedDB.
    context, page = _open(browser, profile, offline=True)
    page.goto(f"{live_server.url}/my-village/")
    _ready(page)
    assert page.evaluate("navigator.onLine") is False
    assert "5 条待上传" in _pending(page) and OfflineSubmission.objects.count() == 0
    page.click(".ov-tabs >> text=待上传")
    assert page.locator(".ov-card.ov-waiting").count() == 5
    page.screenshot(path=str(artifacts / "offline-4-reopened-offline.png"), full_page=True)
    page.goto(f"{live_server.url}/households/")
    assert "此页面需要联网" in page.inner_text("body")
    page.screenshot(path=str(artifacts / "offline-5-page-needs-network.png"), full_page=True)
    page.goto(f"{live_server.url}/my-village/")
    _ready(page)
    assert "5 条待上传" in _pending(page) and OfflineSubmission.objects.count() == 0

    # Meanwhile a second device (the township reviewer at the office) changes the same household, and the village's
    # other cadre dismisses the second warning after a phone call.
    visited.refresh_from_db()
    household_update(actor=User.objects.get(username="shuanghe"), household=visited,
                     data={"housing_safety": elsewhere}, version=visited.version)
    warning_verify(actor=User.objects.get(username="tuanjie"), warning=disputed, outcome="dismissed",
                   visit_date=timezone.localdate(), visit_notes="电话核实", dismiss_reason="已由医保报销")

    _online(context)
    try:
        page.locator(".ov-card.ov-conflict").nth(1).wait_for()  # both held (the page's CSP forbids a JS string)
        page.wait_for_selector("#pending:has-text('2 条待上传')")
    finally:
        page.screenshot(path=str(artifacts / "offline-6-both-versions.png"), full_page=True)
    assert "2 条待上传" in _pending(page)
    warning.refresh_from_db()
    assert warning.state == RiskWarning.State.CONFIRMED
    assert CareVisit.objects.filter(household=cared).count() == before["care"] + 1
    care = CareVisit.objects.filter(household=cared).latest("id")
    assert care.found == "老人身体尚可，冬季取暖煤已备" and care.recorded_by == tuanjie
    check_in = CheckIn.objects.get(cadre__user=tuanjie, date=timezone.localdate())
    assert (float(check_in.latitude), float(check_in.longitude)) == (33.2601, 103.9187)
    assert Visit.objects.filter(household=visited).count() == before["visits"]  # held, not dropped
    house_card = page.locator(".ov-card.ov-conflict:has-text('住房安全等级')")
    compare = house_card.locator(".ov-compare").inner_text()
    assert grades[elsewhere] in compare and grades[found] in compare
    # The warning: the other cadre's dismissal and this cadre's confirmation, side by side; nothing overwritten.
    warning_card = page.locator(".ov-card.ov-conflict:has-text('住院自付属实')")
    compare = warning_card.locator(".ov-compare").inner_text()
    assert "核实排除" in compare and "已由医保报销" in compare and "核实属实" in compare
    disputed.refresh_from_db()
    assert disputed.state == RiskWarning.State.DISMISSED and Lead.objects.count() == before["leads"] + 1
    _no_wider_than_the_screen(page)

    house_card.locator("button:has-text('以我的为准')").click()
    page.wait_for_selector("#pending:has-text('1 条待上传')")
    page.locator(".ov-card.ov-conflict:has-text('住院自付属实') >> button:has-text('以我的为准：转为识别线索')").click()
    page.wait_for_selector("#pending:has-text('0 条待上传')")
    lead = Lead.objects.latest("id")
    assert lead.household_id == warned_too.pk and "住院自付属实" in lead.difficulty
    assert Lead.objects.count() == before["leads"] + 2  # the first warning's, and the disputed one's from the visit
    visited.refresh_from_db()
    assert visited.housing_safety == found
    assert Visit.objects.filter(household=visited).count() == before["visits"] + 1
    assert CheckIn.objects.count() == before["check_ins"] + 1
    kinds = sorted(OfflineSubmission.objects.values_list("kind", flat=True))
    assert kinds == ["care_visit", "check_in", "visit", "warning_verify", "warning_verify"]  # each once
    for submission in OfflineSubmission.objects.all():
        assert started - dt.timedelta(seconds=1) <= submission.made_at <= made  # when made, not when sent
        assert submission.received_at > made

    page.click(".ov-tabs >> text=已上传")
    text = page.inner_text("#panel")
    assert len(re.findall("离线录入", text)) >= 5
    assert f"{timezone.localtime(OfflineSubmission.objects.get(kind='visit').made_at):%Y-%m-%d %H:%M}" in text
    page.screenshot(path=str(artifacts / "offline-7-recorded-once.png"), full_page=True)
    context.close()


LOGIN_AT = """async () => {
  const db = await new Promise(r => { const q = indexedDB.open("bangfu-offline", 1); q.onsuccess = () => r(q.result); });
  const at = await new Promise(r => { const q = db.transaction("meta").objectStore("meta").get("login_at");
                                      q.onsuccess = () => r(q.result); });
  db.close();
  return at || 0;
}"""


def _stored(page) -> list[str]:
    """The names of what 我的村 keeps in IndexedDB on this phone (empty when the database is gone)."""
    return page.evaluate("""async () => {
      const names = (await indexedDB.databases()).map(d => d.name);
      if (!names.includes("bangfu-offline")) { return []; }
      const db = await new Promise(r => { const q = indexedDB.open("bangfu-offline", 1); q.onsuccess = () => r(q.result); });
      const keys = await new Promise(r => { const q = db.transaction("meta").objectStore("meta").getAllKeys();
                                            q.onsuccess = () => r(q.result); });
      db.close();
      return keys;
    }""")


def test_the_copy_goes_after_the_days_without_login_and_at_logout(page, live_server, demo_county, artifacts):
    from bangfu.offline.models import OfflineKey

    page.set_viewport_size(PHONE)
    login(page, live_server.url, "cadre")
    page.goto(f"{live_server.url}/my-village/")
    _ready(page)
    assert {"copy", "key", "login_at"} <= set(_stored(page))
    # Last logged in 8 days ago on this phone, with 7 days allowed (BANGFU_OFFLINE_KEEP_DAYS): opened offline, the
    # copy goes. Control: 6 days ago, it stays.
    for days, kept in ((6, True), (8, False)):
        page.evaluate("""async (days) => {
          const db = await new Promise(r => { const q = indexedDB.open("bangfu-offline", 1); q.onsuccess = () => r(q.result); });
          await new Promise(r => { const t = db.transaction("meta", "readwrite");
            t.objectStore("meta").put(Date.now() - days * 86400000, "login_at"); t.oncomplete = r; });
          db.close();
        }""", days)
        _offline(page.context)
        page.reload()
        _ready(page)
        assert ("copy" in _stored(page)) is kept
        if not kept:
            assert "超过 7 天未联网登录" in page.inner_text("#notice")
            page.screenshot(path=str(artifacts / "offline-8-expired.png"), full_page=True)
        _online(page.context)
        # Back online, the page fetches the key again, which counts as logging in on this phone: wait for it.
        for _ in range(100):
            if page.evaluate(LOGIN_AT) > time.time() * 1000 - 60_000:
                break
            time.sleep(0.1)

    page.reload()  # online again: logged in, the copy comes back
    _ready(page)
    assert "copy" in _stored(page)
    page.click("button:has-text('退出')")
    page.wait_for_url(re.compile(r".*/login/$"))
    page.wait_for_selector("input[name=username]")
    assert _stored(page) == []  # Clear-Site-Data: the copy, the queue and the key are gone from the phone
    assert not OfflineKey.objects.filter(user__username="cadre").exists()
