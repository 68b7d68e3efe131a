"""One 团结村 household from a lead to a monitored household and, seven months later, through risk elimination,
in Chromium, as the village cadre (tuanjie), the township reviewer (shuanghe) and the county approver (admin).

The workflow's clock is moved forward in the test process, which also runs the live server."""

import datetime as dt
from decimal import Decimal

import pytest

from bangfu.cases import clock
from bangfu.cases.models import Case
from bangfu.registry.models import Household, Member

from .conftest import login

pytestmark = pytest.mark.browser

TUANJIE = "513225103213"


class MovableClock:
    """Starts 230 days back, so that seven months on is still not in the future for the registry's own checks
    (which use the real date: an identification month may not lie ahead)."""

    def __init__(self):
        self.day = dt.date.today() - dt.timedelta(days=230)

    def forward(self, days: int):
        self.day += dt.timedelta(days=days)


@pytest.fixture
def movable_clock(monkeypatch):
    fake = MovableClock()
    monkeypatch.setattr(clock, "today", lambda: fake.day)
    return fake


@pytest.fixture
def household(demo_county):
    """A 团结村 household with no case yet, made to meet the 三保障 conditions (so only time and income decide)."""
    busy = Case.objects.values_list("household_id", flat=True)
    household = (Household.objects.filter(village_id=TUANJIE, monitoring_type="").exclude(pk__in=busy)
                 .order_by("number").first())
    Household.objects.filter(pk=household.pk).update(housing_safety="A", drinking_water_safe=True)
    Member.objects.filter(household=household).update(medical_insurance=True, student_status="primary",
                                                      labour_ability="ordinary")
    household.refresh_from_db()
    return household


def _as(browser, base_url, username, *, phone=False):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(locale="zh-CN", viewport=size)
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, base_url, username)
    return page


def _step(page, label: str, **fields):
    form = page.locator(f"form.step-form:has(h3:has-text('{label}'))")
    for name, value in fields.items():
        if isinstance(value, list):
            for item in value:
                form.locator(f"input[name$='-{name}'][value='{item}']").check()
        elif name in {"monitoring_type", "elimination_kind"}:
            form.locator(f"select[name$='-{name}']").select_option(value)
        else:
            form.locator(f"[name$='-{name}']").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "msg-error" not in page.content(), page.inner_text(".messages")


def _walk_to_notice(page, day: str, outcome: str):
    _step(page, "完成入户核实", commitment_signed_on=day, verification_notes="入户核实：户主务工受伤，收入骤减")
    _step(page, "记录比对结果", comparison_result="医保、民政、人社数据比对一致")
    _step(page, "民主评议并开始公示", review_date=day, review_participants="村两委、群众代表15人",
          review_outcome=outcome, notice_started_on=day)


