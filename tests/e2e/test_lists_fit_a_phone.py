"""At 390 px, no page of the lists the village roles use is wider than the screen: every element of a card or a
table lies within the screen, except inside its own scroll box (a box that scrolls sideways by itself). And a
screenshot of each list at 390 px, for people to look at (artifacts/e2e/phone-*.png)."""

import pytest

from bangfu.assistance.ledger import LEDGER_KINDS
from bangfu.cases.models import Measure, Visit

from .conftest import login

pytestmark = pytest.mark.browser

WIDTH = 390

# Elements whose right edge passes the screen, not counting those inside a box that scrolls sideways itself.
OUTSIDE = """(width) => {
  const inOwnScrollBox = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden')
          && p.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    const folded = el.closest('details:not([open])');  // inside a closed box: not on screen until opened
    if (folded && !el.closest('summary')) continue;
    if ((r.right > width + 1 || r.left < -1) && !inOwnScrollBox(el)) {
      out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.left)}-${Math.round(r.right)}: `
               + (el.innerText || '').slice(0, 40));
    }
  }
  return {out: out.slice(0, 8), scroll: document.documentElement.scrollWidth};
}"""


def _household_with_measures():
    measure = Measure.objects.filter(household__village_id="513225103213").order_by("id").first()
    if measure:
        return measure.household_id
    visit = Visit.objects.filter(household__village_id="513225103213").order_by("id").first()
    return visit.household_id if visit else None


def _relocated_worker(village: str):
    """A household of the village relocated to a site and its head employed (synthetic), through the services."""
    import datetime as dt

    from bangfu.accounts.models import User
    from bangfu.registry.models import Household
    from bangfu.relocation.models import ResettlementSite
    from bangfu.relocation.services import employment_record, relocated_household_save

    admin = User.objects.get(username="admin")
    household = (Household.objects.filter(village_id=village, is_active=True, relocated=True).order_by("number").first()
                 or Household.objects.filter(village_id=village, is_active=True).order_by("number").first())
    relocated_household_save(actor=admin, household=household, data={
        "site": ResettlementSite.objects.order_by("id").first(), "relocation_year": 2018, "certificate": "issued"})
    head = household.members.order_by("id").first()
    for year, place in ((dt.date.today().year, "成都市武侯区某物流公司（装卸工）"), (dt.date.today().year - 1, "漳扎镇民宿")):
        job = employment_record(actor=admin, member=head, data={"year": year, "kind": "migrant", "place": place,
                                                                "months": 10})
    return job


def _relocation_and_care_pages() -> list[tuple[str, str]]:
    """The relocation and care lists a village user reads: sites, relocated households, one household's
    employment, each vulnerable-group list with members in the village, the 八必访 queue and a household's care
    visits (demo rows in 团结村, so each page is looked at with rows in it)."""
    from bangfu.care import groups as g
    from bangfu.care.models import CareVisit
    from bangfu.registry.models import Member
    from bangfu.relocation.models import Employment

    pages = [("relocation-sites", "/relocation/sites/"), ("relocation-households", "/relocation/households/"),
             ("care-due", "/care/visits/"), ("care-visited", "/care/visits/?state=visited")]
    job = Employment.objects.filter(member__household__village_id="513225103213").order_by("id").first()
    if job is None:  # the small demo has no relocated worker in 团结村: one relocated and employed, as a cadre would
        job = _relocated_worker("513225103213")
    pages.append(("relocation-employment", f"/relocation/households/{job.member.household_id}/"))
    members = Member.objects.filter(household__village_id="513225103213", household__is_active=True)
    assert any(g.group_members(members, group.key).exists() for group in g.GROUPS)  # some lists have rows
    pages += [(f"care-{group.key}", f"/care/members/?group={group.key}") for group in g.GROUPS]
    visit = CareVisit.objects.filter(household__village_id="513225103213").order_by("id").first()
    assert visit is not None
    pages.append(("care-visits", f"/care/households/{visit.household_id}/visits/"))
    return pages


def _pages(username: str) -> list[tuple[str, str]]:
    from bangfu.monitoring.models import RiskWarning

    village = [("households", "/households/"), ("warnings", "/monitoring/warnings/"),
               ("leads", "/monitoring/leads/"), ("cases", "/cases/"), ("home", "/"), ("self-report", "/monitoring/report/")]
    warning = RiskWarning.objects.filter(village_id="513225103213", state="open").order_by("id").first()
    if warning:  # the check form: its date, its radios beside their labels, its button within the screen
        village.append(("warning-check", f"/monitoring/warnings/{warning.pk}/"))
    household = _household_with_measures()
    if household:
        village.append(("measures-visits", f"/cases/households/{household}/"))
    village += _relocation_and_care_pages()
    if username == "cdu":
        return [("households", "/households/"), ("cases", "/cases/"), ("home", "/"),
                *[(f"ledger-{k.key}", f"/assistance/ledger/{k.key}/") for k in LEDGER_KINDS],
                ("cadres", "/assistance/cadres/"), ("tasks", "/assistance/meetings/")]
    return village


def test_village_roles_lists_fit_390_px_and_county_lists_fit_1280(browser, live_server, demo_county, artifacts):
    """One test for every role, so all read the one demo county (a second test would start from a flushed
    database without the shipped rules)."""
    problems = {}
    for username in ("tuanjie", "contact", "cdu"):
        problems.update(_phone_problems(browser, live_server, artifacts, username))
    problems.update(_wide_problems(browser, live_server, artifacts))
    assert not problems, problems


def _phone_problems(browser, live_server, artifacts, username) -> dict:
    context = browser.new_context(locale="zh-CN", viewport={"width": WIDTH, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = {}
    try:
        login(page, live_server.url, username)
        for name, path in _pages(username):
            response = page.goto(f"{live_server.url}{path}")
            if response.status == 403:
                continue  # a list this role does not use
            assert response.status == 200, (username, name, response.status)
            page.wait_for_load_state("networkidle")
            found = page.evaluate(OUTSIDE, WIDTH)
            page.screenshot(path=str(artifacts / f"phone-{username}-{name}.png"), full_page=True)
            if found["out"] or found["scroll"] > WIDTH:
                problems[f"{username} {name}"] = found
            for tab in page.locator(".tabs a.active").all():  # the active tab is in view, not scrolled away
                box = tab.bounding_box()
                if box and (box["x"] < 0 or box["x"] + box["width"] > WIDTH + 1):
                    problems[f"{username} {name} tab"] = box
    finally:
        context.close()
    return problems


def _wide_problems(browser, live_server, artifacts) -> dict:
    """At 1280 px the county's warning, lead, case, ledger, relocation and care tables do not push the page
    sideways."""
    from bangfu.monitoring.models import RiskWarning

    assert RiskWarning.objects.exists()  # the wide tables are checked with rows in them
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = {}
    try:
        login(page, live_server.url, "admin")
        for name, path in (("warnings", "/monitoring/warnings/?state=all"), ("leads", "/monitoring/leads/"),
                           ("cases", "/cases/"), ("ledger", "/assistance/ledger/fund/"),
                           ("relocation-sites", "/relocation/sites/"), ("relocation-households", "/relocation/households/"),
                           ("care-members", "/care/members/?group=disabled"), ("care-due", "/care/visits/?state=all")):
            page.goto(f"{live_server.url}{path}")
            found = page.evaluate(OUTSIDE, 1280)
            page.screenshot(path=str(artifacts / f"wide-admin-{name}.png"))
            if found["out"] or found["scroll"] > 1280:
                problems[f"1280 {name}"] = found
    finally:
        context.close()
    return problems