def test_lead_to_monitored_to_eliminated(browser, live_server, household, movable_clock, artifacts):
    base = live_server.url
    today = movable_clock.day.isoformat()

    # --- the village cadre records the lead and walks the village steps --------------------------------------
    cadre = _as(browser, base, "tuanjie")
    cadre.goto(f"{base}/cases/households/{household.pk}/")
    cadre.click("text=登记识别线索")
    cadre.fill("textarea[name=summary]", "户主务工时受伤，家庭收入骤减")
    cadre.click("button:has-text('保存')")
    cadre.wait_for_selector("#case-state:has-text('入户核实')")
    case = Case.objects.get(household=household)
    cadre.screenshot(path=str(artifacts / "case-01-cadre-lead.png"), full_page=True)
    _walk_to_notice(cadre, today, "同意纳入监测")
    assert cadre.inner_text("#case-state") == "村内公示"
    cadre.click("text=打印本村公示")
    cadre.wait_for_selector("#notice")
    notice = cadre.inner_text("#notice")
    assert household.head_name in notice and "拟纳入监测对象" in notice
    assert household.members.first().reveal_id_number() not in cadre.content()
    cadre.screenshot(path=str(artifacts / "case-02-village-notice.png"), full_page=True)

    # Five days on the notice board, then to the township.
    cadre.goto(f"{base}/cases/{case.pk}/")
    movable_clock.forward(5)
    _step(cadre, "公示期满，报乡镇审核")
    assert cadre.inner_text("#case-state") == "乡镇审核"

    # --- the township reviewer finds it in the queue on the home page ----------------------------------------
    reviewer = _as(browser, base, "shuanghe")
    queue = reviewer.inner_text("#work-queue")
    assert household.number in queue
    reviewer.screenshot(path=str(artifacts / "case-03-township-home-queue.png"), full_page=True)
    reviewer.click(f"#work-queue a:has-text('{household.number}')")
    _step(reviewer, "乡镇审核通过", comment="材料齐全，同意上报")
    assert reviewer.inner_text("#case-state") == "县级审定"

    # --- the county approves: a monitored household ------------------------------------------------------------
    county = _as(browser, base, "admin")
    county.goto(f"{base}/cases/{case.pk}/")
    month = movable_clock.day.strftime("%Y%m")
    _step(county, "县级审定通过", monitoring_type="marginal", risk_types=["unstable_employment"],
          identified_month=month)
    assert county.inner_text("#case-state") == "纳入监测"
    county.screenshot(path=str(artifacts / "case-04-county-approved.png"), full_page=True)
    household.refresh_from_db()
    assert (household.monitoring_type, household.monitoring_status, household.identified_month) == (
        "marginal", "risk_open", month)
    labels = list(case.decisions.order_by("at", "id").values_list("label", "actor__username"))
    assert ("公示期满，报乡镇审核", "tuanjie") in labels and ("乡镇审核通过", "shuanghe") in labels
    assert labels[-1] == ("县级审定通过", "admin")

    # --- assistance: a measure (the mismatch shows until it is there), then a visit from a phone ---------------
    cadre.goto(f"{base}/cases/households/{household.pk}/")
    assert "发展类措施" in cadre.inner_text("#mismatches")
    cadre.click("text=新增帮扶措施")
    cadre.select_option("select[name=category]", label="就业帮扶")
    cadre.fill("input[name=description]", "推荐到县内景区务工")
    cadre.fill("input[name=start_on]", movable_clock.day.isoformat())
    cadre.fill("input[name=responsible]", "县人社局")
    cadre.fill("input[name=amount]", "0")
    cadre.click("button:has-text('保存')")
    cadre.wait_for_selector("#measures:has-text('推荐到县内景区务工')")
    assert cadre.locator("#mismatches").count() == 0
    phone = _as(browser, base, "tuanjie", phone=True)
    phone.goto(f"{base}/cases/households/{household.pk}/")
    phone.click("text=记录走访")
    phone.fill("textarea[name=notes]", "户主已在景区就业，月收入稳定")
    phone.fill("input[name=per_capita_income]", "9600")
    phone.screenshot(path=str(artifacts / "case-05-visit-on-phone.png"), full_page=True)
    phone.click("button:has-text('保存')")
    phone.wait_for_selector("#visits:has-text('户主已在景区就业')")
    phone.screenshot(path=str(artifacts / "case-06-assistance-on-phone.png"), full_page=True)

    # Too early to propose elimination: the page says exactly why.
    cadre.goto(f"{base}/cases/households/{household.pk}/eliminate/")
    blockers = cadre.inner_text("#blockers")
    assert "须满6个月" in blockers  # too soon (and, for some households, an income below the line)

    # --- seven months later: risk elimination through the same chain -----------------------------------------
    movable_clock.forward(214)
    cadre.goto(f"{base}/cases/households/{household.pk}/eliminate/")
    assert cadre.locator("#blockers-ok").count() == 1, cadre.inner_text("main")
    cadre.screenshot(path=str(artifacts / "case-07-elimination-conditions-met.png"), full_page=True)
    cadre.select_option("select[name=elimination_kind]", "by_assistance")
    cadre.click("button:has-text('提出风险消除')")
    cadre.wait_for_selector("#case-state:has-text('入户核实')")
    elimination = Case.objects.get(household=household, kind="elimination")
    _walk_to_notice(cadre, movable_clock.day.isoformat(), "同意标注风险消除")
    movable_clock.forward(5)
    _step(cadre, "公示期满，报乡镇审核")
    reviewer.goto(f"{base}/cases/{elimination.pk}/")
    _step(reviewer, "乡镇审核通过")
    county.goto(f"{base}/cases/{elimination.pk}/")
    _step(county, "县级审定通过")
    assert county.inner_text("#case-state") == "风险已消除"
    county.screenshot(path=str(artifacts / "case-08-risk-eliminated.png"), full_page=True)
    household.refresh_from_db()
    assert household.monitoring_status == "risk_eliminated"
    assert household.eliminated_month == movable_clock.day.strftime("%Y%m")
    assert Decimal("9600") == household.visits.get().per_capita_income
    for p in (cadre, reviewer, county, phone):
        p.context.close()
